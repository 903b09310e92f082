#include <gtest/gtest.h>

#include <cppvider/cty/cty.hpp>

namespace app {

struct rule {
  std::int64_t port = 0;
  std::optional<std::string> cidr;
  friend bool operator==(const rule&, const rule&) = default;
};
constexpr auto cty_fields(std::type_identity<rule>) {
  namespace cty = cppvider::cty;
  return std::tuple{cty::field("port", &rule::port), cty::field("cidr", &rule::cidr)};
}

struct firewall {
  std::string name;
  std::vector<rule> rules;
  std::map<std::string, std::string> tags;
  bool enabled = false;
  double weight = 0;
  friend bool operator==(const firewall&, const firewall&) = default;
};
constexpr auto cty_fields(std::type_identity<firewall>) {
  namespace cty = cppvider::cty;
  return std::tuple{cty::field("name", &firewall::name), cty::field("rules", &firewall::rules),
                    cty::field("tags", &firewall::tags), cty::field("enabled", &firewall::enabled),
                    cty::field("weight", &firewall::weight)};
}

}  // namespace app

namespace {

namespace cty = cppvider::cty;
using cty::type;
using cty::value;

TEST(cty_convert, Primitives) {
  EXPECT_EQ(cty::from_value<bool>(value::boolean(true)).value(), true);
  EXPECT_EQ(cty::from_value<int>(value::number(-5)).value(), -5);
  EXPECT_EQ(cty::from_value<std::uint8_t>(value::number(255)).value(), 255);
  EXPECT_EQ(cty::from_value<double>(value::number(1.5)).value(), 1.5);
  EXPECT_EQ(cty::from_value<std::string>(value::string("x")).value(), "x");
  EXPECT_EQ(cty::to_value(std::uint64_t{18446744073709551615ULL}).as_number().to_string(),
            "18446744073709551615");
  EXPECT_EQ(
      cty::from_value<std::uint64_t>(cty::to_value(std::uint64_t{18446744073709551615ULL})).value(),
      18446744073709551615ULL);
}

TEST(cty_convert, NeverTruncates) {
  const auto two63 = value::number(*cty::number::parse("9223372036854775808"));
  auto r = cty::from_value<std::int64_t>(two63, cty::path{}.attribute("size"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), ".size: 9223372036854775808 does not fit in int64");
  EXPECT_FALSE(cty::from_value<std::uint8_t>(value::number(256)).ok());
  EXPECT_FALSE(cty::from_value<std::uint32_t>(value::number(-1)).ok());
  EXPECT_FALSE(cty::from_value<std::int16_t>(value::number(40000)).ok());
  auto frac = cty::from_value<int>(value::number(1.5));
  ASSERT_FALSE(frac.ok());
  EXPECT_NE(frac.error().message.find("not a whole number"), std::string::npos);
  EXPECT_FALSE(cty::from_value<double>(value::number(*cty::number::parse("1e400"))).ok());
  EXPECT_FALSE(cty::from_value<float>(value::number(1e300)).ok());
  EXPECT_TRUE(cty::from_value<double>(value::number(cty::number::infinity())).ok());
}

TEST(cty_convert, NullAndUnknown) {
  EXPECT_EQ(cty::from_value<std::optional<int>>(value::null(type::number())).value(), std::nullopt);
  EXPECT_EQ(cty::from_value<std::optional<int>>(value::number(3)).value(), 3);
  auto n = cty::from_value<int>(value::null(type::number()), cty::path{}.attribute("x"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().to_string(), ".x: a number is required, got null");
  auto u = cty::from_value<std::optional<int>>(value::unknown(type::number()));
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().message.find("unknown"), std::string::npos);
  EXPECT_EQ(cty::to_value(std::optional<std::string>{}), value::null(type::string()));
  auto wrong = cty::from_value<std::string>(value::number(1));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "a string is required, got number");
}

TEST(cty_convert, Collections) {
  const std::vector<std::string> xs{"a", "b"};
  const auto v = cty::to_value(xs);
  EXPECT_EQ(v.type(), type::list(type::string()));
  EXPECT_EQ(cty::from_value<std::vector<std::string>>(v).value(), xs);
  const std::map<std::string, int> m{{"a", 1}, {"b", 2}};
  EXPECT_EQ((cty::from_value<std::map<std::string, int>>(cty::to_value(m)).value()), m);
  const auto set = value::set(type::number(), {value::number(2), value::number(1)});
  EXPECT_EQ(cty::from_value<std::vector<int>>(set).value(), (std::vector<int>{1, 2}));
  auto bad = cty::from_value<std::map<std::string, int>>(
      value::map(type::string(), {{"env", value::string("x")}}), cty::path{}.attribute("tags"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().path.to_string(), R"(.tags["env"])");
}

TEST(cty_convert, StructsThroughFields) {
  const app::firewall fw{
      "edge", {{443, std::nullopt}, {22, "10.0.0.0/8"}}, {{"env", "prod"}}, true, 0.5};
  EXPECT_EQ(cty::type_to_json(cty::type_of<app::rule>()),
            R"(["object",{"cidr":"string","port":"number"}])");
  const auto v = cty::to_value(fw);
  EXPECT_EQ(v.get_attr("rules")[1].get_attr("cidr").as_string(), "10.0.0.0/8");
  EXPECT_TRUE(v.get_attr("rules")[0].get_attr("cidr").is_null());
  EXPECT_EQ(cty::from_value<app::firewall>(v).value(), fw);

  // Through the wire and back.
  const auto t = cty::type_of<app::firewall>();
  auto bytes = cty::msgpack::encode(v, t);
  ASSERT_TRUE(bytes.ok());
  auto decoded = cty::msgpack::decode(*bytes, t);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(cty::from_value<app::firewall>(*decoded).value(), fw);

  // An error names the path down to the field.
  const auto rt = cty::type_of<app::rule>();
  const auto bad = value::object(
      t,
      {{"name", value::string("x")},
       {"rules", value::list(rt, {value::object(
                                     rt, {{"port", value::number(*cty::number::parse("1e30"))}})})},
       {"enabled", value::boolean(true)},
       {"weight", value::number(1)}});
  auto r = cty::from_value<app::firewall>(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path.to_string(), ".rules[0].port");
}

}  // namespace
