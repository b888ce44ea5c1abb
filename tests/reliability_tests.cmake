# Reliability: bad input, integrity, determinism (runs the built `dnastore`).
dnastore_add_test(reliability_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/reliability_test.cpp
  LIBS dnastore::core nlohmann_json::nlohmann_json ZLIB::ZLIB)
