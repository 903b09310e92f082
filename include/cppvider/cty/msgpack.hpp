#pragma once
// The msgpack wire format of Terraform values (DynamicValue.msgpack), driven by a type.
//
//   auto plan = cty::msgpack::decode(req.planned_state, schema_type);   // result<value>
//   auto bytes = cty::msgpack::encode(new_state, schema_type);          // result<std::string>
//
// Encoding follows go-cty (docs/plugin-protocol/object-wire-format.md in Terraform):
//   null -> nil; unknown -> ext 0 (d4 00 00), or ext 12 with its refinement map when refined;
//   bool -> true/false; string -> str; number -> the most compact int when it is an int64,
//   else float64 when a double holds it exactly (and +-Inf), else str with the exact decimal;
//   list, set, tuple -> array; map -> map with str keys (sorted); object -> map with every
//   attribute, keys sorted; a value whose schema type is dynamic -> [bin type JSON, value].
// Decoding accepts every encoding the msgpack format allows for those (any int width, float32,
// str or bin, any extension code as unknown) and rejects anything else with an error naming the
// path. Marks are never encoded.
//
// Hostile input is expected: lengths are checked against the bytes left before anything is
// allocated, nesting is limited, strings must be valid UTF-8, NaN is refused, object keys and
// map keys must be unique, and trailing bytes after the value are an error.

#include <optional>
#include <string>
#include <string_view>

#include <cppvider/cty/error.hpp>
#include <cppvider/cty/type.hpp>
#include <cppvider/cty/value.hpp>

namespace cppvider::cty::msgpack {

struct decode_options {
  // Containers (and dynamic wrappers) nested deeper than this are an error.
  int max_depth = 512;
};

[[nodiscard]] result<value> decode(std::string_view bytes, const type& t,
                                   const decode_options& options = {});

[[nodiscard]] result<std::string> encode(const value& v, const type& t);
// Appends to `out` (reuse one buffer across calls to avoid reallocations). On error `out` holds a
// partial encoding and the error is returned.
[[nodiscard]] std::optional<error> encode_into(std::string& out, const value& v, const type& t);

}  // namespace cppvider::cty::msgpack
