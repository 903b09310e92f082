#include "cppvider/testing/harness.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include "cppvider/cty/msgpack.hpp"
#include "cppvider/cty/type_json.hpp"

namespace cppvider::testing {

namespace {

// Collects the one answer of a handler, which may come later from another thread (a coroutine
// hook that waits). A handler that never answers is a harness error rather than a hang.
template <class Response>
struct capture final : plugin::detail::completion<Response> {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Response> got;
  void complete(Response&& r) noexcept override {
    std::lock_guard lock(mu);
    if (!got) got.emplace(std::move(r));
    cv.notify_all();
  }
};

template <class Response, class Call>
Response call(const std::stop_token& stop, Call&& c) {
  auto cap = std::make_shared<capture<Response>>();
  c(plugin::call_context{.rpc = "harness", .request_id = "test", .stop = stop},
    plugin::responder<Response>(cap));
  std::unique_lock lock(cap->mu);
  if (!cap->cv.wait_for(lock, std::chrono::minutes(5), [&] { return cap->got.has_value(); })) {
    throw std::logic_error("cppvider::testing: the handler did not answer within 5 minutes");
  }
  return std::move(*cap->got);
}

// Hands one answer to a callback (the asynchronous forms).
template <class Response>
struct forward final : plugin::detail::completion<Response> {
  std::function<void(Response&&)> f;
  explicit forward(std::function<void(Response&&)> fn) : f(std::move(fn)) {}
  void complete(Response&& r) noexcept override { f(std::move(r)); }
};

plugin::dynamic_value encode(const cty::value& v, const cty::type& t) {
  auto b = cty::msgpack::encode(v, t);
  if (!b) throw std::invalid_argument("cppvider::testing: cannot encode: " + b.error().to_string());
  return {std::move(*b), {}};
}

cty::value decode(const plugin::dynamic_value& dv, const cty::type& t, fw::diagnostics& d) {
  if (dv.empty()) return cty::value::null(t);
  auto v = cty::msgpack::decode(dv.msgpack, t);
  if (!v) {
    d.add_error(fw::path(v.error().path), "Harness: the provider answered an undecodable value",
                v.error().message);
    return cty::value::null(t);
  }
  return std::move(*v);
}

// What Terraform sends to apply `plan`.
plugin::apply_resource_change_request apply_request(const plan_values& plan, const cty::type& t) {
  plugin::apply_resource_change_request req;
  req.type_name = plan.type_name;
  req.prior_state = encode(plan.prior, t);
  req.planned_state = encode(plan.planned, t);
  req.config = encode(plan.config, t);
  req.planned_private = plan.planned_private;
  req.planned_identity = plan.planned_identity;
  return req;
}

// What Terraform sends to read `state`.
plugin::read_resource_request read_request(std::string_view type, const cty::value& state,
                                           std::string private_state, const cty::type& t) {
  plugin::read_resource_request req;
  req.type_name = std::string(type);
  req.current_state = encode(state, t);
  req.private_state = std::move(private_state);
  return req;
}

// An apply or read answer as the harness reports it.
template <class Response>
state_values answered_state(Response&& r, const cty::type& t) {
  state_values out;
  out.diagnostics = fw::from_plugin(r.diags);
  out.state = decode(r.new_state, t, out.diagnostics);
  out.identity = std::move(r.new_identity);
  out.private_state = std::move(r.private_state);
  return out;
}

std::vector<cty::path> from_plugin_paths(const std::vector<plugin::attribute_path>& in) {
  std::vector<cty::path> out;
  for (const auto& p : in) {
    cty::path x;
    for (const auto& s : p.steps) {
      using k = plugin::attribute_path::step::kind;
      if (s.k == k::attribute_name)
        x = x.attribute(s.name);
      else if (s.k == k::element_key_int)
        x = x.index(s.index);
      else
        x = x.key(s.name);
    }
    out.push_back(std::move(x));
  }
  return out;
}

const fw::schema& need(const std::shared_ptr<const fw::schema>& s, std::string_view type) {
  if (!s) throw std::invalid_argument("cppvider::testing: no such type " + std::string(type));
  return *s;
}

}  // namespace

std::string harness_base::full_name(std::string_view suffix) const {
  return p_.type_name() + "_" + std::string(suffix);
}

const fw::schema& harness_base::resource_schema(std::string_view type) {
  return need(p_.resource_schema(type), type);
}

fw::diagnostics harness_base::validate_provider(const cty::value& config) {
  const auto& s = need(p_.provider_config_schema(), "provider");
  auto r = call<plugin::validate_provider_config_response>(stop_, [&](auto ctx, auto done) {
    p_.validate_provider_config(std::move(ctx), {encode(config, s.type())}, std::move(done));
  });
  return fw::from_plugin(r.diags);
}

fw::diagnostics harness_base::configure(const cty::value& config) {
  const auto& s = need(p_.provider_config_schema(), "provider");
  auto r = call<plugin::configure_provider_response>(stop_, [&](auto ctx, auto done) {
    p_.configure_provider(std::move(ctx), {"1.11.4", encode(config, s.type()), {}},
                          std::move(done));
  });
  return fw::from_plugin(r.diags);
}

fw::diagnostics harness_base::validate_resource(std::string_view type, const cty::value& config) {
  const auto& s = resource_schema(type);
  // As a current Terraform sends it: write-only attributes allowed.
  plugin::validate_resource_config_request req{std::string(type), encode(config, s.type()), {}};
  req.client.write_only_attributes_allowed = true;
  auto r = call<plugin::validate_resource_config_response>(stop_, [&](auto ctx, auto done) {
    p_.validate_resource_config(std::move(ctx), std::move(req), std::move(done));
  });
  return fw::from_plugin(r.diags);
}

fw::diagnostics harness_base::validate_data_source(std::string_view type,
                                                   const cty::value& config) {
  const auto& s = need(p_.data_source_schema(type), type);
  auto r = call<plugin::validate_data_resource_config_response>(stop_, [&](auto ctx, auto done) {
    p_.validate_data_resource_config(std::move(ctx), {std::string(type), encode(config, s.type())},
                                     std::move(done));
  });
  return fw::from_plugin(r.diags);
}

plan_values harness_base::plan(std::string_view type, const cty::value& config,
                               const cty::value& prior, std::string prior_private) {
  const auto& s = resource_schema(type);
  const auto& t = s.type();
  plan_values out;
  out.type_name = std::string(type);
  out.config = config;
  out.prior = prior;
  // Terraform validates before planning; so does the harness.
  if (!config.is_null()) {
    out.diagnostics = validate_resource(type, config);
    if (out.diagnostics.has_error()) {
      out.planned = cty::value::null(t);
      return out;
    }
  }
  out.proposed =
      config.is_null() ? cty::value::null(t) : fw::proposed_new_state(*s.block, prior, config);
  plugin::plan_resource_change_request req;
  req.type_name = out.type_name;
  req.prior_state = encode(prior, t);
  req.proposed_new_state = encode(out.proposed, t);
  req.config = encode(config, t);
  req.provider_meta = meta_;
  req.prior_private = std::move(prior_private);
  auto r = call<plugin::plan_resource_change_response>(stop_, [&](auto ctx, auto done) {
    p_.plan_resource_change(std::move(ctx), std::move(req), std::move(done));
  });
  out.diagnostics.append(fw::from_plugin(r.diags));
  out.planned = decode(r.planned_state, t, out.diagnostics);
  out.requires_replace = from_plugin_paths(r.requires_replace);
  out.planned_private = std::move(r.planned_private);
  out.planned_identity = std::move(r.planned_identity);
  return out;
}

state_values harness_base::apply(const plan_values& plan) {
  const auto& s = resource_schema(plan.type_name);
  const auto& t = s.type();
  state_values out;
  // Terraform applies a replacement as destroy, then create (create_before_destroy aside).
  if (!plan.requires_replace.empty() && !plan.prior.is_null() && !plan.planned.is_null()) {
    plan_values destroy = plan;
    destroy.planned = cty::value::null(t);
    destroy.requires_replace.clear();
    auto gone = apply(destroy);
    if (gone.diagnostics.has_error()) return gone;
    auto fresh = this->plan(plan.type_name, plan.config, cty::value::null(t));
    if (fresh.diagnostics.has_error()) return {plan.prior, {}, fresh.diagnostics};
    out = apply(fresh);
    gone.diagnostics.append(out.diagnostics);
    out.diagnostics = std::move(gone.diagnostics);
    return out;
  }
  auto req = apply_request(plan, t);
  req.provider_meta = meta_;
  auto r = call<plugin::apply_resource_change_response>(stop_, [&](auto ctx, auto done) {
    p_.apply_resource_change(std::move(ctx), std::move(req), std::move(done));
  });
  return answered_state(std::move(r), t);
}

void harness_base::start_apply(const plan_values& plan, std::function<void(state_values)> done) {
  const auto& t = resource_schema(plan.type_name).type();
  auto req = apply_request(plan, t);
  req.provider_meta = meta_;
  auto sink = std::make_shared<forward<plugin::apply_resource_change_response>>(
      [t, done = std::move(done)](plugin::apply_resource_change_response&& r) {
        done(answered_state(std::move(r), t));
      });
  p_.apply_resource_change(
      plugin::call_context{.rpc = "ApplyResourceChange", .request_id = "load", .stop = stop_},
      std::move(req), plugin::responder<plugin::apply_resource_change_response>(sink));
}

void harness_base::start_read(std::string_view type, const cty::value& state,
                              std::string private_state, std::function<void(state_values)> done) {
  const auto& t = resource_schema(type).type();
  auto req = read_request(type, state, std::move(private_state), t);
  req.provider_meta = meta_;
  auto sink = std::make_shared<forward<plugin::read_resource_response>>(
      [t, done = std::move(done)](plugin::read_resource_response&& r) {
        done(answered_state(std::move(r), t));
      });
  p_.read_resource(plugin::call_context{.rpc = "ReadResource", .request_id = "load", .stop = stop_},
                   std::move(req), plugin::responder<plugin::read_resource_response>(sink));
}

state_values harness_base::read(std::string_view type, const cty::value& state,
                                std::string private_state) {
  const auto& t = resource_schema(type).type();
  auto req = read_request(type, state, std::move(private_state), t);
  req.provider_meta = meta_;
  auto r = call<plugin::read_resource_response>(stop_, [&](auto ctx, auto done) {
    p_.read_resource(std::move(ctx), std::move(req), std::move(done));
  });
  return answered_state(std::move(r), t);
}

state_values harness_base::import_state(std::string_view type, std::string id) {
  const auto& t = resource_schema(type).type();
  plugin::import_resource_state_request req;
  req.type_name = std::string(type);
  req.id = std::move(id);
  return import_with(std::move(req), t);
}

state_values harness_base::import_by_identity(std::string_view type, const cty::value& identity) {
  const auto& t = resource_schema(type).type();
  plugin::import_resource_state_request req;
  req.type_name = std::string(type);
  req.identity = encode(identity, identity_type(type));
  return import_with(std::move(req), t);
}

state_values harness_base::import_with(plugin::import_resource_state_request req,
                                       const cty::type& t) {
  auto r = call<plugin::import_resource_state_response>(stop_, [&](auto ctx, auto done) {
    p_.import_resource_state(std::move(ctx), std::move(req), std::move(done));
  });
  state_values out;
  out.diagnostics = fw::from_plugin(r.diags);
  out.state = r.imported.empty() ? cty::value::null(t)
                                 : decode(r.imported.front().state, t, out.diagnostics);
  if (!r.imported.empty()) {
    out.private_state = r.imported.front().private_state;
    out.identity = r.imported.front().identity;
  }
  return out;
}

cty::type harness_base::identity_type(std::string_view type) {
  auto r = call<plugin::get_resource_identity_schemas_response>(stop_, [&](auto ctx, auto done) {
    p_.get_resource_identity_schemas(std::move(ctx), {}, std::move(done));
  });
  const auto it = r.identity_schemas.find(std::string(type));
  if (it == r.identity_schemas.end()) {
    throw std::logic_error("harness: resource " + std::string(type) + " has no identity");
  }
  std::vector<cty::attribute> attrs;
  for (const auto& a : it->second.attributes) {
    auto at = cty::parse_type_json(a.type_json);
    if (!at) throw std::logic_error("harness: bad identity type JSON " + a.type_json);
    attrs.emplace_back(a.name, *at);
  }
  return cty::type::object(std::move(attrs));
}

cty::value harness_base::identity(std::string_view type,
                                  const std::optional<plugin::dynamic_value>& bytes) {
  const auto t = identity_type(type);
  if (!bytes) return cty::value::null(t);
  fw::diagnostics d;
  auto v = decode(*bytes, t, d);
  if (d.has_error()) throw std::logic_error("harness: " + d.to_string());
  return v;
}

state_values harness_base::upgrade(std::string_view type, std::int64_t version,
                                   std::string raw_json) {
  const auto& t = resource_schema(type).type();
  plugin::upgrade_resource_state_request req;
  req.type_name = std::string(type);
  req.version = version;
  req.state.json = std::move(raw_json);
  auto r = call<plugin::upgrade_resource_state_response>(stop_, [&](auto ctx, auto done) {
    p_.upgrade_resource_state(std::move(ctx), std::move(req), std::move(done));
  });
  state_values out;
  out.diagnostics = fw::from_plugin(r.diags);
  out.state = decode(r.upgraded_state, t, out.diagnostics);
  return out;
}

state_values harness_base::move_state(std::string_view target_type,
                                      const fw::move_state_request& source) {
  const auto& t = resource_schema(target_type).type();
  plugin::move_resource_state_request req;
  req.target_type_name = std::string(target_type);
  req.source_provider_address = source.source_provider_address;
  req.source_type_name = source.source_type_name;
  req.source_schema_version = source.source_schema_version;
  req.source_state.json = source.source_json;
  auto r = call<plugin::move_resource_state_response>(stop_, [&](auto ctx, auto done) {
    p_.move_resource_state(std::move(ctx), std::move(req), std::move(done));
  });
  state_values out;
  out.diagnostics = fw::from_plugin(r.diags);
  out.state = decode(r.target_state, t, out.diagnostics);
  out.private_state = std::move(r.target_private);
  return out;
}

state_values harness_base::read_data(std::string_view type, const cty::value& config) {
  const auto& t = need(p_.data_source_schema(type), type).type();
  state_values out;
  out.diagnostics = validate_data_source(type, config);
  if (out.diagnostics.has_error()) {
    out.state = cty::value::null(t);
    return out;
  }
  plugin::read_data_source_request req;
  req.type_name = std::string(type);
  req.provider_meta = meta_;
  req.config = encode(config, t);
  auto r = call<plugin::read_data_source_response>(stop_, [&](auto ctx, auto done) {
    p_.read_data_source(std::move(ctx), std::move(req), std::move(done));
  });
  out.diagnostics.append(fw::from_plugin(r.diags));
  out.state = decode(r.state, t, out.diagnostics);
  return out;
}

ephemeral_values harness_base::open_ephemeral(std::string_view type, const cty::value& config) {
  const auto& t = need(p_.ephemeral_resource_schema(type), type).type();
  ephemeral_values out;
  out.result = cty::value::null(t);
  plugin::validate_ephemeral_resource_config_request v;
  v.type_name = std::string(type);
  v.config = encode(config, t);
  auto checked =
      call<plugin::validate_ephemeral_resource_config_response>(stop_, [&](auto ctx, auto done) {
        p_.validate_ephemeral_resource_config(std::move(ctx), std::move(v), std::move(done));
      });
  out.diagnostics.append(fw::from_plugin(checked.diags));
  if (out.diagnostics.has_error()) return out;
  plugin::open_ephemeral_resource_request req;
  req.type_name = std::string(type);
  req.config = encode(config, t);
  auto r = call<plugin::open_ephemeral_resource_response>(stop_, [&](auto ctx, auto done) {
    p_.open_ephemeral_resource(std::move(ctx), std::move(req), std::move(done));
  });
  out.diagnostics.append(fw::from_plugin(r.diags));
  if (out.diagnostics.has_error()) return out;
  out.result = decode(r.result, t, out.diagnostics);
  out.private_state = r.private_state.value_or("");
  if (r.renew_at)
    out.renew_at = std::chrono::time_point_cast<std::chrono::system_clock::duration>(*r.renew_at);
  return out;
}

ephemeral_values harness_base::renew_ephemeral(std::string_view type, std::string private_state) {
  ephemeral_values out;
  plugin::renew_ephemeral_resource_request req;
  req.type_name = std::string(type);
  if (!private_state.empty()) req.private_state = std::move(private_state);
  auto r = call<plugin::renew_ephemeral_resource_response>(stop_, [&](auto ctx, auto done) {
    p_.renew_ephemeral_resource(std::move(ctx), std::move(req), std::move(done));
  });
  out.diagnostics.append(fw::from_plugin(r.diags));
  out.private_state = r.private_state.value_or("");
  if (r.renew_at)
    out.renew_at = std::chrono::time_point_cast<std::chrono::system_clock::duration>(*r.renew_at);
  return out;
}

fw::diagnostics harness_base::close_ephemeral(std::string_view type, std::string private_state) {
  plugin::close_ephemeral_resource_request req;
  req.type_name = std::string(type);
  if (!private_state.empty()) req.private_state = std::move(private_state);
  auto r = call<plugin::close_ephemeral_resource_response>(stop_, [&](auto ctx, auto done) {
    p_.close_ephemeral_resource(std::move(ctx), std::move(req), std::move(done));
  });
  return fw::from_plugin(r.diags);
}

function_result harness_base::call_function(std::string_view name,
                                            const std::vector<cty::value>& args) {
  function_result out;
  const auto fail = [&](std::string text) {
    out.error = std::move(text);
    return out;
  };
  auto fns = call<plugin::get_functions_response>(
      stop_, [&](auto ctx, auto done) { p_.get_functions(std::move(ctx), {}, std::move(done)); });
  const auto it = fns.functions.find(std::string(name));
  if (it == fns.functions.end()) return fail("no function named " + std::string(name));
  const auto type_of = [](const std::string& json) {
    auto t = cty::parse_type_json(json);
    if (!t) throw std::logic_error("harness: bad type JSON from GetFunctions: " + json);
    return *t;
  };
  plugin::call_function_request req;
  req.name = std::string(name);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& params = it->second.parameters;
    const plugin::function_parameter* p = nullptr;
    if (i < params.size()) {
      p = &params[i];
    } else if (it->second.variadic_parameter) {
      p = &*it->second.variadic_parameter;
    } else {
      // More arguments than parameters: send them as dynamic values, as a host could.
      req.arguments.push_back({*cty::msgpack::encode(args[i], cty::type::dynamic()), {}});
      continue;
    }
    auto bytes = cty::msgpack::encode(args[i], type_of(p->type_json));
    if (!bytes) return fail("argument " + std::to_string(i) + ": " + bytes.error().message);
    req.arguments.push_back({std::move(*bytes), {}});
  }
  auto r = call<plugin::call_function_response>(stop_, [&](auto ctx, auto done) {
    p_.call_function(std::move(ctx), std::move(req), std::move(done));
  });
  if (r.error) {
    out.argument = r.error->function_argument;
    return fail(r.error->text);
  }
  auto v = cty::msgpack::decode(r.result.msgpack, type_of(it->second.return_type_json));
  if (!v) return fail("result: " + v.error().message);
  out.value = std::move(*v);
  return out;
}

void harness_base::set_provider_meta(const cty::value& meta) {
  if (!provider_schema().provider_meta) {
    throw std::logic_error("harness: the provider defines no provider_meta schema");
  }
  meta_ = {};
  if (!meta.is_null()) meta_ = encode(meta, p_.provider_meta_schema().object_type());
}

plugin::get_metadata_response harness_base::metadata() {
  return call<plugin::get_metadata_response>(
      stop_, [&](auto ctx, auto done) { p_.get_metadata(std::move(ctx), {}, std::move(done)); });
}

plugin::get_provider_schema_response harness_base::provider_schema() {
  return call<plugin::get_provider_schema_response>(stop_, [&](auto ctx, auto done) {
    p_.get_provider_schema(std::move(ctx), {}, std::move(done));
  });
}

}  // namespace cppvider::testing
