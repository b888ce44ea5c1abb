# Channel simulator tests (channel/ library + `dnastore simulate` CLI).
dnastore_add_test(channel_model_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/channel_model_test.cpp
  LIBS dnastore::channel dnastore::core)
dnastore_add_test(channel_config_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/channel_config_test.cpp
  LIBS dnastore::channel dnastore::core)
dnastore_add_test(channel_cli_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/channel_cli_test.cpp
  LIBS dnastore::core)
dnastore_add_test(channel_calibration_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/channel_calibration_test.cpp
  LIBS dnastore::channel dnastore::core)
