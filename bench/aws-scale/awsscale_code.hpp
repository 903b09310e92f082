// What the `--cpp-style code` output of generate.py includes: one function per resource that
// declares its schema with the untyped DSL (fw::schema_builder), and a registry of them.
#pragma once

#include <cstddef>

#include "awsscale_schema.hpp"

namespace awsscale::code {

using awsscale::add_attribute;
using awsscale::add_block;
using awsscale::t_bool;
using awsscale::t_list;
using awsscale::t_map;
using awsscale::t_number;
using awsscale::t_set;
using awsscale::t_string;
namespace fw = cppvider::framework;

// Attribute flags, short for the generated calls.
inline constexpr std::uint8_t req = flag_required;
inline constexpr std::uint8_t opt = flag_optional;
inline constexpr std::uint8_t comp = flag_computed;
inline constexpr std::uint8_t sens = flag_sensitive;
inline constexpr std::uint8_t keep = flag_keep_state;

struct entry {
  const char* name;                // without the provider prefix
  fw::schema_builder (*schema)();  // builds the resource's schema when first needed
};

extern const entry k_entries[];
extern const std::size_t k_entry_count;

}  // namespace awsscale::code
