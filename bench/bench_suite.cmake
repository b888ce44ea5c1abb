#The `dnastore bench` suite(drives codec and channel; linked into the CLI).
add_library(dnastore_bench_suite ${CMAKE_CURRENT_SOURCE_DIR} / bench_suite.cpp)
    target_link_libraries(dnastore_bench_suite PUBLIC dnastore::core PRIVATE
                              dnastore::codec dnastore::channel nlohmann_json::nlohmann_json)
