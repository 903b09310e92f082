// Private: the schema-driven value walks behind PlanResourceChange, ApplyResourceChange and the
// Validate* RPCs. All of them work on cty values, so typed and untyped resources share them.
#pragma once

#include <string_view>
#include <vector>

#include "cppvider/framework/diagnostics.hpp"
#include "cppvider/framework/schema.hpp"

namespace cppvider::framework::engine {

// Static defaults for attributes the configuration leaves null.
cty::value apply_defaults(const block_schema& b, const cty::value& config, const cty::value& plan);

// Computed attributes without a configuration value (and without a default) become unknown.
cty::value mark_computed_unknown(const block_schema& b, const cty::value& config,
                                 const cty::value& plan);

// Runs every attribute's plan modifiers; paths that require replacement go to `replace`.
cty::value run_plan_modifiers(const block_schema& b, const cty::value& config,
                              const cty::value& state, const cty::value& plan, bool creating,
                              diagnostics& diags, std::vector<cty::path>& replace);

// Terraform's rules for a valid plan: configured values are planned as configured, unconfigured
// non-computed attributes stay null. Violations are errors naming `type_name`.
void check_plan(const block_schema& b, const cty::value& config, const cty::value& plan,
                std::string_view type_name, diagnostics& diags);

// After apply (and read): no unknowns anywhere, and every value known in the plan kept.
void check_applied(const block_schema& b, const cty::value& planned, const cty::value& applied,
                   std::string_view type_name, diagnostics& diags);
void check_wholly_known(const cty::value& v, std::string_view type_name, std::string_view rpc,
                        diagnostics& diags);

// Write-only attributes set to null: what plans and states hold in their place.
cty::value null_write_only(const block_schema& b, const cty::value& v);

// An error for each write-only attribute the configuration sets, for hosts that cannot handle
// them (before Terraform 1.11).
void refuse_write_only(const block_schema& b, const cty::value& config, diagnostics& diags);

// Validators, deprecation warnings and block item counts over a configuration.
void validate_config(const block_schema& b, const cty::value& config, diagnostics& diags);

}  // namespace cppvider::framework::engine
