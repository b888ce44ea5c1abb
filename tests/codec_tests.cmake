dnastore_add_test(codec_kernels_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/codec_kernels_test.cpp
  LIBS dnastore::codec PkgConfig::ISAL)
dnastore_add_test(codec_roundtrip_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/codec_roundtrip_test.cpp
  LIBS dnastore::codec)
dnastore_add_test(cli_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cli_test.cpp LIBS dnastore::core)
