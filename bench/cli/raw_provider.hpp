// The framework-less floor of the issue 5 benchmarks (terraform-provider-bench-raw, and the
// "floor" cases of bench/framework/framework_bench.cpp).
//
// The resource bench_item of bench/framework/bench_resources.hpp (name required, description
// and size optional, id computed), written straight against plugin::provider_service with the
// cty codecs and nothing of the framework: no typed binding, no planning engine, no validators,
// no private state. Each RPC does the least a correct provider must: decode what it needs,
// set the id (unknown when creating, the prior id when updating, a hash of the name after
// create), encode. The answers are byte for byte what the framework provider answers, so the
// CLIs do the same work with both and the difference in provider CPU is the framework's cost.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cppvider/cty/json.hpp"
#include "cppvider/cty/msgpack.hpp"
#include "cppvider/plugin/protocol.hpp"
#include "hash_id.hpp"

namespace bench_raw {

namespace plugin = cppvider::plugin;
namespace cty = cppvider::cty;

inline constexpr std::string_view item_type_name = "bench_item";

inline const cty::type& item_type() {
  static const cty::type t = cty::type::object({{"description", cty::type::string()},
                                                {"id", cty::type::string()},
                                                {"name", cty::type::string()},
                                                {"size", cty::type::number()}});
  return t;
}

inline plugin::schema item_schema() {
  plugin::schema s;
  const auto attribute = [](std::string name, std::string type_json, bool required, bool optional,
                            bool computed) {
    plugin::schema_attribute a;
    a.name = std::move(name);
    a.type_json = std::move(type_json);
    a.required = required;
    a.optional = optional;
    a.computed = computed;
    return a;
  };
  s.block.attributes.push_back(attribute("description", "\"string\"", false, true, false));
  s.block.attributes.push_back(attribute("id", "\"string\"", false, false, true));
  s.block.attributes.push_back(attribute("name", "\"string\"", true, false, false));
  s.block.attributes.push_back(attribute("size", "\"number\"", false, true, false));
  return s;
}

inline plugin::server_capabilities capabilities() {
  plugin::server_capabilities c;
  c.plan_destroy = true;  // as the framework announces: the same RPCs reach both providers
  c.get_provider_schema_optional = true;
  return c;
}

inline plugin::diagnostic unknown_type(const std::string& type) {
  return plugin::error_diagnostic("Unknown resource type",
                                  "This provider has no resource named \"" + type + "\".");
}

// Decodes one request value; on failure adds an error and returns nothing.
inline std::optional<cty::value> decode(const plugin::dynamic_value& dv, std::string_view what,
                                        plugin::diagnostics& d) {
  if (dv.empty()) return cty::value::null(item_type());
  auto v = dv.msgpack.empty() ? cty::json::decode(dv.json, item_type())
                              : cty::msgpack::decode(dv.msgpack, item_type());
  if (!v) {
    d.push_back(plugin::error_diagnostic("Invalid " + std::string(what), v.error().message));
    return std::nullopt;
  }
  return std::move(*v);
}

inline plugin::dynamic_value encode(const cty::value& v, plugin::diagnostics& d) {
  auto bytes = cty::msgpack::encode(v, item_type());
  if (!bytes) {
    d.push_back(plugin::error_diagnostic("Could not encode a value", bytes.error().message));
    return {};
  }
  return {std::move(*bytes), {}};
}

// `obj` with its id replaced.
inline cty::value with_id(const cty::value& obj, cty::value id) {
  std::vector<std::pair<std::string, cty::value>> attrs;
  attrs.reserve(4);
  for (const auto& a : item_type().attributes())
    attrs.emplace_back(a.name, a.name == "id" ? id : obj.get_attr(a.name));
  return cty::value::object(item_type(), std::move(attrs));
}

// The provider: every RPC Terraform and OpenTofu send for a managed resource, answered at once
// on the calling thread.
class raw_bench final : public plugin::provider_service {
 public:
  void get_metadata(plugin::call_context, plugin::get_metadata_request,
                    plugin::responder<plugin::get_metadata_response> done) override {
    plugin::get_metadata_response r;
    r.capabilities = capabilities();
    r.resources.emplace_back(item_type_name);
    done(std::move(r));
  }

  void get_provider_schema(plugin::call_context, plugin::get_provider_schema_request,
                           plugin::responder<plugin::get_provider_schema_response> done) override {
    plugin::get_provider_schema_response r;
    r.resource_schemas.emplace(item_type_name, item_schema());
    r.capabilities = capabilities();
    done(std::move(r));
  }

  void get_resource_identity_schemas(
      plugin::call_context, plugin::get_resource_identity_schemas_request,
      plugin::responder<plugin::get_resource_identity_schemas_response> done) override {
    done({});
  }

  void validate_provider_config(
      plugin::call_context, plugin::validate_provider_config_request,
      plugin::responder<plugin::validate_provider_config_response> done) override {
    done({});
  }

  void configure_provider(plugin::call_context, plugin::configure_provider_request,
                          plugin::responder<plugin::configure_provider_response> done) override {
    done({});
  }

  void validate_resource_config(
      plugin::call_context, plugin::validate_resource_config_request req,
      plugin::responder<plugin::validate_resource_config_response> done) override {
    plugin::validate_resource_config_response r;
    if (req.type_name != item_type_name) {
      r.diags.push_back(unknown_type(req.type_name));
    } else {
      (void)decode(req.config, "configuration", r.diags);  // the shape is all there is to check
    }
    done(std::move(r));
  }

  void upgrade_resource_state(
      plugin::call_context, plugin::upgrade_resource_state_request req,
      plugin::responder<plugin::upgrade_resource_state_response> done) override {
    plugin::upgrade_resource_state_response r;
    if (req.type_name != item_type_name) {
      r.diags.push_back(unknown_type(req.type_name));
    } else if (req.state.json.empty()) {
      r.upgraded_state = encode(cty::value::null(item_type()), r.diags);
    } else {
      // Lenient, as state from older schemas needs: removed attributes dropped, new ones null.
      auto v = cty::json::decode_raw_state(req.state.json, item_type());
      if (v) {
        r.upgraded_state = encode(*v, r.diags);
      } else {
        r.diags.push_back(
            plugin::error_diagnostic("Could not read the prior state", v.error().message));
      }
    }
    done(std::move(r));
  }

  void read_resource(plugin::call_context, plugin::read_resource_request req,
                     plugin::responder<plugin::read_resource_response> done) override {
    // Nothing remote: the object is as Terraform remembers it.
    plugin::read_resource_response r;
    r.new_state = std::move(req.current_state);
    r.private_state = std::move(req.private_state);
    done(std::move(r));
  }

  void plan_resource_change(
      plugin::call_context, plugin::plan_resource_change_request req,
      plugin::responder<plugin::plan_resource_change_response> done) override {
    plugin::plan_resource_change_response r;
    r.planned_private = req.prior_private;
    if (req.type_name != item_type_name) {
      r.diags.push_back(unknown_type(req.type_name));
      done(std::move(r));
      return;
    }
    const auto proposed = decode(req.proposed_new_state, "proposed new state", r.diags);
    const auto prior = decode(req.prior_state, "prior state", r.diags);
    if (proposed && prior) {
      if (proposed->is_null()) {
        r.planned_state = std::move(req.proposed_new_state);  // destroy
      } else {
        // id: unknown until created; afterwards it never changes.
        auto id =
            prior->is_null() ? cty::value::unknown(cty::type::string()) : prior->get_attr("id");
        r.planned_state = encode(with_id(*proposed, std::move(id)), r.diags);
      }
    }
    done(std::move(r));
  }

  void apply_resource_change(
      plugin::call_context, plugin::apply_resource_change_request req,
      plugin::responder<plugin::apply_resource_change_response> done) override {
    plugin::apply_resource_change_response r;
    r.new_state = req.prior_state;  // on failure nothing changed
    r.private_state = req.planned_private;
    if (req.type_name != item_type_name) {
      r.diags.push_back(unknown_type(req.type_name));
      done(std::move(r));
      return;
    }
    const auto planned = decode(req.planned_state, "planned state", r.diags);
    if (planned) {
      if (planned->is_null()) {  // destroy: nothing remote to delete
        r.new_state = std::move(req.planned_state);
        r.private_state.clear();
      } else if (planned->get_attr("id").is_known()) {  // update: the plan is the result
        r.new_state = std::move(req.planned_state);
      } else {  // create
        const auto& name = planned->get_attr("name");
        if (!name.is_known() || name.is_null()) {
          r.diags.push_back(plugin::error_diagnostic("name must be known when creating"));
        } else {
          r.new_state = encode(with_id(*planned, cty::value::string(bench_resources::hash_id(
                                                     "item-", name.as_string()))),
                               r.diags);
        }
      }
    }
    done(std::move(r));
  }
};

}  // namespace bench_raw
