# Third-party libraries, all from Debian packages (scripts/setup.sh).
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTSLIB REQUIRED IMPORTED_TARGET htslib)
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(EDLIB REQUIRED IMPORTED_TARGET edlib-1)
find_package(TBB REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)

# Debian's spoa CMake package references a static library it does not ship,
# so find the shared library directly.
find_library(SPOA_LIBRARY spoa REQUIRED)
find_path(SPOA_INCLUDE_DIR spoa/spoa.hpp REQUIRED)
add_library(spoa_shared INTERFACE)
target_link_libraries(spoa_shared INTERFACE ${SPOA_LIBRARY})
target_include_directories(spoa_shared INTERFACE ${SPOA_INCLUDE_DIR})

# jemalloc for the executables: the read front end allocates millions of
# small strings from several threads, which glibc malloc serialises
# (consensus scaled 1.2x on 2 threads with it, 1.9x with jemalloc). Not with
# the sanitizers, which bring their own allocator.
add_library(dnastore_malloc INTERFACE)
if(NOT DNASTORE_SANITIZE AND NOT DNASTORE_FUZZ)
  find_library(JEMALLOC_LIBRARY jemalloc REQUIRED)
  target_link_libraries(dnastore_malloc INTERFACE ${JEMALLOC_LIBRARY})
endif()
