// The parts of terraform-provider-awsscale that do not depend on how schemas are generated.
#include "awsscale_provider.hpp"

#include <utility>

#include "awsscale_types.hpp"
#include "cppvider/framework/plan_modifiers.hpp"
#include "cppvider/framework/values.hpp"

namespace awsscale {

namespace cty = cppvider::cty;

rt::task<void> generated_resource::create(const fw::create_request<cty::value>& req,
                                          fw::create_response<cty::value>& resp) {
  // Just enough to be a resource: the new object gets an id (other computed attributes would
  // still be unknown; no test applies these resources).
  resp.state = fw::with_attribute(req.plan, "id", cty::value::string(std::string(name_) + "-1"));
  co_return;
}

rt::task<void> generated_resource::read(const fw::read_request<cty::value>&,
                                        fw::read_response<cty::value>&) {
  co_return;  // the prior state stands
}

rt::task<void> generated_resource::update(const fw::update_request<cty::value>&,
                                          fw::update_response<cty::value>&) {
  co_return;  // the plan stands
}

rt::task<void> generated_resource::destroy(const fw::destroy_request<cty::value>&,
                                           fw::destroy_response&) {
  co_return;
}

void add_attribute(fw::schema_builder& b, std::string_view name, const cty::type& type,
                   std::uint8_t flags, std::string_view description) {
  fw::attribute_options<> o{.required = (flags & flag_required) != 0,
                            .optional = (flags & flag_optional) != 0,
                            .computed = (flags & flag_computed) != 0,
                            .sensitive = (flags & flag_sensitive) != 0,
                            .description = std::string(description)};
  if ((flags & flag_keep_state) != 0) o.plan_modifiers.push_back(fw::use_state_for_unknown());
  b.attribute(std::string(name), type, std::move(o));
}

void add_block(fw::schema_builder& b, std::string_view name, fw::nesting mode,
               const fw::schema_builder& nested, std::string_view description) {
  fw::block_options o;
  o.description = std::string(description);
  b.block(std::string(name), mode, nested, std::move(o));
}

void define_provider(provider& p) {
  p.schema()
      .attribute("region", &config::region,
                 {.optional = true, .description = "The AWS region to manage."})
      .attribute("profile", &config::profile,
                 {.optional = true, .description = "Shared credentials profile."})
      .attribute("access_key", &config::access_key,
                 {.optional = true,
                  .sensitive = true,
                  .description = "Access key id; the environment is used when unset."})
      .attribute("secret_key", &config::secret_key,
                 {.optional = true,
                  .sensitive = true,
                  .description = "Secret access key; the environment is used when unset."})
      .attribute("max_retries", &config::max_retries,
                 {.optional = true, .description = "Retries of a throttled API call."})
      .attribute("skip_credentials_validation", &config::skip_credentials_validation,
                 {.optional = true,
                  .description = "Skip the STS GetCallerIdentity call at configuration."})
      .attribute("allowed_account_ids", &config::allowed_account_ids,
                 {.optional = true, .description = "Refuse to run against other accounts."});
  p.configure([](const config& c) { return client{c.region.value_or("us-east-1")}; });
}

}  // namespace awsscale
