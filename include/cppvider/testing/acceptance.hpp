// cppvider/testing/acceptance.hpp: test a built provider through the real Terraform and OpenTofu.
//
//   namespace at = cppvider::testing::acceptance;
//   TEST(localfs, file_life_cycle) {
//     for (const auto& cli : at::clients()) {          // TERRAFORM and TOFU from the environment
//       const auto r = at::run(cli, {
//           .provider = {.binary = LOCALFS_PROVIDER, .source = "example.com/cppvider/localfs"},
//           .steps = {
//               {.config = R"(resource "localfs_file" "f" { path = "a.txt" content = "one" })",
//                .check = at::all({at::attr("localfs_file.f", "content", "one"),
//                                  at::attr_set("localfs_file.f", "sha256")})},
//               {.config = R"(resource "localfs_file" "f" { path = "/etc" content = "x" })",
//                .expect_error = "outside the root"},
//           }});
//       EXPECT_TRUE(r.ok()) << cli.name << ": " << r.failure;
//     }
//   }
//
// Each step writes its configuration into a fresh working directory whose CLI configuration points
// the provider's source at the built binary (dev_overrides, so there is no `init`), runs `apply`,
// reads the state with `show -json` and runs the step's check, then plans again and requires the
// plan to be empty: a provider that does not converge fails the step. After the last step (or the
// first failure) everything is destroyed and `check_destroy` runs. This is the model of
// terraform-plugin-testing's resource.Test; nothing is faked: the CLI starts the provider over
// the go-plugin handshake with mutual TLS, as it does for users.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cppvider::testing::acceptance {

// A real CLI: Terraform or OpenTofu.
struct cli {
  std::string name;  // "terraform" or "tofu"
  std::string path;
};

// The CLIs named by the environment variables TERRAFORM and TOFU (scripts/get-clients.sh sets
// both). A variable that is unset or not an executable throws std::runtime_error naming it: a
// missing client fails the test run, it never skips.
[[nodiscard]] std::vector<cli> clients();

// The provider under test.
struct provider_under_test {
  std::string binary;  // the built terraform-provider-<name> executable
  std::string source;  // its source address, e.g. "example.com/cppvider/localfs"
  // The local name in `required_providers`; default: the part of `binary` after
  // "terraform-provider-".
  std::string local_name;
};

// One resource instance of the state, as `show -json` gives it.
struct resource_state {
  std::string address;  // "localfs_file.f", "data.localfs_file.back", "module.m.x.y[0]"
  std::string type;
  std::string mode;  // "managed" or "data"
  // Flattened attributes in terraform-plugin-testing's form: "name", "rules.0.port",
  // "tags.%" (map size), "rules.#" (list or set length). Strings as they are; numbers as the
  // CLI wrote them; booleans "true"/"false". Null attributes are absent.
  std::map<std::string, std::string> attributes;
  std::set<std::string> sensitive;  // keys of the attributes (or parents) marked sensitive
};

// The state after an apply: every resource instance by address, the root module's outputs
// (JSON text), and the raw `show -json` document for anything else.
struct state {
  std::map<std::string, resource_state> resources;
  std::map<std::string, std::string> outputs;
  std::string json;

  [[nodiscard]] const resource_state* find(std::string_view address) const;
};

// A check returns nothing on success, or what is wrong.
using check_fn = std::function<std::optional<std::string>(const state&)>;

// The attribute `key` of the resource at `address` equals `value`.
[[nodiscard]] check_fn attr(std::string address, std::string key, std::string value);
// The attribute is set (not null), whatever its value.
[[nodiscard]] check_fn attr_set(std::string address, std::string key);
// The attribute is null or absent.
[[nodiscard]] check_fn no_attr(std::string address, std::string key);
// The attribute is marked sensitive in the state.
[[nodiscard]] check_fn sensitive(std::string address, std::string key);
// The resource is in the state / is not.
[[nodiscard]] check_fn exists(std::string address);
[[nodiscard]] check_fn gone(std::string address);
// Every check, reporting the first failure.
[[nodiscard]] check_fn all(std::vector<check_fn> checks);

struct step {
  // The step's configuration. The `terraform { required_providers }` block for the provider
  // under test is added in front.
  std::string config;
  // Run on the state after a successful apply.
  check_fn check;
  // Substring the failing apply's output must contain; the step then expects the apply to fail
  // (and neither checks nor re-plans).
  std::optional<std::string> expect_error;
  // Plan only, no apply; `expect_non_empty_plan` says which result is expected.
  bool plan_only = false;
  // Accept changes in the plan after the apply (or in a plan_only step).
  bool expect_non_empty_plan = false;
  // Extra variables for the CLI and the provider (TF_VAR_..., credentials, endpoints).
  std::map<std::string, std::string> env;

  // An import step (terraform-plugin-testing's ImportState / ImportStateVerify): no apply;
  // `import ADDRESS ID` runs in a separate, empty state with this step's configuration, then
  // `check` runs on that state and, with `import_verify`, every attribute of the imported
  // resource must equal the one in the test's state, except the keys in `import_verify_ignore`
  // (and anything below them: "rules" also ignores "rules.0.port"). The imported state is
  // dropped afterwards; the object stays the test's.
  std::string import_address;            // "localfs_file.f"; non-empty makes this an import step
  std::optional<std::string> import_id;  // default: the resource's "id" attribute in the state
  bool import_verify = false;
  std::vector<std::string> import_verify_ignore;
};

struct test_case {
  provider_under_test provider;
  std::vector<step> steps;
  // Run on the state after the final destroy (usually: the remote objects are gone).
  check_fn check_destroy;
  // Bound on each CLI command.
  std::chrono::seconds command_timeout{600};
  // Keep the working directory (for debugging a failure); it is logged in the failure text.
  bool keep_workdir = false;
};

struct result {
  // Empty on success; otherwise the step that failed, the command and its output.
  std::string failure;
  std::size_t steps_run = 0;
  [[nodiscard]] bool ok() const noexcept { return failure.empty(); }
};

// Runs the test case with one CLI. Never throws for a failing step: the failure is in the result.
[[nodiscard]] result run(const cli& client, const test_case& tc);

}  // namespace cppvider::testing::acceptance
