// Ephemeral resources (open, renew, close with private state in between) and write-only
// attributes (in the configuration only: never planned, never stored).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "cppvider/cty/msgpack.hpp"
#include "cppvider/framework/provider.hpp"
#include "cppvider/testing/harness.hpp"
#include "scoped_env.hpp"

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;

namespace ephemeral_test {

using namespace std::chrono_literals;

// The "API": leases it has handed out and not yet released.
struct lease_api {
  std::atomic<int> issued{0};
  std::atomic<int> live{0};
  std::atomic<int> renewed{0};
};

struct lease {
  struct state {
    fw::attr<std::string> role;
    fw::attr<std::string> secret;
    fw::attr<std::int64_t> ttl;
  };
  static constexpr std::string_view type_name = "lease";
  lease_api& api;

  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("role", &state::role, {.required = true, .validators = {fw::length_at_least(2)}})
        .attribute("secret", &state::secret, {.computed = true, .sensitive = true})
        .attribute("ttl", &state::ttl, {.optional = true, .computed = true});
  }
  void open(const fw::open_request<state>& req, fw::open_response<state>& resp) {
    if (*req.config.role == "boom") throw std::runtime_error("lease service down");
    if (*req.config.role == "refused") {
      resp.diagnostics.add_error(fw::path::root("role"), "Role refused", "no such role");
      return;
    }
    const int n = ++api.issued;
    ++api.live;
    resp.result.secret = "s3cr3t-" + std::to_string(n);
    if (*req.config.role == "forgetful") resp.result.secret = fw::unknown;
    resp.result.ttl = resp.result.ttl.value_or(60);
    resp.private_state.set("lease", std::to_string(n));
    resp.renew_at = std::chrono::system_clock::now() + 30s;
  }
  void renew(const fw::renew_request& req, fw::renew_response& resp) {
    if (!req.private_state.get("lease")) {
      resp.diagnostics.add_error("Lease lost", "no lease id in private state");
      return;
    }
    ++api.renewed;
    resp.private_state.set("renewals", std::to_string(api.renewed.load()));
    resp.renew_at = std::chrono::system_clock::now() + 30s;
  }
  void close(const fw::close_request& req, fw::close_response& resp) {
    if (!req.private_state.get("lease")) {
      resp.diagnostics.add_error("Lease lost", "no lease id in private state");
      return;
    }
    --api.live;
  }
};

// Only open: renew and close are optional.
struct token {
  struct state {
    fw::attr<std::string> value;
  };
  static constexpr std::string_view type_name = "token";
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>().attribute("value", &state::value, {.computed = true});
  }
  void open(const fw::open_request<state>&, fw::open_response<state>& resp) {
    resp.result.value = "t";
  }
};

struct account {
  struct state {
    fw::attr<std::string> name;
    fw::attr<std::string> password_wo;
    fw::attr<std::int64_t> password_version;
    fw::attr<std::string> id;
  };
  static constexpr std::string_view type_name = "account";
  lease_api& api;
  static inline std::string last_password;  // what the "API" received

  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("name", &state::name, {.required = true})
        .attribute("password_wo", &state::password_wo,
                   {.optional = true, .sensitive = true, .write_only = true})
        .attribute("password_version", &state::password_version, {.optional = true})
        .attribute("id", &state::id,
                   {.computed = true, .plan_modifiers = {fw::use_state_for_unknown()}});
  }
  void create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
    // The plan never holds it; the configuration does.
    EXPECT_TRUE(req.plan.password_wo.is_null());
    last_password = req.config.password_wo.value_or("");
    resp.state.id = "acct-" + *req.plan.name;
    // Even a hook that copies it into state cannot leak it: the framework nulls it.
    resp.state.password_wo = req.config.password_wo;
  }
  void read(const fw::read_request<state>&, fw::read_response<state>&) {}
  void update(const fw::update_request<state>& req, fw::update_response<state>&) {
    last_password = req.config.password_wo.value_or("");
  }
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

class ephemeral_resources : public ::testing::Test {
 protected:
  ephemeral_resources() {
    p.configure(
        [this](const fw::no_config&) { return std::shared_ptr<lease_api>(&api, [](auto*) {}); });
    p.add_ephemeral_resource<lease>();
    p.add_ephemeral_resource<token>();
    p.add_resource<account>();
    EXPECT_FALSE(h.configure(fw::no_config{}).has_error());
  }
  lease_api api;
  fw::provider<fw::no_config, lease_api> p{"eph"};
  cppvider::testing::harness<fw::no_config, lease_api> h{p};
};

TEST_F(ephemeral_resources, SchemaAndMetadataListThem) {
  const auto schema = h.provider_schema();
  ASSERT_EQ(schema.ephemeral_resource_schemas.size(), 2U);
  EXPECT_TRUE(schema.ephemeral_resource_schemas.contains("eph_lease"));
  const auto meta = h.metadata();
  EXPECT_EQ(meta.ephemeral_resources, (std::vector<std::string>{"eph_lease", "eph_token"}));
}

TEST_F(ephemeral_resources, OpenRenewCloseCarryThePrivateState) {
  auto opened = h.open<lease>({.role = "reader"});
  ASSERT_FALSE(opened.diagnostics().has_error()) << opened.diagnostics().to_string();
  EXPECT_EQ(opened.result.secret, std::string("s3cr3t-1"));
  EXPECT_EQ(opened.result.ttl, std::int64_t{60});
  ASSERT_TRUE(opened.raw.renew_at.has_value());
  EXPECT_GT(*opened.raw.renew_at, std::chrono::system_clock::now());
  EXPECT_FALSE(opened.raw.private_state.empty());
  EXPECT_EQ(api.live.load(), 1);

  const auto renewed = h.renew<lease>(opened.raw);
  ASSERT_FALSE(renewed.diagnostics.has_error()) << renewed.diagnostics.to_string();
  EXPECT_EQ(api.renewed.load(), 1);
  EXPECT_TRUE(renewed.renew_at.has_value());
  EXPECT_NE(renewed.private_state, opened.raw.private_state);  // gained "renewals"

  // Close with what the last renew returned: the lease id is still there.
  const auto closed = h.close<lease>(renewed);
  EXPECT_FALSE(closed.has_error()) << closed.to_string();
  EXPECT_EQ(api.live.load(), 0);
}

TEST_F(ephemeral_resources, RenewAndCloseAreOptional) {
  auto opened = h.open<token>({});
  ASSERT_FALSE(opened.diagnostics().has_error()) << opened.diagnostics().to_string();
  EXPECT_EQ(opened.result.value, std::string("t"));
  EXPECT_FALSE(opened.raw.renew_at.has_value());
  EXPECT_TRUE(opened.raw.private_state.empty());
  EXPECT_FALSE(h.renew<token>(opened.raw).diagnostics.has_error());
  EXPECT_FALSE(h.close<token>(opened.raw).has_error());
}

TEST_F(ephemeral_resources, ErrorsValidationExceptionsAndUnknownsAreDiagnostics) {
  auto refused = h.open<lease>({.role = "refused"});
  ASSERT_TRUE(refused.diagnostics().has_error());
  EXPECT_EQ(refused.diagnostics()[0].summary, "Role refused");

  auto invalid = h.open<lease>({.role = "x"});  // validator: at least 2 characters
  ASSERT_TRUE(invalid.diagnostics().has_error());
  EXPECT_EQ(api.issued.load(), 0);

  auto boom = h.open<lease>({.role = "boom"});
  ASSERT_TRUE(boom.diagnostics().has_error());
  EXPECT_NE(boom.diagnostics().to_string().find("Unexpected error in open"), std::string::npos);
  EXPECT_NE(boom.diagnostics().to_string().find("lease service down"), std::string::npos);

  auto unknown = h.open<lease>({.role = "forgetful"});
  ASSERT_TRUE(unknown.diagnostics().has_error());
  EXPECT_NE(unknown.diagnostics().to_string().find("secret"), std::string::npos)
      << unknown.diagnostics().to_string();

  // Close without the private state open returned: the hook reports it.
  const auto lost = h.close_ephemeral("eph_lease", "");
  EXPECT_TRUE(lost.has_error());
  const auto unknown_type = h.close_ephemeral("eph_nope", "");
  ASSERT_TRUE(unknown_type.has_error());
  EXPECT_NE(unknown_type.to_string().find("no ephemeral resource named"), std::string::npos);
}

TEST(ephemeral_private_state, TamperedPrivateStateIsRefused) {
  // With a secret, private state is sealed: a flipped bit is caught before the hook runs.
  std::optional<cppvider::test_support::scoped_env> secret;
  secret.emplace("CPPVIDER_PRIVATE_STATE_SECRET", "an ephemeral test secret of enough length");
  lease_api api;
  fw::provider<fw::no_config, lease_api> p{"eph"};
  p.configure([&](const fw::no_config&) { return std::shared_ptr<lease_api>(&api, [](auto*) {}); });
  p.add_ephemeral_resource<lease>();
  cppvider::testing::harness<fw::no_config, lease_api> h{p};
  ASSERT_FALSE(h.configure(fw::no_config{}).has_error());
  auto opened = h.open<lease>({.role = "reader"});
  secret.reset();
  ASSERT_FALSE(opened.diagnostics().has_error()) << opened.diagnostics().to_string();
  EXPECT_EQ(opened.raw.private_state.find("lease"), std::string::npos);  // not readable
  auto bytes = opened.raw.private_state;
  bytes.back() = static_cast<char>(bytes.back() ^ 1);
  const auto closed = h.close_ephemeral("eph_lease", bytes);
  EXPECT_TRUE(closed.has_error());
  EXPECT_EQ(api.live.load(), 1);  // the hook did not run on bad data
  EXPECT_FALSE(h.close<lease>(opened.raw).has_error());
  EXPECT_EQ(api.live.load(), 0);
}

TEST_F(ephemeral_resources, WriteOnlyAttributesReachHooksButNeverPlanOrState) {
  const auto schema = h.provider_schema();
  const auto& attrs = schema.resource_schemas.at("eph_account").block.attributes;
  bool found = false;
  for (const auto& a : attrs) {
    if (a.name == "password_wo") found = a.write_only;
  }
  EXPECT_TRUE(found);

  auto plan = h.plan<account>({.name = "ann", .password_wo = "hunter2", .password_version = 1});
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  EXPECT_TRUE(plan.planned.password_wo.is_null());
  auto created = h.apply<account>(plan);
  ASSERT_FALSE(created.diagnostics().has_error()) << created.diagnostics().to_string();
  EXPECT_EQ(account::last_password, "hunter2");
  EXPECT_TRUE(created.state.password_wo.is_null());

  // Same configuration again: write-only values never make a diff.
  auto again = h.plan<account>({.name = "ann", .password_wo = "other", .password_version = 1},
                               created.state);
  ASSERT_FALSE(again.diagnostics().has_error()) << again.diagnostics().to_string();
  EXPECT_TRUE(again.no_changes());
}

TEST_F(ephemeral_resources, WriteOnlyNeedsAHostThatAllowsIt) {
  const auto& s = *p.resource_schema("eph_account");
  cppvider::plugin::validate_resource_config_request req;
  req.type_name = "eph_account";
  const auto config =
      cty::value::object({{"name", cty::value::string("ann")},
                          {"password_wo", cty::value::string("hunter2")},
                          {"password_version", cty::value::null(cty::type::number())},
                          {"id", cty::value::null(cty::type::string())}});
  req.config = {*cty::msgpack::encode(config, s.type()), {}};
  req.client.write_only_attributes_allowed = false;  // Terraform before 1.11
  std::string detail;
  struct sink final
      : cppvider::plugin::detail::completion<cppvider::plugin::validate_resource_config_response> {
    std::string* out;
    explicit sink(std::string* o) : out(o) {}
    void complete(cppvider::plugin::validate_resource_config_response&& r) noexcept override {
      for (const auto& d : r.diags) *out += d.summary + ": " + d.detail + "\n";
    }
  };
  p.validate_resource_config(
      {.rpc = "ValidateResourceConfig"}, std::move(req),
      cppvider::plugin::responder<cppvider::plugin::validate_resource_config_response>(
          std::make_shared<sink>(&detail)));
  EXPECT_NE(detail.find("Write-only attribute not supported"), std::string::npos) << detail;
  EXPECT_NE(detail.find("Terraform 1.11"), std::string::npos) << detail;
}

TEST(write_only_schema, CannotBeComputedOrDefaulted) {
  struct s {
    fw::attr<std::string> a;
    fw::attr<std::string> b;
  };
  const auto built =
      fw::schema_for<s>()
          .attribute("a", &s::a, {.optional = true, .computed = true, .write_only = true})
          .attribute("b", &s::b,
                     {.optional = true, .computed = true, .write_only = true, .default_value = "x"})
          .build();
  ASSERT_TRUE(built.diagnostics.has_error());
  const auto text = built.diagnostics.to_string();
  EXPECT_NE(text.find("write-only attribute cannot be computed"), std::string::npos) << text;
  EXPECT_NE(text.find("write-only attribute cannot have a default"), std::string::npos) << text;
}

}  // namespace ephemeral_test
