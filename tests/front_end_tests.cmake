#Read front end(codec / primer_trim, read_cluster, read_consensus, pair_merge,
#read_front_end) and the `dnastore consensus` subcommand.
dnastore_add_test(front_end_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR} /
                  front_end_test.cpp LIBS dnastore::codec dnastore::core)
    dnastore_add_test(front_end_real_data_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR} /
                      front_end_real_data_test.cpp LIBS dnastore::codec dnastore::core)
dnastore_add_test(front_end_cli_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/front_end_cli_test.cpp
  LIBS dnastore::codec dnastore::core)
add_dependencies(front_end_cli_test dnastore)
