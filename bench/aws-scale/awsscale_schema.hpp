// Adding one attribute or nested block to a generated schema. The table and the generated-code
// variant both go through these, so they build identical schemas, and generated code stays a
// list of plain calls (no option structs to construct inline: that made a 100-resource file
// take over two minutes of CPU to compile).
#pragma once

#include <cstdint>
#include <string_view>

#include "awsscale_types.hpp"
#include "cppvider/framework/schema.hpp"

namespace awsscale {

namespace fw = cppvider::framework;

// flags: flag_* of awsscale_types.hpp.
void add_attribute(fw::schema_builder& b, std::string_view name, const cty::type& type,
                   std::uint8_t flags, std::string_view description);
void add_block(fw::schema_builder& b, std::string_view name, fw::nesting mode,
               const fw::schema_builder& nested, std::string_view description);

}  // namespace awsscale
