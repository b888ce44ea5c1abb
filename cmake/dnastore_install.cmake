# `cmake --install`: headers, libraries, the executable, a CMake package
# (find_package(dnastore) -> dnastore::core, ::reads, ::codec, ::channel)
# with a version file, and a pkg-config file (dnastore.pc).
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

configure_file(${PROJECT_SOURCE_DIR}/cmake/dnastore.pc.in ${PROJECT_BINARY_DIR}/dnastore.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/dnastore.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
