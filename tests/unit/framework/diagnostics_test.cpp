#include <gtest/gtest.h>

#include "cppvider/framework/diagnostics.hpp"

namespace {

namespace fw = cppvider::framework;
using step = cppvider::plugin::attribute_path::step;

TEST(diagnostics_test, collects_and_counts) {
  fw::diagnostics d;
  EXPECT_FALSE(d.has_error());
  d.add_warning("careful");
  EXPECT_FALSE(d.has_error());
  d.add_error(fw::path::root("rule").index(2).attribute("tags").key("env"), "Bad", "why");
  EXPECT_TRUE(d.has_error());
  EXPECT_EQ(d.error_count(), 1U);
  EXPECT_EQ(d.size(), 2U);
  EXPECT_NE(d.to_string().find(R"(error: Bad: why (at .rule[2].tags["env"]))"), std::string::npos)
      << d.to_string();
}

TEST(diagnostics_test, maps_to_the_wire_and_back) {
  fw::diagnostics d;
  d.add_error(fw::path::root("rule").index(2).attribute("tags").key("env"), "Bad", "why");
  d.add_warning("Just so you know");
  cppvider::plugin::diagnostics w;
  fw::append_to(w, d);
  ASSERT_EQ(w.size(), 2U);
  EXPECT_EQ(w[0].sev, cppvider::plugin::severity::error);
  ASSERT_TRUE(w[0].attribute.has_value());
  const auto& s = w[0].attribute->steps;
  ASSERT_EQ(s.size(), 4U);
  EXPECT_EQ(s[0].k, step::kind::attribute_name);
  EXPECT_EQ(s[0].name, "rule");
  EXPECT_EQ(s[1].k, step::kind::element_key_int);
  EXPECT_EQ(s[1].index, 2);
  EXPECT_EQ(s[3].k, step::kind::element_key_string);
  EXPECT_EQ(s[3].name, "env");
  EXPECT_EQ(w[1].sev, cppvider::plugin::severity::warning);
  EXPECT_FALSE(w[1].attribute.has_value());
  const auto back = fw::from_plugin(w);
  ASSERT_EQ(back.size(), 2U);
  EXPECT_EQ(back[0], d[0]);
  EXPECT_EQ(back[1], d[1]);
}

}  // namespace
