// cppvider/framework/plan_modifiers.hpp: adjust one attribute's planned value.
//
//   .attribute("path", &state::path, {.required = true, .plan_modifiers =
//   {fw::requires_replace()}}) .attribute("id", &state::id, {.computed = true, .plan_modifiers =
//   {fw::use_state_for_unknown()}})
//
// Modifiers run in PlanResourceChange for creates and updates (never destroys), after defaults
// are applied and computed attributes without a configuration value were marked unknown, in the
// order given, each seeing the plan value the previous one left.
#pragma once

#include <functional>
#include <string>

#include "cppvider/cty/value.hpp"
#include "cppvider/framework/diagnostics.hpp"

namespace cppvider::framework {

struct plan_modifier_request {
  const framework::path& path;
  const cty::value& config;  // this attribute's configuration value
  const cty::value& state;   // its prior state value (null when creating)
  const cty::value& plan;    // its planned value so far
  bool creating;             // the resource has no prior state
};

struct plan_modifier_response {
  cty::value plan;                // starts as request.plan
  bool requires_replace = false;  // a change here replaces the resource
  framework::diagnostics diagnostics;
};

struct plan_modifier {
  std::string description;
  std::function<void(const plan_modifier_request&, plan_modifier_response&)> modify;
};

// A change of this attribute (planned value differs from state) replaces the resource.
[[nodiscard]] plan_modifier requires_replace();
// As requires_replace(), only when `condition` says so.
[[nodiscard]] plan_modifier requires_replace_if(
    std::function<bool(const plan_modifier_request&)> condition, std::string description);
// Keep the prior state value instead of "known after apply" when the attribute is computed and
// unconfigured: for values that never change after creation, such as ids.
[[nodiscard]] plan_modifier use_state_for_unknown();

}  // namespace cppvider::framework
