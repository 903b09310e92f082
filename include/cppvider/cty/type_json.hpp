#pragma once
// The compact JSON form of a type, used by schemas (Schema.Attribute.type), function
// signatures and dynamic values:
//
//   "string"  "number"  "bool"  "dynamic"
//   ["list","string"]  ["set",T]  ["map",T]  ["tuple",[T,...]]
//   ["object",{"name":T,...}]  ["object",{"name":T,...},["optional_name",...]]
//
//   auto t = cty::parse_type_json(R"(["map","number"])");   // result<type>
//   cty::type_to_json(*t);                                  // ["map","number"]

#include <string>
#include <string_view>

#include <cppvider/cty/error.hpp>
#include <cppvider/cty/type.hpp>

namespace cppvider::cty {

// Strict: rejects unknown kinds, duplicate attribute names, optional names that are not
// attributes, trailing data and nesting deeper than 256.
[[nodiscard]] result<type> parse_type_json(std::string_view json);

// Compact, with object attributes and optional names sorted, as go-cty writes it.
[[nodiscard]] std::string type_to_json(const type& t);
void append_type_json(std::string& out, const type& t);

}  // namespace cppvider::cty
