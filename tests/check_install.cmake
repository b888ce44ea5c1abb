# Installs the build into a scratch prefix, then builds samples/ as a separate
# project against it with find_package(dnastore), runs both samples, and
# compiles one sample again with nothing but `pkg-config dnastore`.
# Run: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DCXX=... -P check_install.cmake
cmake_minimum_required(VERSION 3.20)

macro(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endmacro()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f bin/dnastore include/dnastore/dnastore.h include/dnastore/version.h
    lib/cmake/dnastore/dnastoreConfig.cmake lib/cmake/dnastore/dnastoreConfigVersion.cmake
    lib/pkgconfig/dnastore.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# Private headers stay private.
file(GLOB_RECURSE private RELATIVE ${prefix}/include ${prefix}/include/*)
foreach(h IN LISTS private)
  if(NOT h MATCHES "^dnastore/[a-z_]+\\.h$")
    message(FATAL_ERROR "installed a header outside include/dnastore/: ${h}")
  endif()
endforeach()

# The installed executable runs from the prefix.
run(${prefix}/bin/dnastore --version)

# samples/ as its own project.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/samples -B ${WORK_DIR}/samples
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/samples -j 2)
run(${WORK_DIR}/samples/encode_decode_example ${SOURCE_DIR}/samples/hello_dna.txt ${WORK_DIR})
run(${WORK_DIR}/samples/simulate_decode_example ${SOURCE_DIR}/samples/hello_dna.txt ${WORK_DIR})
foreach(f decoded sim_decoded)
  file(SHA256 ${SOURCE_DIR}/samples/hello_dna.txt want)
  file(SHA256 ${WORK_DIR}/${f} got)
  if(NOT want STREQUAL got)
    message(FATAL_ERROR "${f} differs from the sample")
  endif()
endforeach()

# pkg-config alone.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs dnastore OUTPUT_VARIABLE flags
  RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config dnastore failed")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${CXX} -std=c++20 ${SOURCE_DIR}/samples/encode_decode_example.cpp ${flags}
  -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/pc_example)
file(MAKE_DIRECTORY ${WORK_DIR}/pc)
run(${WORK_DIR}/pc_example ${SOURCE_DIR}/samples/hello_dna.txt ${WORK_DIR}/pc)
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "installed package works")
