// attr<T> and the conversion between bound structs and cty values, both directions.
#include <gtest/gtest.h>

#include "cppvider/framework/schema.hpp"

namespace {

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;

TEST(attr_test, has_three_states) {
  fw::attr<std::string> a;
  EXPECT_TRUE(a.is_null());
  EXPECT_FALSE(a.is_unknown());
  EXPECT_EQ(a.value_or("fallback"), "fallback");
  EXPECT_THROW((void)a.value(), fw::bad_attr_access);
  a = fw::unknown;
  EXPECT_TRUE(a.is_unknown());
  EXPECT_FALSE(a.is_null());
  EXPECT_FALSE(a.has_value());
  EXPECT_EQ(a.value_or("fallback"), "fallback");
  a = "x";
  EXPECT_TRUE(a.has_value());
  EXPECT_EQ(a, "x");
  EXPECT_EQ(a.value(), "x");
  EXPECT_EQ(a->size(), 1U);
  a.set_null();
  EXPECT_TRUE(a.is_null());
  EXPECT_NE(fw::attr<int>{1}, fw::attr<int>{fw::unknown});
}

struct port {
  fw::attr<std::int64_t> number;
  fw::attr<std::string> proto;
};
struct server {
  fw::attr<std::string> name;
  fw::attr<std::uint8_t> weight;
  fw::attr<std::vector<std::string>> aliases;
  fw::attr<port> main;
  fw::attr<std::vector<port>> ports;
  fw::attr<std::vector<port>> port_set;
  fw::attr<std::map<std::string, port>> named;
  fw::attr<port> group;
};

fw::schema_for<port> port_schema() {
  return fw::schema_for<port>()
      .attribute("number", &port::number, {.required = true})
      .attribute("proto", &port::proto, {.optional = true});
}

fw::schema_for<server> server_schema() {
  return fw::schema_for<server>()
      .attribute("name", &server::name, {.required = true})
      .attribute("weight", &server::weight, {.optional = true})
      .attribute("aliases", &server::aliases, {.optional = true})
      .nested_attribute("main", &server::main, fw::as_single, port_schema(), {.optional = true})
      .nested_attribute("ports", &server::ports, fw::as_list, port_schema(), {.optional = true})
      .nested_attribute("port_set", &server::port_set, fw::as_set, port_schema(),
                        {.optional = true})
      .block("named", &server::named, fw::as_map, port_schema())
      .block("group", &server::group, fw::as_group, port_schema());
}

// The codec finds an attr of a bound struct by address, however deep, and gives its path.
TEST(binding_test, locates_attributes_by_address) {
  auto c = server_schema().make_codec();
  server s;
  s.main = port{.number = 80};
  s.ports = std::vector<port>{{.number = 1}, {.number = fw::unknown}};
  s.named = std::map<std::string, port>{{"x", {.number = 9}}};
  EXPECT_EQ(c->locate(s, &s.name), "name");
  EXPECT_EQ(c->locate(s, &s.main), "main");
  EXPECT_EQ(c->locate(s, &s.main->proto), "main.proto");
  EXPECT_EQ(c->locate(s, &(*s.ports)[1].number), "ports[1].number");
  EXPECT_EQ(c->locate(s, &s.named->at("x").number), "named[\"x\"].number");
  const fw::attr<std::string> elsewhere;
  EXPECT_EQ(c->locate(s, &elsewhere), std::nullopt);
  try {
    (void)(*s.ports)[1].number.value();
    ADD_FAILURE() << "value() of an unknown attribute must throw";
  } catch (const fw::bad_attr_access& e) {
    EXPECT_EQ(e.where(), &(*s.ports)[1].number);
    EXPECT_STREQ(e.what(), "attribute value is unknown");
  }
}

TEST(binding_test, round_trips_every_nesting) {
  auto sf = server_schema();
  ASSERT_TRUE(sf.build().ok()) << sf.build().diagnostics.to_string();
  auto c = sf.make_codec();
  server s;
  s.name = "web";
  s.weight = std::uint8_t{7};
  s.aliases = std::vector<std::string>{"a", "b"};
  s.main = port{.number = 80, .proto = "tcp"};
  s.ports = std::vector<port>{{.number = 1}, {.number = fw::unknown}};
  s.port_set = std::vector<port>{{.number = 5, .proto = "udp"}};
  s.named = std::map<std::string, port>{{"x", {.number = 9}}};
  s.group = port{.number = 2};
  const cty::value v = c->encode(s);
  EXPECT_EQ(v.type(), sf.build().schema->type());
  EXPECT_EQ(v.get_attr("name").as_string(), "web");
  EXPECT_FALSE(v.get_attr("ports")[1].get_attr("number").is_known());
  EXPECT_TRUE(v.get_attr("ports")[0].get_attr("proto").is_null());
  EXPECT_EQ(v.get_attr("port_set").type().kind(), cty::type_kind::set);
  fw::diagnostics d;
  const server back = c->decode(v, {}, d);
  ASSERT_TRUE(d.empty()) << d.to_string();
  EXPECT_EQ(back.name, "web");
  EXPECT_EQ(back.weight, std::uint8_t{7});
  EXPECT_EQ(back.aliases.value(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(back.main->number, 80);
  EXPECT_TRUE((*back.ports)[1].number.is_unknown());
  EXPECT_EQ((*back.port_set)[0].proto, "udp");
  EXPECT_EQ(back.named->at("x").number, 9);
  EXPECT_EQ(back.group->number, 2);
  EXPECT_EQ(c->encode(back), v);
}

TEST(binding_test, null_and_unknown_survive_both_directions) {
  auto c = server_schema().make_codec();
  server s;
  s.aliases = fw::unknown;
  const auto v = c->encode(s);
  EXPECT_TRUE(v.get_attr("name").is_null());
  EXPECT_FALSE(v.get_attr("aliases").is_known());
  EXPECT_TRUE(v.get_attr("main").is_null());
  fw::diagnostics d;
  const auto back = c->decode(v, {}, d);
  EXPECT_TRUE(back.name.is_null());
  EXPECT_TRUE(back.aliases.is_unknown());
  EXPECT_TRUE(back.main.is_null());
}

TEST(binding_test, conversion_errors_name_the_path) {
  auto sf = server_schema();
  auto c = sf.make_codec();
  server s;
  s.name = "x";
  s.ports = std::vector<port>{{.number = 1}};
  auto v = c->encode(s);
  // A weight of 300 does not fit the uint8 field: an error at its path. A list with an unknown
  // element cannot live in a std::vector<std::string>: the field reads as unknown, no error.
  auto t = v.type();
  std::vector<std::pair<std::string, cty::value>> attrs;
  for (std::size_t i = 0; i < t.attributes().size(); ++i)
    attrs.emplace_back(t.attributes()[i].name, v.elements()[i]);
  for (auto& [k, x] : attrs) {
    if (k == "weight") x = cty::value::number(300);
    if (k == "aliases")
      x = cty::value::list(cty::type::string(), {cty::value::unknown(cty::type::string())});
  }
  fw::diagnostics d;
  const auto back = c->decode(cty::value::object(t, attrs), {}, d);
  ASSERT_EQ(d.error_count(), 1U) << d.to_string();
  EXPECT_EQ(d[0].attribute, fw::path::root("weight"));
  EXPECT_NE(d[0].detail.find("does not fit in uint8"), std::string::npos);
  EXPECT_TRUE(back.aliases.is_unknown());
  // Nested conversion errors name the full path.
  for (auto& [k, x] : attrs) {
    if (k == "weight") x = cty::value::null(cty::type::number());
    if (k == "ports") {
      const auto pt = x.type().element_type();
      x = cty::value::list(pt, {cty::value::object(pt, {{"number", cty::value::number(1.5)}})});
    }
  }
  fw::diagnostics d2;
  (void)c->decode(cty::value::object(t, attrs), {}, d2);
  ASSERT_EQ(d2.error_count(), 1U) << d2.to_string();
  EXPECT_EQ(d2[0].attribute, fw::path::root("ports").index(0).attribute("number"));
}

}  // namespace
