# SPFDOCTOR_STATIC_DEPS: link the spfdoctor command's libraries statically.
#
# With Debian's shared libraries the command loaded 33 of them at start-up, and
# the dynamic loader's relocations and symbol look-ups cost more than the rest
# of `spfdoctor --version` (README, "Libraries and why"). The static archives
# are taken from `pkg-config --static --libs`; glibc (libc, libm, libdl,
# libpthread: NSS and getaddrinfo need the shared one) stays dynamic, and so
# does a library with no .a file (libgpgme, libmount, libunistring under
# gmime's chain; mimalloc) together with every library that such a shared
# library loads anyway (one copy of each library in the process, never a
# static and a shared one side by side).
#
# Defines:
#   spfdoctor_shared_deps   INTERFACE target: the shared libraries (as before)
#   spfdoctor_static_deps   INTERFACE target: the archives, plus the shared rest
#   SPFDOCTOR_STATIC_DEPS_ACTIVE  on when the static link is possible and wanted
#   spfdoctor_link_static(TARGET) makes TARGET link the static set
#
# SPFDOCTOR_STATIC_DEPS_SHARED (a list of library names, e.g. "gmime-3.0;re2")
# keeps those shared anyway (and what they load); libstdc++ stays shared too
# when a shared library left in the link needs it.
#
# It is off with the sanitizers, ThreadSanitizer and fuzzing (their runtimes
# want the shared libraries), and falls back to the shared libraries, with a
# message, when an archive is missing (a Debian 12 with only the -dev packages
# has no libgmime-3.0.a, for one).

add_library(spfdoctor_shared_deps INTERFACE)
target_link_libraries(spfdoctor_shared_deps INTERFACE
  PkgConfig::LDNS PkgConfig::CARES PkgConfig::HTTPLIB PkgConfig::GMIME PkgConfig::RE2)
add_library(spfdoctor_static_deps INTERFACE)

set(SPFDOCTOR_STATIC_DEPS_SHARED "" CACHE STRING "Libraries the static command still links shared (names as in -lNAME)")
set(SPFDOCTOR_STATIC_DEPS_ACTIVE OFF)
set(SPFDOCTOR_STATIC_STDCXX ON)
if(SPFDOCTOR_STATIC_DEPS AND (SPFDOCTOR_SANITIZE OR SPFDOCTOR_TSAN OR SPFDOCTOR_FUZZ))
  message(STATUS "SPFDOCTOR_STATIC_DEPS: off with the sanitizers and fuzzing (shared libraries)")
elseif(SPFDOCTOR_STATIC_DEPS)
  # ldns.pc leaves libcrypto out of its static list, gmime-3.0.pc libidn2's
  # libunistring.
  pkg_check_modules(SD_OPENSSL QUIET openssl)
  pkg_check_modules(SD_IDN2 QUIET libidn2)
  set(_names ${LDNS_STATIC_LIBRARIES} ${SD_OPENSSL_STATIC_LIBRARIES} ${CARES_STATIC_LIBRARIES}
             ${GMIME_STATIC_LIBRARIES} ${SD_IDN2_STATIC_LIBRARIES} ${RE2_STATIC_LIBRARIES})
  # Each library once, at its last place (a static link wants a library after
  # every archive that uses it).
  list(REVERSE _names)
  list(REMOVE_DUPLICATES _names)
  list(REVERSE _names)
  set(_system c m dl pthread rt resolv)
  list(REMOVE_ITEM _names ${_system})

  set(_dirs ${GMIME_STATIC_LIBRARY_DIRS} /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} /lib/${CMAKE_LIBRARY_ARCHITECTURE} /usr/lib /lib)
  # _shared_file(NAME OUT): the shared library NAME, libNAME.so or, with no -dev
  # package installed for it, libNAME.so.N (gmime's libgpgme).
  function(_shared_file name out)
    set(_f "")
    foreach(d IN LISTS _dirs)
      if(EXISTS ${d}/lib${name}.so)
        set(_f ${d}/lib${name}.so)
        break()
      endif()
      file(GLOB _g ${d}/lib${name}.so.[0-9]*)
      if(_g)
        list(SORT _g)
        list(GET _g 0 _f)
        break()
      endif()
    endforeach()
    set(${out} "${_f}" PARENT_SCOPE)
  endfunction()

  # Which names have an archive; which must be shared (no archive, or loaded
  # anyway by a shared one: NEEDED entries, followed to a fixed point).
  set(_shared "")
  foreach(n IN LISTS _names)
    set(_a "")
    foreach(d IN LISTS _dirs)
      if(EXISTS ${d}/lib${n}.a)
        set(_a ${d}/lib${n}.a)
        break()
      endif()
    endforeach()
    if(_a AND NOT n IN_LIST SPFDOCTOR_STATIC_DEPS_SHARED)
      set(_archive_${n} ${_a})
    else()
      list(APPEND _shared ${n})
    endif()
  endforeach()
  set(_missing "")
  set(_todo ${_shared})
  set(_seen "")
  while(_todo)
    list(POP_FRONT _todo n)
    if(n IN_LIST _seen)
      continue()
    endif()
    list(APPEND _seen ${n})
    _shared_file(${n} _so)
    if(NOT _so)
      list(APPEND _missing ${n})
      continue()
    endif()
    set(_shared_file_${n} ${_so})
    execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${_so} OUTPUT_VARIABLE _dump ERROR_QUIET)
    string(REGEX MATCHALL "NEEDED +lib[^ \n]+\\.so" _needed "${_dump}")
    foreach(line IN LISTS _needed)
      string(REGEX REPLACE "NEEDED +lib(.+)\\.so" "\\1" dep "${line}")
      if(dep STREQUAL "stdc++")
        set(SPFDOCTOR_STATIC_STDCXX OFF)
      endif()
      if(dep IN_LIST _names AND NOT dep IN_LIST _shared)
        list(APPEND _shared ${dep})
        list(APPEND _todo ${dep})
      endif()
    endforeach()
  endwhile()

  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.a OUTPUT_VARIABLE _stdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _stdcxx MATCHES "/")
    list(APPEND _missing "stdc++ (libstdc++.a)")
  endif()

  if(_missing)
    message(STATUS "SPFDOCTOR_STATIC_DEPS: no library file for ${_missing}: the command links the shared libraries as before")
  else()
    set(_link "")
    set(_static_list "")
    set(_shared_list "")
    foreach(n IN LISTS _names)
      if(n IN_LIST _shared)
        list(APPEND _link ${_shared_file_${n}})
        list(APPEND _shared_list ${n})
      else()
        list(APPEND _link ${_archive_${n}})
        list(APPEND _static_list ${n})
      endif()
    endforeach()
    target_link_libraries(spfdoctor_static_deps INTERFACE ${_link} Threads::Threads ${CMAKE_DL_LIBS} m)
    set(SPFDOCTOR_STATIC_DEPS_ACTIVE ON)
    if(SPFDOCTOR_STATIC_STDCXX)
      list(APPEND _static_list stdc++ gcc_s)
    else()
      list(APPEND _shared_list stdc++)
    endif()
    list(JOIN _static_list " " _s)
    list(JOIN _shared_list " " _d)
    message(STATUS "SPFDOCTOR_STATIC_DEPS: the command links static ${_s}; shared ${_d} (no .a, or loaded by one that has none)")
  endif()
endif()

function(spfdoctor_link_static target)
  set_target_properties(${target} PROPERTIES SPFDOCTOR_STATIC_DEPS ON)
  # fmt's compiled part (Debian ships libfmt.so only): one translation unit.
  target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tools/cli/static/fmt.cpp)
  if(SPFDOCTOR_STATIC_STDCXX)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
  # -O1: smaller hash tables for what the command still looks up; --as-needed:
  # no DT_NEEDED entry for a shared library nothing uses. Lazy binding (the
  # default) measured better than -z now: fewer symbols looked up at start.
  target_link_options(${target} PRIVATE -Wl,--as-needed -Wl,-O1)
endfunction()
