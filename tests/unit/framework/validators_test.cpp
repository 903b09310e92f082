// Each validator, called directly: passes on null and unknown, fails with the attribute's path.
#include <gtest/gtest.h>

#include "cppvider/framework/validators.hpp"

namespace {

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;

// Built on first use, not at static initialisation: cty's primitive type nodes are themselves
// dynamically initialised, so a namespace-scope cty::type in another file may see them unset.
const cty::type& obj_t() {
  static const cty::type t = cty::type::object(
      {{"a", cty::type::string()}, {"b", cty::type::string()}, {"c", cty::type::string()}});
  return t;
}

cty::value obj(std::optional<std::string> a, std::optional<std::string> b,
               std::optional<std::string> c = std::nullopt) {
  const auto s = [](const std::optional<std::string>& x) {
    return x ? (*x == "?" ? cty::value::unknown(cty::type::string()) : cty::value::string(*x))
             : cty::value::null(cty::type::string());
  };
  return cty::value::object(obj_t(), {{"a", s(a)}, {"b", s(b)}, {"c", s(c)}});
}

// Runs v on attribute "a" of `parent`.
fw::diagnostics on_a(const fw::validator& v, const cty::value& parent) {
  fw::diagnostics d;
  const fw::path at = fw::path::root("a");
  v.validate({at, parent.get_attr("a"), parent, parent}, d);
  return d;
}

fw::diagnostics run(const fw::validator& v, const cty::value& value) {
  fw::diagnostics d;
  const fw::path at = fw::path::root("x");
  const cty::value parent;
  v.validate({at, value, parent, parent}, d);
  return d;
}

TEST(validators_test, string_length_counts_characters) {
  const auto v = fw::length_between(2, 3);
  EXPECT_TRUE(run(v, cty::value::string("a")).has_error());
  EXPECT_FALSE(run(v, cty::value::string("ab")).has_error());
  EXPECT_FALSE(run(v, cty::value::string("\xC3\xA9\xC3\xA9\xC3\xA9")).has_error());  // 3 chars
  EXPECT_TRUE(run(v, cty::value::string("abcd")).has_error());
  EXPECT_FALSE(run(v, cty::value::null(cty::type::string())).has_error());
  EXPECT_FALSE(run(v, cty::value::unknown(cty::type::string())).has_error());
  EXPECT_TRUE(run(fw::length_at_least(1), cty::value::string("")).has_error());
  EXPECT_TRUE(run(fw::length_at_most(1), cty::value::string("ab")).has_error());
  const auto d = run(v, cty::value::string("a"));
  EXPECT_EQ(d[0].attribute, fw::path::root("x"));
  EXPECT_NE(d[0].detail.find("between 2 and 3, got 1"), std::string::npos) << d[0].detail;
}

TEST(validators_test, regex_and_one_of) {
  const auto re = fw::matches_regex("^[a-z]+$", "must be lower-case letters");
  EXPECT_FALSE(run(re, cty::value::string("abc")).has_error());
  const auto d = run(re, cty::value::string("aBc"));
  ASSERT_TRUE(d.has_error());
  EXPECT_NE(d[0].detail.find("must be lower-case letters"), std::string::npos);
  EXPECT_TRUE(run(re, cty::value::string("abc1")).has_error());  // whole value must match
  EXPECT_FALSE(run(fw::one_of({"a", "b"}), cty::value::string("b")).has_error());
  EXPECT_TRUE(run(fw::one_of({"a", "b"}), cty::value::string("c")).has_error());
  EXPECT_TRUE(run(fw::none_of({"a"}), cty::value::string("a")).has_error());
  EXPECT_FALSE(run(fw::none_of({"a"}), cty::value::string("b")).has_error());
}

TEST(validators_test, numeric_ranges_are_exact) {
  EXPECT_TRUE(run(fw::at_least(1), cty::value::number(0)).has_error());
  EXPECT_FALSE(run(fw::at_least(1), cty::value::number(1)).has_error());
  EXPECT_TRUE(run(fw::at_most(1), cty::value::number(1.5)).has_error());
  EXPECT_FALSE(run(fw::between(1, 2), cty::value::number(1.5)).has_error());
  EXPECT_TRUE(run(fw::between(1, 2), cty::value::number(3)).has_error());
  EXPECT_TRUE(run(fw::one_of_numbers({1, 2}), cty::value::number(3)).has_error());
  EXPECT_FALSE(run(fw::one_of_numbers({1, 2}), cty::value::number(2)).has_error());
  EXPECT_FALSE(run(fw::at_least(1), cty::value::unknown(cty::type::number())).has_error());
}

TEST(validators_test, collection_size) {
  const auto l =
      cty::value::list(cty::type::string(), {cty::value::string("a"), cty::value::string("b")});
  EXPECT_FALSE(run(fw::size_between(1, 2), l).has_error());
  EXPECT_TRUE(run(fw::size_at_most(1), l).has_error());
  EXPECT_TRUE(run(fw::size_at_least(3), l).has_error());
  const auto m = cty::value::map(cty::type::string(), {{"k", cty::value::string("v")}});
  EXPECT_TRUE(run(fw::size_at_least(2), m).has_error());
}

TEST(validators_test, sibling_checks) {
  const auto cw = fw::conflicts_with({"b"});
  EXPECT_TRUE(on_a(cw, obj("x", "y")).has_error());
  EXPECT_FALSE(on_a(cw, obj("x", std::nullopt)).has_error());
  EXPECT_FALSE(on_a(cw, obj(std::nullopt, "y")).has_error());
  EXPECT_FALSE(on_a(cw, obj("x", "?")).has_error());  // unknown: decided later

  const auto ar = fw::also_requires({"b", "c"});
  const auto d = on_a(ar, obj("x", "y"));
  ASSERT_EQ(d.error_count(), 1U);
  EXPECT_NE(d[0].detail.find("\"c\" must be specified"), std::string::npos);
  EXPECT_FALSE(on_a(ar, obj("x", "y", "z")).has_error());
  EXPECT_FALSE(on_a(ar, obj(std::nullopt, std::nullopt)).has_error());

  const auto one = fw::exactly_one_of({"b"});
  EXPECT_FALSE(on_a(one, obj("x", std::nullopt)).has_error());
  EXPECT_FALSE(on_a(one, obj(std::nullopt, "y")).has_error());
  EXPECT_TRUE(on_a(one, obj("x", "y")).has_error());
  EXPECT_TRUE(on_a(one, obj(std::nullopt, std::nullopt)).has_error());
  EXPECT_FALSE(on_a(one, obj(std::nullopt, "?")).has_error());

  const auto any = fw::at_least_one_of({"b", "c"});
  EXPECT_TRUE(on_a(any, obj(std::nullopt, std::nullopt)).has_error());
  EXPECT_FALSE(on_a(any, obj(std::nullopt, std::nullopt, "z")).has_error());
  EXPECT_FALSE(on_a(any, obj("x", std::nullopt)).has_error());
}

}  // namespace
