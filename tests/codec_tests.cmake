dnastore_add_test(codec_kernels_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/codec_kernels_test.cpp
  LIBS dnastore::codec PkgConfig::ISAL)
dnastore_add_test(codec_roundtrip_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/codec_roundtrip_test.cpp
  LIBS dnastore::codec)
dnastore_add_test(cli_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cli_test.cpp LIBS dnastore::core)
# `dnastore bench --quick` as a smoke test: it reports, it never judges speed.
add_test(NAME bench_quick_smoke
  COMMAND dnastore bench --quick -q -t 2 --json ${CMAKE_CURRENT_BINARY_DIR}/bench_quick.json)
set_tests_properties(bench_quick_smoke PROPERTIES TIMEOUT 600)
add_test(NAME sample_encode_decode_example
  COMMAND encode_decode_example ${PROJECT_SOURCE_DIR}/samples/hello_dna.txt ${CMAKE_CURRENT_BINARY_DIR})
