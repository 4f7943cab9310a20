# Installation: shared + static library, header, CLI, man page, pkg-config
# file and a CMake package (find_package(hogkit) -> hogkit::hogkit).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS hogkit_shared EXPORT hogkitTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS hogkit_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS hogkit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/hogkit.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/hogkit.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The .pc file finds its prefix relative to itself, so an installed tree can
# be moved (and DESTDIR/--prefix installs work without reconfiguring).
# Packagers (scripts/make-deb) turn that off to get a plain absolute prefix.
option(HK_PC_RELOCATABLE "hogkit.pc locates its prefix relative to itself" ON)
if(HK_PC_RELOCATABLE)
  file(RELATIVE_PATH HK_PC_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  set(HK_PC_PREFIX "\${pcfiledir}/${HK_PC_PREFIX}")
else()
  set(HK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/hogkit.pc.in ${PROJECT_BINARY_DIR}/hogkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hogkit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(EXPORT hogkitTargets NAMESPACE hogkit::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hogkit)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hogkitConfig.cmake.in
        ${PROJECT_BINARY_DIR}/hogkitConfig.cmake
        INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hogkit)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hogkitConfigVersion.cmake
        VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hogkitConfig.cmake ${PROJECT_BINARY_DIR}/hogkitConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hogkit)
