# Channel simulator throughput (reads/s) per preset and thread count.
find_package(benchmark QUIET)
if(benchmark_FOUND)
  add_executable(channel_bench ${CMAKE_CURRENT_SOURCE_DIR}/channel_bench.cpp)
  target_link_libraries(channel_bench PRIVATE dnastore::channel dnastore::core benchmark::benchmark)
endif()
