# Compiler flags for every target of the project.
include(GNUInstallDirs)
add_compile_options(-Wall -Wextra)
# x86-64-v2 (SSE4.2, POPCNT; every x86-64 CPU since 2009): hardware popcount
# in the constraint checks. ISA-L picks its own SIMD kernels at run time.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  add_compile_options(-march=x86-64-v2)
endif()
# Shared libraries: calls inside one library may be inlined as in a static
# build (nobody interposes our symbols).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-fno-semantic-interposition)
endif()
if(DNASTORE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
# Installed executables find the installed libraries next to them.
set(CMAKE_INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")

# dnastore_library(name SOURCES...): one of the project's libraries,
# dnastore::<name>, installed as libdnastore_<name>. Its public interface is
# include/dnastore/ only; the source tree (for "core/dna.h" and the like) is
# visible to the library itself and to the project's own programs, never to
# users of the installed package.
function(dnastore_library name)
  add_library(dnastore_${name} ${ARGN})
  add_library(dnastore::${name} ALIAS dnastore_${name})
  set_target_properties(dnastore_${name} PROPERTIES EXPORT_NAME ${name}
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
  target_include_directories(dnastore_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR})
  set_property(GLOBAL APPEND PROPERTY DNASTORE_LIBRARIES dnastore_${name})
endfunction()

# The project's own programs (cli, tests, bench) see the whole source tree.
add_library(dnastore_source_tree INTERFACE)
target_include_directories(dnastore_source_tree INTERFACE ${PROJECT_SOURCE_DIR})
