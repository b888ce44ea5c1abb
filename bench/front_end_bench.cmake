# Read front end throughput (reads/s) at Illumina-like and nanopore-like errors.
find_package(benchmark QUIET)
if(benchmark_FOUND)
  add_executable(front_end_bench ${CMAKE_CURRENT_SOURCE_DIR}/front_end_bench.cpp)
  target_link_libraries(front_end_bench PRIVATE dnastore::codec dnastore::core benchmark::benchmark dnastore_malloc)
endif()
