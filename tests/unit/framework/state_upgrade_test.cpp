// UpgradeResourceState across schema versions, and MoveResourceState across resource types.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cppvider/framework/provider.hpp"
#include "cppvider/testing/harness.hpp"

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;

namespace state_upgrade_test {

// Version 2 of a file resource. Version 0 stored the mode as a number named "mode"; version 1
// called the content "body".
struct file {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::string> content;
    fw::attr<std::string> permissions;
  };
  struct state_v0 {
    fw::attr<std::string> id;
    fw::attr<std::string> content;
    fw::attr<std::int64_t> mode;
  };
  struct state_v1 {
    fw::attr<std::string> id;
    fw::attr<std::string> body;
    fw::attr<std::string> permissions;
  };
  static constexpr std::string_view type_name = "file";

  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .version(2)
        .attribute("id", &state::id, {.computed = true})
        .attribute("content", &state::content, {.required = true})
        .attribute("permissions", &state::permissions, {.optional = true});
  }
  static fw::schema_for<state_v0> schema_v0() {
    return fw::schema_for<state_v0>()
        .attribute("id", &state_v0::id, {.computed = true})
        .attribute("content", &state_v0::content, {.required = true})
        .attribute("mode", &state_v0::mode, {.optional = true});
  }
  static fw::schema_for<state_v1> schema_v1() {
    return fw::schema_for<state_v1>()
        .version(1)
        .attribute("id", &state_v1::id, {.computed = true})
        .attribute("body", &state_v1::body, {.required = true})
        .attribute("permissions", &state_v1::permissions, {.optional = true});
  }
  static std::vector<fw::state_upgrader<state>> state_upgraders() {
    return {fw::upgrade_from<state>(0, schema_v0(),
                                    [](const state_v0& old, state& next, fw::diagnostics& d) {
                                      next.id = old.id;
                                      next.content = old.content;
                                      if (old.mode.has_value()) {
                                        if (*old.mode < 0 || *old.mode > 0777) {
                                          d.add_error(fw::path::root("mode"), "Bad stored mode",
                                                      std::to_string(*old.mode));
                                          return;
                                        }
                                        char buf[8];
                                        std::snprintf(buf, sizeof buf, "%04o",
                                                      static_cast<unsigned>(*old.mode));
                                        next.permissions = std::string(buf);
                                      }
                                    }),
            fw::upgrade_from<state>(1, schema_v1(),
                                    [](const state_v1& old, state& next, fw::diagnostics&) {
                                      next.id = old.id;
                                      next.content = old.body;
                                      next.permissions = old.permissions;
                                    })};
  }

  // Moves from another provider's "legacy_document" (fields "name" and "text").
  struct legacy {
    fw::attr<std::string> name;
    fw::attr<std::string> text;
  };
  static fw::schema_for<legacy> legacy_schema() {
    return fw::schema_for<legacy>()
        .attribute("name", &legacy::name, {.required = true})
        .attribute("text", &legacy::text, {.optional = true});
  }
  static std::vector<fw::state_mover<state>> state_movers() {
    return {fw::move_from<state>(
        legacy_schema(),
        [](const fw::move_state_request& req, const legacy& src, state& next, fw::diagnostics&) {
          if (req.source_type_name != "legacy_document") return false;
          next.id = src.name;
          next.content = src.text.value_or("");
          return true;
        })};
  }

  void create(const fw::create_request<state>&, fw::create_response<state>& r) { r.state.id = "x"; }
  void read(const fw::read_request<state>&, fw::read_response<state>&) {}
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

// A resource with a bumped version but no upgraders, and no movers.
struct note {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::string> text;
  };
  static constexpr std::string_view type_name = "note";
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .version(3)
        .attribute("id", &state::id, {.computed = true})
        .attribute("text", &state::text, {.optional = true});
  }
  void create(const fw::create_request<state>&, fw::create_response<state>& r) { r.state.id = "n"; }
  void read(const fw::read_request<state>&, fw::read_response<state>&) {}
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

class state_moves : public ::testing::Test {
 protected:
  state_moves() {
    p.add_resource<file>();
    p.add_resource<note>();
  }
  fw::provider<> p{"up"};
  cppvider::testing::harness<fw::no_config, fw::no_client> h{p};
};

TEST_F(state_moves, CurrentVersionDecodesDirectly) {
  auto r = h.upgrade<file>(2, R"({"id":"a","content":"hi","permissions":"0600"})");
  ASSERT_FALSE(r.diagnostics().has_error()) << r.diagnostics().to_string();
  EXPECT_EQ(r.state.content, std::string("hi"));
  EXPECT_EQ(r.state.permissions, std::string("0600"));
}

TEST_F(state_moves, EachOlderVersionHasItsUpgrader) {
  auto v0 = h.upgrade<file>(0, R"({"id":"a","content":"hi","mode":420})");
  ASSERT_FALSE(v0.diagnostics().has_error()) << v0.diagnostics().to_string();
  EXPECT_EQ(v0.state.id, std::string("a"));
  EXPECT_EQ(v0.state.content, std::string("hi"));
  EXPECT_EQ(v0.state.permissions, std::string("0644"));

  auto v1 = h.upgrade<file>(1, R"({"id":"b","body":"old text","permissions":null})");
  ASSERT_FALSE(v1.diagnostics().has_error()) << v1.diagnostics().to_string();
  EXPECT_EQ(v1.state.content, std::string("old text"));
  EXPECT_TRUE(v1.state.permissions.is_null());
}

TEST_F(state_moves, UpgraderErrorsAndMissingVersionsAreDiagnostics) {
  auto bad = h.upgrade<file>(0, R"({"id":"a","content":"hi","mode":-1})");
  ASSERT_TRUE(bad.diagnostics().has_error());
  EXPECT_EQ(bad.diagnostics()[0].summary, "Bad stored mode");

  // Numbers as strings (older providers wrote them so) still read as the v0 number.
  auto text_number = h.upgrade<file>(0, R"({"id":"a","content":"hi","mode":"384"})");
  ASSERT_FALSE(text_number.diagnostics().has_error()) << text_number.diagnostics().to_string();
  EXPECT_EQ(text_number.state.permissions, std::string("0600"));

  auto newer = h.upgrade<file>(5, R"({"id":"a"})");
  ASSERT_TRUE(newer.diagnostics().has_error());
  EXPECT_NE(newer.diagnostics().to_string().find("newer than this provider"), std::string::npos);

  auto garbage = h.upgrade<file>(1, R"({"id":)");
  ASSERT_TRUE(garbage.diagnostics().has_error());
  EXPECT_NE(garbage.diagnostics().to_string().find("Could not read the prior state"),
            std::string::npos);
}

TEST_F(state_moves, WithoutUpgradersOlderStateIsReadLeniently) {
  auto r = h.upgrade<note>(1, R"({"id":"n1","text":"t","removed_later":true})");
  ASSERT_FALSE(r.diagnostics().has_error()) << r.diagnostics().to_string();
  EXPECT_EQ(r.state.text, std::string("t"));
}

TEST_F(state_moves, AMoverTakesTheSourceItKnows) {
  auto moved = h.move_state<file>({.source_provider_address = "registry.terraform.io/old/docs",
                                   .source_type_name = "legacy_document",
                                   .source_schema_version = 0,
                                   .source_json = R"({"name":"readme","text":"hello"})"});
  ASSERT_FALSE(moved.diagnostics().has_error()) << moved.diagnostics().to_string();
  EXPECT_EQ(moved.state.id, std::string("readme"));
  EXPECT_EQ(moved.state.content, std::string("hello"));
  EXPECT_TRUE(moved.state.permissions.is_null());
}

TEST_F(state_moves, UnknownSourcesAndResourcesWithoutMoversAreErrors) {
  auto other = h.move_state<file>({.source_provider_address = "registry.terraform.io/x/y",
                                   .source_type_name = "y_thing",
                                   .source_json = R"({"name":"a"})"});
  ASSERT_TRUE(other.diagnostics().has_error());
  EXPECT_NE(other.diagnostics().to_string().find("no state mover for y_thing"), std::string::npos)
      << other.diagnostics().to_string();

  auto none = h.move_state<note>({.source_provider_address = "registry.terraform.io/x/y",
                                  .source_type_name = "legacy_document",
                                  .source_json = R"({"name":"a"})"});
  ASSERT_TRUE(none.diagnostics().has_error());
  EXPECT_NE(none.diagnostics().to_string().find("accepts no state moved"), std::string::npos);

  // The server says it can move state, or Terraform would never ask.
  EXPECT_TRUE(h.provider_schema().capabilities.move_resource_state);
}

TEST(dynamic_state_moves, UntypedUpgradersWorkOnCtyValues) {
  fw::provider<> p{"dyn"};
  auto r = std::make_shared<fw::dynamic_resource>(
      "thing",
      fw::schema_builder().version(1).attribute("name", cty::type::string(), {.optional = true}));
  r->upgraders.push_back({0, cty::type::object({{"title", cty::type::string()}}),
                          [](const cty::value& prior, cty::value& next, fw::diagnostics&) {
                            next = cty::value::object({{"name", prior.get_attr("title")}});
                          }});
  p.add_resource(r);
  cppvider::testing::harness<fw::no_config, fw::no_client> h{p};
  auto up = h.upgrade("dyn_thing", 0, R"({"title":"T"})");
  ASSERT_FALSE(up.diagnostics.has_error()) << up.diagnostics.to_string();
  EXPECT_EQ(up.state.get_attr("name"), cty::value::string("T"));

  // An upgrader that returns the wrong shape is caught, naming the resource.
  r->upgraders.clear();
  fw::provider<> p2{"dyn"};
  auto r2 = std::make_shared<fw::dynamic_resource>(
      "thing",
      fw::schema_builder().version(1).attribute("name", cty::type::string(), {.optional = true}));
  r2->upgraders.push_back({0, cty::type::object({{"title", cty::type::string()}}),
                           [](const cty::value&, cty::value& next, fw::diagnostics&) {
                             next = cty::value::string("not an object");
                           }});
  p2.add_resource(r2);
  cppvider::testing::harness<fw::no_config, fw::no_client> h2{p2};
  auto wrong = h2.upgrade("dyn_thing", 0, R"({"title":"T"})");
  ASSERT_TRUE(wrong.diagnostics.has_error());
  EXPECT_NE(wrong.diagnostics.to_string().find("dyn_thing"), std::string::npos);
}

}  // namespace state_upgrade_test

namespace provider_meta_test {

// Hooks see the module's provider_meta block.
struct probe {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::string> seen_module;
  };
  static constexpr std::string_view type_name = "probe";
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("id", &state::id, {.computed = true})
        .attribute("seen_module", &state::seen_module, {.computed = true});
  }
  static std::string module_of(const cty::value& meta) {
    if (meta.is_null()) return "(none)";
    const auto& m = meta.get_attr("module_name");
    return m.is_null() ? "(unset)" : std::string(m.as_string());
  }
  void create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
    resp.state.id = "p";
    resp.state.seen_module = module_of(req.provider_meta);
  }
  void read(const fw::read_request<state>& req, fw::read_response<state>& resp) {
    resp.state.seen_module = module_of(req.provider_meta);
  }
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

TEST(provider_meta, SchemaIsReportedAndHooksReceiveTheBlock) {
  fw::provider<> p{"pm"};
  p.provider_meta_schema().attribute("module_name", cty::type::string(), {.optional = true});
  p.add_resource<probe>();
  cppvider::testing::harness<fw::no_config, fw::no_client> h{p};
  const auto schema = h.provider_schema();
  ASSERT_TRUE(schema.provider_meta.has_value());
  ASSERT_EQ(schema.provider_meta->block.attributes.size(), 1U);
  EXPECT_EQ(schema.provider_meta->block.attributes[0].name, "module_name");

  auto without = h.create<probe>({});
  ASSERT_FALSE(without.diagnostics().has_error()) << without.diagnostics().to_string();
  EXPECT_EQ(without.state.seen_module, std::string("(none)"));

  h.set_provider_meta(cty::value::object({{"module_name", cty::value::string("network")}}));
  auto with = h.create<probe>({});
  ASSERT_FALSE(with.diagnostics().has_error()) << with.diagnostics().to_string();
  EXPECT_EQ(with.state.seen_module, std::string("network"));
  auto read = h.read<probe>(with.state);
  EXPECT_EQ(read.state.seen_module, std::string("network"));
}

TEST(provider_meta, AbsentWithoutASchema) {
  fw::provider<> p{"pm"};
  p.add_resource<probe>();
  cppvider::testing::harness<fw::no_config, fw::no_client> h{p};
  EXPECT_FALSE(h.provider_schema().provider_meta.has_value());
  EXPECT_THROW(h.set_provider_meta(cty::value::object({})), std::logic_error);
}

}  // namespace provider_meta_test
