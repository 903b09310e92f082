// cppvider/framework/ephemeral_resource.hpp: ephemeral resources (Terraform 1.10+, OpenTofu 1.11+).
//
//   struct lease {
//     struct state { fw::attr<std::string> name; fw::attr<std::string> token; };
//     static constexpr std::string_view type_name = "lease";       // ephemeral "x_lease" "a" {}
//     static auto schema() { ... }                                   // token: computed, sensitive
//     void open(const fw::open_request<state>& req, fw::open_response<state>& resp);
//     // optional:
//     void renew(const fw::renew_request& req, fw::renew_response& resp);
//     void close(const fw::close_request& req, fw::close_response& resp);
//     void validate_config(const fw::validate_config_request<state>&,
//     fw::validate_config_response&);
//   };
//   provider.add_ephemeral_resource<lease>();
//
// An ephemeral resource is something Terraform opens for the length of one plan or apply and
// never writes to state or plan files: a short-lived credential, a tunnel, a lock. Terraform
// calls Open when it needs the result, Renew before `renew_at` while it still needs it, and Close
// when it is done. Renew and Close receive only the private state Open (or the last Renew)
// returned, so whatever they need (a lease id, a lock path) goes there; it is sealed like a
// resource's private state (docs/private-state.md).
//
// Hooks may be coroutines (runtime::task<>), like every other hook.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "cppvider/cty/value.hpp"
#include "cppvider/framework/diagnostics.hpp"
#include "cppvider/framework/private_state.hpp"
#include "cppvider/framework/resource.hpp"
#include "cppvider/framework/schema.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::framework {

template <class S>
struct open_request {
  S config;
};
template <class S>
struct open_response {
  S result;  // starts as the configuration; fill in every computed attribute
  framework::diagnostics diagnostics;
  framework::private_state private_state;  // handed to renew and close
  // When Terraform should call renew, if it still needs the result then.
  std::optional<std::chrono::system_clock::time_point> renew_at;
};

struct renew_request {
  framework::private_state private_state;
};
struct renew_response {
  framework::diagnostics diagnostics;
  framework::private_state private_state;                         // starts as the request's
  std::optional<std::chrono::system_clock::time_point> renew_at;  // none: no further renewal
};

struct close_request {
  framework::private_state private_state;
};
struct close_response {
  framework::diagnostics diagnostics;
};

// The untyped interface the provider serves.
class ephemeral_resource_definition {
 public:
  virtual ~ephemeral_resource_definition() = default;
  [[nodiscard]] virtual std::string type_name() const = 0;
  [[nodiscard]] virtual schema_result schema() = 0;
  // Hooks are coroutines; the caller keeps request and response alive until they finish.
  virtual runtime::task<void> validate_config(const validate_config_request<cty::value>&,
                                              validate_config_response&) {
    co_return;
  }
  virtual runtime::task<void> open(const open_request<cty::value>&, open_response<cty::value>&) = 0;
  virtual runtime::task<void> renew(const renew_request&, renew_response&) { co_return; }
  virtual runtime::task<void> close(const close_request&, close_response&) { co_return; }
};

}  // namespace cppvider::framework
