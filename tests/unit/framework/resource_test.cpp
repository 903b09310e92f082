// Resources end to end through the provider's RPC handlers (in-process harness): planning
// semantics, apply, read, import, upgrade, data sources, configuration, consistency checks.
#include <gtest/gtest.h>

#include "cppvider/cty/msgpack.hpp"
#include "cppvider/testing/harness.hpp"
#include "test_provider.hpp"

namespace {

using namespace testprov;
using cppvider::testing::harness;
using state = thing::state;

class resource_test : public ::testing::Test {
 protected:
  resource_test() : p{"tp"}, h{p} {
    setup(p, api);
    auto d = h.configure({.label = "lab"});
    EXPECT_FALSE(d.has_error()) << d.to_string();
  }
  state base() {
    state s;
    s.name = "alpha";
    return s;
  }
  backend api;
  fw::provider<config, backend> p;
  harness<config, backend> h;
};

bool mentions(const fw::diagnostics& d, std::string_view text) {
  return d.to_string().find(text) != std::string::npos;
}

TEST_F(resource_test, create_plan_marks_computed_unknown_and_applies_defaults) {
  auto plan = h.plan<thing>(base());
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  EXPECT_TRUE(plan.planned.id.is_unknown());
  EXPECT_TRUE(plan.planned.etag.is_unknown());
  EXPECT_EQ(plan.planned.size, 10);          // default, known at plan time
  EXPECT_EQ(plan.planned.upper, "ALPHA");    // modify_plan
  EXPECT_TRUE(plan.planned.note.is_null());  // optional, not computed: stays null
  EXPECT_FALSE(plan.replaces());
}

TEST_F(resource_test, create_apply_fills_state_and_replan_is_a_no_op) {
  auto created = h.create<thing>(base());
  ASSERT_FALSE(created.diagnostics().has_error()) << created.diagnostics().to_string();
  ASSERT_TRUE(created.exists);
  EXPECT_EQ(created.state.id, "t-1");
  EXPECT_EQ(created.state.etag, "etag-0");
  EXPECT_EQ(created.state.size, 10);
  auto again = h.plan<thing>(base(), created.state);
  ASSERT_FALSE(again.diagnostics().has_error()) << again.diagnostics().to_string();
  EXPECT_TRUE(again.no_changes());
  EXPECT_FALSE(again.replaces());
}

TEST_F(resource_test, update_marks_computed_unknown_but_keeps_use_state_for_unknown) {
  auto created = h.create<thing>(base());
  auto cfg = base();
  cfg.note = "hello";
  auto plan = h.plan<thing>(cfg, created.state);
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  EXPECT_FALSE(plan.replaces());
  EXPECT_EQ(plan.planned.id, "t-1");            // use_state_for_unknown
  EXPECT_TRUE(plan.planned.etag.is_unknown());  // computed, changes on update
  EXPECT_EQ(plan.planned.note, "hello");
  auto updated = h.apply<thing>(plan);
  ASSERT_FALSE(updated.diagnostics().has_error()) << updated.diagnostics().to_string();
  EXPECT_EQ(updated.state.etag, "etag-1");
  EXPECT_EQ(api.updates, 1);
}

TEST_F(resource_test, configured_value_replaces_default) {
  auto cfg = base();
  cfg.size = 42;
  auto plan = h.plan<thing>(cfg);
  EXPECT_EQ(plan.planned.size, 42);
}

TEST_F(resource_test, requires_replace_reports_path_and_unknowns_everything_computed) {
  auto created = h.create<thing>(base());
  auto cfg = base();
  cfg.name = "beta";
  auto plan = h.plan<thing>(cfg, created.state);
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  EXPECT_TRUE(plan.replaces(fw::path::root("name")));
  EXPECT_EQ(plan.raw.requires_replace.size(), 1U);
  EXPECT_TRUE(plan.planned.id.is_unknown());  // a new object gets a new id
  auto replaced = h.apply<thing>(plan);
  ASSERT_FALSE(replaced.diagnostics().has_error()) << replaced.diagnostics().to_string();
  EXPECT_EQ(replaced.state.id, "t-2");
  EXPECT_EQ(api.objects.count("t-1"), 0U);
}

TEST_F(resource_test, requires_replace_if_follows_its_condition) {
  auto cfg = base();
  cfg.zone = "eu";
  auto created = h.create<thing>(cfg);
  cfg.zone = "us";
  EXPECT_TRUE(h.plan<thing>(cfg, created.state).replaces(fw::path::root("zone")));
  cfg.zone = "any";
  auto p = h.plan<thing>(cfg, created.state);
  EXPECT_FALSE(p.replaces());
  EXPECT_EQ(p.planned.zone, "any");
}

TEST_F(resource_test, destroy_plans_null_and_deletes) {
  auto created = h.create<thing>(base());
  auto plan = h.plan_destroy<thing>(created.state);
  ASSERT_FALSE(plan.diagnostics().has_error());
  EXPECT_TRUE(plan.raw.planned.is_null());
  auto gone = h.apply<thing>(plan);
  ASSERT_FALSE(gone.diagnostics().has_error()) << gone.diagnostics().to_string();
  EXPECT_FALSE(gone.exists);
  EXPECT_TRUE(api.objects.empty());
}

TEST_F(resource_test, failed_destroy_keeps_the_prior_state) {
  auto created = h.create<thing>(base());
  api.misbehave = "error";
  auto r = h.destroy<thing>(created.state);
  EXPECT_TRUE(r.diagnostics().has_error());
  ASSERT_TRUE(r.exists);
  EXPECT_EQ(r.state.id, "t-1");
}

TEST_F(resource_test, failed_create_returns_null_state_and_the_authors_diagnostic) {
  api.misbehave = "error";
  auto r = h.create<thing>(base());
  EXPECT_FALSE(r.exists);
  ASSERT_EQ(r.diagnostics().error_count(), 1U);
  EXPECT_EQ(r.diagnostics()[0].summary, "Could not create");
  EXPECT_EQ(r.diagnostics()[0].attribute, fw::path::root("name"));
}

TEST_F(resource_test, nested_list_attribute_defaults_and_computed_elements) {
  auto cfg = base();
  cfg.rules = std::vector<rule>{{.port = 22}, {.port = 443, .proto = "udp"}};
  auto plan = h.plan<thing>(cfg);
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  ASSERT_TRUE(plan.planned.rules.has_value());
  ASSERT_EQ(plan.planned.rules->size(), 2U);
  EXPECT_EQ((*plan.planned.rules)[0].proto, "tcp");  // default inside a nested attribute
  EXPECT_EQ((*plan.planned.rules)[1].proto, "udp");
  EXPECT_TRUE((*plan.planned.rules)[0].rid.is_unknown());
  auto applied = h.apply<thing>(plan);
  ASSERT_FALSE(applied.diagnostics().has_error()) << applied.diagnostics().to_string();
  EXPECT_EQ((*applied.state.rules)[1].rid, "r443");
  auto again = h.plan<thing>(cfg, applied.state);
  EXPECT_TRUE(again.no_changes()) << cppvider::cty::to_string(again.raw.planned);
}

TEST_F(resource_test, list_blocks_plan_like_nested_attributes_and_check_counts) {
  auto cfg = base();
  cfg.entries = std::vector<rule>{{.port = 80}};
  auto plan = h.plan<thing>(cfg);
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  EXPECT_EQ((*plan.planned.entries)[0].proto, "tcp");
  EXPECT_TRUE((*plan.planned.entries)[0].rid.is_unknown());
  cfg.entries = std::vector<rule>{{.port = 1}, {.port = 2}, {.port = 3}, {.port = 4}};
  auto too_many = h.plan<thing>(cfg);
  EXPECT_TRUE(mentions(too_many.diagnostics(), "between 0 and 3 items, got 4"));
}

TEST_F(resource_test, validators_reject_configuration_with_paths) {
  auto cfg = base();
  cfg.name = "this-name-is-far-too-long";
  cfg.rules = std::vector<rule>{{.port = 70000}};
  cfg.tags = std::set<std::string>{"a", "b", "c", "d"};
  auto d = h.validate<thing>(cfg);
  ASSERT_EQ(d.error_count(), 3U) << d.to_string();
  EXPECT_EQ(d[0].attribute, fw::path::root("name"));
  EXPECT_EQ(d[1].attribute, fw::path::root("rules").index(0).attribute("port"));
  EXPECT_EQ(d[2].attribute, fw::path::root("tags"));
}

TEST_F(resource_test, apply_changing_a_planned_value_is_an_error_naming_type_and_attribute) {
  api.misbehave = "change_name";
  auto r = h.create<thing>(base());
  ASSERT_TRUE(r.diagnostics().has_error());
  EXPECT_EQ(r.diagnostics()[0].summary, "Provider produced inconsistent result after apply");
  EXPECT_TRUE(mentions(r.diagnostics(), "tp_thing"));
  EXPECT_EQ(r.diagnostics()[0].attribute, fw::path::root("name"));
}

TEST_F(resource_test, unknown_after_apply_is_an_error) {
  api.misbehave = "leave_unknown";
  auto r = h.create<thing>(base());
  ASSERT_TRUE(r.diagnostics().has_error());
  EXPECT_EQ(r.diagnostics()[0].attribute, fw::path::root("etag"));
  EXPECT_TRUE(mentions(r.diagnostics(), "tp_thing"));
}

TEST_F(resource_test, plan_changing_a_non_computed_value_is_an_error) {
  api.misbehave = "bad_plan";
  auto plan = h.plan<thing>(base());
  ASSERT_TRUE(plan.diagnostics().has_error());
  EXPECT_EQ(plan.diagnostics()[0].summary, "Provider produced invalid plan");
  EXPECT_EQ(plan.diagnostics()[0].attribute, fw::path::root("note"));
  EXPECT_TRUE(mentions(plan.diagnostics(), "tp_thing"));
}

TEST_F(resource_test, exceptions_become_diagnostics_naming_type_and_operation) {
  auto created = h.create<thing>(base());
  api.misbehave = "throw";
  auto r = h.read<thing>(created.state);
  ASSERT_EQ(r.diagnostics().error_count(), 1U);
  EXPECT_EQ(r.diagnostics()[0].summary, "Unexpected error in read");
  EXPECT_TRUE(mentions(r.diagnostics(), "tp_thing: read exploded"));
  EXPECT_EQ(r.state.id, "t-1");  // the prior state is kept
  auto c = h.create<thing>(base());
  EXPECT_TRUE(mentions(c.diagnostics(), "Unexpected error in create"));
  EXPECT_FALSE(c.exists);
}

// value() of a null or unknown attribute is a bug in the hook; the diagnostic names the value
// as the author wrote it, nested elements included, and says what to do instead.
TEST_F(resource_test, reading_an_attribute_that_has_no_value_names_it) {
  auto cfg = base();
  cfg.rules = std::vector<rule>{{.port = 22}, {.port = 443}};
  const std::pair<const char*, const char*> cases[] = {
      {"read_unknown", "attribute value is unknown: request.plan.id"},
      {"read_nested_unknown", "attribute value is unknown: request.plan.rules[1].rid"},
      {"read_null_note", "attribute value is null: response.state.note"}};
  for (const auto& [knob, expected] : cases) {
    api.misbehave = knob;
    auto c = h.create<thing>(cfg);
    ASSERT_EQ(c.diagnostics().error_count(), 1U) << knob;
    EXPECT_EQ(c.diagnostics()[0].summary, "Unexpected error in create") << knob;
    EXPECT_TRUE(mentions(c.diagnostics(), expected)) << c.diagnostics().to_string();
    EXPECT_TRUE(mentions(c.diagnostics(), "is_unknown()")) << c.diagnostics().to_string();
    EXPECT_FALSE(c.exists) << knob;
  }
}

TEST_F(resource_test, read_removes_vanished_objects) {
  auto created = h.create<thing>(base());
  api.objects.clear();
  auto r = h.read<thing>(created.state);
  ASSERT_FALSE(r.diagnostics().has_error());
  EXPECT_FALSE(r.exists);
}

TEST_F(resource_test, import_passes_the_id_through_and_read_completes_it) {
  auto imported = h.import_state<plain>("abc");
  ASSERT_FALSE(imported.diagnostics().has_error()) << imported.diagnostics().to_string();
  EXPECT_EQ(imported.state.id, "abc");
  EXPECT_TRUE(imported.state.value.is_null());
  auto read = h.read<plain>(imported.state);
  EXPECT_EQ(read.state.value, "read:abc");
}

TEST_F(resource_test, upgrade_same_version_tolerates_extra_and_missing_attributes) {
  auto r = h.upgrade("tp_plain", 2, R"({"id":"x","removed_long_ago":true})");
  ASSERT_FALSE(r.diagnostics.has_error()) << r.diagnostics.to_string();
  EXPECT_EQ(r.state.get_attr("id").as_string(), "x");
  EXPECT_TRUE(r.state.get_attr("value").is_null());
  auto newer = h.upgrade("tp_plain", 3, R"({"id":"x"})");
  EXPECT_TRUE(mentions(newer.diagnostics, "newer than this provider's version 2"));
}

TEST_F(resource_test, data_source_reads_through_the_client) {
  auto created = h.create<thing>(base());
  auto r = h.read_data<lookup>({.id = created.state.id});
  ASSERT_FALSE(r.diagnostics().has_error()) << r.diagnostics().to_string();
  EXPECT_EQ(r.state.name, "alpha");
  EXPECT_EQ(r.state.label, "lab");  // from the provider configuration
  auto missing = h.read_data<lookup>({.id = "nope"});
  EXPECT_EQ(missing.diagnostics()[0].attribute, fw::path::root("id"));
}

TEST_F(resource_test, typed_hooks_keep_values_their_fields_cannot_hold_exactly) {
  // 0.1 is an exact decimal in cty but not in a double; a set with an unknown element cannot
  // live in a std::set<std::string>. Hooks that leave such fields alone must not change them.
  const auto t = p.resource_schema("tp_thing")->type();
  auto cfg = fw::with_attribute(fw::null_object(*p.resource_schema("tp_thing")->block), "name",
                                cty::value::string("alpha"));
  cfg = fw::with_attribute(cfg, "ratio", cty::value::number(*cty::number::parse("0.1")));
  auto partly = fw::with_attribute(
      cfg, "tags",
      cty::value::set(cty::type::string(),
                      {cty::value::string("a"), cty::value::unknown(cty::type::string())}));
  auto plan = h.harness_base::plan("tp_thing", partly, cty::value::null(t));
  ASSERT_FALSE(plan.diagnostics.has_error()) << plan.diagnostics.to_string();
  EXPECT_EQ(plan.planned.get_attr("tags"), partly.get_attr("tags"));
  EXPECT_EQ(plan.planned.get_attr("ratio").as_number().to_string(), "0.1");

  auto known = h.harness_base::plan("tp_thing", cfg, cty::value::null(t));
  auto applied = h.harness_base::apply(known);
  ASSERT_FALSE(applied.diagnostics.has_error()) << applied.diagnostics.to_string();
  EXPECT_EQ(applied.state.get_attr("ratio").as_number().to_string(), "0.1");
  auto read = h.harness_base::read("tp_thing", applied.state);
  EXPECT_EQ(read.state.get_attr("ratio"), applied.state.get_attr("ratio"));
}

TEST(provider_test, resources_need_a_configured_client) {
  backend api;
  fw::provider<config, backend> p{"tp"};
  setup(p, api);
  harness h{p};
  state s;
  s.name = "x";
  auto r = h.create<thing>(s);
  EXPECT_TRUE(mentions(r.diagnostics(), "Provider not configured"));
  auto d = h.configure({.label = "reject"});
  ASSERT_EQ(d.error_count(), 1U);
  EXPECT_EQ(d[0].attribute, fw::path::root("label"));
  EXPECT_EQ(p.client(), nullptr);
  EXPECT_TRUE(h.validate_provider({.mode = "slow"}).has_error());
  EXPECT_FALSE(h.validate_provider({.mode = "safe"}).has_error());
}

TEST(provider_test, metadata_lists_types_and_schema_is_built_once) {
  backend api;
  fw::provider<config, backend> p{"tp"};
  setup(p, api);
  harness h{p};
  auto m = h.metadata();
  EXPECT_EQ(m.resources, (std::vector<std::string>{"tp_plain", "tp_thing"}));
  EXPECT_EQ(m.data_sources, (std::vector<std::string>{"tp_lookup"}));
  EXPECT_TRUE(m.capabilities.get_provider_schema_optional);
  EXPECT_TRUE(m.capabilities.plan_destroy);
  auto s1 = h.provider_schema();
  auto s2 = h.provider_schema();
  EXPECT_TRUE(s1.diags.empty());
  EXPECT_TRUE(s1.capabilities.get_provider_schema_optional);
  ASSERT_EQ(s1.resource_schemas.count("tp_plain"), 1U);
  EXPECT_EQ(s1.resource_schemas.at("tp_plain").version, 2);
  EXPECT_EQ(s1.resource_schemas.at("tp_thing").block.block_types.size(), 1U);
  // The same built answer both times: nested schema objects are shared, not rebuilt.
  const auto& a1 = s1.resource_schemas.at("tp_thing").block.attributes;
  const auto& a2 = s2.resource_schemas.at("tp_thing").block.attributes;
  const auto rules = [](const auto& attrs) {
    for (const auto& a : attrs)
      if (a.name == "rules") return a.nested_type.get();
    return static_cast<const cppvider::plugin::schema_object*>(nullptr);
  };
  ASSERT_NE(rules(a1), nullptr);
  EXPECT_EQ(rules(a1), rules(a2));
}

// ---- Untyped resources with run-time schemas -------------------------------------------

TEST(dynamic_resource_test, user_defined_plan_modifier_and_value_hooks) {
  fw::provider<> p{"dyn"};
  fw::schema_builder sb;
  sb.attribute("name", cty::type::string(),
               {.required = true,
                .plan_modifiers = {{"lower-case names replace",
                                    [](const fw::plan_modifier_request& r,
                                       fw::plan_modifier_response& resp) {
                                      if (!r.creating && r.plan.is_known() && !(r.plan == r.state))
                                        resp.requires_replace = true;
                                    }}}})
      .attribute(
          "len", cty::type::number(),
          {.computed = true,
           .plan_modifiers = {{"length of name when known", [](const fw::plan_modifier_request& r,
                                                               fw::plan_modifier_response& resp) {
                                 (void)r;
                                 resp.plan = cty::value::unknown(cty::type::number());
                               }}}});
  auto res = std::make_shared<fw::dynamic_resource>("item", sb);
  res->on_create = [](const fw::create_request<cty::value>& q, fw::create_response<cty::value>& r) {
    const auto n = static_cast<std::int64_t>(q.plan.get_attr("name").as_string().size());
    r.state = fw::with_attribute(r.state, "len", cty::value::number(n));
  };
  res->on_read = [](const auto&, auto&) {};
  res->on_update = [](const auto&, auto&) {};
  res->on_destroy = [](const auto&, auto&) {};
  p.add_resource(res);
  cppvider::testing::harness_base h{p};
  ASSERT_FALSE(h.configure(cty::value::object(cty::type::object({}), {})).has_error());
  const auto t = p.resource_schema("dyn_item")->type();
  auto cfg = cty::value::object(t, {{"name", cty::value::string("abcd")}});
  auto plan = h.plan("dyn_item", cfg, cty::value::null(t));
  ASSERT_FALSE(plan.diagnostics.has_error()) << plan.diagnostics.to_string();
  auto applied = h.apply(plan);
  ASSERT_FALSE(applied.diagnostics.has_error()) << applied.diagnostics.to_string();
  EXPECT_EQ(applied.state.get_attr("len").as_number(), cty::number(4));
  auto cfg2 = cty::value::object(t, {{"name", cty::value::string("xy")}});
  auto plan2 = h.plan("dyn_item", cfg2, applied.state);
  ASSERT_EQ(plan2.requires_replace.size(), 1U);
  EXPECT_EQ(plan2.requires_replace[0], fw::path::root("name"));
}

}  // namespace
