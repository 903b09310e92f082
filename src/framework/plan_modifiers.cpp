#include "cppvider/framework/plan_modifiers.hpp"

namespace cppvider::framework {

namespace {
// Replacement only makes sense for an update whose value actually changes.
bool changes(const plan_modifier_request& r) {
  if (r.creating) return false;
  return !(r.plan == r.state);
}
}  // namespace

plan_modifier requires_replace() {
  return {"changing this value replaces the resource",
          [](const plan_modifier_request& r, plan_modifier_response& resp) {
            if (changes(r)) resp.requires_replace = true;
          }};
}

plan_modifier requires_replace_if(std::function<bool(const plan_modifier_request&)> condition,
                                  std::string description) {
  return {std::move(description), [condition = std::move(condition)](const plan_modifier_request& r,
                                                                     plan_modifier_response& resp) {
            if (changes(r) && condition(r)) resp.requires_replace = true;
          }};
}

plan_modifier use_state_for_unknown() {
  return {"the value does not change after creation: the prior state is planned",
          [](const plan_modifier_request& r, plan_modifier_response& resp) {
            if (r.creating || r.state.is_null() || r.plan.is_known()) return;
            if (!r.config.is_known()) return;  // configured from something not yet known
            resp.plan = r.state;
          }};
}

}  // namespace cppvider::framework
