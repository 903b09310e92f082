#include <gtest/gtest.h>

#include <cppvider/cty/cty.hpp>

namespace {

namespace cty = cppvider::cty;
using cty::type;
using cty::value;

type rule_type() {
  return type::object(
      {{"port", type::number()}, {"cidr", type::string(), cty::optional_attribute}});
}

TEST(cty_type, EqualityAndHash) {
  EXPECT_EQ(type::list(type::string()), type::list(type::string()));
  EXPECT_NE(type::list(type::string()), type::set(type::string()));
  EXPECT_EQ(rule_type(), rule_type());
  EXPECT_EQ(rule_type().hash(), rule_type().hash());
  EXPECT_NE(rule_type(), type::object({{"port", type::number()}, {"cidr", type::string()}}));
  EXPECT_EQ(type(), type::dynamic());
  EXPECT_THROW(type::object({{"a", type::string()}, {"a", type::number()}}), std::invalid_argument);
}

TEST(cty_type, ObjectAttributesAreSorted) {
  const auto t =
      type::object({{"zeta", type::string()}, {"alpha", type::number()}, {"mid", type::boolean()}});
  ASSERT_EQ(t.attributes().size(), 3U);
  EXPECT_EQ(t.attributes()[0].name, "alpha");
  EXPECT_EQ(t.attributes()[2].name, "zeta");
  EXPECT_EQ(t.attribute_index("mid"), 1U);
  EXPECT_FALSE(t.attribute_index("nope"));
  EXPECT_EQ(cty::type_to_json(t), R"(["object",{"alpha":"number","mid":"bool","zeta":"string"}])");
}

TEST(cty_value, ConstructAndInspect) {
  const auto v = value::object(rule_type(), {{"port", value::number(443)}});
  EXPECT_EQ(v.get_attr("port").as_number(), cty::number(443));
  EXPECT_TRUE(v.get_attr("cidr").is_null());
  EXPECT_EQ(v.get_attr("cidr").type(), type::string());
  EXPECT_EQ(v.type(), rule_type());
  EXPECT_THROW((void)v.get_attr("nope"), std::out_of_range);
  EXPECT_THROW(value::object(rule_type(), {{"nope", value::number(1)}}), std::invalid_argument);
  EXPECT_THROW(value::object(rule_type(), {{"port", value::string("x")}}), std::invalid_argument);
  EXPECT_THROW((void)v.get_attr("port").as_string(), std::logic_error);

  const auto l =
      value::list(type::string(), {value::string("a"), value::string(std::string(40, 'b'))});
  EXPECT_EQ(l.length(), 2U);
  EXPECT_EQ(l[1].as_string(), std::string(40, 'b'));
  EXPECT_THROW((void)l[2], std::out_of_range);

  const auto m = value::map(
      type::number(), {{"b", value::number(2)}, {"a", value::number(1)}, {"b", value::number(3)}});
  ASSERT_EQ(m.entries().size(), 2U);
  EXPECT_EQ(m.entries()[0].key, "a");
  EXPECT_EQ(m.find("b")->as_number(), cty::number(3));
  EXPECT_EQ(m.find("c"), nullptr);
}

TEST(cty_value, CopiesShareAndCompare) {
  const auto big = value::string(std::string(1000, 'x'));
  value copy = big;
  EXPECT_EQ(copy, big);
  EXPECT_EQ(copy.as_string().data(), big.as_string().data());  // shared payload, no copy
  value moved = std::move(copy);
  EXPECT_EQ(moved, big);
  EXPECT_TRUE(copy.is_null());  // NOLINT: moved-from is a dynamic null
}

TEST(cty_value, UntypedNullAdoptsTheElementType) {
  const auto l = value::list(type::string(), {value{}});
  EXPECT_EQ(l[0].type(), type::string());
  EXPECT_TRUE(l[0].is_null());
}

TEST(cty_value, SetsDeduplicateByCtyEquality) {
  const auto s = value::set(type::number(), {value::number(2), value::number(1), value::number(2.0),
                                             value::number(*cty::number::parse("1.000"))});
  ASSERT_EQ(s.length(), 2U);
  EXPECT_EQ(s[0].as_number(), cty::number(1));  // sorted like go-cty
  const auto u =
      value::set(type::string(), {value::unknown(type::string()), value::unknown(type::string()),
                                  value::string("a"), value::string("a")});
  EXPECT_EQ(u.length(), 3U);  // unknowns are never equal to each other
  // Order does not matter for equality.
  const auto ot = type::object({{"a", type::string()}});
  const auto a = value::object(ot, {{"a", value::string("x")}});
  const auto b = value::object(ot, {{"a", value::string("y")}});
  EXPECT_EQ(value::set(ot, {a, b}), value::set(ot, {b, a}));
  EXPECT_EQ(value::set(ot, {a, b}).hash(), value::set(ot, {b, a}).hash());
  // Many elements take the hashed path.
  std::vector<value> many;
  for (int i = 0; i < 100; ++i) many.push_back(value::number(i % 10));
  EXPECT_EQ(value::set(type::number(), many).length(), 10U);
}

TEST(cty_value, UnknownsAndRefinements) {
  cty::refinements r;
  r.not_null = true;
  r.string_prefix = "web-";
  const auto u = value::unknown(type::string(), r);
  EXPECT_FALSE(u.is_known());
  ASSERT_NE(u.refinement(), nullptr);
  EXPECT_EQ(u.refinement()->string_prefix, "web-");
  EXPECT_NE(u, value::unknown(type::string()));
  EXPECT_EQ(value::unknown(type::string(), {}), value::unknown(type::string()));
  EXPECT_THROW(value::unknown(type::number(), r), std::invalid_argument);
  EXPECT_FALSE(
      value::object(rule_type(), {{"port", value::unknown(type::number())}}).is_wholly_known());
  EXPECT_EQ(cty::to_string(u), "(known after apply)");
}

// Found by fuzz_cty_msgpack: a bound of 9.2e3887 decoded from 19 bytes was written back as its
// 3 884 plain digits, which made the refinement map larger than any decoder accepts (1 KiB).
TEST(cty_value, HugeNumberBoundsStayWithinTheRefinementLimit) {
  const auto number = type::number();
  const auto roundtrip = [&](const value& v) {
    auto bytes = cty::msgpack::encode(v, number);
    EXPECT_TRUE(bytes.ok());
    EXPECT_LE(bytes->size(), 1024U + 4U);
    auto back = cty::msgpack::decode(*bytes, number);
    EXPECT_TRUE(back.ok()) << (back.ok() ? "" : back.error().message);
    auto again = cty::msgpack::encode(*back, number);
    EXPECT_TRUE(again.ok());
    EXPECT_EQ(*again, *bytes);  // a fixed point
    return *back;
  };

  // The fuzzer's input, verbatim: ext 12 {3: ["92233720372065e3870", false]}.
  const std::string input(
      "\xc7\x18\x0c\x81\x03\x92\xb3"
      "92233720372065e3870"
      "\xc2",
      27);
  auto decoded = cty::msgpack::decode(input, number);
  ASSERT_TRUE(decoded.ok());
  const auto back = roundtrip(*decoded);
  ASSERT_NE(back.refinement(), nullptr);
  ASSERT_TRUE(back.refinement()->lower.has_value());
  EXPECT_EQ(back.refinement()->lower->value, *cty::number::parse("92233720372065e3870"));
  EXPECT_FALSE(back.refinement()->lower->inclusive);

  // Bounds with so many significant digits that even scientific notation does not fit: they
  // are left out (the value is only less refined); not-null stays.
  cty::refinements r;
  r.not_null = true;
  r.lower = cty::number_bound{*cty::number::parse("1." + std::string(700, '3') + "e5"), true};
  r.upper = cty::number_bound{*cty::number::parse("9." + std::string(700, '7') + "e9"), false};
  const auto wide = roundtrip(value::unknown(number, r));
  ASSERT_NE(wide.refinement(), nullptr);
  EXPECT_TRUE(wide.refinement()->not_null);
  EXPECT_FALSE(wide.refinement()->lower.has_value());
  EXPECT_FALSE(wide.refinement()->upper.has_value());

  // Ordinary bounds are written as before (plain numbers).
  cty::refinements small;
  small.lower = cty::number_bound{cty::number::parse("0").value(), true};
  small.upper = cty::number_bound{cty::number::parse("1e30").value(), true};
  const auto kept = roundtrip(value::unknown(number, small));
  ASSERT_NE(kept.refinement(), nullptr);
  EXPECT_EQ(kept.refinement()->upper->value, *cty::number::parse("1e30"));
}

TEST(cty_value, SemanticEquality) {
  EXPECT_EQ(value::number(1).equals(value::number(1.0)), true);
  EXPECT_EQ(value::string("a").equals(value::unknown(type::string())), std::nullopt);
  EXPECT_EQ(value::null(type::string()).equals(value::null(type::string())), true);
  const auto l1 = value::list(type::string(), {value::string("a"), value::unknown(type::string())});
  const auto l2 = value::list(type::string(), {value::string("b"), value::unknown(type::string())});
  EXPECT_EQ(l1.equals(l2), false);  // a definite difference wins over an unknown
  EXPECT_EQ(l1.equals(l1), std::nullopt);
}

TEST(cty_value, MarksStayOffTheWire) {
  const auto t = type::object({{"password", type::string()}});
  const auto v =
      value::object(t, {{"password", value::string("hunter2").with_marks(cty::mark::sensitive)}});
  EXPECT_TRUE(v.get_attr("password").is_sensitive());
  EXPECT_TRUE(v.has_marks_deep());
  EXPECT_FALSE(v.is_sensitive());
  EXPECT_NE(v.get_attr("password"), value::string("hunter2"));
  EXPECT_EQ(v.get_attr("password").without_marks(), value::string("hunter2"));
  EXPECT_EQ(cty::to_string(v), "{password = (sensitive value)}");
  auto bytes = cty::msgpack::encode(v, t);
  ASSERT_TRUE(bytes.ok());
  auto back = cty::msgpack::decode(*bytes, t);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->has_marks_deep());
  EXPECT_EQ(back->get_attr("password").as_string(), "hunter2");
}

TEST(cty_value, Rendering) {
  const auto t = type::object({{"tags", type::map(type::string())},
                               {"ids", type::set(type::number())},
                               {"pair", type::tuple({type::string(), type::boolean()})}});
  const auto v =
      value::object(t, {{"tags", value::map(type::string(), {{"env", value::string("prod")}})},
                        {"ids", value::set(type::number(), {value::number(2), value::number(1)})},
                        {"pair", value::tuple({value::string("x"), value::boolean(true)})}});
  EXPECT_EQ(cty::to_string(v),
            R"({ids = toset([1, 2]), pair = ["x", true], tags = {"env" = "prod"}})");
}

TEST(cty_path, Rendering) {
  EXPECT_EQ(cty::path{}.to_string(), "");
  EXPECT_EQ(cty::path{}.attribute("tags").key("env").to_string(), R"(.tags["env"])");
  EXPECT_EQ(cty::path{}.attribute("rules").index(0).attribute("port").to_string(),
            ".rules[0].port");
  EXPECT_EQ(cty::path{}.key("a\"b").to_string(), R"(["a\"b"])");
  EXPECT_EQ((cty::error{cty::path{}.attribute("x"), "bad"}.to_string()), ".x: bad");
}

TEST(cty_msgpack, EncodeRejectsMismatchWithPath) {
  const auto t = type::object({{"rules", type::list(rule_type())}});
  const auto wrong =
      value::object(type::object({{"rules", type::list(type::object({{"port", type::string()}}))}}),
                    {{"rules", value::list(type::object({{"port", type::string()}}),
                                           {value::object(type::object({{"port", type::string()}}),
                                                          {{"port", value::string("x")}})})}});
  auto bytes = cty::msgpack::encode(wrong, t);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().path.to_string(), ".rules[0]");
  auto num = cty::msgpack::encode(value::string("x"), type::number());
  ASSERT_FALSE(num.ok());
  EXPECT_NE(num.error().message.find("number is required"), std::string::npos);
}

TEST(cty_msgpack, RoundTripLargeValues) {
  std::vector<value> items;
  for (int i = 0; i < 70000; ++i) items.push_back(value::number(i));
  const auto t = type::list(type::number());
  const auto v = value::list(type::number(), items);
  auto bytes = cty::msgpack::encode(v, t);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[0]), 0xddU);  // array32
  auto back = cty::msgpack::decode(*bytes, t);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);

  std::vector<cty::attribute> attrs;
  std::vector<std::pair<std::string, value>> vals;
  for (int i = 0; i < 100; ++i) {  // more attributes than the decoder's inline bit set
    attrs.emplace_back("a" + std::to_string(i), type::number());
    vals.emplace_back("a" + std::to_string(i), value::number(i));
  }
  const auto ot = type::object(attrs);
  const auto ov = value::object(ot, vals);
  auto ob = cty::msgpack::encode(ov, ot);
  ASSERT_TRUE(ob.ok());
  auto oback = cty::msgpack::decode(*ob, ot);
  ASSERT_TRUE(oback.ok());
  EXPECT_EQ(*oback, ov);
}

}  // namespace
