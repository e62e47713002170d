# Man pages generated from the programs' own --help and --version (help2man), so they cannot
# drift from the code. Without help2man (a plain user build) there are no man pages, and the
# build says so once; the .deb and CI require them (SHMSCOPE_MAN_PAGES=ON).
set(SHMSCOPE_MAN_PAGES AUTO CACHE STRING "Generate man pages with help2man: AUTO, ON or OFF")
find_program(SHMSCOPE_HELP2MAN help2man)
if(SHMSCOPE_MAN_PAGES STREQUAL "ON" AND NOT SHMSCOPE_HELP2MAN)
  message(FATAL_ERROR "SHMSCOPE_MAN_PAGES=ON but help2man was not found (Debian: apt-get install help2man)")
endif()

# shmscope_man_page(TARGET NAME "one-line description"): NAME.1 from TARGET's --help.
function(shmscope_man_page target name description)
  if(SHMSCOPE_MAN_PAGES STREQUAL "OFF" OR NOT SHMSCOPE_HELP2MAN)
    return()
  endif()
  include(GNUInstallDirs)
  set(page ${CMAKE_BINARY_DIR}/man/${name}.1)
  set(packed ${page}.gz)
  add_custom_command(
    OUTPUT ${packed}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -E env --unset=DISPLAY --unset=WAYLAND_DISPLAY
            ${SHMSCOPE_HELP2MAN} --no-info --no-discard-stderr --section=1
            --name=${description} --output=${page} $<TARGET_FILE:${target}>
    COMMAND gzip -9nf ${page}
    DEPENDS ${target}
    COMMENT "help2man: ${name}.1")
  add_custom_target(${name}_man ALL DEPENDS ${packed})
  install(FILES ${packed} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()
