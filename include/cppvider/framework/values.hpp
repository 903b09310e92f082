// cppvider/framework/values.hpp: the untyped side: schema-aware helpers over cty values.
//
//   auto region = fw::find(config, fw::path::root("settings").attribute("region"));
//   auto next = fw::with_attribute(state, "id", cty::value::string("b-123"));
//
// For providers whose schemas are known only at run time (dynamic_resource), and for tests.
#pragma once

#include <string_view>

#include "cppvider/cty/value.hpp"
#include "cppvider/framework/path.hpp"
#include "cppvider/framework/schema.hpp"

namespace cppvider::framework {

// The value at `p` inside `root`; nullptr when a step is missing, null or unknown.
[[nodiscard]] const cty::value* find(const cty::value& root, const cty::path& p) noexcept;

// A copy of the object `obj` with attribute `name` replaced. Throws std::invalid_argument on a
// missing attribute or a value of the wrong type (programming errors).
[[nodiscard]] cty::value with_attribute(const cty::value& obj, std::string_view name, cty::value v);

// A null object of the schema's type, with every attribute null (list and set blocks empty).
[[nodiscard]] cty::value null_object(const block_schema& b);

// What Terraform proposes to PlanResourceChange: the configuration, with computed attributes
// that are not configured taking their prior state value (go: objchange.ProposedNew; set
// elements are matched by their non-computed attributes). Null config (destroy) proposes null.
[[nodiscard]] cty::value proposed_new_state(const block_schema& b, const cty::value& prior,
                                            const cty::value& config);

}  // namespace cppvider::framework
