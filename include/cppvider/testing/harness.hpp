// cppvider/testing/harness.hpp: drive a provider's hooks in-process, without gRPC or Terraform.
//
//   fw::provider<config, client> p{"localfs"};   // as in main()
//   ...
//   cppvider::testing::harness h{p};
//   ASSERT_FALSE(h.configure({.root = dir}).has_error());
//   auto created = h.create<file>({.path = "a.txt", .content = "hi"});
//   EXPECT_EQ(created.state.sha256, "8f43...");
//   auto plan = h.plan<file>({.path = "b.txt", .content = "hi"}, created.state);
//   EXPECT_TRUE(plan.replaces());
//
// Every call goes through the provider's RPC handlers (the same code Terraform reaches), with
// values encoded to msgpack and back, and Terraform's part played by the harness: it proposes
// the new state from configuration and prior state as Terraform does. A test takes
// milliseconds. `harness_base` offers the same over cty values for run-time schemas.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cppvider/cty/value.hpp"
#include "cppvider/framework/provider.hpp"
#include "cppvider/framework/values.hpp"

namespace cppvider::testing {

namespace fw = cppvider::framework;

// What PlanResourceChange answered, with the values it was asked about.
struct plan_values {
  std::string type_name;
  cty::value config;
  cty::value prior;
  cty::value proposed;
  cty::value planned;  // null for a destroy plan, and when planning failed
  std::vector<cty::path> requires_replace;
  std::string planned_private;
  std::optional<plugin::dynamic_value> planned_identity;  // msgpack; see harness_base::identity
  fw::diagnostics diagnostics;
};

struct state_values {
  cty::value state;  // null: destroyed, removed, or nothing created
  std::string private_state;
  fw::diagnostics diagnostics;
  std::optional<plugin::dynamic_value> identity;  // msgpack; see harness_base::identity
};

// What OpenEphemeralResource (or Renew) answered.
struct ephemeral_values {
  cty::value result;          // null when opening failed; unset for renew
  std::string private_state;  // sealed, as Terraform would hand it to renew and close
  std::optional<std::chrono::system_clock::time_point> renew_at;
  fw::diagnostics diagnostics;
};

// What a function call returned: a value, or the error Terraform would show.
struct function_result {
  cty::value value;  // null after an error
  std::optional<std::string> error;
  std::optional<std::int64_t> argument;  // the argument the error blames, counted from 0
  [[nodiscard]] bool ok() const noexcept { return !error; }
};

// The untyped harness: resources and data sources by full type name, values as cty values.
class harness_base {
 public:
  explicit harness_base(fw::provider_base& p) : p_(p) {}

  [[nodiscard]] fw::diagnostics validate_provider(const cty::value& config);
  [[nodiscard]] fw::diagnostics configure(const cty::value& config);
  [[nodiscard]] fw::diagnostics validate_resource(std::string_view type, const cty::value& config);
  [[nodiscard]] fw::diagnostics validate_data_source(std::string_view type,
                                                     const cty::value& config);
  // prior null: create. Config null: destroy.
  // `prior_private`: the private state the prior apply or read returned, as Terraform sends it.
  [[nodiscard]] plan_values plan(std::string_view type, const cty::value& config,
                                 const cty::value& prior, std::string prior_private = {});
  [[nodiscard]] state_values apply(const plan_values& plan);
  [[nodiscard]] state_values read(std::string_view type, const cty::value& state,
                                  std::string private_state = {});
  [[nodiscard]] state_values import_state(std::string_view type, std::string id);
  [[nodiscard]] state_values upgrade(std::string_view type, std::int64_t version,
                                     std::string raw_json);
  // ImportResourceState by identity (Terraform 1.12+ `import { identity = {...} }`).
  [[nodiscard]] state_values import_by_identity(std::string_view type, const cty::value& identity);
  // An identity as the provider answered it, decoded with the resource's identity schema.
  [[nodiscard]] cty::value identity(std::string_view type,
                                    const std::optional<plugin::dynamic_value>& bytes);
  [[nodiscard]] cty::type identity_type(std::string_view type);
  // MoveResourceState into `target_type` from another type's raw state (`moved` blocks).
  [[nodiscard]] state_values move_state(std::string_view target_type,
                                        const fw::move_state_request& source);
  [[nodiscard]] state_values read_data(std::string_view type, const cty::value& config);
  // Ephemeral resources: validate + open, renew, close, with the private state in between.
  [[nodiscard]] ephemeral_values open_ephemeral(std::string_view type, const cty::value& config);
  [[nodiscard]] ephemeral_values renew_ephemeral(std::string_view type, std::string private_state);
  [[nodiscard]] fw::diagnostics close_ephemeral(std::string_view type, std::string private_state);
  // Calls a provider-defined function as Terraform does: each argument encoded with its
  // parameter's type, the result decoded with the return type.
  [[nodiscard]] function_result call_function(std::string_view name,
                                              const std::vector<cty::value>& args);
  [[nodiscard]] plugin::get_metadata_response metadata();
  [[nodiscard]] plugin::get_provider_schema_response provider_schema();

  // Full type name of a resource or data source suffix: "file" -> "localfs_file".
  [[nodiscard]] std::string full_name(std::string_view suffix) const;
  [[nodiscard]] fw::provider_base& provider() noexcept { return p_; }

  // Asynchronous forms for load drivers (throughput.hpp): `done` runs once, on any thread.
  void start_apply(const plan_values& plan, std::function<void(state_values)> done);
  void start_read(std::string_view type, const cty::value& state, std::string private_state,
                  std::function<void(state_values)> done);

  // The stop token every later call carries, as StopProvider or a cancelled call would set it.
  void set_stop_token(std::stop_token st) { stop_ = std::move(st); }
  // The provider_meta block later plan, apply and read calls carry, as a module would set it.
  void set_provider_meta(const cty::value& meta);

 private:
  [[nodiscard]] const fw::schema& resource_schema(std::string_view type);
  state_values import_with(plugin::import_resource_state_request req, const cty::type& t);
  fw::provider_base& p_;
  std::stop_token stop_;
  plugin::dynamic_value meta_;
};

// Typed results.
template <class S>
struct plan_result {
  S planned;  // default (all null) for a destroy plan
  plan_values raw;
  [[nodiscard]] const fw::diagnostics& diagnostics() const noexcept { return raw.diagnostics; }
  [[nodiscard]] bool replaces() const noexcept { return !raw.requires_replace.empty(); }
  [[nodiscard]] bool replaces(const cty::path& p) const {
    for (const auto& r : raw.requires_replace)
      if (r == p) return true;
    return false;
  }
  // No difference between prior state and plan (what `terraform plan` shows as no changes).
  [[nodiscard]] bool no_changes() const { return raw.planned == raw.prior; }
};

template <class S>
struct state_result {
  S state;
  bool exists = false;  // the resulting state is not null
  state_values raw;
  [[nodiscard]] const fw::diagnostics& diagnostics() const noexcept { return raw.diagnostics; }
};

template <class S>
struct ephemeral_result {
  S result;
  ephemeral_values raw;
  [[nodiscard]] const fw::diagnostics& diagnostics() const noexcept { return raw.diagnostics; }
};

template <class Config, class Client>
class harness : public harness_base {
 public:
  explicit harness(fw::provider<Config, Client>& p) : harness_base(p), provider_(p) {}

  [[nodiscard]] fw::diagnostics configure(const Config& c) {
    return harness_base::configure(provider_codec()->encode(c));
  }
  [[nodiscard]] fw::diagnostics validate_provider(const Config& c) {
    return harness_base::validate_provider(provider_codec()->encode(c));
  }

  template <class R>
  [[nodiscard]] fw::diagnostics validate(const typename R::state& config) {
    return validate_resource(full_name(R::type_name), codec<R>()->encode(config));
  }

  // Plans `config` against `prior` (none: create).
  template <class R, class S = typename R::state>
  [[nodiscard]] plan_result<S> plan(
      const std::type_identity_t<S>& config,
      const std::optional<std::type_identity_t<S>>& prior = std::nullopt,
      std::string prior_private = {}) {
    const auto c = codec<R>();
    auto raw = harness_base::plan(full_name(R::type_name), c->encode(config),
                                  prior ? c->encode(*prior) : cty::value::null(c->type()),
                                  std::move(prior_private));
    return typed_plan<R>(std::move(raw));
  }
  template <class R, class S = typename R::state>
  [[nodiscard]] plan_result<S> plan_destroy(const std::type_identity_t<S>& prior) {
    const auto c = codec<R>();
    auto raw =
        harness_base::plan(full_name(R::type_name), cty::value::null(c->type()), c->encode(prior));
    return typed_plan<R>(std::move(raw));
  }

  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> apply(const plan_result<std::type_identity_t<S>>& plan) {
    return typed_state<R>(harness_base::apply(plan.raw));
  }
  // plan + apply; a failed plan is returned as the result's diagnostics.
  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> create(const std::type_identity_t<S>& config) {
    return plan_and_apply<R>(plan<R>(config));
  }
  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> update(const std::type_identity_t<S>& prior,
                                       const std::type_identity_t<S>& config) {
    return plan_and_apply<R>(plan<R>(config, prior));
  }
  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> destroy(const std::type_identity_t<S>& prior) {
    return plan_and_apply<R>(plan_destroy<R>(prior));
  }
  // `private_state`: the bytes a previous apply or read answered (state_values::private_state).
  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> read(const std::type_identity_t<S>& current,
                                     std::string private_state = {}) {
    return typed_state<R>(harness_base::read(full_name(R::type_name), codec<R>()->encode(current),
                                             std::move(private_state)));
  }
  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> import_state(std::string id) {
    return typed_state<R>(harness_base::import_state(full_name(R::type_name), std::move(id)));
  }
  // UpgradeResourceState of stored JSON written at schema `version`.
  using harness_base::move_state;
  using harness_base::upgrade;
  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> upgrade(std::int64_t version, std::string raw_json) {
    return typed_state<R>(
        harness_base::upgrade(full_name(R::type_name), version, std::move(raw_json)));
  }
  template <class R, class S = typename R::state>
  [[nodiscard]] state_result<S> move_state(const fw::move_state_request& source) {
    return typed_state<R>(harness_base::move_state(full_name(R::type_name), source));
  }
  template <class D, class S = typename D::state>
  [[nodiscard]] state_result<S> read_data(const std::type_identity_t<S>& config) {
    return typed_state<D>(
        harness_base::read_data(full_name(D::type_name), codec<D>()->encode(config)));
  }
  template <class E, class S = typename E::state>
  [[nodiscard]] ephemeral_result<S> open(const std::type_identity_t<S>& config) {
    ephemeral_result<S> out;
    out.raw = harness_base::open_ephemeral(full_name(E::type_name), codec<E>()->encode(config));
    if (!out.raw.result.is_null())
      out.result = codec<E>()->decode(out.raw.result, {}, out.raw.diagnostics);
    return out;
  }
  template <class E>
  [[nodiscard]] ephemeral_values renew(const ephemeral_values& opened) {
    return harness_base::renew_ephemeral(full_name(E::type_name), opened.private_state);
  }
  template <class E>
  [[nodiscard]] fw::diagnostics close(const ephemeral_values& opened) {
    return harness_base::close_ephemeral(full_name(E::type_name), opened.private_state);
  }

 private:
  template <class R>
  static std::shared_ptr<const fw::codec<typename R::state>> codec() {
    static const auto c = R::schema().make_codec();
    return c;
  }
  std::shared_ptr<const fw::codec<Config>> provider_codec() {
    if (!provider_codec_) provider_codec_ = provider_.schema().make_codec();
    return provider_codec_;
  }
  template <class R, class S = typename R::state>
  plan_result<S> typed_plan(plan_values raw) {
    plan_result<S> out{S{}, std::move(raw)};
    if (!out.raw.planned.is_null()) {
      out.planned = codec<R>()->decode(out.raw.planned, {}, out.raw.diagnostics);
    }
    return out;
  }
  template <class R, class S = typename R::state>
  state_result<S> typed_state(state_values raw) {
    state_result<S> out{S{}, !raw.state.is_null(), std::move(raw)};
    if (out.exists) out.state = codec<R>()->decode(out.raw.state, {}, out.raw.diagnostics);
    return out;
  }
  template <class R, class S = typename R::state>
  state_result<S> plan_and_apply(plan_result<S> p) {
    if (p.raw.diagnostics.has_error()) {
      return state_result<S>{S{}, false, state_values{p.raw.prior, {}, p.raw.diagnostics}};
    }
    auto r = apply<R>(p);
    fw::diagnostics all = p.raw.diagnostics;
    all.append(r.raw.diagnostics);
    r.raw.diagnostics = std::move(all);
    return r;
  }

  fw::provider<Config, Client>& provider_;
  std::shared_ptr<const fw::codec<Config>> provider_codec_;
};

}  // namespace cppvider::testing
