// The RPC handlers of framework providers: decode with the schema, run the engine and the
// author's hooks, check the result, encode. Every handler answers exactly once, and an
// exception escaping a hook becomes an error diagnostic naming the operation and the type.
#include "cppvider/framework/provider.hpp"

#include <atomic>
#include <exception>
#include <map>
#include <mutex>

#include "cppvider/cty/json.hpp"
#include "cppvider/cty/msgpack.hpp"
#include "cppvider/cty/type_json.hpp"
#include "cppvider/framework/private_state.hpp"
#include "cppvider/framework/values.hpp"
#include "cppvider/runtime/task.hpp"
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

  std::atomic<bool> ready{false};

  const schema_result& schema() {
    std::call_once(once, [this] {
      built = def->schema();
      ready.store(true, std::memory_order_release);
    });
    return built;
  }
  // The schema without keeping it: the one already built, else a fresh build the caller drops.
  // GetProviderSchema encodes every type's schema once; only those a plan needs stay built.
  schema_result schema_once_over() {
    if (ready.load(std::memory_order_acquire)) return built;
    return def->schema();
  }

  // Resources only: their upgraders and movers, asked for once (after the schema).
  std::once_flag moves_once;
  std::vector<state_upgrader<cty::value>> upgraders;
  std::vector<state_mover<cty::value>> movers;
  void load_moves() {
    (void)schema();
    std::call_once(moves_once, [this] {
      upgraders = def->state_upgraders();
      movers = def->state_movers();
    });
  }

  // Resources only: the identity, checked against the state schema once.
  struct identity_info {
    identity_schema spec;
    cty::type type;  // object of the identity attributes
    std::vector<const attribute_schema*> attributes;
    std::vector<bool> required;
  };
  std::once_flag identity_once;
  std::optional<identity_info> identity_built;
  diagnostics identity_problems;
  const identity_info* identity() {
    std::call_once(identity_once, [&] {
      // Asked before the schema: a resource without identity never builds its schema here
      // (GetResourceIdentitySchemas asks every resource type).
      auto spec = def->identity();
      if (!spec) return;
      const auto& s = *schema().schema;
      identity_info info;
      std::vector<cty::attribute> types;
      const auto add = [&](const std::string& a, bool required) {
        const auto* attr = s.block->find_attribute(a);
        const auto& t = attr != nullptr ? attr->type : cty::type::dynamic();
        const bool ok_type = attr != nullptr && !attr->nested &&
                             (t.is_primitive() || (t.is_list() && t.element_type().is_primitive()));
        if (!ok_type) {
          identity_problems.add_error(
              "Invalid resource identity",
              "Resource " + name + ": identity attribute \"" + a +
                  (attr == nullptr ? "\" is not an attribute of the state"
                                   : "\" must be a primitive or a list of primitives"));
          return;
        }
        info.attributes.push_back(attr);
        info.required.push_back(required);
        types.push_back({a, t});
      };
      for (const auto& a : spec->required) add(a, true);
      for (const auto& a : spec->optional) add(a, false);
      if (identity_problems.has_error()) return;
      info.type = cty::type::object(std::move(types));
      info.spec = std::move(*spec);
      identity_built = std::move(info);
    });
    return identity_built ? &*identity_built : nullptr;
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

// Records the exception being handled as an error diagnostic. Call only inside a catch block.
void record_current_exception(diagnostics& d, std::string_view operation, std::string_view type) {
  try {
    throw;
  } catch (const runtime::cancelled_error&) {
    d.add_error("Operation cancelled",
                std::string(type) + ": " + std::string(operation) +
                    " stopped because Terraform asked the provider to stop (interrupt or "
                    "cancelled call). The remote object may be partly changed; run a refresh.");
  } catch (const std::exception& e) {
    unexpected(d, operation, type, e.what());
  } catch (...) {
    unexpected(d, operation, type, "unknown exception");
  }
}

// (Coroutines here pass hook requests as named locals, never as braced temporaries inside the
// co_await expression: GCC 12 destroys such temporaries twice.)

// Answers `done` with what t produces. t runs now, on this thread, until it first waits.
template <class Response>
void answer_with(const plugin::call_context& ctx, runtime::task<Response> t,
                 plugin::responder<Response> done) {
  runtime::spawn(std::move(t), ctx.stop,
                 [done = std::move(done)](runtime::settled<Response> s) mutable noexcept {
                   if (s.ok()) {
                     done(std::move(s).value());
                     return;
                   }
                   // The handlers catch everything; this is a last line of defence.
                   Response r;
                   diagnostics d;
                   unexpected(d, "the provider", "", s.error_message());
                   if constexpr (std::is_same_v<Response, plugin::call_function_response>) {
                     r.error = plugin::function_error{d[0].summary + ": " + d[0].detail, {}};
                   } else {
                     append_to(r.diags, d);
                   }
                   done(std::move(r));
                 });
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

// The identity object of `state`: its identity attributes; none when the resource has no
// identity or the state does not name the object yet (null or unknown identity attributes).
template <class Entry>
std::optional<plugin::dynamic_value> identity_of(Entry& e, const cty::value& state,
                                                 diagnostics& d) {
  const auto* id = e.identity();
  if (id == nullptr || !state.is_known() || state.is_null()) return std::nullopt;
  std::vector<std::pair<std::string, cty::value>> attrs;
  for (std::size_t i = 0; i < id->attributes.size(); ++i) {
    const auto& name = id->attributes[i]->name;
    auto v = state.get_attr(name);
    if (!v.is_wholly_known() || (id->required[i] && v.is_null())) return std::nullopt;
    attrs.emplace_back(name, std::move(v));
  }
  auto bytes = cty::msgpack::encode(cty::value::object(id->type, std::move(attrs)), id->type);
  if (!bytes) {
    d.add_error("Could not encode the resource identity", bytes.error().message);
    return std::nullopt;
  }
  return plugin::dynamic_value{std::move(*bytes), {}};
}

plugin::function_parameter to_plugin(const function_parameter& p) {
  plugin::function_parameter out;
  out.name = p.name;
  out.type_json = cty::type_to_json(p.type);
  out.allow_null_value = p.allow_null;
  out.allow_unknown_values = p.allow_unknown;
  out.description = p.description;
  out.description_kind = p.markdown ? plugin::string_kind::markdown : plugin::string_kind::plain;
  return out;
}

plugin::function_definition to_plugin(const function_signature& s) {
  plugin::function_definition out;
  for (const auto& p : s.parameters) out.parameters.push_back(to_plugin(p));
  if (s.variadic) out.variadic_parameter = to_plugin(*s.variadic);
  out.return_type_json = cty::type_to_json(s.return_type);
  out.summary = s.summary;
  out.description = s.description;
  out.description_kind = s.markdown ? plugin::string_kind::markdown : plugin::string_kind::plain;
  out.deprecation_message = s.deprecation_message;
  return out;
}

enum class schema_kind : std::uint8_t { resource, data_source, ephemeral_resource };

}  // namespace

struct provider_base::impl {
  std::string type_name;
  std::map<std::string, std::unique_ptr<entry<resource_definition>>, std::less<>> resources;
  std::map<std::string, std::unique_ptr<entry<data_source_definition>>, std::less<>> data_sources;
  std::map<std::string, std::shared_ptr<function_definition>, std::less<>> functions;
  std::map<std::string, std::unique_ptr<entry<ephemeral_resource_definition>>, std::less<>>
      ephemeral_resources;

  std::once_flag functions_once;
  std::map<std::string, plugin::function_definition> functions_built;
  diagnostics functions_diagnostics;
  void build_functions();
  runtime::task<plugin::call_function_response> call(plugin::call_function_request req);

  std::once_flag provider_once;
  schema_result provider_built;

  // provider_meta: defined by the author before serving, built once.
  std::optional<schema_builder> meta;
  std::once_flag meta_once;
  schema_result meta_built;
  const schema* meta_schema() {
    if (!meta) return nullptr;
    std::call_once(meta_once, [this] { meta_built = meta->build(); });
    return meta_built.schema.get();
  }
  // The request's provider_meta; null when the provider defines none or the module sets none.
  bool decode_meta(const plugin::dynamic_value& dv, cty::value& out, diagnostics& d) {
    const auto* s = meta_schema();
    if (s == nullptr || (dv.msgpack.empty() && dv.json.empty())) {
      out = cty::value::null(s != nullptr ? s->type() : cty::type::dynamic());
      return true;
    }
    return decode_into(out, dv, s->type(), "provider_meta", d);
  }

  // Every schema of the provider, with its diagnostics, handed to `sink` one at a time:
  // sink(kind, name, schema) for resources, data sources and ephemeral resources, then the rest
  // of the response (provider, provider_meta, functions, capabilities, diagnostics) in `rest`.
  template <class Sink>
  void collect_schemas(provider_base& self, plugin::get_provider_schema_response& rest,
                       Sink&& sink) {
    diagnostics d;
    const auto add_all = [&](auto& entries, schema_kind kind, std::string_view label) {
      for (auto& [name, e] : entries) {
        const auto s = e->schema_once_over();
        for (auto x : s.diagnostics) {
          x.detail = std::string(label) + " " + name + ": " + x.detail;
          d.add(std::move(x));
        }
        sink(kind, name, to_plugin(*s.schema));
      }
    };
    framework::guarded(d, "GetProviderSchema", type_name, [&] {
      (void)self.provider_config_schema();
      d.append(provider_built.diagnostics);
      rest.provider = to_plugin(*provider_built.schema);
      add_all(resources, schema_kind::resource, "Resource");
      add_all(data_sources, schema_kind::data_source, "Data source");
      add_all(ephemeral_resources, schema_kind::ephemeral_resource, "Ephemeral resource");
      if (const auto* m = meta_schema()) {
        for (auto x : meta_built.diagnostics) {
          x.detail = "provider_meta: " + x.detail;
          d.add(std::move(x));
        }
        rest.provider_meta = to_plugin(*m);
      }
      build_functions();
      rest.functions = functions_built;
      d.append(functions_diagnostics);
    });
    rest.capabilities.plan_destroy = true;
    rest.capabilities.get_provider_schema_optional = true;
    rest.capabilities.move_resource_state = true;
    append_to(rest.diags, d);
  }

  // GetProviderSchema: in plain form for in-process callers, encoded for the wire.
  std::once_flag response_once;
  std::shared_ptr<const plugin::get_provider_schema_response> response;
  std::once_flag encoded_once;
  std::shared_ptr<const plugin::encoded_response> encoded;

  // Private state codec from the environment, made on first need.
  std::once_flag codec_once;
  std::optional<private_state_codec> codec;
  diagnostics codec_diagnostics;

  const private_state_codec* private_codec(diagnostics& d) {
    std::call_once(codec_once,
                   [this] { codec = private_state_codec::from_environment(codec_diagnostics); });
    if (!codec) {
      d.append(codec_diagnostics);
      return nullptr;
    }
    return &*codec;
  }
  // Opens Terraform's private bytes; false (with an error) when they cannot be read.
  bool open_private(const std::string& bytes, private_state& out, diagnostics& d) {
    if (bytes.empty()) return true;
    const auto* c = private_codec(d);
    if (c == nullptr) return false;
    const auto errors_before = d.error_count();
    out = c->open(bytes, d);
    return d.error_count() == errors_before;
  }
  // Seals for Terraform; unchanged state already in the current form keeps its bytes.
  std::string seal_private(const private_state& now, const private_state& was,
                           const std::string& was_bytes, diagnostics& d) {
    if (now.empty()) return {};
    const auto* c = private_codec(d);
    if (c == nullptr) return was_bytes;
    if (now == was && c->is_current(was_bytes)) return was_bytes;
    return c->seal(now);
  }

  entry<resource_definition>* resource(std::string_view name) {
    auto it = resources.find(name);
    return it == resources.end() ? nullptr : it->second.get();
  }
  entry<data_source_definition>* data_source(std::string_view name) {
    auto it = data_sources.find(name);
    return it == data_sources.end() ? nullptr : it->second.get();
  }
  entry<ephemeral_resource_definition>* ephemeral(std::string_view name) {
    auto it = ephemeral_resources.find(name);
    return it == ephemeral_resources.end() ? nullptr : it->second.get();
  }

  // Each RPC that runs hooks: body(request, response, diagnostics, operation) inside guarded(),
  // which turns what escapes into an error diagnostic naming the operation and the type.
  template <class Request, class Response>
  using body_fn = runtime::task<void> (impl::*)(const Request&, Response&, diagnostics&,
                                                std::string_view&);
  template <class Request, class Response>
  runtime::task<Response> guarded(Request req, Response resp, std::string_view operation,
                                  body_fn<Request, Response> body) {
    diagnostics d;
    try {
      co_await (this->*body)(req, resp, d, operation);
    } catch (...) {
      record_current_exception(d, operation, req.type_name);
    }
    append_to(resp.diags, d);
    co_return resp;
  }

  runtime::task<void> validate_resource(const plugin::validate_resource_config_request& req,
                                        plugin::validate_resource_config_response& resp,
                                        diagnostics& d, std::string_view& operation);
  runtime::task<void> read(const plugin::read_resource_request& req,
                           plugin::read_resource_response& resp, diagnostics& d,
                           std::string_view& operation);
  runtime::task<void> plan(const plugin::plan_resource_change_request& req,
                           plugin::plan_resource_change_response& resp, diagnostics& d,
                           std::string_view& operation);
  runtime::task<void> apply(const plugin::apply_resource_change_request& req,
                            plugin::apply_resource_change_response& resp, diagnostics& d,
                            std::string_view& operation);
  runtime::task<void> import(const plugin::import_resource_state_request& req,
                             plugin::import_resource_state_response& resp, diagnostics& d,
                             std::string_view& operation);
  runtime::task<void> validate_data(const plugin::validate_data_resource_config_request& req,
                                    plugin::validate_data_resource_config_response& resp,
                                    diagnostics& d, std::string_view& operation);
  runtime::task<void> read_data(const plugin::read_data_source_request& req,
                                plugin::read_data_source_response& resp, diagnostics& d,
                                std::string_view& operation);
  runtime::task<void> validate_ephemeral(
      const plugin::validate_ephemeral_resource_config_request& req,
      plugin::validate_ephemeral_resource_config_response& resp, diagnostics& d,
      std::string_view& operation);
  runtime::task<void> open(const plugin::open_ephemeral_resource_request& req,
                           plugin::open_ephemeral_resource_response& resp, diagnostics& d,
                           std::string_view& operation);
  runtime::task<void> renew(const plugin::renew_ephemeral_resource_request& req,
                            plugin::renew_ephemeral_resource_response& resp, diagnostics& d,
                            std::string_view& operation);
  runtime::task<void> close(const plugin::close_ephemeral_resource_request& req,
                            plugin::close_ephemeral_resource_response& resp, diagnostics& d,
                            std::string_view& operation);
};

namespace detail {
void init_crypto() noexcept;  // private_state.cpp
}  // namespace detail

provider_base::provider_base(std::string type_name) : impl_(std::make_unique<impl>()) {
  // OpenSSL (private state) is set up here, before any executor thread exists: its exit handler
  // must run after the executor has joined its threads, or their OpenSSL state is never freed.
  detail::init_crypto();
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

void provider_base::add_ephemeral_resource(std::shared_ptr<ephemeral_resource_definition> r) {
  auto e = std::make_unique<entry<ephemeral_resource_definition>>();
  e->name = impl_->type_name + "_" + r->type_name();
  e->def = std::move(r);
  auto name = e->name;
  impl_->ephemeral_resources.insert_or_assign(std::move(name), std::move(e));
}

void provider_base::add_function(std::shared_ptr<function_definition> f) {
  auto name = f->name();
  impl_->functions.insert_or_assign(std::move(name), std::move(f));
}

void provider_base::validate_provider_values(const cty::value&, diagnostics&) {}

std::shared_ptr<const framework::schema> provider_base::provider_config_schema() {
  std::call_once(impl_->provider_once, [this] { impl_->provider_built = provider_schema(); });
  return impl_->provider_built.schema;
}
schema_builder& provider_base::provider_meta_schema() {
  if (!impl_->meta) impl_->meta.emplace();
  return *impl_->meta;
}

std::shared_ptr<const framework::schema> provider_base::resource_schema(std::string_view type) {
  auto* e = impl_->resource(type);
  return e ? e->schema().schema : nullptr;
}
std::shared_ptr<const framework::schema> provider_base::data_source_schema(std::string_view type) {
  auto* e = impl_->data_source(type);
  return e ? e->schema().schema : nullptr;
}
std::shared_ptr<const framework::schema> provider_base::ephemeral_resource_schema(
    std::string_view type) {
  auto* e = impl_->ephemeral(type);
  return e ? e->schema().schema : nullptr;
}

// ---- Metadata and schema ----------------------------------------------------------------

void provider_base::get_metadata(plugin::call_context, plugin::get_metadata_request,
                                 plugin::responder<plugin::get_metadata_response> done) {
  plugin::get_metadata_response r;
  r.capabilities.plan_destroy = true;
  r.capabilities.get_provider_schema_optional = true;
  r.capabilities.move_resource_state = true;
  for (const auto& [name, e] : impl_->resources) r.resources.push_back(name);
  for (const auto& [name, e] : impl_->data_sources) r.data_sources.push_back(name);
  for (const auto& [name, f] : impl_->functions) r.functions.push_back(name);
  for (const auto& [name, e] : impl_->ephemeral_resources) r.ephemeral_resources.push_back(name);
  done(std::move(r));
}

void provider_base::get_provider_schema(
    plugin::call_context ctx, plugin::get_provider_schema_request,
    plugin::responder<plugin::get_provider_schema_response> done) {
  if (ctx.accepts_encoded) {
    // Encoded once, a schema at a time; every later call shares the bytes. The plain form of
    // all schemas (tens of MB for a provider of thousands of types) never exists at once.
    std::call_once(impl_->encoded_once, [&] {
      plugin::provider_schema_encoder enc(ctx.protocol_version);
      plugin::get_provider_schema_response rest;
      impl_->collect_schemas(*this, rest,
                             [&](schema_kind k, const std::string& name, plugin::schema&& s) {
                               switch (k) {
                                 case schema_kind::resource:
                                   enc.add_resource(name, s);
                                   break;
                                 case schema_kind::data_source:
                                   enc.add_data_source(name, s);
                                   break;
                                 case schema_kind::ephemeral_resource:
                                   enc.add_ephemeral_resource(name, s);
                                   break;
                               }
                             });
      impl_->encoded = std::move(enc).finish(rest);
    });
    plugin::get_provider_schema_response r;
    r.encoded = impl_->encoded;
    done(std::move(r));
    return;
  }
  std::call_once(impl_->response_once, [this] {
    auto r = std::make_shared<plugin::get_provider_schema_response>();
    impl_->collect_schemas(
        *this, *r, [&](schema_kind k, const std::string& name, plugin::schema&& s) {
          auto& map = k == schema_kind::resource      ? r->resource_schemas
                      : k == schema_kind::data_source ? r->data_source_schemas
                                                      : r->ephemeral_resource_schemas;
          map.emplace(name, std::move(s));
        });
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

// Schema checks, then the definition's own validate_config hook.
template <class Entry>
runtime::task<void> validate_with(Entry* e, std::string_view kind, const std::string& type,
                                  const plugin::dynamic_value& config_bytes, diagnostics& d,
                                  bool write_only_allowed = true) {
  if (e == nullptr) co_return unknown_type(d, kind, type);
  const auto& s = *e->schema().schema;
  cty::value config;
  if (!decode_into(config, config_bytes, s.type(), "configuration", d)) co_return;
  if (!write_only_allowed) engine::refuse_write_only(*s.block, config, d);
  engine::validate_config(*s.block, config, d);
  validate_config_response r;
  const validate_config_request<cty::value> q{config};
  co_await e->def->validate_config(q, r);
  d.append(std::move(r.diagnostics));
}

// ---- Resources ------------------------------------------------------------------------------

void provider_base::validate_resource_config(
    plugin::call_context ctx, plugin::validate_resource_config_request req,
    plugin::responder<plugin::validate_resource_config_response> done) {
  answer_with(ctx,
              impl_->guarded(std::move(req), plugin::validate_resource_config_response{},
                             "ValidateResourceConfig", &impl::validate_resource),
              std::move(done));
}

runtime::task<void> provider_base::impl::validate_resource(
    const plugin::validate_resource_config_request& req, plugin::validate_resource_config_response&,
    diagnostics& d, std::string_view&) {
  return validate_with(resource(req.type_name), "resource", req.type_name, req.config, d,
                       req.client.write_only_attributes_allowed);
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
    const auto fail_decode = [&](const cty::error& err) {
      d.add_error(path(err.path), "Could not read the prior state",
                  "Resource " + req.type_name + " (schema version " + std::to_string(req.version) +
                      "): " + err.message);
    };
    if (req.version < s.version) {
      e->load_moves();
      if (!e->upgraders.empty()) {
        const state_upgrader<cty::value>* u = nullptr;
        for (const auto& x : e->upgraders) {
          if (x.from_version == req.version) u = &x;
        }
        if (u == nullptr) {
          d.add_error("Unable to upgrade resource state",
                      "Resource " + req.type_name + ": no state upgrader from schema version " +
                          std::to_string(req.version) + " to version " + std::to_string(s.version) +
                          ". This is a bug in the provider.");
          return;
        }
        auto prior = cty::json::decode_raw_state(req.state.json, u->prior_type);
        if (!prior) return fail_decode(prior.error());
        cty::value next = cty::value::null(s.type());
        u->upgrade(*prior, next, d);
        if (d.has_error()) return;
        if (!(next.type() == s.type()) || next.is_null() || !next.is_wholly_known()) {
          d.add_error("Unable to upgrade resource state",
                      "Resource " + req.type_name + ": the upgrader from version " +
                          std::to_string(req.version) +
                          " returned no known object of the current schema's type. This is a "
                          "bug in the provider.");
          return;
        }
        resp.upgraded_state = encode(engine::null_write_only(*s.block, next), s.type(), d);
        return;
      }
    }
    // The current version (the common case: Terraform calls this for every resource it loads),
    // or an older one without upgraders: decode leniently, so removed attributes are dropped and
    // new ones are null, then answer in msgpack.
    auto v = cty::json::decode_raw_state(req.state.json, s.type());
    if (!v) return fail_decode(v.error());
    resp.upgraded_state = encode(*v, s.type(), d);
  });
  finish(done, resp, d);
}

void provider_base::move_resource_state(
    plugin::call_context, plugin::move_resource_state_request req,
    plugin::responder<plugin::move_resource_state_response> done) {
  plugin::move_resource_state_response resp;
  diagnostics d;
  guarded(d, "MoveResourceState", req.target_type_name, [&] {
    auto* e = impl_->resource(req.target_type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.target_type_name);
    const auto& s = *e->schema().schema;
    e->load_moves();
    const std::string source = req.source_type_name + " (" + req.source_provider_address + ")";
    if (e->movers.empty()) {
      d.add_error("Unable to move resource state", "Resource " + req.target_type_name +
                                                       " accepts no state moved from other "
                                                       "resource types, so it cannot take " +
                                                       source + ".");
      return;
    }
    const move_state_request q{req.source_provider_address, req.source_type_name,
                               req.source_schema_version, req.source_state.json};
    for (const auto& m : e->movers) {
      cty::value from;
      if (m.source_type) {
        auto decoded = cty::json::decode_raw_state(req.source_state.json, *m.source_type);
        if (!decoded) continue;  // not a source this mover reads
        from = std::move(*decoded);
      }
      cty::value next = cty::value::null(s.type());
      if (!m.move(q, from, next, d)) continue;
      if (d.has_error()) return;
      if (!(next.type() == s.type()) || next.is_null()) {
        d.add_error("Unable to move resource state",
                    "Resource " + req.target_type_name + ": the mover for " + source +
                        " returned no object of the current schema's type. This is a bug in "
                        "the provider.");
        return;
      }
      engine::check_wholly_known(next, req.target_type_name, "move", d);
      if (d.has_error()) return;
      resp.target_state = encode(engine::null_write_only(*s.block, next), s.type(), d);
      return;
    }
    d.add_error("Unable to move resource state",
                "Resource " + req.target_type_name + " has no state mover for " + source + ".");
  });
  finish(done, resp, d);
}

void provider_base::read_resource(plugin::call_context ctx, plugin::read_resource_request req,
                                  plugin::responder<plugin::read_resource_response> done) {
  plugin::read_resource_response resp;
  resp.new_state = req.current_state;  // on failure, Terraform keeps what it had
  resp.private_state = req.private_state;
  answer_with(ctx, impl_->guarded(std::move(req), std::move(resp), "read", &impl::read),
              std::move(done));
}

runtime::task<void> provider_base::impl::read(const plugin::read_resource_request& req,
                                              plugin::read_resource_response& resp, diagnostics& d,
                                              std::string_view&) {
  auto* e = resource(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "resource", req.type_name);
  const auto& s = *e->schema().schema;
  cty::value current;
  if (!decode_into(current, req.current_state, s.type(), "current state", d)) co_return;
  if (current.is_null()) co_return;
  private_state priv;
  if (!open_private(req.private_state, priv, d)) co_return;
  cty::value meta;
  if (!decode_meta(req.provider_meta, meta, d)) co_return;
  read_request<cty::value> q{current, priv, meta};
  read_response<cty::value> r{current, {}, priv};
  co_await e->def->read(q, r);
  const bool failed = r.diagnostics.has_error();
  d.append(std::move(r.diagnostics));
  if (failed) co_return;
  if (r.removed) {
    resp.new_state = encode(cty::value::null(s.type()), s.type(), d);
    resp.private_state.clear();
    co_return;
  }
  engine::check_wholly_known(r.state, req.type_name, "read", d);
  if (d.has_error()) co_return;
  resp.new_state = encode(engine::null_write_only(*s.block, r.state), s.type(), d);
  resp.new_identity = identity_of(*e, r.state, d);
  resp.private_state = seal_private(r.private_state, priv, req.private_state, d);
}

void provider_base::plan_resource_change(
    plugin::call_context ctx, plugin::plan_resource_change_request req,
    plugin::responder<plugin::plan_resource_change_response> done) {
  plugin::plan_resource_change_response resp;
  resp.planned_private = req.prior_private;
  answer_with(ctx, impl_->guarded(std::move(req), std::move(resp), "plan", &impl::plan),
              std::move(done));
}

runtime::task<void> provider_base::impl::plan(const plugin::plan_resource_change_request& req,
                                              plugin::plan_resource_change_response& resp,
                                              diagnostics& d, std::string_view&) {
  auto* e = resource(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "resource", req.type_name);
  const auto& s = *e->schema().schema;
  const auto& t = s.type();
  cty::value prior, proposed, config;
  if (!decode_into(prior, req.prior_state, t, "prior state", d) ||
      !decode_into(proposed, req.proposed_new_state, t, "proposed new state", d) ||
      !decode_into(config, req.config, t, "configuration", d)) {
    co_return;
  }
  if (proposed.is_null()) {  // destroy: nothing to plan
    resp.planned_state = encode(proposed, t, d);
    co_return;
  }
  const bool creating = prior.is_null();
  const auto& b = *s.block;
  // Write-only values live in the configuration only; the plan holds null in their place.
  cty::value planned = engine::null_write_only(b, engine::apply_defaults(b, config, proposed));
  if (creating || !(planned == prior)) planned = engine::mark_computed_unknown(b, config, planned);
  std::vector<cty::path> replace;
  planned = engine::run_plan_modifiers(b, config, prior, planned, creating, d, replace);
  if (d.has_error()) co_return;
  // A replacement creates a new object: everything computed is new again.
  if (!replace.empty()) planned = engine::mark_computed_unknown(b, config, planned);
  if (e->def->has_modify_plan()) {
    private_state priv;
    if (!open_private(req.prior_private, priv, d)) co_return;
    cty::value meta;
    if (!decode_meta(req.provider_meta, meta, d)) co_return;
    modify_plan_request<cty::value> q{config,   planned, creating ? cty::value::null(t) : prior,
                                      creating, priv,    meta};
    modify_plan_response<cty::value> r{planned, {}, {}, priv};
    co_await e->def->modify_plan(q, r);
    const bool failed = r.diagnostics.has_error();
    d.append(std::move(r.diagnostics));
    if (failed) co_return;
    planned = engine::null_write_only(b, r.plan);
    for (auto& p : r.requires_replace) replace.push_back(std::move(p));
    resp.planned_private = seal_private(r.private_state, priv, req.prior_private, d);
  }
  engine::check_plan(b, config, planned, req.type_name, d);
  if (d.has_error()) co_return;
  resp.planned_state = encode(planned, t, d);
  // An identity never changes while the object lives: an update keeps the prior one; a create or
  // replacement learns it at apply.
  if (!creating && replace.empty()) {
    resp.planned_identity = req.prior_identity ? req.prior_identity : identity_of(*e, planned, d);
  }
  resp.requires_replace.reserve(replace.size());
  for (const auto& p : replace) resp.requires_replace.push_back(to_plugin(p));
}

void provider_base::apply_resource_change(
    plugin::call_context ctx, plugin::apply_resource_change_request req,
    plugin::responder<plugin::apply_resource_change_response> done) {
  plugin::apply_resource_change_response resp;
  // Whatever goes wrong, the remote object is as it was: keep the prior state.
  resp.new_state = req.prior_state;
  resp.private_state = req.planned_private;
  answer_with(ctx, impl_->guarded(std::move(req), std::move(resp), "apply", &impl::apply),
              std::move(done));
}

runtime::task<void> provider_base::impl::apply(const plugin::apply_resource_change_request& req,
                                               plugin::apply_resource_change_response& resp,
                                               diagnostics& d, std::string_view& operation) {
  auto* e = resource(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "resource", req.type_name);
  const auto& s = *e->schema().schema;
  const auto& t = s.type();
  cty::value prior, planned, config;
  if (!decode_into(prior, req.prior_state, t, "prior state", d) ||
      !decode_into(planned, req.planned_state, t, "planned state", d) ||
      !decode_into(config, req.config, t, "configuration", d)) {
    co_return;
  }
  private_state priv;
  if (!open_private(req.planned_private, priv, d)) co_return;
  cty::value meta;
  if (!decode_meta(req.provider_meta, meta, d)) co_return;
  if (planned.is_null()) {
    operation = "destroy";
    destroy_response r;
    const destroy_request<cty::value> q{prior, priv, meta};
    co_await e->def->destroy(q, r);
    const bool failed = r.diagnostics.has_error();
    d.append(std::move(r.diagnostics));
    if (!failed) {
      resp.new_state = encode(planned, t, d);
      resp.private_state.clear();
    }
    co_return;
  }
  cty::value applied;
  private_state applied_private;
  if (prior.is_null()) {
    operation = "create";
    create_response<cty::value> r{planned, {}, priv};
    const create_request<cty::value> q{config, planned, priv, meta};
    co_await e->def->create(q, r);
    const bool failed = r.diagnostics.has_error();
    d.append(std::move(r.diagnostics));
    if (failed && !r.partial) {  // nothing was created
      resp.new_state = encode(cty::value::null(t), t, d);
      resp.private_state.clear();
      co_return;
    }
    if (failed) {
      // Partly created: record what exists so Terraform marks it tainted and can destroy it.
      engine::check_wholly_known(r.state, req.type_name, "create (partial state)", d);
      const bool known = r.state.is_wholly_known();
      resp.new_state =
          encode(known ? engine::null_write_only(*s.block, r.state) : cty::value::null(t), t, d);
      resp.private_state = seal_private(r.private_state, priv, req.planned_private, d);
      co_return;
    }
    applied = std::move(r.state);
    applied_private = std::move(r.private_state);
  } else {
    operation = "update";
    update_response<cty::value> r{planned, {}, priv};
    const update_request<cty::value> q{config, planned, prior, priv, meta};
    co_await e->def->update(q, r);
    const bool failed = r.diagnostics.has_error();
    d.append(std::move(r.diagnostics));
    if (failed) co_return;
    applied = std::move(r.state);
    applied_private = std::move(r.private_state);
  }
  applied = engine::null_write_only(*s.block, applied);
  engine::check_applied(*s.block, planned, applied, req.type_name, d);
  if (d.has_error()) co_return;
  resp.new_state = encode(applied, t, d);
  resp.new_identity = identity_of(*e, applied, d);
  resp.private_state = seal_private(applied_private, priv, req.planned_private, d);
}

void provider_base::import_resource_state(
    plugin::call_context ctx, plugin::import_resource_state_request req,
    plugin::responder<plugin::import_resource_state_response> done) {
  answer_with(ctx,
              impl_->guarded(std::move(req), plugin::import_resource_state_response{}, "import",
                             &impl::import),
              std::move(done));
}

runtime::task<void> provider_base::impl::import(const plugin::import_resource_state_request& req,
                                                plugin::import_resource_state_response& resp,
                                                diagnostics& d, std::string_view&) {
  auto* e = resource(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "resource", req.type_name);
  const auto& s = *e->schema().schema;
  const auto& t = s.type();
  cty::value state;
  private_state priv;
  // Import by identity (Terraform 1.12+): the identity object, decoded with its schema.
  cty::value identity = cty::value::null(cty::type::dynamic());
  const auto* ident = e->identity();
  if (req.identity) {
    if (ident == nullptr) {
      d.add_error("Import by identity not supported",
                  "Resource " + req.type_name + " has no identity; import it by id.");
      co_return;
    }
    if (!decode_into(identity, *req.identity, ident->type, "identity", d)) co_return;
  }
  if (e->def->has_import_state()) {
    import_response<cty::value> r{cty::value::null(t), {}, {}};
    const import_request q{req.id, identity};
    co_await e->def->import_state(q, r);
    const bool failed = r.diagnostics.has_error();
    d.append(std::move(r.diagnostics));
    if (failed) co_return;
    state = std::move(r.state);
    priv = std::move(r.private_state);
  } else if (!identity.is_null()) {
    // The identity's attributes are state attributes: start the state from them; read follows.
    state = null_object(*s.block);
    for (const auto* a : ident->attributes) {
      state = with_attribute(state, a->name, identity.get_attr(a->name));
    }
  } else {
    const auto* id = s.block->find_attribute("id");
    if (id == nullptr || !(id->type == cty::type::string())) {
      d.add_error("Resource import not supported",
                  "Resource " + req.type_name +
                      " has no import_state hook and no string attribute \"id\" to pass the "
                      "import id through.");
      co_return;
    }
    state = with_attribute(null_object(*s.block), "id", cty::value::string(req.id));
  }
  if (state.is_null()) {
    d.add_error("Resource not found",
                "Resource " + req.type_name + ": nothing to import for id \"" + req.id + "\".");
    co_return;
  }
  engine::check_wholly_known(state, req.type_name, "import", d);
  if (d.has_error()) co_return;
  state = engine::null_write_only(*s.block, state);
  auto sealed = seal_private(priv, {}, {}, d);
  auto imported_identity = identity_of(*e, state, d);
  if (!imported_identity && req.identity) imported_identity = req.identity;
  resp.imported.push_back(
      {req.type_name, encode(state, t, d), std::move(sealed), std::move(imported_identity)});
}

// ---- Resource identity ------------------------------------------------------------------------

void provider_base::get_resource_identity_schemas(
    plugin::call_context, plugin::get_resource_identity_schemas_request,
    plugin::responder<plugin::get_resource_identity_schemas_response> done) {
  plugin::get_resource_identity_schemas_response resp;
  diagnostics d;
  guarded(d, "GetResourceIdentitySchemas", impl_->type_name, [&] {
    for (auto& [name, e] : impl_->resources) {
      const auto* id = e->identity();
      d.append(e->identity_problems);
      if (id == nullptr) continue;
      plugin::identity_schema out;
      out.version = id->spec.version;
      for (std::size_t i = 0; i < id->attributes.size(); ++i) {
        const auto* a = id->attributes[i];
        plugin::identity_attribute ia;
        ia.name = a->name;
        ia.type_json = cty::type_to_json(a->type);
        ia.required_for_import = id->required[i];
        ia.optional_for_import = !id->required[i];
        ia.description = a->description;
        out.attributes.push_back(std::move(ia));
      }
      resp.identity_schemas.emplace(name, std::move(out));
    }
  });
  finish(done, resp, d);
}

void provider_base::upgrade_resource_identity(
    plugin::call_context, plugin::upgrade_resource_identity_request req,
    plugin::responder<plugin::upgrade_resource_identity_response> done) {
  plugin::upgrade_resource_identity_response resp;
  diagnostics d;
  guarded(d, "UpgradeResourceIdentity", req.type_name, [&] {
    auto* e = impl_->resource(req.type_name);
    if (e == nullptr) return unknown_type(d, "resource", req.type_name);
    const auto* id = e->identity();
    if (id == nullptr) {
      d.add_error("Resource has no identity",
                  "Resource " + req.type_name + " declares no identity to upgrade.");
      return;
    }
    if (req.version > id->spec.version) {
      d.add_error("Unsupported identity version",
                  "Resource " + req.type_name + ": the identity was written by version " +
                      std::to_string(req.version) + ", newer than this provider's version " +
                      std::to_string(id->spec.version) + ". Upgrade the provider.");
      return;
    }
    // Identities only grow or keep their attributes across versions: read leniently.
    auto v = cty::json::decode_raw_state(req.raw_identity.json, id->type);
    if (!v) {
      d.add_error(path(v.error().path), "Could not read the stored identity",
                  "Resource " + req.type_name + ": " + v.error().message);
      return;
    }
    resp.upgraded_identity = encode(*v, id->type, d);
  });
  finish(done, resp, d);
}

// ---- Data sources ---------------------------------------------------------------------------

void provider_base::validate_data_resource_config(
    plugin::call_context ctx, plugin::validate_data_resource_config_request req,
    plugin::responder<plugin::validate_data_resource_config_response> done) {
  answer_with(ctx,
              impl_->guarded(std::move(req), plugin::validate_data_resource_config_response{},
                             "ValidateDataResourceConfig", &impl::validate_data),
              std::move(done));
}

runtime::task<void> provider_base::impl::validate_data(
    const plugin::validate_data_resource_config_request& req,
    plugin::validate_data_resource_config_response&, diagnostics& d, std::string_view&) {
  return validate_with(data_source(req.type_name), "data source", req.type_name, req.config, d);
}

void provider_base::read_data_source(plugin::call_context ctx, plugin::read_data_source_request req,
                                     plugin::responder<plugin::read_data_source_response> done) {
  answer_with(
      ctx,
      impl_->guarded(std::move(req), plugin::read_data_source_response{}, "read", &impl::read_data),
      std::move(done));
}

runtime::task<void> provider_base::impl::read_data(const plugin::read_data_source_request& req,
                                                   plugin::read_data_source_response& resp,
                                                   diagnostics& d, std::string_view&) {
  auto* e = data_source(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "data source", req.type_name);
  const auto& s = *e->schema().schema;
  cty::value config;
  if (!decode_into(config, req.config, s.type(), "configuration", d)) co_return;
  cty::value meta;
  if (!decode_meta(req.provider_meta, meta, d)) co_return;
  data_source_read_response<cty::value> r{config, {}};
  const data_source_read_request<cty::value> q{config, meta};
  co_await e->def->read(q, r);
  const bool failed = r.diagnostics.has_error();
  d.append(std::move(r.diagnostics));
  if (failed) co_return;
  engine::check_wholly_known(r.state, req.type_name, "read", d);
  if (d.has_error()) co_return;
  resp.state = encode(r.state, s.type(), d);
}

// ---- Functions ------------------------------------------------------------------------------

void provider_base::impl::build_functions() {
  std::call_once(functions_once, [this] {
    for (const auto& [name, f] : functions) {
      for (auto x : f->problems()) functions_diagnostics.add(std::move(x));
      functions_built.emplace(name, to_plugin(f->signature()));
    }
  });
}

void provider_base::get_functions(plugin::call_context, plugin::get_functions_request,
                                  plugin::responder<plugin::get_functions_response> done) {
  plugin::get_functions_response r;
  diagnostics d;
  guarded(d, "GetFunctions", impl_->type_name, [&] {
    impl_->build_functions();
    r.functions = impl_->functions_built;
    d.append(impl_->functions_diagnostics);
  });
  finish(done, r, d);
}

void provider_base::call_function(plugin::call_context ctx, plugin::call_function_request req,
                                  plugin::responder<plugin::call_function_response> done) {
  answer_with(ctx, impl_->call(std::move(req)), std::move(done));
}

runtime::task<plugin::call_function_response> provider_base::impl::call(
    plugin::call_function_request req) {
  plugin::call_function_response resp;
  const auto fail = [&](std::optional<std::size_t> argument, std::string text) {
    resp.error = plugin::function_error{std::move(text), std::nullopt};
    if (argument) resp.error->function_argument = static_cast<std::int64_t>(*argument);
  };
  const auto it = functions.find(req.name);
  if (it == functions.end()) {
    fail(std::nullopt, "This provider has no function named \"" + req.name + "\".");
    co_return resp;
  }
  function_definition& f = *it->second;
  const auto& sig = f.signature();
  if (req.arguments.size() < sig.parameters.size() ||
      (!sig.variadic && req.arguments.size() > sig.parameters.size())) {
    fail(std::nullopt, "Function " + req.name + " takes " + std::to_string(sig.parameters.size()) +
                           " arguments, got " + std::to_string(req.arguments.size()) + ".");
    co_return resp;
  }
  std::vector<cty::value> args;
  args.reserve(req.arguments.size());
  bool unknown = false;
  for (std::size_t i = 0; i < req.arguments.size(); ++i) {
    const function_parameter& p = i < sig.parameters.size() ? sig.parameters[i] : *sig.variadic;
    auto v = decode(req.arguments[i], p.type);
    if (!v) {
      fail(i, "Invalid value for parameter \"" + p.name + "\": " + v.error().message);
      co_return resp;
    }
    if (v->is_null() && !p.allow_null) {
      fail(i, "Invalid value for parameter \"" + p.name + "\": the argument must not be null.");
      co_return resp;
    }
    if (!v->is_wholly_known() && !p.allow_unknown) unknown = true;
    args.push_back(std::move(*v));
  }
  cty::value result;
  if (unknown) {
    // Terraform answers unknown arguments itself unless a parameter accepts them; a host that
    // sends them anyway gets what Terraform would compute: an unknown result.
    result = cty::value::unknown(sig.return_type);
  } else {
    try {
      result = co_await f.call(args);
    } catch (const function_error& e) {
      fail(e.argument(), e.what());
      co_return resp;
    } catch (const runtime::cancelled_error&) {
      fail(std::nullopt, "Function " + req.name + " was cancelled: the provider is stopping.");
      co_return resp;
    } catch (const std::exception& e) {
      fail(std::nullopt, "Unexpected error in function " + req.name + ": " + e.what());
      co_return resp;
    } catch (...) {
      fail(std::nullopt, "Unexpected error in function " + req.name + ": unknown exception");
      co_return resp;
    }
  }
  auto bytes = cty::msgpack::encode(result, sig.return_type);
  if (!bytes) {
    fail(std::nullopt, "Function " + req.name + " returned a value that does not match its " +
                           "return type " + cty::type_to_json(sig.return_type) + ": " +
                           bytes.error().message + ". This is a bug in the provider.");
    co_return resp;
  }
  resp.result.msgpack = std::move(*bytes);
  co_return resp;
}

// ---- Ephemeral resources --------------------------------------------------------------------

namespace {
std::optional<plugin::timestamp> to_plugin(
    const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) return std::nullopt;
  return std::chrono::time_point_cast<plugin::timestamp::duration>(*t);
}
}  // namespace

void provider_base::validate_ephemeral_resource_config(
    plugin::call_context ctx, plugin::validate_ephemeral_resource_config_request req,
    plugin::responder<plugin::validate_ephemeral_resource_config_response> done) {
  answer_with(ctx,
              impl_->guarded(std::move(req), plugin::validate_ephemeral_resource_config_response{},
                             "ValidateEphemeralResourceConfig", &impl::validate_ephemeral),
              std::move(done));
}

runtime::task<void> provider_base::impl::validate_ephemeral(
    const plugin::validate_ephemeral_resource_config_request& req,
    plugin::validate_ephemeral_resource_config_response&, diagnostics& d, std::string_view&) {
  return validate_with(ephemeral(req.type_name), "ephemeral resource", req.type_name, req.config,
                       d);
}

void provider_base::open_ephemeral_resource(
    plugin::call_context ctx, plugin::open_ephemeral_resource_request req,
    plugin::responder<plugin::open_ephemeral_resource_response> done) {
  answer_with(ctx,
              impl_->guarded(std::move(req), plugin::open_ephemeral_resource_response{}, "open",
                             &impl::open),
              std::move(done));
}

runtime::task<void> provider_base::impl::open(const plugin::open_ephemeral_resource_request& req,
                                              plugin::open_ephemeral_resource_response& resp,
                                              diagnostics& d, std::string_view&) {
  auto* e = ephemeral(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "ephemeral resource", req.type_name);
  const auto& s = *e->schema().schema;
  cty::value config;
  if (!decode_into(config, req.config, s.type(), "configuration", d)) co_return;
  open_response<cty::value> r{config, {}, {}, {}};
  const open_request<cty::value> q{config};
  co_await e->def->open(q, r);
  const bool failed = r.diagnostics.has_error();
  d.append(std::move(r.diagnostics));
  if (failed) co_return;
  engine::check_wholly_known(r.result, req.type_name, "open", d);
  if (d.has_error()) co_return;
  resp.result = encode(r.result, s.type(), d);
  resp.renew_at = to_plugin(r.renew_at);
  if (!r.private_state.empty()) resp.private_state = seal_private(r.private_state, {}, {}, d);
}

void provider_base::renew_ephemeral_resource(
    plugin::call_context ctx, plugin::renew_ephemeral_resource_request req,
    plugin::responder<plugin::renew_ephemeral_resource_response> done) {
  plugin::renew_ephemeral_resource_response resp;
  resp.private_state = req.private_state;  // on failure, what Terraform had
  answer_with(ctx, impl_->guarded(std::move(req), std::move(resp), "renew", &impl::renew),
              std::move(done));
}

runtime::task<void> provider_base::impl::renew(const plugin::renew_ephemeral_resource_request& req,
                                               plugin::renew_ephemeral_resource_response& resp,
                                               diagnostics& d, std::string_view&) {
  auto* e = ephemeral(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "ephemeral resource", req.type_name);
  const std::string bytes = req.private_state.value_or("");
  private_state priv;
  if (!open_private(bytes, priv, d)) co_return;
  renew_response r{{}, priv, {}};
  const renew_request q{priv};
  co_await e->def->renew(q, r);
  const bool failed = r.diagnostics.has_error();
  d.append(std::move(r.diagnostics));
  if (failed) co_return;
  resp.renew_at = to_plugin(r.renew_at);
  auto sealed = seal_private(r.private_state, priv, bytes, d);
  resp.private_state = sealed.empty() ? std::nullopt : std::optional(std::move(sealed));
}

void provider_base::close_ephemeral_resource(
    plugin::call_context ctx, plugin::close_ephemeral_resource_request req,
    plugin::responder<plugin::close_ephemeral_resource_response> done) {
  answer_with(ctx,
              impl_->guarded(std::move(req), plugin::close_ephemeral_resource_response{}, "close",
                             &impl::close),
              std::move(done));
}

runtime::task<void> provider_base::impl::close(const plugin::close_ephemeral_resource_request& req,
                                               plugin::close_ephemeral_resource_response&,
                                               diagnostics& d, std::string_view&) {
  auto* e = ephemeral(req.type_name);
  if (e == nullptr) co_return unknown_type(d, "ephemeral resource", req.type_name);
  private_state priv;
  if (!open_private(req.private_state.value_or(""), priv, d)) co_return;
  close_response r;
  const close_request q{priv};
  co_await e->def->close(q, r);
  d.append(std::move(r.diagnostics));
}

}  // namespace cppvider::framework
