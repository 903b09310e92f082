// Planning of nested attributes and blocks in every nesting mode, on a run-time schema.
#include <gtest/gtest.h>

#include "cppvider/framework/values.hpp"
#include "cppvider/testing/harness.hpp"

namespace {

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;
using cppvider::testing::harness_base;

// An object with a required "key" and a computed "seen" that create/update fill in.
fw::schema_builder item() {
  fw::schema_builder b;
  b.attribute("key", cty::type::string(), {.required = true})
      .attribute("seen", cty::type::string(), {.computed = true})
      .attribute("mode", cty::type::string(),
                 {.optional = true, .computed = true, .default_value = cty::value::string("rw")});
  return b;
}

// Sets every unknown "seen" below `v` to "yes".
cty::value fill(const cty::value& v) {
  if (!v.is_known() || v.is_null()) return v;
  const auto t = v.type();
  if (t.is_object()) {
    std::vector<std::pair<std::string, cty::value>> out;
    for (std::size_t i = 0; i < t.attributes().size(); ++i) {
      const auto& name = t.attributes()[i].name;
      const auto& x = v.elements()[i];
      out.emplace_back(name, name == "seen" && !x.is_known() ? cty::value::string("yes") : fill(x));
    }
    return cty::value::object(t, std::move(out));
  }
  if (t.is_list() || t.is_set()) {
    std::vector<cty::value> out;
    for (const auto& e : v.elements()) out.push_back(fill(e));
    return t.is_list() ? cty::value::list(t.element_type(), std::move(out))
                       : cty::value::set(t.element_type(), std::move(out));
  }
  if (t.is_map()) {
    std::vector<std::pair<std::string, cty::value>> out;
    for (const auto& e : v.entries()) out.emplace_back(e.key, fill(e.value));
    return cty::value::map(t.element_type(), std::move(out));
  }
  return v;
}

class plan_test : public ::testing::Test {
 protected:
  plan_test() : h{p} {
    fw::schema_builder b;
    b.attribute("id", cty::type::string(), {.computed = true})
        .nested_attribute("single", fw::nesting::single, item(), {.optional = true})
        .nested_attribute("by_name", fw::nesting::map, item(), {.optional = true})
        .nested_attribute("many", fw::nesting::set, item(), {.optional = true})
        .block("one", fw::nesting::single, item())
        .block("each", fw::nesting::set, item())
        .block("named", fw::nesting::map, item());
    auto r = std::make_shared<fw::dynamic_resource>("nest", b);
    r->on_create = [](const auto&, fw::create_response<cty::value>& resp) {
      resp.state = fw::with_attribute(fill(resp.state), "id", cty::value::string("n1"));
    };
    r->on_update = [](const auto&, fw::update_response<cty::value>& resp) {
      resp.state = fill(resp.state);
    };
    r->on_read = [](const auto&, auto&) {};
    r->on_destroy = [](const auto&, auto&) {};
    p.add_resource(r);
    EXPECT_FALSE(h.configure(cty::value::object(cty::type::object({}), {})).has_error());
    t = p.resource_schema("t_nest")->type();
    it = p.resource_schema("t_nest")->block->find_block("one")->block->object_type;
  }

  cty::value obj(const std::string& key) {
    return cty::value::object(it, {{"key", cty::value::string(key)}});
  }
  cty::value config(std::vector<std::pair<std::string, cty::value>> attrs) {
    const auto& b = *p.resource_schema("t_nest")->block;
    auto base = fw::null_object(b);
    for (auto& [k, v] : attrs) base = fw::with_attribute(base, k, std::move(v));
    return base;
  }

  fw::provider<> p{"t"};
  harness_base h;
  cty::type t, it;
};

TEST_F(plan_test, every_nesting_mode_gets_defaults_and_unknown_computed_values) {
  auto cfg = config({
      {"single", obj("s")},
      {"by_name", cty::value::map(it, {{"a", obj("m")}})},
      {"many", cty::value::set(it, {obj("x"), obj("y")})},
      {"one", obj("o")},
      {"each", cty::value::set(it, {obj("e")})},
      {"named", cty::value::map(it, {{"n", obj("k")}})},
  });
  auto plan = h.plan("t_nest", cfg, cty::value::null(t));
  ASSERT_FALSE(plan.diagnostics.has_error()) << plan.diagnostics.to_string();
  const auto& pl = plan.planned;
  const auto check = [](const cty::value& o, const char* where) {
    EXPECT_EQ(o.get_attr("mode"), cty::value::string("rw")) << where;
    EXPECT_FALSE(o.get_attr("seen").is_known()) << where;
  };
  check(pl.get_attr("single"), "single");
  check(*pl.get_attr("by_name").find("a"), "map");
  for (const auto& e : pl.get_attr("many").elements()) check(e, "set");
  check(pl.get_attr("one"), "single block");
  check(pl.get_attr("each").elements()[0], "set block");
  check(*pl.get_attr("named").find("n"), "map block");
  EXPECT_EQ(pl.get_attr("many").length(), 2U);

  auto applied = h.apply(plan);
  ASSERT_FALSE(applied.diagnostics.has_error()) << applied.diagnostics.to_string();
  EXPECT_TRUE(applied.state.is_wholly_known());
  EXPECT_EQ(applied.state.get_attr("one").get_attr("seen"), cty::value::string("yes"));

  // Planning the same configuration again changes nothing, in every mode.
  auto again = h.plan("t_nest", cfg, applied.state);
  ASSERT_FALSE(again.diagnostics.has_error()) << again.diagnostics.to_string();
  EXPECT_EQ(again.planned, applied.state) << cty::to_string(again.planned);
}

TEST_F(plan_test, a_change_inside_a_nested_object_unknowns_computed_values) {
  auto cfg = config({{"by_name", cty::value::map(it, {{"a", obj("m")}})}});
  auto created = h.apply(h.plan("t_nest", cfg, cty::value::null(t)));
  ASSERT_FALSE(created.diagnostics.has_error()) << created.diagnostics.to_string();
  auto cfg2 = config({{"by_name", cty::value::map(it, {{"a", obj("m2")}})}});
  auto plan = h.plan("t_nest", cfg2, created.state);
  ASSERT_FALSE(plan.diagnostics.has_error()) << plan.diagnostics.to_string();
  const auto& a = *plan.planned.get_attr("by_name").find("a");
  EXPECT_EQ(a.get_attr("key"), cty::value::string("m2"));
  EXPECT_FALSE(a.get_attr("seen").is_known());
  EXPECT_FALSE(plan.planned.get_attr("id").is_known());  // no use_state_for_unknown on id
}

TEST_F(plan_test, proposed_new_state_keeps_prior_computed_values) {
  const auto& b = *p.resource_schema("t_nest")->block;
  auto prior = fw::with_attribute(config({{"one", obj("o")}}), "id", cty::value::string("n1"));
  auto proposed = fw::proposed_new_state(b, prior, config({{"one", obj("o")}}));
  EXPECT_EQ(proposed.get_attr("id"), cty::value::string("n1"));
  EXPECT_TRUE(fw::proposed_new_state(b, prior, cty::value::null(t)).is_null());
}

TEST(values_test, find_and_with_attribute) {
  const auto t = cty::type::object({{"a", cty::type::list(cty::type::string())}});
  const auto v = cty::value::object(
      t, {{"a", cty::value::list(cty::type::string(), {cty::value::string("x")})}});
  const auto* x = fw::find(v, fw::path::root("a").index(0));
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->as_string(), "x");
  EXPECT_EQ(fw::find(v, fw::path::root("a").index(1)), nullptr);
  EXPECT_EQ(fw::find(v, fw::path::root("b")), nullptr);
  EXPECT_THROW((void)fw::with_attribute(v, "b", cty::value::string("y")), std::invalid_argument);
}

}  // namespace
