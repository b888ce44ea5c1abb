dnastore_add_test(core_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/core_test.cpp LIBS dnastore::core)
