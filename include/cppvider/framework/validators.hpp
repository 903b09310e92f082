// cppvider/framework/validators.hpp: checks on configuration values, attached in the schema.
//
//   .attribute("name", &state::name, {.required = true, .validators = {fw::length_between(1, 63),
//                                                   fw::matches_regex("^[a-z0-9-]+$")}})
//   .attribute("size_gb", &state::size_gb, {.optional = true, .validators = {fw::at_least(1)}})
//   .attribute("cidr", &state::cidr, {.optional = true, .validators = {fw::conflicts_with("ip")}})
//
// Validators run in ValidateResourceConfig (and for data sources and the provider), in the
// order given. Value checks pass on null and unknown values: Terraform checks required
// attributes itself, and an unknown value is checked again once known. Sibling checks
// (conflicts_with, also_requires, exactly_one_of, at_least_one_of) name attributes of the same
// object as the attribute they are attached to.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cppvider/cty/value.hpp"
#include "cppvider/framework/diagnostics.hpp"

namespace cppvider::framework {

struct validator_request {
  const framework::path& path;  // of the attribute
  const cty::value& value;      // its configuration value (may be null or unknown)
  const cty::value& parent;     // the object holding it, for sibling checks
  const cty::value& config;     // the whole configuration
};

// A user-defined validator is a description and a function.
struct validator {
  std::string description;  // "string length must be between 1 and 63", for docs
  std::function<void(const validator_request&, diagnostics&)> validate;
};

// Strings; lengths count Unicode characters, as Terraform's length() does.
[[nodiscard]] validator length_between(std::int64_t min, std::int64_t max);
[[nodiscard]] validator length_at_least(std::int64_t min);
[[nodiscard]] validator length_at_most(std::int64_t max);
// ECMAScript syntax; the whole value must match. `message` replaces the default detail.
[[nodiscard]] validator matches_regex(const std::string& pattern, std::string message = {});
[[nodiscard]] validator one_of(std::vector<std::string> allowed);
[[nodiscard]] validator none_of(std::vector<std::string> forbidden);

// Numbers (inclusive bounds, exact comparison).
[[nodiscard]] validator at_least(cty::number min);
[[nodiscard]] validator at_most(cty::number max);
[[nodiscard]] validator between(cty::number min, cty::number max);
[[nodiscard]] validator one_of_numbers(std::vector<cty::number> allowed);

// Lists, sets and maps: number of elements.
[[nodiscard]] validator size_between(std::int64_t min, std::int64_t max);
[[nodiscard]] validator size_at_least(std::int64_t min);
[[nodiscard]] validator size_at_most(std::int64_t max);

// Siblings, by attribute name in the same object.
// When this attribute is set, none of `others` may be.
[[nodiscard]] validator conflicts_with(std::vector<std::string> others);
// When this attribute is set, all of `others` must be.
[[nodiscard]] validator also_requires(std::vector<std::string> others);
// Exactly one of this attribute and `others` is set.
[[nodiscard]] validator exactly_one_of(std::vector<std::string> others);
// At least one of this attribute and `others` is set.
[[nodiscard]] validator at_least_one_of(std::vector<std::string> others);

}  // namespace cppvider::framework
