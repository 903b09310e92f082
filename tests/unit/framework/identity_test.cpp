// Resource identity: schema from state attributes, derived after create/read, kept through
// plans, import by identity, identity upgrades.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cppvider/framework/provider.hpp"
#include "cppvider/testing/harness.hpp"

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;

namespace identity_test {

struct cloud {
  std::map<std::string, std::string> buckets;  // "region/name" -> size class
};

struct bucket {
  struct state {
    fw::attr<std::string> name;
    fw::attr<std::string> region;
    fw::attr<std::string> size;
    fw::attr<std::string> arn;
  };
  static constexpr std::string_view type_name = "bucket";
  cloud& api;

  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("name", &state::name,
                   {.required = true,
                    .description = "Bucket name.",
                    .plan_modifiers = {fw::requires_replace()}})
        .attribute("region", &state::region,
                   {.optional = true, .computed = true, .default_value = "eu-1"})
        .attribute("size", &state::size, {.optional = true})
        .attribute("arn", &state::arn,
                   {.computed = true, .plan_modifiers = {fw::use_state_for_unknown()}});
  }
  static fw::identity_schema identity() { return {.required = {"name"}, .optional = {"region"}}; }

  static std::string key(const state& s) { return *s.region + "/" + *s.name; }
  void create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
    api.buckets[key(req.plan)] = req.plan.size.value_or("");
    resp.state.arn = "arn:" + key(req.plan);
  }
  void read(const fw::read_request<state>& req, fw::read_response<state>& resp) {
    const auto it = api.buckets.find(key(req.state));
    if (it == api.buckets.end()) return resp.remove();
    resp.state.arn = "arn:" + key(req.state);
    if (!it->second.empty()) resp.state.size = it->second;
  }
  void update(const fw::update_request<state>& req, fw::update_response<state>&) {
    api.buckets[key(req.plan)] = req.plan.size.value_or("");
  }
  void destroy(const fw::destroy_request<state>& req, fw::destroy_response&) {
    api.buckets.erase(key(req.state));
  }
};

struct broken {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::map<std::string, std::string>> tags;
  };
  static constexpr std::string_view type_name = "broken";
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("id", &state::id, {.computed = true})
        .attribute("tags", &state::tags, {.optional = true});
  }
  static fw::identity_schema identity() { return {.required = {"tags", "nope"}}; }
  void create(const fw::create_request<state>&, fw::create_response<state>& r) { r.state.id = "b"; }
  void read(const fw::read_request<state>&, fw::read_response<state>&) {}
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

class identities : public ::testing::Test {
 protected:
  identities() {
    p.configure(
        [this](const fw::no_config&) { return std::shared_ptr<cloud>(&api, [](auto*) {}); });
    p.add_resource<bucket>();
    EXPECT_FALSE(h.configure(fw::no_config{}).has_error());
  }
  cty::value id_of(const std::optional<cppvider::plugin::dynamic_value>& bytes) {
    return h.identity("id_bucket", bytes);
  }
  cloud api;
  fw::provider<fw::no_config, cloud> p{"id"};
  cppvider::testing::harness<fw::no_config, cloud> h{p};
};

TEST_F(identities, SchemaComesFromStateAttributes) {
  const auto t = h.identity_type("id_bucket");
  EXPECT_EQ(t, cty::type::object({{"name", cty::type::string()}, {"region", cty::type::string()}}));
}

TEST_F(identities, CreateReadAndPlansCarryTheIdentity) {
  auto plan = h.plan<bucket>({.name = "logs"});
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  EXPECT_FALSE(plan.raw.planned_identity.has_value());  // learnt at apply
  auto created = h.apply<bucket>(plan);
  ASSERT_FALSE(created.diagnostics().has_error()) << created.diagnostics().to_string();
  const auto expected = cty::value::object(
      {{"name", cty::value::string("logs")}, {"region", cty::value::string("eu-1")}});
  EXPECT_EQ(id_of(created.raw.identity), expected);

  auto read = h.read<bucket>(created.state);
  EXPECT_EQ(id_of(read.raw.identity), expected);

  // An in-place update keeps it; a replacement learns a new one at apply.
  auto update = h.plan<bucket>({.name = "logs", .size = "large"}, created.state);
  ASSERT_FALSE(update.diagnostics().has_error()) << update.diagnostics().to_string();
  EXPECT_EQ(id_of(update.raw.planned_identity), expected);
  auto replace = h.plan<bucket>({.name = "other"}, created.state);
  ASSERT_TRUE(replace.replaces());
  EXPECT_FALSE(replace.raw.planned_identity.has_value());
}

TEST_F(identities, ImportByIdentityStartsTheStateFromIt) {
  api.buckets["us-2/assets"] = "small";
  auto imported = h.import_by_identity(
      "id_bucket", cty::value::object({{"name", cty::value::string("assets")},
                                       {"region", cty::value::string("us-2")}}));
  ASSERT_FALSE(imported.diagnostics.has_error()) << imported.diagnostics.to_string();
  EXPECT_EQ(imported.state.get_attr("name"), cty::value::string("assets"));
  EXPECT_EQ(imported.state.get_attr("region"), cty::value::string("us-2"));
  EXPECT_EQ(id_of(imported.identity).get_attr("name"), cty::value::string("assets"));
  // Terraform reads next and fills in the rest.
  auto& base = static_cast<cppvider::testing::harness_base&>(h);
  auto read = base.read("id_bucket", imported.state, imported.private_state);
  ASSERT_FALSE(read.diagnostics.has_error()) << read.diagnostics.to_string();
  EXPECT_EQ(read.state.get_attr("arn"), cty::value::string("arn:us-2/assets"));
  EXPECT_EQ(read.state.get_attr("size"), cty::value::string("small"));
}

TEST_F(identities, UpgradeReadsStoredIdentitiesAndRefusesNewerOnes) {
  cppvider::plugin::upgrade_resource_identity_request req;
  req.type_name = "id_bucket";
  req.version = 0;
  req.raw_identity.json = R"({"name":"logs","region":"eu-1","retired":1})";
  cppvider::plugin::upgrade_resource_identity_response got;
  struct sink final
      : cppvider::plugin::detail::completion<cppvider::plugin::upgrade_resource_identity_response> {
    cppvider::plugin::upgrade_resource_identity_response* out;
    explicit sink(cppvider::plugin::upgrade_resource_identity_response* o) : out(o) {}
    void complete(cppvider::plugin::upgrade_resource_identity_response&& r) noexcept override {
      *out = std::move(r);
    }
  };
  const auto call = [&](cppvider::plugin::upgrade_resource_identity_request q) {
    p.upgrade_resource_identity(
        {.rpc = "UpgradeResourceIdentity"}, std::move(q),
        cppvider::plugin::responder<cppvider::plugin::upgrade_resource_identity_response>(
            std::make_shared<sink>(&got)));
  };
  call(req);
  ASSERT_TRUE(got.diags.empty());
  EXPECT_EQ(id_of(got.upgraded_identity).get_attr("region"), cty::value::string("eu-1"));
  req.version = 4;
  call(req);
  ASSERT_EQ(got.diags.size(), 1U);
  EXPECT_NE(got.diags[0].detail.find("newer than this provider"), std::string::npos);
}

TEST(identity_schema, BadAttributesAreReported) {
  fw::provider<> p{"bad"};
  p.add_resource<broken>();
  cppvider::testing::harness<fw::no_config, fw::no_client> h{p};
  cppvider::plugin::get_resource_identity_schemas_response got;
  struct sink final : cppvider::plugin::detail::completion<
                          cppvider::plugin::get_resource_identity_schemas_response> {
    cppvider::plugin::get_resource_identity_schemas_response* out;
    explicit sink(cppvider::plugin::get_resource_identity_schemas_response* o) : out(o) {}
    void complete(cppvider::plugin::get_resource_identity_schemas_response&& r) noexcept override {
      *out = std::move(r);
    }
  };
  p.get_resource_identity_schemas(
      {.rpc = "GetResourceIdentitySchemas"}, {},
      cppvider::plugin::responder<cppvider::plugin::get_resource_identity_schemas_response>(
          std::make_shared<sink>(&got)));
  EXPECT_TRUE(got.identity_schemas.empty());
  ASSERT_EQ(got.diags.size(), 2U);
  EXPECT_NE(got.diags[0].detail.find("\"tags\" must be a primitive"), std::string::npos);
  EXPECT_NE(got.diags[1].detail.find("\"nope\" is not an attribute"), std::string::npos);
}

}  // namespace identity_test
