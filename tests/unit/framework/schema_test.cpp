// The schema DSL: mistakes are diagnostics naming the attribute; the result maps to the wire.
#include <gtest/gtest.h>

#include "cppvider/cty/type_json.hpp"
#include "cppvider/framework/schema.hpp"

namespace {

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;

std::string first_error(const fw::schema_result& r) {
  for (const auto& d : r.diagnostics)
    if (d.severity == fw::severity::error) return d.detail;
  return {};
}

TEST(schema_test, rejects_invalid_combinations_naming_the_attribute) {
  struct tcase {
    const char* name;
    fw::attribute_options<> options;
    const char* expect;
  };
  const std::vector<tcase> cases = {
      {"neither", {}, "must be required, optional or computed"},
      {"req_opt", {.required = true, .optional = true}, "both required and optional"},
      {"req_comp", {.required = true, .computed = true}, "both required and computed"},
      {"req_default",
       {.required = true, .default_value = cty::value::string("x")},
       "required attribute cannot have a default"},
      {"opt_default",
       {.optional = true, .default_value = cty::value::string("x")},
       "must be computed"},
      {"bad_default",
       {.optional = true, .computed = true, .default_value = cty::value::number(1)},
       "the default is a number, the attribute a string"},
  };
  for (const auto& c : cases) {
    fw::schema_builder b;
    b.attribute(c.name, cty::type::string(), c.options);
    auto r = b.build();
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(first_error(r).find(c.expect), std::string::npos) << c.name << ": " << first_error(r);
    EXPECT_NE(first_error(r).find(c.name), std::string::npos) << c.name;
    EXPECT_EQ(r.diagnostics[0].attribute, fw::path::root(c.name));
  }
}

TEST(schema_test, rejects_empty_invalid_and_duplicate_names) {
  fw::schema_builder b;
  b.attribute("", cty::type::string(), {.optional = true})
      .attribute("Bad Name", cty::type::string(), {.optional = true})
      .attribute("dup", cty::type::string(), {.optional = true})
      .attribute("dup", cty::type::number(), {.optional = true});
  auto r = b.build();
  ASSERT_EQ(r.diagnostics.error_count(), 3U) << r.diagnostics.to_string();
  EXPECT_NE(r.diagnostics[0].detail.find("empty name"), std::string::npos);
  EXPECT_NE(r.diagnostics[1].detail.find("not a valid name"), std::string::npos);
  EXPECT_NE(r.diagnostics[2].detail.find("declared more than once"), std::string::npos);
  // A block may not reuse an attribute's name either.
  fw::schema_builder nested;
  nested.attribute("x", cty::type::string(), {.optional = true});
  b = {};
  b.attribute("a", cty::type::string(), {.optional = true}).block("a", fw::nesting::list, nested);
  EXPECT_FALSE(b.build().ok());
}

TEST(schema_test, rejects_bad_blocks_and_nested_mistakes_with_full_path) {
  fw::schema_builder inner;
  inner.attribute("port", cty::type::number(), {.required = true, .computed = true});
  fw::schema_builder b;
  b.block("rule", fw::nesting::list, inner, {.min_items = 3, .max_items = 2});
  auto r = b.build();
  ASSERT_EQ(r.diagnostics.error_count(), 2U) << r.diagnostics.to_string();
  EXPECT_NE(r.diagnostics.to_string().find("min_items is greater than max_items"),
            std::string::npos);
  // The nested mistake names its full path.
  bool found = false;
  for (const auto& d : r.diagnostics)
    found = found || d.attribute == fw::path::root("rule").attribute("port");
  EXPECT_TRUE(found) << r.diagnostics.to_string();

  fw::schema_builder g;
  g.nested_attribute("grp", fw::nesting::group, inner, {.optional = true});
  EXPECT_NE(g.build().diagnostics.to_string().find("group is for blocks"), std::string::npos);
  fw::schema_builder s;
  s.block("one", fw::nesting::single, fw::schema_builder{}, {.max_items = 1});
  EXPECT_FALSE(s.build().ok());
}

TEST(schema_test, produces_the_wire_schema_and_object_type) {
  fw::schema_builder rule;
  rule.attribute("port", cty::type::number(), {.required = true});
  fw::schema_builder b;
  b.version(3)
      .description("A thing")
      .attribute("name", cty::type::string(),
                 {.required = true, .sensitive = true, .markdown_description = "The **name**"})
      .attribute("tags", cty::type::map(cty::type::string()),
                 {.optional = true, .deprecation_message = "use labels"})
      .nested_attribute("rules", fw::nesting::set, rule, {.optional = true})
      .block("target", fw::nesting::list, rule, {.min_items = 1, .max_items = 4});
  auto r = b.build();
  ASSERT_TRUE(r.ok()) << r.diagnostics.to_string();
  EXPECT_EQ(cty::type_to_json(r.schema->type()),
            R"(["object",{"name":"string","rules":["set",["object",{"port":"number"}]],)"
            R"("tags":["map","string"],"target":["list",["object",{"port":"number"}]]}])");
  const auto w = fw::to_plugin(*r.schema);
  EXPECT_EQ(w.version, 3);
  EXPECT_EQ(w.block.description, "A thing");
  ASSERT_EQ(w.block.attributes.size(), 3U);
  EXPECT_EQ(w.block.attributes[0].type_json, "\"string\"");
  EXPECT_TRUE(w.block.attributes[0].sensitive);
  EXPECT_EQ(w.block.attributes[0].description_kind, cppvider::plugin::string_kind::markdown);
  EXPECT_TRUE(w.block.attributes[1].deprecated);
  EXPECT_EQ(w.block.attributes[1].deprecation_message, "use labels");
  ASSERT_NE(w.block.attributes[2].nested_type, nullptr);
  EXPECT_TRUE(w.block.attributes[2].type_json.empty());
  EXPECT_EQ(w.block.attributes[2].nested_type->nesting,
            cppvider::plugin::schema_object::nesting_mode::set);
  ASSERT_EQ(w.block.block_types.size(), 1U);
  EXPECT_EQ(w.block.block_types[0].type_name, "target");
  EXPECT_EQ(w.block.block_types[0].min_items, 1);
  EXPECT_EQ(w.block.block_types[0].max_items, 4);
}

struct typed_state {
  fw::attr<std::string> name;
  fw::attr<std::int64_t> count;
  fw::attr<std::vector<std::string>> list;
  fw::attr<std::set<std::int64_t>> set;
  fw::attr<std::map<std::string, bool>> flags;
  fw::attr<double> ratio;
  fw::attr<cty::value> anything;
};

TEST(schema_test, typed_attributes_take_their_cty_type_from_the_field) {
  auto sf = fw::schema_for<typed_state>()
                .attribute("name", &typed_state::name, {.required = true})
                .attribute("count", &typed_state::count,
                           {.optional = true, .computed = true, .default_value = 3})
                .attribute("list", &typed_state::list, {.optional = true})
                .attribute("set", &typed_state::set, {.optional = true})
                .attribute("flags", &typed_state::flags, {.optional = true})
                .attribute("ratio", &typed_state::ratio, {.optional = true})
                .attribute("anything", &typed_state::anything, {.optional = true});
  auto r = sf.build();
  ASSERT_TRUE(r.ok()) << r.diagnostics.to_string();
  EXPECT_EQ(
      cty::type_to_json(r.schema->type()),
      R"(["object",{"anything":"dynamic","count":"number","flags":["map","bool"],)"
      R"("list":["list","string"],"name":"string","ratio":"number","set":["set","number"]}])");
  const auto* count = r.schema->block->find_attribute("count");
  ASSERT_NE(count, nullptr);
  ASSERT_TRUE(count->default_value.has_value());
  EXPECT_EQ(*count->default_value, cty::value::number(3));
}

}  // namespace
