// cppvider/framework/resource.hpp: managed resources.
//
//   struct bucket {
//     struct state { fw::attr<std::string> name; fw::attr<std::string> id; };
//     static constexpr std::string_view type_name = "bucket";   // served as <provider>_bucket
//     api_client& api;                                          // the provider's client
//     static auto schema() { return fw::schema_for<state>().attribute(...); }
//     void create(const fw::create_request<state>& req, fw::create_response<state>& resp);
//     void read(const fw::read_request<state>& req, fw::read_response<state>& resp);
//     void update(const fw::update_request<state>& req, fw::update_response<state>& resp);
//     void destroy(const fw::destroy_request<state>& req, fw::destroy_response& resp);
//     // optional: import_state, modify_plan, validate_config (same request/response shape)
//   };
//   provider.add_resource<bucket>();
//
// Every hook takes its request by const reference and fills its response; responses come
// pre-filled (create and update start from the plan, read from the prior state), so a hook only
// writes what the remote API decided. A hook returns void, or is a coroutine returning
// cppvider::runtime::task<> that may co_await HTTP calls, gather, timers...: the RPC then holds
// no thread while it waits, and StopProvider reaches it through its stop token.
//
// Private state (`private_state` in requests and responses) is per-instance data Terraform keeps
// for the provider but never shows: ETags, server-side ids, secrets the API returned. It flows
// plan -> apply -> read, and is sealed with AES-256-GCM when CPPVIDER_PRIVATE_STATE_SECRET is
// set (docs/private-state.md).
//
// An instance is built for each call from the provider's client (`R{client}`), or default-built
// when R does not take one: resources hold no state between calls.
//
// `resource_definition` is the untyped interface the provider serves (cty values in and out);
// `dynamic_resource` implements it with functions, for schemas known only at run time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cppvider/cty/value.hpp"
#include "cppvider/framework/diagnostics.hpp"
#include "cppvider/framework/identity.hpp"
#include "cppvider/framework/private_state.hpp"
#include "cppvider/framework/schema.hpp"
#include "cppvider/framework/state_upgrade.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::framework {

// ---- Requests and responses, one pair per hook ------------------------------------------

template <class S>
struct create_request {
  S config;
  S plan;  // what PlanResourceChange planned: computed attributes are unknown here
  framework::private_state private_state;  // as planned
  // The module's provider_meta block for this provider (null without one or without a
  // provider_meta schema); see provider_base::provider_meta_schema.
  cty::value provider_meta;
};
template <class S>
struct create_response {
  S state;  // starts as the plan; fill in every unknown
  framework::diagnostics diagnostics;
  framework::private_state private_state;  // starts as the request's
  // Create failed after the remote object came to exist: keep `state` (what exists, fully
  // known) in Terraform's state, marked tainted, instead of losing track of it.
  void keep_partial_state() noexcept { partial = true; }
  bool partial = false;
};

template <class S>
struct read_request {
  S state;  // the prior state
  framework::private_state private_state;
  // The module's provider_meta block for this provider (null without one or without a
  // provider_meta schema); see provider_base::provider_meta_schema.
  cty::value provider_meta;
};
template <class S>
struct read_response {
  S state;  // starts as the prior state
  framework::diagnostics diagnostics;
  framework::private_state private_state;  // starts as the request's
  // The remote object is gone: Terraform drops it from state and plans to create it again.
  void remove() noexcept { removed = true; }
  bool removed = false;
};

template <class S>
struct update_request {
  S config;
  S plan;
  S state;                                 // the prior state
  framework::private_state private_state;  // as planned
  // The module's provider_meta block for this provider (null without one or without a
  // provider_meta schema); see provider_base::provider_meta_schema.
  cty::value provider_meta;
};
template <class S>
struct update_response {
  S state;  // starts as the plan
  framework::diagnostics diagnostics;
  framework::private_state private_state;  // starts as the request's
};

template <class S>
struct destroy_request {
  S state;
  framework::private_state private_state;
  // The module's provider_meta block for this provider (null without one or without a
  // provider_meta schema); see provider_base::provider_meta_schema.
  cty::value provider_meta;
};
struct destroy_response {
  framework::diagnostics diagnostics;
};

struct import_request {
  std::string id;  // `terraform import` / import block id; empty when importing by identity
  // An import by identity (Terraform 1.12+): the identity object; null otherwise.
  cty::value identity;
};
template <class S>
struct import_response {
  S state;  // starts null; Terraform calls read next, so the id is often enough
  framework::diagnostics diagnostics;
  framework::private_state private_state;
};

template <class S>
struct modify_plan_request {
  S config;
  S plan;   // after defaults, unknown marking and attribute plan modifiers
  S state;  // null attributes when creating
  bool creating = false;
  framework::private_state private_state;  // the prior private state
  // The module's provider_meta block for this provider (null without one or without a
  // provider_meta schema); see provider_base::provider_meta_schema.
  cty::value provider_meta;
};
template <class S>
struct modify_plan_response {
  S plan;  // starts as request.plan
  std::vector<cty::path> requires_replace;
  framework::diagnostics diagnostics;
  framework::private_state private_state;  // what apply receives; starts as the request's
};

template <class S>
struct validate_config_request {
  S config;  // may hold unknown values
};
struct validate_config_response {
  framework::diagnostics diagnostics;
};

// ---- The untyped interface ----------------------------------------------------------------

class resource_definition {
 public:
  virtual ~resource_definition() = default;

  // The name after the provider's prefix: "file" is served as "<provider>_file".
  [[nodiscard]] virtual std::string type_name() const = 0;
  // Called once, before any other hook.
  [[nodiscard]] virtual schema_result schema() = 0;

  // Hooks are coroutines; the caller keeps request and response alive until they finish.
  virtual runtime::task<void> validate_config(const validate_config_request<cty::value>&,
                                              validate_config_response&) {
    co_return;
  }
  virtual runtime::task<void> modify_plan(const modify_plan_request<cty::value>&,
                                          modify_plan_response<cty::value>&) {
    co_return;
  }
  virtual runtime::task<void> create(const create_request<cty::value>&,
                                     create_response<cty::value>&) = 0;
  virtual runtime::task<void> read(const read_request<cty::value>&, read_response<cty::value>&) = 0;
  virtual runtime::task<void> update(const update_request<cty::value>&,
                                     update_response<cty::value>&) = 0;
  virtual runtime::task<void> destroy(const destroy_request<cty::value>&, destroy_response&) = 0;

  // Without import_state, import is a passthrough of the id into an "id" attribute.
  [[nodiscard]] virtual bool has_import_state() const { return false; }
  virtual runtime::task<void> import_state(const import_request&, import_response<cty::value>&) {
    co_return;
  }
  [[nodiscard]] virtual bool has_modify_plan() const { return false; }

  // The resource's identity (identity.hpp); none: the resource has no identity. Called once.
  [[nodiscard]] virtual std::optional<identity_schema> identity() { return std::nullopt; }

  // Called once, after schema(). See state_upgrade.hpp.
  [[nodiscard]] virtual std::vector<state_upgrader<cty::value>> state_upgraders() { return {}; }
  [[nodiscard]] virtual std::vector<state_mover<cty::value>> state_movers() { return {}; }
};

// A resource made of functions over cty values.
class dynamic_resource : public resource_definition {
 public:
  dynamic_resource(std::string type_name, schema_builder schema)
      : type_name_(std::move(type_name)), schema_(std::move(schema)) {}

  std::function<void(const create_request<cty::value>&, create_response<cty::value>&)> on_create;
  std::function<void(const read_request<cty::value>&, read_response<cty::value>&)> on_read;
  std::function<void(const update_request<cty::value>&, update_response<cty::value>&)> on_update;
  std::function<void(const destroy_request<cty::value>&, destroy_response&)> on_destroy;
  std::function<void(const import_request&, import_response<cty::value>&)> on_import;  // optional
  std::function<void(const modify_plan_request<cty::value>&, modify_plan_response<cty::value>&)>
      on_modify_plan;  // optional
  std::function<void(const validate_config_request<cty::value>&, validate_config_response&)>
      on_validate_config;                              // optional
  std::vector<state_upgrader<cty::value>> upgraders;   // optional
  std::vector<state_mover<cty::value>> movers;         // optional
  std::optional<identity_schema> identity_attributes;  // optional

  [[nodiscard]] std::string type_name() const override { return type_name_; }
  [[nodiscard]] schema_result schema() override { return schema_.build(); }
  runtime::task<void> validate_config(const validate_config_request<cty::value>& q,
                                      validate_config_response& p) override {
    if (on_validate_config) on_validate_config(q, p);
    co_return;
  }
  runtime::task<void> modify_plan(const modify_plan_request<cty::value>& q,
                                  modify_plan_response<cty::value>& p) override {
    if (on_modify_plan) on_modify_plan(q, p);
    co_return;
  }
  runtime::task<void> create(const create_request<cty::value>& q,
                             create_response<cty::value>& p) override {
    call(on_create, "create", q, p);
    co_return;
  }
  runtime::task<void> read(const read_request<cty::value>& q,
                           read_response<cty::value>& p) override {
    call(on_read, "read", q, p);
    co_return;
  }
  runtime::task<void> update(const update_request<cty::value>& q,
                             update_response<cty::value>& p) override {
    call(on_update, "update", q, p);
    co_return;
  }
  runtime::task<void> destroy(const destroy_request<cty::value>& q, destroy_response& p) override {
    call(on_destroy, "destroy", q, p);
    co_return;
  }
  [[nodiscard]] bool has_import_state() const override { return static_cast<bool>(on_import); }
  runtime::task<void> import_state(const import_request& q,
                                   import_response<cty::value>& p) override {
    call(on_import, "import_state", q, p);
    co_return;
  }
  [[nodiscard]] bool has_modify_plan() const override { return static_cast<bool>(on_modify_plan); }
  [[nodiscard]] std::vector<state_upgrader<cty::value>> state_upgraders() override {
    return upgraders;
  }
  [[nodiscard]] std::vector<state_mover<cty::value>> state_movers() override { return movers; }
  [[nodiscard]] std::optional<identity_schema> identity() override { return identity_attributes; }

 private:
  template <class F, class Q, class P>
  void call(const F& f, const char* hook, const Q& q, P& p) {
    if (f) {
      f(q, p);
    } else {
      p.diagnostics.add_error("Operation not supported",
                              "Resource " + type_name_ + " does not implement " + hook + ".");
    }
  }
  std::string type_name_;
  schema_builder schema_;
};

}  // namespace cppvider::framework
