# `cmake --install BUILD --prefix P`: the public headers, libxfmr_c.so with a
# CMake package (find_package(xfmr) -> xfmr::xfmr_c), the tools and (from
# python-bindings/) the Python package.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/xfmr
                  ${PROJECT_SOURCE_DIR}/include/xfmr-c
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT headers
  FILES_MATCHING PATTERN "*.h")

install(TARGETS xfmr_c EXPORT xfmrTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libraries
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT xfmrTargets NAMESPACE xfmr::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xfmr COMPONENT libraries)

set(XFMR_INSTALLED_TOOLS xfmr-opt xfmr-compile xfmr-run)
# The installed tools find libMLIR.so / libLLVM.so where they were linked.
set_target_properties(${XFMR_INSTALLED_TOOLS} PROPERTIES
  INSTALL_RPATH_USE_LINK_PATH ON)
install(TARGETS ${XFMR_INSTALLED_TOOLS}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/xfmrConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/xfmrConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xfmr
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR XFMR_INSTALL_PYTHONDIR)
install(FILES ${PROJECT_BINARY_DIR}/cmake/xfmrConfig.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xfmr COMPONENT libraries)
