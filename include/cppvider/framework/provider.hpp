// cppvider/framework/provider.hpp: a provider: its configuration, its client, its resources.
//
//   struct cloud_config { fw::attr<std::string> endpoint; };
//
//   fw::provider<cloud_config, api_client> p{"cloud"};
//   p.schema().attribute("endpoint", &cloud_config::endpoint, {.optional = true});
//   p.configure([](const cloud_config& c) {
//     return api_client{c.endpoint.value_or("https://api.example.test")};
//   });
//   p.add_resource<bucket>();          // compiles only if bucket{client} or bucket{} does
//   p.add_data_source<bucket_info>();
//   return fw::serve(p, argc, argv, {.provider_address = "example.com/acme/cloud"});
//
// `provider` implements plugin::provider_service: every RPC of resources and data sources,
// with the planning rules of docs/framework.md. Register everything before serving; calls may
// then arrive concurrently. Schemas are built on first need and the GetProviderSchema answer
// once per process; GetMetadata builds none.
#pragma once

#include <array>
#include <concepts>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "cppvider/framework/data_source.hpp"
#include "cppvider/framework/ephemeral_resource.hpp"
#include "cppvider/framework/function.hpp"
#include "cppvider/framework/resource.hpp"
#include "cppvider/framework/schema.hpp"
#include "cppvider/plugin/protocol.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::framework {

// The untyped provider: resource_definition and data_source_definition objects served over
// the plugin protocol. `provider<Config, Client>` below is what authors use.
class provider_base : public plugin::provider_service {
 public:
  explicit provider_base(std::string type_name);
  ~provider_base() override;
  provider_base(const provider_base&) = delete;
  provider_base& operator=(const provider_base&) = delete;

  // The provider's type name: the prefix of its resource type names ("cloud" -> cloud_bucket).
  [[nodiscard]] const std::string& type_name() const noexcept;

  void add_resource(std::shared_ptr<resource_definition> r);
  void add_data_source(std::shared_ptr<data_source_definition> d);
  void add_function(std::shared_ptr<function_definition> f);
  void add_ephemeral_resource(std::shared_ptr<ephemeral_resource_definition> e);

  void get_metadata(plugin::call_context, plugin::get_metadata_request,
                    plugin::responder<plugin::get_metadata_response>) override;
  void get_provider_schema(plugin::call_context, plugin::get_provider_schema_request,
                           plugin::responder<plugin::get_provider_schema_response>) override;
  void validate_provider_config(
      plugin::call_context, plugin::validate_provider_config_request,
      plugin::responder<plugin::validate_provider_config_response>) override;
  void configure_provider(plugin::call_context, plugin::configure_provider_request,
                          plugin::responder<plugin::configure_provider_response>) override;
  void validate_resource_config(
      plugin::call_context, plugin::validate_resource_config_request,
      plugin::responder<plugin::validate_resource_config_response>) override;
  void validate_data_resource_config(
      plugin::call_context, plugin::validate_data_resource_config_request,
      plugin::responder<plugin::validate_data_resource_config_response>) override;
  void upgrade_resource_state(plugin::call_context, plugin::upgrade_resource_state_request,
                              plugin::responder<plugin::upgrade_resource_state_response>) override;
  void get_resource_identity_schemas(
      plugin::call_context, plugin::get_resource_identity_schemas_request,
      plugin::responder<plugin::get_resource_identity_schemas_response>) override;
  void upgrade_resource_identity(
      plugin::call_context, plugin::upgrade_resource_identity_request,
      plugin::responder<plugin::upgrade_resource_identity_response>) override;
  void move_resource_state(plugin::call_context, plugin::move_resource_state_request,
                           plugin::responder<plugin::move_resource_state_response>) override;
  void read_resource(plugin::call_context, plugin::read_resource_request,
                     plugin::responder<plugin::read_resource_response>) override;
  void plan_resource_change(plugin::call_context, plugin::plan_resource_change_request,
                            plugin::responder<plugin::plan_resource_change_response>) override;
  void apply_resource_change(plugin::call_context, plugin::apply_resource_change_request,
                             plugin::responder<plugin::apply_resource_change_response>) override;
  void import_resource_state(plugin::call_context, plugin::import_resource_state_request,
                             plugin::responder<plugin::import_resource_state_response>) override;
  void read_data_source(plugin::call_context, plugin::read_data_source_request,
                        plugin::responder<plugin::read_data_source_response>) override;
  void validate_ephemeral_resource_config(
      plugin::call_context, plugin::validate_ephemeral_resource_config_request,
      plugin::responder<plugin::validate_ephemeral_resource_config_response>) override;
  void open_ephemeral_resource(
      plugin::call_context, plugin::open_ephemeral_resource_request,
      plugin::responder<plugin::open_ephemeral_resource_response>) override;
  void renew_ephemeral_resource(
      plugin::call_context, plugin::renew_ephemeral_resource_request,
      plugin::responder<plugin::renew_ephemeral_resource_response>) override;
  void close_ephemeral_resource(
      plugin::call_context, plugin::close_ephemeral_resource_request,
      plugin::responder<plugin::close_ephemeral_resource_response>) override;
  void get_functions(plugin::call_context, plugin::get_functions_request,
                     plugin::responder<plugin::get_functions_response>) override;
  void call_function(plugin::call_context, plugin::call_function_request,
                     plugin::responder<plugin::call_function_response>) override;

  // The finished schema of a resource or data source by full type name; nullptr if unknown.
  [[nodiscard]] std::shared_ptr<const framework::schema> resource_schema(std::string_view type);
  [[nodiscard]] std::shared_ptr<const framework::schema> data_source_schema(std::string_view type);
  [[nodiscard]] std::shared_ptr<const framework::schema> ephemeral_resource_schema(
      std::string_view type);
  [[nodiscard]] std::shared_ptr<const framework::schema> provider_config_schema();

  // The provider_meta block modules may set for this provider (`terraform { provider_meta
  // "name" { ... } }`), e.g. a module name for the API's user agent. Define it before serving;
  // hooks then receive it as `provider_meta` in their requests.
  schema_builder& provider_meta_schema();

 protected:
  // The provider's own configuration block; called once.
  [[nodiscard]] virtual schema_result provider_schema() = 0;
  virtual void validate_provider_values(const cty::value& config, diagnostics& diags);
  virtual void configure_values(const cty::value& config, diagnostics& diags) = 0;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct no_config {};
struct no_client {};

namespace detail {

// A hook's result type must be void or runtime::task<void>.
template <class Result>
inline constexpr bool valid_hook_result_v =
    std::is_void_v<Result> || std::is_same_v<Result, runtime::task<void>>;

template <class R, class Client>
concept built_from_client = requires(Client& c) {
  R{c};
};

template <class R, class Client>
concept buildable = built_from_client<R, Client> || std::default_initializable<R>;

// Builds R for one call (from the client, or default-built) and runs hook(r), awaiting it when
// it is a coroutine. R lives in this frame until the hook has finished.
template <class R, class Client, class Hook>
runtime::task<void> run_hook(const std::function<std::shared_ptr<Client>()>& client,
                             std::string_view type, diagnostics& d, Hook hook) {
  using result = std::invoke_result_t<Hook&, R&>;
  static_assert(valid_hook_result_v<result>,
                "a cppvider hook returns void or cppvider::runtime::task<void>");
  std::shared_ptr<Client> c;
  if constexpr (built_from_client<R, Client>) {
    c = client();
    if (!c) {
      d.add_error("Provider not configured",
                  "Resource " + std::string(type) +
                      " needs the provider's client, but ConfigureProvider has not run or failed.");
      co_return;
    }
  }
  std::optional<R> r;
  if constexpr (built_from_client<R, Client>) {
    r.emplace(*c);
  } else {
    r.emplace();
  }
  if constexpr (std::is_void_v<result>) {
    hook(*r);
  } else {
    co_await hook(*r);
  }
}

template <class R>
using state_of = typename R::state;

template <class R>
concept resource_type = requires {
  typename R::state;
  { R::type_name } -> std::convertible_to<std::string_view>;
  { R::schema() } -> std::same_as<schema_for<typename R::state>>;
};

template <class R>
concept has_create = requires(R& r, const create_request<state_of<R>>& q,
                              create_response<state_of<R>>& p) {
  r.create(q, p);
};
template <class R>
concept has_read = requires(R& r, const read_request<state_of<R>>& q,
                            read_response<state_of<R>>& p) {
  r.read(q, p);
};
template <class R>
concept has_update = requires(R& r, const update_request<state_of<R>>& q,
                              update_response<state_of<R>>& p) {
  r.update(q, p);
};
template <class R>
concept has_destroy = requires(R& r, const destroy_request<state_of<R>>& q, destroy_response& p) {
  r.destroy(q, p);
};
template <class R>
concept has_import_state = requires(R& r, const import_request& q,
                                    import_response<state_of<R>>& p) {
  r.import_state(q, p);
};
template <class R>
concept has_modify_plan = requires(R& r, const modify_plan_request<state_of<R>>& q,
                                   modify_plan_response<state_of<R>>& p) {
  r.modify_plan(q, p);
};
template <class R>
concept has_validate_config = requires(R& r, const validate_config_request<state_of<R>>& q,
                                       validate_config_response& p) {
  r.validate_config(q, p);
};
template <class D>
concept has_data_read = requires(D& d, const data_source_read_request<state_of<D>>& q,
                                 data_source_read_response<state_of<D>>& p) {
  d.read(q, p);
};

template <class E>
concept has_open = requires(E& e, const open_request<state_of<E>>& q,
                            open_response<state_of<E>>& p) {
  e.open(q, p);
};
template <class E>
concept has_renew = requires(E& e, const renew_request& q, renew_response& p) {
  e.renew(q, p);
};
template <class E>
concept has_close = requires(E& e, const close_request& q, close_response& p) {
  e.close(q, p);
};

// Converts between the untyped interface and R's typed hooks.
template <class S>
class typed_base {
 protected:
  S in(const cty::value& v, diagnostics& d) const { return codec_->decode(v, {}, d); }
  cty::value out(const S& s) const { return codec_->encode(s); }
  // The answer as a cty value: what the hook changed in `answer`, relative to `decoded` (what
  // it was handed, decoded from `original`), over `original`.
  cty::value out(const cty::value& original, const S& decoded, const S& answer) const {
    return merge_changes(original, codec_->encode(decoded), codec_->encode(answer));
  }
  schema_result build(const schema_for<S>& sf) {
    codec_ = sf.make_codec();
    return sf.build();
  }
  // A typed value handed to (or answered by) a hook, named as the hook's author writes it.
  struct role {
    const char* name;  // "request.plan"
    const S* value;
  };
  // Runs a hook of R. An attr read that fails (value() of a null or unknown attribute) leaves as
  // a bad_attr_access naming the attribute: "... is unknown: request.plan.size_gb".
  template <class R, class Client, class Hook, std::size_t N>
  runtime::task<void> run_named(const std::function<std::shared_ptr<Client>()>& client,
                                diagnostics& d, Hook hook, std::array<role, N> roles) {
    try {
      co_await run_hook<R, Client>(client, R::type_name, d, std::move(hook));
    } catch (const bad_attr_access& e) {
      throw named(e, roles.data(), N);
    }
  }
  bad_attr_access named(const bad_attr_access& e, const role* roles, std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i) {
      if (roles[i].value == nullptr) continue;
      if (auto path = codec_->locate(*roles[i].value, e.where())) {
        return bad_attr_access(std::string(e.what()) + ": " + roles[i].name + "." + *path +
                                   " (check is_null() / is_unknown() first, or use value_or())",
                               e.where());
      }
    }
    return e;
  }
  // The validate_config hook of R (a resource, data source or ephemeral resource), if it has one.
  template <class R, class Client>
  runtime::task<void> validate_with_hook(const std::function<std::shared_ptr<Client>()>& client,
                                         const validate_config_request<cty::value>& q,
                                         validate_config_response& p) {
    if constexpr (has_validate_config<R>) {
      validate_config_request<S> tq{in(q.config, p.diagnostics)};
      if (p.diagnostics.has_error()) co_return;
      validate_config_response tp;
      // Validation runs before configuration: no client yet, so R is built without one if it
      // can be; otherwise the hook is skipped until the client exists.
      if (!built_from_client<R, Client> || client()) {
        const std::array<role, 1> roles{{{"request.config", &tq.config}}};
        co_await run_named<R, Client>(
            client, tp.diagnostics, [&](R& r) { return r.validate_config(tq, tp); }, roles);
      }
      p.diagnostics.append(std::move(tp.diagnostics));
    }
  }
  std::shared_ptr<const codec<S>> codec_;
};

template <class R, class Client>
class typed_resource final : public resource_definition, typed_base<state_of<R>> {
  using S = state_of<R>;

 public:
  explicit typed_resource(std::function<std::shared_ptr<Client>()> client)
      : client_(std::move(client)) {}

  [[nodiscard]] std::string type_name() const override { return std::string(R::type_name); }
  [[nodiscard]] schema_result schema() override { return this->build(R::schema()); }

  runtime::task<void> validate_config(const validate_config_request<cty::value>& q,
                                      validate_config_response& p) override {
    return this->template validate_with_hook<R, Client>(client_, q, p);
  }
  [[nodiscard]] bool has_modify_plan() const override { return detail::has_modify_plan<R>; }
  runtime::task<void> modify_plan(const modify_plan_request<cty::value>& q,
                                  modify_plan_response<cty::value>& p) override {
    if constexpr (detail::has_modify_plan<R>) {
      modify_plan_request<S> tq{this->in(q.config, p.diagnostics), this->in(q.plan, p.diagnostics),
                                this->in(q.state, p.diagnostics), q.creating, q.private_state};
      tq.provider_meta = q.provider_meta;
      if (p.diagnostics.has_error()) co_return;
      modify_plan_response<S> tp{tq.plan, {}, {}, p.private_state};
      const std::array<role, 4> roles{{{"request.config", &tq.config},
                                       {"request.plan", &tq.plan},
                                       {"request.state", &tq.state},
                                       {"response.plan", &tp.plan}}};
      co_await call(
          p.diagnostics, [&](R& r) { return r.modify_plan(tq, tp); }, roles);
      p.plan = this->out(q.plan, tq.plan, tp.plan);
      p.requires_replace = std::move(tp.requires_replace);
      p.private_state = std::move(tp.private_state);
      p.diagnostics.append(std::move(tp.diagnostics));
    }
  }
  runtime::task<void> create(const create_request<cty::value>& q,
                             create_response<cty::value>& p) override {
    create_request<S> tq{this->in(q.config, p.diagnostics), this->in(q.plan, p.diagnostics),
                         q.private_state};
    tq.provider_meta = q.provider_meta;
    if (p.diagnostics.has_error()) co_return;
    create_response<S> tp{tq.plan, {}, p.private_state};
    const std::array<role, 3> roles{{{"request.config", &tq.config},
                                     {"request.plan", &tq.plan},
                                     {"response.state", &tp.state}}};
    co_await call(
        p.diagnostics, [&](R& r) { return r.create(tq, tp); }, roles);
    p.state = this->out(q.plan, tq.plan, tp.state);
    p.private_state = std::move(tp.private_state);
    p.partial = tp.partial;
    p.diagnostics.append(std::move(tp.diagnostics));
  }
  runtime::task<void> read(const read_request<cty::value>& q,
                           read_response<cty::value>& p) override {
    read_request<S> tq{this->in(q.state, p.diagnostics), q.private_state};
    tq.provider_meta = q.provider_meta;
    if (p.diagnostics.has_error()) co_return;
    read_response<S> tp{tq.state, {}, p.private_state};
    const std::array<role, 2> roles{{{"request.state", &tq.state}, {"response.state", &tp.state}}};
    co_await call(
        p.diagnostics, [&](R& r) { return r.read(tq, tp); }, roles);
    p.state = this->out(q.state, tq.state, tp.state);
    p.removed = tp.removed;
    p.private_state = std::move(tp.private_state);
    p.diagnostics.append(std::move(tp.diagnostics));
  }
  runtime::task<void> update(const update_request<cty::value>& q,
                             update_response<cty::value>& p) override {
    update_request<S> tq{this->in(q.config, p.diagnostics), this->in(q.plan, p.diagnostics),
                         this->in(q.state, p.diagnostics), q.private_state};
    tq.provider_meta = q.provider_meta;
    if (p.diagnostics.has_error()) co_return;
    update_response<S> tp{tq.plan, {}, p.private_state};
    const std::array<role, 4> roles{{{"request.config", &tq.config},
                                     {"request.plan", &tq.plan},
                                     {"request.state", &tq.state},
                                     {"response.state", &tp.state}}};
    co_await call(
        p.diagnostics, [&](R& r) { return r.update(tq, tp); }, roles);
    p.state = this->out(q.plan, tq.plan, tp.state);
    p.private_state = std::move(tp.private_state);
    p.diagnostics.append(std::move(tp.diagnostics));
  }
  runtime::task<void> destroy(const destroy_request<cty::value>& q, destroy_response& p) override {
    destroy_request<S> tq{this->in(q.state, p.diagnostics), q.private_state};
    tq.provider_meta = q.provider_meta;
    if (p.diagnostics.has_error()) co_return;
    const std::array<role, 1> roles{{{"request.state", &tq.state}}};
    co_await call(
        p.diagnostics, [&](R& r) { return r.destroy(tq, p); }, roles);
  }
  [[nodiscard]] std::optional<identity_schema> identity() override {
    if constexpr (requires { R::identity(); }) {
      return R::identity();
    } else {
      return std::nullopt;
    }
  }
  [[nodiscard]] std::vector<state_upgrader<cty::value>> state_upgraders() override {
    std::vector<state_upgrader<cty::value>> out;
    if constexpr (requires { R::state_upgraders(); }) {
      for (auto& u : R::state_upgraders()) {
        out.push_back({u.from_version, u.prior_type,
                       [this, f = std::move(u.upgrade)](const cty::value& prior, cty::value& next,
                                                        diagnostics& d) {
                         S s{};
                         f(prior, s, d);
                         next = this->out(s);
                       }});
      }
    }
    return out;
  }
  [[nodiscard]] std::vector<state_mover<cty::value>> state_movers() override {
    std::vector<state_mover<cty::value>> out;
    if constexpr (requires { R::state_movers(); }) {
      for (auto& m : R::state_movers()) {
        out.push_back({m.source_type, [this, f = std::move(m.move)](
                                          const move_state_request& q, const cty::value& source,
                                          cty::value& next, diagnostics& d) {
                         S s{};
                         if (!f(q, source, s, d)) return false;
                         next = this->out(s);
                         return true;
                       }});
      }
    }
    return out;
  }
  [[nodiscard]] bool has_import_state() const override { return detail::has_import_state<R>; }
  runtime::task<void> import_state(const import_request& q,
                                   import_response<cty::value>& p) override {
    if constexpr (detail::has_import_state<R>) {
      import_response<S> tp{};
      const std::array<role, 1> roles{{{"response.state", &tp.state}}};
      co_await call(
          p.diagnostics, [&](R& r) { return r.import_state(q, tp); }, roles);
      p.state = this->out(tp.state);
      p.private_state = std::move(tp.private_state);
      p.diagnostics.append(std::move(tp.diagnostics));
    }
  }

 private:
  using role = typename typed_base<S>::role;
  template <class Hook, std::size_t N>
  runtime::task<void> call(diagnostics& d, Hook hook, std::array<role, N> roles) {
    return this->template run_named<R, Client>(client_, d, std::move(hook), roles);
  }
  std::function<std::shared_ptr<Client>()> client_;
};

template <class D, class Client>
class typed_data_source final : public data_source_definition, typed_base<state_of<D>> {
  using S = state_of<D>;
  using role = typename typed_base<S>::role;

 public:
  explicit typed_data_source(std::function<std::shared_ptr<Client>()> client)
      : client_(std::move(client)) {}

  [[nodiscard]] std::string type_name() const override { return std::string(D::type_name); }
  [[nodiscard]] schema_result schema() override { return this->build(D::schema()); }
  runtime::task<void> validate_config(const validate_config_request<cty::value>& q,
                                      validate_config_response& p) override {
    return this->template validate_with_hook<D, Client>(client_, q, p);
  }
  runtime::task<void> read(const data_source_read_request<cty::value>& q,
                           data_source_read_response<cty::value>& p) override {
    data_source_read_request<S> tq{this->in(q.config, p.diagnostics)};
    tq.provider_meta = q.provider_meta;
    if (p.diagnostics.has_error()) co_return;
    data_source_read_response<S> tp{tq.config, {}};
    const std::array<role, 2> roles{
        {{"request.config", &tq.config}, {"response.state", &tp.state}}};
    co_await this->template run_named<D, Client>(
        client_, p.diagnostics, [&](D& d) { return d.read(tq, tp); }, roles);
    p.state = this->out(q.config, tq.config, tp.state);
    p.diagnostics.append(std::move(tp.diagnostics));
  }

 private:
  std::function<std::shared_ptr<Client>()> client_;
};

template <class E, class Client>
class typed_ephemeral_resource final : public ephemeral_resource_definition,
                                       typed_base<state_of<E>> {
  using S = state_of<E>;
  using role = typename typed_base<S>::role;

 public:
  explicit typed_ephemeral_resource(std::function<std::shared_ptr<Client>()> client)
      : client_(std::move(client)) {}

  [[nodiscard]] std::string type_name() const override { return std::string(E::type_name); }
  [[nodiscard]] schema_result schema() override { return this->build(E::schema()); }
  runtime::task<void> validate_config(const validate_config_request<cty::value>& q,
                                      validate_config_response& p) override {
    return this->template validate_with_hook<E, Client>(client_, q, p);
  }
  runtime::task<void> open(const open_request<cty::value>& q,
                           open_response<cty::value>& p) override {
    open_request<S> tq{this->in(q.config, p.diagnostics)};
    if (p.diagnostics.has_error()) co_return;
    open_response<S> tp{tq.config, {}, {}, {}};
    const std::array<role, 2> roles{
        {{"request.config", &tq.config}, {"response.result", &tp.result}}};
    co_await this->template run_named<E, Client>(
        client_, p.diagnostics, [&](E& e) { return e.open(tq, tp); }, roles);
    p.result = this->out(q.config, tq.config, tp.result);
    p.private_state = std::move(tp.private_state);
    p.renew_at = tp.renew_at;
    p.diagnostics.append(std::move(tp.diagnostics));
  }
  runtime::task<void> renew(const renew_request& q, renew_response& p) override {
    if constexpr (has_renew<E>) {
      co_await call(p.diagnostics, [&](E& e) { return e.renew(q, p); });
    }
  }
  runtime::task<void> close(const close_request& q, close_response& p) override {
    if constexpr (has_close<E>) {
      co_await call(p.diagnostics, [&](E& e) { return e.close(q, p); });
    }
  }

 private:
  template <class Hook>
  runtime::task<void> call(diagnostics& d, Hook hook) {
    return run_hook<E, Client>(client_, E::type_name, d, std::move(hook));
  }
  std::function<std::shared_ptr<Client>()> client_;
};

template <class Client, class Result>
std::shared_ptr<Client> adopt_client(Result&& r) {
  using T = std::remove_cvref_t<Result>;
  if constexpr (std::is_same_v<T, Client>) {
    return std::make_shared<Client>(std::forward<Result>(r));
  } else if constexpr (std::is_same_v<T, std::optional<Client>>) {
    return r ? std::make_shared<Client>(std::move(*r)) : nullptr;
  } else if constexpr (std::is_same_v<T, std::shared_ptr<Client>>) {
    return std::forward<Result>(r);
  } else if constexpr (std::is_same_v<T, std::unique_ptr<Client>>) {
    return std::shared_ptr<Client>(std::move(r));
  } else {
    static_assert(std::is_same_v<T, Client>,
                  "configure must return the provider's Client (or std::optional, shared_ptr or "
                  "unique_ptr of it)");
    return nullptr;
  }
}

}  // namespace detail

template <class Config = no_config, class Client = no_client>
class provider final : public provider_base {
 public:
  using config_type = Config;
  using client_type = Client;

  explicit provider(std::string type_name) : provider_base(std::move(type_name)) {}

  // The provider block's schema; add attributes before serving.
  schema_for<Config>& schema() noexcept { return schema_; }

  // Builds the client from the configuration: F is (const Config&) or (const Config&,
  // fw::diagnostics&), returning Client (or std::optional, shared_ptr, unique_ptr of it). With
  // errors in the diagnostics the client is dropped. Without configure(), Client is
  // default-constructed.
  template <class F>
  provider& configure(F f) {
    if constexpr (std::is_invocable_v<F&, const Config&, diagnostics&>) {
      configure_ = [f = std::move(f)](const Config& c, diagnostics& d) mutable {
        return detail::adopt_client<Client>(f(c, d));
      };
    } else {
      static_assert(std::is_invocable_v<F&, const Config&>,
                    "configure takes (const Config&) or (const Config&, fw::diagnostics&)");
      configure_ = [f = std::move(f)](const Config& c, diagnostics&) mutable {
        return detail::adopt_client<Client>(f(c));
      };
    }
    return *this;
  }

  using provider_base::add_data_source;
  using provider_base::add_ephemeral_resource;
  using provider_base::add_function;
  using provider_base::add_resource;

  // A provider-defined function: provider::<type name>::<function name>(...) in Terraform.
  template <class F>
  provider& add_function(function<F> f) {
    add_function(std::make_shared<function<F>>(std::move(f)));
    return *this;
  }

  template <class R>
  provider& add_resource() {
    static_assert(detail::resource_type<R>,
                  "a resource needs `struct state`, `static constexpr std::string_view "
                  "type_name` and `static fw::schema_for<state> schema()`");
    static_assert(detail::buildable<R, Client>,
                  "a resource must be constructible from the provider's client (R{client}) or "
                  "default-constructible");
    static_assert(detail::has_create<R>,
                  "resource lacks create(const create_request<state>&, create_response<state>&)");
    static_assert(detail::has_read<R>,
                  "resource lacks read(const read_request<state>&, read_response<state>&)");
    static_assert(detail::has_update<R>,
                  "resource lacks update(const update_request<state>&, update_response<state>&)");
    static_assert(detail::has_destroy<R>,
                  "resource lacks destroy(const destroy_request<state>&, destroy_response&)");
    add_resource(std::make_shared<detail::typed_resource<R, Client>>(client_source()));
    return *this;
  }

  template <class D>
  provider& add_data_source() {
    static_assert(detail::resource_type<D>,
                  "a data source needs `struct state`, `static constexpr std::string_view "
                  "type_name` and `static fw::schema_for<state> schema()`");
    static_assert(detail::buildable<D, Client>,
                  "a data source must be constructible from the provider's client (D{client}) "
                  "or default-constructible");
    static_assert(detail::has_data_read<D>,
                  "data source lacks read(const data_source_read_request<state>&, "
                  "data_source_read_response<state>&)");
    add_data_source(std::make_shared<detail::typed_data_source<D, Client>>(client_source()));
    return *this;
  }

  template <class E>
  provider& add_ephemeral_resource() {
    static_assert(detail::resource_type<E>,
                  "an ephemeral resource needs `struct state`, `static constexpr "
                  "std::string_view type_name` and `static fw::schema_for<state> schema()`");
    static_assert(detail::buildable<E, Client>,
                  "an ephemeral resource must be constructible from the provider's client "
                  "(E{client}) or default-constructible");
    static_assert(detail::has_open<E>,
                  "ephemeral resource lacks open(const open_request<state>&, "
                  "open_response<state>&)");
    add_ephemeral_resource(
        std::make_shared<detail::typed_ephemeral_resource<E, Client>>(client_source()));
    return *this;
  }

  // The configured client; nullptr before ConfigureProvider succeeded.
  [[nodiscard]] std::shared_ptr<Client> client() const {
    std::lock_guard lock(mu_);
    return client_;
  }

 private:
  std::function<std::shared_ptr<Client>()> client_source() {
    return [this] { return client(); };
  }
  schema_result provider_schema() override {
    codec_ = schema_.make_codec();
    return schema_.build();
  }
  void configure_values(const cty::value& v, diagnostics& d) override {
    const Config c = codec_->decode(v, {}, d);
    if (d.has_error()) return;
    std::shared_ptr<Client> made;
    if (configure_) {
      made = configure_(c, d);
    } else if constexpr (std::default_initializable<Client>) {
      made = std::make_shared<Client>();
    } else {
      d.add_error("Provider not configurable",
                  "This provider's client cannot be default-constructed and no configure "
                  "function was given.");
    }
    if (d.has_error()) return;
    if (!made) {
      d.add_error("Provider configuration failed", "configure returned no client.");
      return;
    }
    std::lock_guard lock(mu_);
    client_ = std::move(made);
  }

  schema_for<Config> schema_;
  std::shared_ptr<const codec<Config>> codec_;
  std::function<std::shared_ptr<Client>(const Config&, diagnostics&)> configure_;
  mutable std::mutex mu_;
  std::shared_ptr<Client> client_;
};

}  // namespace cppvider::framework
