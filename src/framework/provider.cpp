// The RPC handlers of framework providers: decode with the schema, run the engine and the
// author's hooks, check the result, encode. Every handler answers exactly once, and an
// exception escaping a hook becomes an error diagnostic naming the operation and the type.
#include "cppvider/framework/provider.hpp"

#include <exception>
#include <map>
#include <mutex>

#include "cppvider/cty/json.hpp"
#include "cppvider/cty/msgpack.hpp"
#include "cppvider/framework/values.hpp"
#include "engine.hpp"

namespace cppvider::framework {

namespace {

// A definition and its schema, built on first need.
template <class Definition>
struct entry {
  std::string name;  // full type name
  std::shared_ptr<Definition> def;
  std::once_flag once;
  schema_result built;

  const schema_result& schema() {
    std::call_once(once, [this] { built = def->schema(); });
    return built;
  }
};

cty::result<cty::value> decode(const plugin::dynamic_value& dv, const cty::type& t) {
  if (!dv.msgpack.empty()) return cty::msgpack::decode(dv.msgpack, t);
  if (!dv.json.empty()) return cty::json::decode(dv.json, t);
  return cty::value::null(t);
}

plugin::dynamic_value encode(const cty::value& v, const cty::type& t, diagnostics& d) {
  auto bytes = cty::msgpack::encode(v, t);
  if (!bytes) {
    d.add_error(path(bytes.error().path), "Could not encode a value",
                bytes.error().message + ". This is a bug in the provider.");
    return {};
  }
  return {std::move(*bytes), {}};
}

// Decodes one request value; false (with an error) when the host sent something malformed.
bool decode_into(cty::value& out, const plugin::dynamic_value& dv, const cty::type& t,
                 std::string_view what, diagnostics& d) {
  auto r = decode(dv, t);
  if (!r) {
    d.add_error(path(r.error().path), "Invalid " + std::string(what),
                "The " + std::string(what) +
                    " sent by Terraform does not match the schema: " + r.error().message);
    return false;
  }
  out = std::move(*r);
  return true;
}

void unexpected(diagnostics& d, std::string_view operation, std::string_view type,
                std::string_view what) {
  std::string summary = "Unexpected error in " + std::string(operation);
  d.add_error(summary, (type.empty() ? std::string("Provider") : std::string(type)) + ": " +
                           std::string(what));
}

// Runs f, turning exceptions into a diagnostic; returns false when one escaped. `operation` is
// read after f ran, so a handler can narrow it ("apply" -> "create") as it goes.
template <class F>
bool guarded(diagnostics& d, const std::string_view& operation, std::string_view type, F&& f) {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    unexpected(d, operation, type, e.what());
  } catch (...) {
    unexpected(d, operation, type, "unknown exception");
  }
  return false;
}

template <class Response>
void finish(plugin::responder<Response>& done, Response& resp, const diagnostics& d) {
  append_to(resp.diags, d);
  done(std::move(resp));
}

void unknown_type(diagnostics& d, std::string_view kind, std::string_view type) {
  d.add_error(
      "Unknown " + std::string(kind) + " type",
      "This provider has no " + std::string(kind) + " named \"" + std::string(type) + "\".");
}

}  // namespace

struct provider_base::impl {
  std::string type_name;
  std::map<std::string, std::unique_ptr<entry<resource_definition>>, std::less<>> resources;
  std::map<std::string, std::unique_ptr<entry<data_source_definition>>, std::less<>> data_sources;

  std::once_flag provider_once;
  schema_result provider_built;

  std::once_flag response_once;
  std::shared_ptr<const plugin::get_provider_schema_response> response;

  entry<resource_definition>* resource(std::string_view name) {
    auto it = resources.find(name);
    return it == resources.end() ? nullptr : it->second.get();
  }
  entry<data_source_definition>* data_source(std::string_view name) {
    auto it = data_sources.find(name);
    return it == data_sources.end() ? nullptr : it->second.get();
  }
};

provider_base::provider_base(std::string type_name) : impl_(std::make_unique<impl>()) {
  impl_->type_name = std::move(type_name);
}
provider_base::~provider_base() = default;

const std::string& provider_base::type_name() const noexcept { return impl_->type_name; }

void provider_base::add_resource(std::shared_ptr<resource_definition> r) {
  auto e = std::make_unique<entry<resource_definition>>();
  e->name = impl_->type_name + "_" + r->type_name();
  e->def = std::move(r);
  auto name = e->name;
  impl_->resources.insert_or_assign(std::move(name), std::move(e));
}

void provider_base::add_data_source(std::shared_ptr<data_source_definition> d) {
  auto e = std::make_unique<entry<data_source_definition>>();
  e->name = impl_->type_name + "_" + d->type_name();
  e->def = std::move(d);
  auto name = e->name;
  impl_->data_sources.insert_or_assign(std::move(name), std::move(e));
}

void provider_base::validate_provider_values(const cty::value&, diagnostics&) {}

std::shared_ptr<const framework::schema> provider_base::provider_config_schema() {
  std::call_once(impl_->provider_once, [this] { impl_->provider_built = provider_schema(); });
  return impl_->provider_built.schema;
}
std::shared_ptr<const framework::schema> provider_base::resource_schema(std::string_view type) {
  auto* e = impl_->resource(type);
  return e ? e->schema().schema : nullptr;
}
std::shared_ptr<const framework::schema> provider_base::data_source_schema(std::string_view type) {
  auto* e = impl_->data_source(type);
  return e ? e->schema().schema : nullptr;
}

// ---- Metadata and schema ----------------------------------------------------------------

void provider_base::get_metadata(plugin::call_context, plugin::get_metadata_request,
                                 plugin::responder<plugin::get_metadata_response> done) {
  plugin::get_metadata_response r;
  r.capabilities.plan_destroy = true;
  r.capabilities.get_provider_schema_optional = true;
  for (const auto& [name, e] : impl_->resources) r.resources.push_back(name);
  for (const auto& [name, e] : impl_->data_sources) r.data_sources.push_back(name);
  done(std::move(r));
}

void provider_base::get_provider_schema(
    plugin::call_context, plugin::get_provider_schema_request,
    plugin::responder<plugin::get_provider_schema_response> done) {
  std::call_once(impl_->response_once, [this] {
    auto r = std::make_shared<plugin::get_provider_schema_response>();
    diagnostics d;
    guarded(d, "GetProviderSchema", impl_->type_name, [&] {
      (void)provider_config_schema();
      d.append(impl_->provider_built.diagnostics);
      r->provider = to_plugin(*impl_->provider_built.schema);
      for (auto& [name, e] : impl_->resources) {
        const auto& s = e->schema();
        for (auto x : s.diagnostics) {
          x.detail = "Resource " + name + ": " + x.detail;
          d.add(std::move(x));
        }
        r->resource_schemas.emplace(name, to_plugin(*s.schema));
      }
      for (auto& [name, e] : impl_->data_sources) {
        const auto& s = e->schema();
        for (auto x : s.diagnostics) {
          x.detail = "Data source " + name + ": " + x.detail;
          d.add(std::move(x));
        }
        r->data_source_schemas.emplace(name, to_plugin(*s.schema));
      }
    });
    r->capabilities.plan_destroy = true;
    r->capabilities.get_provider_schema_optional = true;
    append_to(r->diags, d);
    impl_->response = std::move(r);
  });
  done(*impl_->response);
}

// ---- Provider configuration -----------------------------------------------------------------

void provider_base::validate_provider_config(
    plugin::call_context, plugin::validate_provider_config_request req,
    plugin::responder<plugin::validate_provider_config_response> done) {
  plugin::validate_provider_config_response resp;
  diagnostics d;
  guarded(d, "ValidateProviderConfig", impl_->type_name, [&] {
    const auto s = provider_config_schema();
    cty::value config;
    if (!decode_into(config, req.config, s->type(), "provider configuration", d)) return;
    engine::validate_config(*s->block, config, d);
    validate_provider_values(config, d);
  });
  finish(done, resp, d);
}

void provider_base::configure_provider(
    plugin::call_context, plugin::configure_provider_request req,
    plugin::responder<plugin::configure_provider_response> done) {
  plugin::configure_provider_response resp;
  diagnostics d;
  guarded(d, "ConfigureProvider", impl_->type_name, [&] {
    const auto s = provider_config_schema();
    cty::value config;
    if (!decode_into(config, req.config, s->type(), "provider configuration", d)) return;
    configure_values(config, d);
  });
  finish(done, resp, d);
}

// ---- Resources ------------------------------------------------------------------------------

void provider_base::validate_resource_config(
    plugin::call_context, plugin::validate_resource_config_request req,
    plugin::responder<plugin::validate_resource_config_response> done) {
  plugin::validate_resource_config_response resp;
  diagnostics d;
  guarded(d, "ValidateResourceConfig", req.type_name, [&] {
    auto* e = impl_->resource(req.type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.type_name);
    const auto& s = *e->schema().schema;
    cty::value config;
    if (!decode_into(config, req.config, s.type(), "configuration", d)) return;
    engine::validate_config(*s.block, config, d);
    validate_config_response r;
    e->def->validate_config({config}, r);
    d.append(std::move(r.diagnostics));
  });
  finish(done, resp, d);
}

void provider_base::upgrade_resource_state(
    plugin::call_context, plugin::upgrade_resource_state_request req,
    plugin::responder<plugin::upgrade_resource_state_response> done) {
  plugin::upgrade_resource_state_response resp;
  diagnostics d;
  guarded(d, "UpgradeResourceState", req.type_name, [&] {
    auto* e = impl_->resource(req.type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.type_name);
    const auto& s = *e->schema().schema;
    if (req.state.json.empty()) {
      if (!req.state.flatmap.empty()) {
        d.add_error("Unsupported state format",
                    "Resource " + req.type_name +
                        ": state written by Terraform 0.11 or older (flatmap) cannot be read. "
                        "Refresh it with Terraform 0.12 to 1.x first.");
        return;
      }
      resp.upgraded_state = encode(cty::value::null(s.type()), s.type(), d);
      return;
    }
    if (req.version > s.version) {
      d.add_error("Unsupported state version",
                  "Resource " + req.type_name + ": the state was written by schema version " +
                      std::to_string(req.version) + ", newer than this provider's version " +
                      std::to_string(s.version) + ". Upgrade the provider.");
      return;
    }
    // Same version (the common case: Terraform calls this for every resource it loads) and
    // older versions alike: decode leniently, so removed attributes are dropped and new ones
    // are null, then answer in msgpack.
    auto v = cty::json::decode_raw_state(req.state.json, s.type());
    if (!v) {
      d.add_error(path(v.error().path), "Could not read the prior state",
                  "Resource " + req.type_name + " (schema version " + std::to_string(req.version) +
                      "): " + v.error().message);
      return;
    }
    resp.upgraded_state = encode(*v, s.type(), d);
  });
  finish(done, resp, d);
}

void provider_base::read_resource(plugin::call_context, plugin::read_resource_request req,
                                  plugin::responder<plugin::read_resource_response> done) {
  plugin::read_resource_response resp;
  diagnostics d;
  resp.new_state = req.current_state;  // on failure, Terraform keeps what it had
  resp.private_state = req.private_state;
  guarded(d, "read", req.type_name, [&] {
    auto* e = impl_->resource(req.type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.type_name);
    const auto& s = *e->schema().schema;
    cty::value current;
    if (!decode_into(current, req.current_state, s.type(), "current state", d)) return;
    if (current.is_null()) return;
    read_request<cty::value> q{current};
    read_response<cty::value> r{current, {}};
    e->def->read(q, r);
    const bool failed = r.diagnostics.has_error();
    d.append(std::move(r.diagnostics));
    if (failed) return;
    if (r.removed) {
      resp.new_state = encode(cty::value::null(s.type()), s.type(), d);
      return;
    }
    engine::check_wholly_known(r.state, req.type_name, "read", d);
    if (d.has_error()) return;
    resp.new_state = encode(r.state, s.type(), d);
  });
  finish(done, resp, d);
}

void provider_base::plan_resource_change(
    plugin::call_context, plugin::plan_resource_change_request req,
    plugin::responder<plugin::plan_resource_change_response> done) {
  plugin::plan_resource_change_response resp;
  diagnostics d;
  resp.planned_private = req.prior_private;
  guarded(d, "plan", req.type_name, [&] {
    auto* e = impl_->resource(req.type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.type_name);
    const auto& s = *e->schema().schema;
    const auto& t = s.type();
    cty::value prior, proposed, config;
    if (!decode_into(prior, req.prior_state, t, "prior state", d) ||
        !decode_into(proposed, req.proposed_new_state, t, "proposed new state", d) ||
        !decode_into(config, req.config, t, "configuration", d)) {
      return;
    }
    if (proposed.is_null()) {  // destroy: nothing to plan
      resp.planned_state = encode(proposed, t, d);
      return;
    }
    const bool creating = prior.is_null();
    const auto& b = *s.block;
    cty::value planned = engine::apply_defaults(b, config, proposed);
    if (creating || !(planned == prior))
      planned = engine::mark_computed_unknown(b, config, planned);
    std::vector<cty::path> replace;
    planned = engine::run_plan_modifiers(b, config, prior, planned, creating, d, replace);
    if (d.has_error()) return;
    // A replacement creates a new object: everything computed is new again.
    if (!replace.empty()) planned = engine::mark_computed_unknown(b, config, planned);
    if (e->def->has_modify_plan()) {
      modify_plan_request<cty::value> q{config, planned, creating ? cty::value::null(t) : prior,
                                        creating};
      modify_plan_response<cty::value> r{planned, {}, {}};
      e->def->modify_plan(q, r);
      const bool failed = r.diagnostics.has_error();
      d.append(std::move(r.diagnostics));
      if (failed) return;
      planned = std::move(r.plan);
      for (auto& p : r.requires_replace) replace.push_back(std::move(p));
    }
    engine::check_plan(b, config, planned, req.type_name, d);
    if (d.has_error()) return;
    resp.planned_state = encode(planned, t, d);
    resp.requires_replace.reserve(replace.size());
    for (const auto& p : replace) resp.requires_replace.push_back(to_plugin(p));
  });
  finish(done, resp, d);
}

void provider_base::apply_resource_change(
    plugin::call_context, plugin::apply_resource_change_request req,
    plugin::responder<plugin::apply_resource_change_response> done) {
  plugin::apply_resource_change_response resp;
  diagnostics d;
  // Whatever goes wrong, the remote object is as it was: keep the prior state.
  resp.new_state = req.prior_state;
  resp.private_state = req.planned_private;
  std::string_view operation = "apply";
  guarded(d, operation, req.type_name, [&] {
    auto* e = impl_->resource(req.type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.type_name);
    const auto& s = *e->schema().schema;
    const auto& t = s.type();
    cty::value prior, planned, config;
    if (!decode_into(prior, req.prior_state, t, "prior state", d) ||
        !decode_into(planned, req.planned_state, t, "planned state", d) ||
        !decode_into(config, req.config, t, "configuration", d)) {
      return;
    }
    if (planned.is_null()) {
      operation = "destroy";
      destroy_response r;
      e->def->destroy({prior}, r);
      const bool failed = r.diagnostics.has_error();
      d.append(std::move(r.diagnostics));
      if (!failed) resp.new_state = encode(planned, t, d);
      return;
    }
    cty::value applied;
    if (prior.is_null()) {
      operation = "create";
      create_response<cty::value> r{planned, {}};
      e->def->create({config, planned}, r);
      const bool failed = r.diagnostics.has_error();
      d.append(std::move(r.diagnostics));
      if (failed) {  // nothing was created (a partial create is not tracked yet)
        resp.new_state = encode(cty::value::null(t), t, d);
        return;
      }
      applied = std::move(r.state);
    } else {
      operation = "update";
      update_response<cty::value> r{planned, {}};
      e->def->update({config, planned, prior}, r);
      const bool failed = r.diagnostics.has_error();
      d.append(std::move(r.diagnostics));
      if (failed) return;
      applied = std::move(r.state);
    }
    engine::check_applied(*s.block, planned, applied, req.type_name, d);
    if (d.has_error()) return;
    resp.new_state = encode(applied, t, d);
  });
  finish(done, resp, d);
}

void provider_base::import_resource_state(
    plugin::call_context, plugin::import_resource_state_request req,
    plugin::responder<plugin::import_resource_state_response> done) {
  plugin::import_resource_state_response resp;
  diagnostics d;
  guarded(d, "import", req.type_name, [&] {
    auto* e = impl_->resource(req.type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.type_name);
    const auto& s = *e->schema().schema;
    const auto& t = s.type();
    cty::value state;
    if (e->def->has_import_state()) {
      import_response<cty::value> r{cty::value::null(t), {}};
      e->def->import_state({req.id}, r);
      const bool failed = r.diagnostics.has_error();
      d.append(std::move(r.diagnostics));
      if (failed) return;
      state = std::move(r.state);
    } else {
      const auto* id = s.block->find_attribute("id");
      if (id == nullptr || !(id->type == cty::type::string())) {
        d.add_error("Resource import not supported",
                    "Resource " + req.type_name +
                        " has no import_state hook and no string attribute \"id\" to pass the "
                        "import id through.");
        return;
      }
      state = with_attribute(null_object(*s.block), "id", cty::value::string(req.id));
    }
    if (state.is_null()) {
      d.add_error("Resource not found",
                  "Resource " + req.type_name + ": nothing to import for id \"" + req.id + "\".");
      return;
    }
    engine::check_wholly_known(state, req.type_name, "import", d);
    if (d.has_error()) return;
    resp.imported.push_back({req.type_name, encode(state, t, d), {}, std::nullopt});
  });
  finish(done, resp, d);
}

// ---- Data sources ---------------------------------------------------------------------------

void provider_base::validate_data_resource_config(
    plugin::call_context, plugin::validate_data_resource_config_request req,
    plugin::responder<plugin::validate_data_resource_config_response> done) {
  plugin::validate_data_resource_config_response resp;
  diagnostics d;
  guarded(d, "ValidateDataResourceConfig", req.type_name, [&] {
    auto* e = impl_->data_source(req.type_name);
    if (e == nullptr) return unknown_type(d, "data source", req.type_name);
    const auto& s = *e->schema().schema;
    cty::value config;
    if (!decode_into(config, req.config, s.type(), "configuration", d)) return;
    engine::validate_config(*s.block, config, d);
    validate_config_response r;
    e->def->validate_config({config}, r);
    d.append(std::move(r.diagnostics));
  });
  finish(done, resp, d);
}

void provider_base::read_data_source(plugin::call_context, plugin::read_data_source_request req,
                                     plugin::responder<plugin::read_data_source_response> done) {
  plugin::read_data_source_response resp;
  diagnostics d;
  guarded(d, "read", req.type_name, [&] {
    auto* e = impl_->data_source(req.type_name);
    if (e == nullptr) return unknown_type(d, "data source", req.type_name);
    const auto& s = *e->schema().schema;
    cty::value config;
    if (!decode_into(config, req.config, s.type(), "configuration", d)) return;
    data_source_read_response<cty::value> r{config, {}};
    e->def->read({config}, r);
    const bool failed = r.diagnostics.has_error();
    d.append(std::move(r.diagnostics));
    if (failed) return;
    engine::check_wholly_known(r.state, req.type_name, "read", d);
    if (d.has_error()) return;
    resp.state = encode(r.state, s.type(), d);
  });
  finish(done, resp, d);
}

}  // namespace cppvider::framework
