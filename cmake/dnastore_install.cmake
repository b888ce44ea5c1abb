# `cmake --install`: headers, libraries, the executable, a CMake package
# (find_package(dnastore) -> dnastore::core, ::reads, ::codec, ::channel)
# with a version file, and a pkg-config file (dnastore.pc).
#
# The package is for shared libraries (the default): static ones would need
# every private dependency (HTSlib, ISA-L, edlib, spoa, TBB) re-found by
# users, so a static build installs the executable only.
if(NOT BUILD_SHARED_LIBS)
  message(STATUS "BUILD_SHARED_LIBS=OFF: installing the dnastore executable only")
  return()
endif()
include(CMakePackageConfigHelpers)
get_property(DNASTORE_LIBS GLOBAL PROPERTY DNASTORE_LIBRARIES)
install(TARGETS ${DNASTORE_LIBS} EXPORT dnastoreTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/dnastore
  ${PROJECT_BINARY_DIR}/include/dnastore DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(DNASTORE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dnastore)
install(EXPORT dnastoreTargets NAMESPACE dnastore:: DESTINATION ${DNASTORE_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dnastoreConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dnastoreConfig.cmake INSTALL_DESTINATION ${DNASTORE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dnastoreConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dnastoreConfig.cmake
  ${PROJECT_BINARY_DIR}/dnastoreConfigVersion.cmake DESTINATION ${DNASTORE_CMAKE_DIR})

# Relocatable: the prefix is found from the .pc file's own place, whatever
# the libdir (lib, lib64, lib/x86_64-linux-gnu).
file(RELATIVE_PATH DNASTORE_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
  ${CMAKE_INSTALL_PREFIX})
file(RELATIVE_PATH DNASTORE_PREFIX_TO_LIBDIR ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_LIBDIR})
file(RELATIVE_PATH DNASTORE_PREFIX_TO_INCLUDEDIR ${CMAKE_INSTALL_PREFIX}
  ${CMAKE_INSTALL_FULL_INCLUDEDIR})
configure_file(${PROJECT_SOURCE_DIR}/cmake/dnastore.pc.in ${PROJECT_BINARY_DIR}/dnastore.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/dnastore.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
