# Fuzz targets (tests/fuzz/fuzz_*.cpp); see docs/reliability.md.
#
# Always: each target is compiled with a tiny replay main
# (fuzz/fuzz_replay_main.cpp) and registered with ctest as fuzz_<t>_replay,
# which runs every file of the committed corpus fuzz/corpus/<t>/ through it.
#
# With -DDNASTORE_FUZZ=ON (clang): libFuzzer executables fuzz_<t> built with
# -fsanitize=fuzzer,address,undefined; the dnastore libraries get
# -fsanitize=fuzzer-no-link,address,undefined so libFuzzer sees their coverage.
# DNASTORE_FUZZ_SANITIZERS picks another set: "undefined" (no ASan, no leak
# checks) runs the slow targets about 2x faster, for throughput campaigns
# next to a shorter ASan one (bench/fuzz.sh -s ubsan; docs/reliability.md).
set(DNASTORE_FUZZ_TARGETS seq_reader header decode roundtrip)
set(DNASTORE_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(DNASTORE_FUZZ_SANITIZERS "address,undefined" CACHE STRING
  "Sanitizers of the libFuzzer build (-fsanitize=...), e.g. address,undefined or undefined")

if(DNASTORE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DNASTORE_FUZZ=ON needs clang (CC=clang CXX=clang++)")
  endif()
  set(DNASTORE_FUZZ_SAN -fsanitize=${DNASTORE_FUZZ_SANITIZERS} -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
  foreach(lib dnastore_core dnastore_reads dnastore_codec)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link ${DNASTORE_FUZZ_SAN})
    target_link_options(${lib} PUBLIC -fsanitize=${DNASTORE_FUZZ_SANITIZERS})
  endforeach()
endif()

foreach(t ${DNASTORE_FUZZ_TARGETS})
  add_executable(fuzz_${t}_replay ${DNASTORE_FUZZ_DIR}/fuzz_${t}.cpp
    ${DNASTORE_FUZZ_DIR}/fuzz_replay_main.cpp)
  target_link_libraries(fuzz_${t}_replay PRIVATE dnastore::codec dnastore::core dnastore_source_tree)
  add_test(NAME fuzz_${t}_replay
    COMMAND fuzz_${t}_replay ${DNASTORE_FUZZ_DIR}/corpus/${t})
  set_tests_properties(fuzz_${t}_replay PROPERTIES TIMEOUT 120)
  if(DNASTORE_FUZZ)
    add_executable(fuzz_${t} ${DNASTORE_FUZZ_DIR}/fuzz_${t}.cpp)
    target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer ${DNASTORE_FUZZ_SAN})
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,${DNASTORE_FUZZ_SANITIZERS})
    target_link_libraries(fuzz_${t} PRIVATE dnastore::codec dnastore::core dnastore_source_tree)
  endif()
endforeach()
