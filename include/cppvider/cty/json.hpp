#pragma once
// The JSON form of Terraform values: DynamicValue.json (a fallback Terraform rarely sends),
// RawState.json (what UpgradeResourceState receives: state as an older provider wrote it), and
// JSON documents of unknown shape (their implied type).
//
//   auto prior = cty::json::decode_raw_state(req.raw_state_json, prior_schema_type);
//   auto doc = cty::json::decode_untyped(R"({"a": [1, "x"]})");   // object({a: tuple})
//
// Decoding follows go-cty's cty/json: null is null for every type; a string where a number or
// bool is expected is converted ("5", "true", "1"), as are numbers and bools where a string is
// expected; numbers keep their exact decimal value; an object may omit attributes (they are
// null); a dynamic-typed value is {"value": ..., "type": <type JSON>}. Unknown values cannot
// be written in JSON.

#include <optional>
#include <string>
#include <string_view>

#include <cppvider/cty/error.hpp>
#include <cppvider/cty/type.hpp>
#include <cppvider/cty/value.hpp>

namespace cppvider::cty::json {

struct decode_options {
  int max_depth = 512;
  // Drop object attributes the type does not have instead of failing: state written by an older
  // provider version may carry attributes that were removed since.
  bool ignore_unknown_attributes = false;
};

[[nodiscard]] result<value> decode(std::string_view json, const type& t,
                                   const decode_options& options = {});

// decode() with ignore_unknown_attributes: the lenient reading UpgradeResourceState needs.
[[nodiscard]] result<value> decode_raw_state(std::string_view json, const type& t);

// A value of the type implied by the document: objects become objects, arrays tuples, null an
// untyped (dynamic) null.
[[nodiscard]] result<value> decode_untyped(std::string_view json, int max_depth = 512);
[[nodiscard]] result<type> implied_type(std::string_view json);

// Compact JSON with object and map keys sorted. Unknown values and infinities are errors.
[[nodiscard]] result<std::string> encode(const value& v, const type& t);
[[nodiscard]] std::optional<error> encode_into(std::string& out, const value& v, const type& t);

}  // namespace cppvider::cty::json
