# Warnings for the project's own targets (never for generated protobuf code).
add_library(cppvider_warnings INTERFACE)
target_compile_options(cppvider_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
