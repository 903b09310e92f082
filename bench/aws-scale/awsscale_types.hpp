// The vocabulary of the AWS-scale schemas: attribute flags, and the six cty types, made once
// per process: a collection type is a heap node, and 58 000 attributes sharing six nodes cost
// nothing, where one node each would cost a few MiB.
#pragma once

#include <cstdint>

#include "cppvider/cty/type.hpp"

namespace awsscale {

namespace cty = cppvider::cty;

// An attribute's modes, as generated code and table rows give them.
inline constexpr std::uint8_t flag_required = 1;
inline constexpr std::uint8_t flag_optional = 2;
inline constexpr std::uint8_t flag_computed = 4;
inline constexpr std::uint8_t flag_sensitive = 8;
inline constexpr std::uint8_t flag_keep_state = 16;  // use_state_for_unknown (the id)

inline const cty::type& t_string() {
  static const cty::type t = cty::type::string();
  return t;
}
inline const cty::type& t_number() {
  static const cty::type t = cty::type::number();
  return t;
}
inline const cty::type& t_bool() {
  static const cty::type t = cty::type::boolean();
  return t;
}
inline const cty::type& t_list() {
  static const cty::type t = cty::type::list(cty::type::string());
  return t;
}
inline const cty::type& t_set() {
  static const cty::type t = cty::type::set(cty::type::string());
  return t;
}
inline const cty::type& t_map() {
  static const cty::type t = cty::type::map(cty::type::string());
  return t;
}

}  // namespace awsscale
