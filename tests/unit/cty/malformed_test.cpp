// Hostile input built in code (too large for the vector files): deep nesting, and random bytes.

#include <random>

#include <gtest/gtest.h>

#include <cppvider/cty/cty.hpp>

namespace {

namespace cty = cppvider::cty;
using cty::type;

TEST(cty_malformed, MsgpackDynamicNesting10000) {
  std::string bytes;
  const std::string wrapper = std::string("\x92\xc4\x09\"dynamic\"", 12);
  for (int i = 0; i < 10000; ++i) bytes += wrapper;
  bytes += '\xc0';
  auto v = cty::msgpack::decode(bytes, type::dynamic());
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("nesting too deep"), std::string::npos);
}

TEST(cty_malformed, MsgpackListNestingBeyondLimit) {
  type t = type::string();
  for (int i = 0; i < 600; ++i) t = type::list(t);
  const std::string bytes(600, '\x91');
  auto v = cty::msgpack::decode(bytes + "\xa0", t);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("nesting too deep"), std::string::npos);
  EXPECT_EQ(v.error().path.size(), 512U);  // the path leads to where it stopped
  // Within the limit it decodes.
  type shallow = type::string();
  for (int i = 0; i < 100; ++i) shallow = type::list(shallow);
  EXPECT_TRUE(cty::msgpack::decode(std::string(100, '\x91') + "\xa0", shallow).ok());
}

TEST(cty_malformed, MsgpackRefinementSkipsDeepFutureKeys) {
  std::string body = "\x81\x07";  // future key 7 with a deeply nested value
  body += std::string(100, '\x91');
  body += '\xc0';
  std::string bytes = "\xc7";
  bytes += static_cast<char>(body.size());
  bytes += '\x0c';
  bytes += body;
  auto v = cty::msgpack::decode(bytes, type::string());
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("nesting too deep"), std::string::npos);
}

TEST(cty_malformed, TypeJsonNesting10000) {
  std::string json;
  for (int i = 0; i < 10000; ++i) json += "[\"list\",";
  json += "\"string\"";
  json += std::string(10000, ']');
  auto t = cty::parse_type_json(json);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("nested too deeply"), std::string::npos);
}

TEST(cty_malformed, JsonNesting10000) {
  const std::string json = std::string(10000, '[') + std::string(10000, ']');
  auto v = cty::json::decode_untyped(json);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("nesting too deep"), std::string::npos);
  // An ignored attribute is skipped without recursion but still within the limit.
  const auto t = type::object({{"a", type::string()}});
  auto raw = cty::json::decode_raw_state(R"({"a":"x","old":)" + json + "}", t);
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.error().message.find("nesting too deep"), std::string::npos);
  auto ok = cty::json::decode_raw_state(R"({"a":"x","old":[[[{"b":[1,{"c":null}]}]]]})", t);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->get_attr("a").as_string(), "x");
}

TEST(cty_malformed, JsonDynamicNesting10000) {
  std::string json;
  for (int i = 0; i < 10000; ++i) json += R"({"type":"dynamic","value":)";
  json += "1";
  json += std::string(10000, '}');
  auto v = cty::json::decode(json, type::dynamic());
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("nesting too deep"), std::string::npos);
}

TEST(cty_malformed, RandomBytesNeverCrash) {
  auto t = cty::parse_type_json(
      R"(["object",{"a":["list",["object",{"b":"number","c":["map","string"]}]],"d":"dynamic","e":["set","bool"],"f":["tuple",["string","number"]]}])");
  ASSERT_TRUE(t.ok());
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> len(0, 64);
  std::uniform_int_distribution<int> byte(0, 255);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(static_cast<std::size_t>(len(rng)), '\0');
    for (auto& b : bytes) b = static_cast<char>(byte(rng));
    if (i % 2 == 0 && !bytes.empty())
      bytes[0] = static_cast<char>(0x86);  // a plausible object header
    auto v = cty::msgpack::decode(bytes, *t);
    if (v.ok()) {
      ++decoded;
      auto again = cty::msgpack::encode(*v, *t);
      EXPECT_TRUE(again.ok());
    }
    (void)cty::json::decode(bytes, *t);
    (void)cty::parse_type_json(bytes);
  }
  SUCCEED() << decoded << " random inputs happened to decode";
}

}  // namespace
