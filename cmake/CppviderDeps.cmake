# Every dependency comes from Debian 12's packages (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# With CPPVIDER_STATIC_GRPC: also link OpenSSL, zlib, libstdc++ and libgcc statically into each
# executable that can take them (see CppviderStaticRuntime.cmake). A provider then loads only
# libc and libm: the dynamic loader's relocations drop from ~6 M instructions to ~0.1 M and idle RSS
# by ~4 MiB (docs/benchmarks.md).
option(CPPVIDER_STATIC_RUNTIME "With CPPVIDER_STATIC_GRPC, link OpenSSL, zlib and libstdc++ statically too" OFF)
if(CPPVIDER_STATIC_GRPC AND CPPVIDER_STATIC_RUNTIME)
  include(CppviderStaticRuntime)
  cppvider_declare_openssl_targets()  # before find_package(OpenSSL), which then keeps them
endif()
find_package(OpenSSL 3 REQUIRED)
if(COMMAND cppvider_finish_openssl_targets)
  cppvider_finish_openssl_targets()
endif()
find_package(CURL REQUIRED)
find_package(Protobuf REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(msgpack CONFIG REQUIRED)  # msgpack-cxx 4: target msgpackc-cxx (bench floor only)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
find_program(PROTOC protoc REQUIRED)

if(CPPVIDER_STATIC_GRPC)
  pkg_check_modules(GRPCPP_STATIC REQUIRED IMPORTED_TARGET grpc++ protobuf)
  # pkg-config --static lists what the archives need; bookworm ships no libsystemd.a, and OpenSSL,
  # zlib and libstdc++ stay shared.
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --static --libs grpc++ protobuf
                  OUTPUT_VARIABLE _grpc_static_libs OUTPUT_STRIP_TRAILING_WHITESPACE)
  separate_arguments(_grpc_static_libs UNIX_COMMAND "${_grpc_static_libs}")
  set(_grpc_link "")
  foreach(flag IN LISTS _grpc_static_libs)
    if(flag STREQUAL "-lsystemd")
      continue()
    endif()
    if(CPPVIDER_STATIC_RUNTIME AND flag MATCHES "^-l(ssl|crypto|z)$")
      # static into executables marked CPPVIDER_STATIC_RUNTIME, shared otherwise
      list(APPEND _grpc_link "$<IF:$<BOOL:$<TARGET_PROPERTY:CPPVIDER_STATIC_RUNTIME>>,-l:lib${CMAKE_MATCH_1}.a,${flag}>")
    elseif(flag MATCHES "^-l(ssl|crypto|z|dl|m|rt|atomic)$" OR flag STREQUAL "-pthread")
      list(APPEND _grpc_link ${flag})
    elseif(flag MATCHES "^-l(.+)$")
      list(APPEND _grpc_link "-l:lib${CMAKE_MATCH_1}.a")
    else()
      list(APPEND _grpc_link ${flag})
    endif()
  endforeach()
  add_library(cppvider_grpc INTERFACE)
  target_link_libraries(cppvider_grpc INTERFACE -Wl,--start-group ${_grpc_link} -Wl,--end-group)
else()
  pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
  add_library(cppvider_grpc INTERFACE)
  target_link_libraries(cppvider_grpc INTERFACE PkgConfig::GRPCPP protobuf::libprotobuf)
endif()
