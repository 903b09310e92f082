# Static OpenSSL, zlib, libstdc++ and libgcc for executables (CPPVIDER_STATIC_RUNTIME, with
# CPPVIDER_STATIC_GRPC; the `static` preset turns both on).
#
# Only an executable whose whole link closure is static C++ (our libraries, gRPC/protobuf/abseil
# archives, OpenSSL, header-only packages) gets it: one that also loads a shared library using
# OpenSSL or libstdc++ (libcurl, gtest, benchmark, fmt, ...) would then hold two copies of it.
# At the end of configuration every executable is checked and marked with the target property
# CPPVIDER_STATIC_RUNTIME, which the OpenSSL targets and cppvider_grpc read when linking.

# OpenSSL::SSL / OpenSSL::Crypto as interface targets choosing the archive or the shared library
# per executable. find_package(OpenSSL) keeps targets that already exist.
function(cppvider_declare_openssl_targets)
  add_library(OpenSSL::Crypto INTERFACE IMPORTED GLOBAL)
  add_library(OpenSSL::SSL INTERFACE IMPORTED GLOBAL)
endfunction()

function(cppvider_finish_openssl_targets)
  set(_static "$<BOOL:$<TARGET_PROPERTY:CPPVIDER_STATIC_RUNTIME>>")
  set_target_properties(OpenSSL::Crypto PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${OPENSSL_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "$<IF:${_static},-l:libcrypto.a,${OPENSSL_CRYPTO_LIBRARY}>;${CMAKE_DL_LIBS};Threads::Threads")
  set_target_properties(OpenSSL::SSL PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${OPENSSL_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "$<IF:${_static},-l:libssl.a,${OPENSSL_SSL_LIBRARY}>;OpenSSL::Crypto")
endfunction()

# TRUE in `out` if everything `target` links is static or header-only.
function(_cppvider_closure_is_static target out)
  set(stack ${target})
  set(seen "")
  while(stack)
    list(POP_BACK stack item)
    # $<LINK_ONLY:x> is how a static library's private dependencies reach its consumers.
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
    if(item IN_LIST seen OR item STREQUAL "")
      continue()
    endif()
    list(APPEND seen "${item}")
    if(item MATCHES "^(OpenSSL::(SSL|Crypto)|Threads::Threads|cppvider_grpc)$")
      continue()  # chosen per executable, or no library at all
    endif()
    if(TARGET ${item})
      get_target_property(aliased ${item} ALIASED_TARGET)
      if(aliased)
        list(APPEND stack ${aliased})
        continue()
      endif()
      get_target_property(type ${item} TYPE)
      get_target_property(imported ${item} IMPORTED)
      if(type STREQUAL "SHARED_LIBRARY" OR type STREQUAL "MODULE_LIBRARY")
        set(${out} FALSE PARENT_SCOPE)
        return()
      endif()
      if(imported AND NOT type STREQUAL "INTERFACE_LIBRARY")
        get_target_property(loc ${item} LOCATION)
        if(NOT loc MATCHES "\\.a$")
          set(${out} FALSE PARENT_SCOPE)
          return()
        endif()
      endif()
      set(props INTERFACE_LINK_LIBRARIES)
      if(NOT imported AND NOT type STREQUAL "INTERFACE_LIBRARY")
        list(APPEND props LINK_LIBRARIES)
      endif()
      foreach(prop IN LISTS props)
        get_target_property(libs ${item} ${prop})
        if(libs)
          list(APPEND stack ${libs})
        endif()
      endforeach()
    elseif(item MATCHES "^::@")
      continue()  # CMake's directory markers in link lists
    elseif(item MATCHES "(\\.so(\\.[0-9]+)*$)|(^-l[^:])" OR item MATCHES "::")
      # a shared library by name or path, or a package target not visible from here
      set(${out} FALSE PARENT_SCOPE)
      return()
    endif()
  endwhile()
  set(${out} TRUE PARENT_SCOPE)
endfunction()

# cmake/startup-order.ld (bench/startup/startup_order.py) lays out the sections a provider runs
# and reads before it idles together: the kernel maps 64 KiB around each page fault, so scattered
# start-up code made most of the binary resident (docs/benchmarks.md).
option(CPPVIDER_STARTUP_ORDER "Link static providers with cmake/startup-order.ld" ON)
set(CPPVIDER_STARTUP_ORDER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/startup-order.ld)
function(_cppvider_mark_static_runtime dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      _cppvider_closure_is_static(${t} ok)
      if(ok)
        set_property(TARGET ${t} PROPERTY CPPVIDER_STATIC_RUNTIME ON)
        target_link_options(${t} PRIVATE -static-libstdc++ -static-libgcc)
        if(CPPVIDER_STARTUP_ORDER)
          # Start-up code and its read-only data gathered in one place (idle RSS, see the script).
          target_link_options(${t} PRIVATE "-Wl,-T,${CPPVIDER_STARTUP_ORDER_SCRIPT}")
          set_property(TARGET ${t} APPEND PROPERTY LINK_DEPENDS ${CPPVIDER_STARTUP_ORDER_SCRIPT})
        endif()
      endif()
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(d IN LISTS subdirs)
    _cppvider_mark_static_runtime(${d})
  endforeach()
endfunction()

function(_cppvider_mark_static_runtime_all)
  _cppvider_mark_static_runtime(${CMAKE_SOURCE_DIR})
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _cppvider_mark_static_runtime_all)
