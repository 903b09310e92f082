// Byte-level vectors from tests/vectors/: upstream hex cases and bytes built from the published
// encoding rules. Decoding must give the described value; encoding the value must give the exact
// bytes (every encoding here is canonical: sorted object and map keys, most compact ints).

#include <gtest/gtest.h>

#include "vector_support.hpp"

namespace {

using namespace cty_test;
using nlohmann::json;

std::vector<json> cases(const char* file, const char* group) {
  const json doc = load_vectors(file);  // keep alive: at() returns a reference into it
  std::vector<json> out;
  for (const auto& c : doc.at(group)) out.push_back(c);
  return out;
}

std::string case_name(const ::testing::TestParamInfo<json>& info) {
  std::string n = info.param.at("name").get<std::string>();
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n + "_" + std::to_string(info.index);
}

// ---- msgpack ---------------------------------------------------------------------------------

class MsgpackVector : public ::testing::TestWithParam<json> {};

TEST_P(MsgpackVector, DecodesToTheValue) {
  const json& c = GetParam();
  SCOPED_TRACE(c.at("source").get<std::string>());
  const auto t = parse_type(c.at("type"));
  const auto expected = build(c.contains("decodes_to") ? c.at("decodes_to") : c.at("value"), t);
  auto got = cty::msgpack::decode(from_hex(c.at("hex")), t);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, expected) << "got " << cty::to_string(*got) << "\nwant "
                            << cty::to_string(expected);
}

TEST_P(MsgpackVector, EncodesToTheBytes) {
  const json& c = GetParam();
  SCOPED_TRACE(c.at("source").get<std::string>());
  const auto t = parse_type(c.at("type"));
  auto bytes = cty::msgpack::encode(build(c.at("value"), t), t);
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  EXPECT_EQ(to_hex(*bytes), c.at("hex").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, MsgpackVector,
                         ::testing::ValuesIn(cases("msgpack.json", "encode_and_decode")),
                         case_name);

class MsgpackDecodeOnly : public ::testing::TestWithParam<json> {};

TEST_P(MsgpackDecodeOnly, DecodesToTheValue) {
  const json& c = GetParam();
  SCOPED_TRACE(c.at("source").get<std::string>());
  const auto t = parse_type(c.at("type"));
  auto got = cty::msgpack::decode(from_hex(c.at("hex")), t);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  const auto expected = build(c.at("value"), t);
  EXPECT_EQ(*got, expected) << "got " << cty::to_string(*got) << "\nwant "
                            << cty::to_string(expected);
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, MsgpackDecodeOnly,
                         ::testing::ValuesIn(cases("msgpack.json", "decode_only")), case_name);

class MsgpackInvalid : public ::testing::TestWithParam<json> {};

TEST_P(MsgpackInvalid, FailsWithPathAndMessage) {
  const json& c = GetParam();
  const auto t = parse_type(c.at("type"));
  auto got = cty::msgpack::decode(from_hex(c.at("hex")), t);
  ASSERT_FALSE(got.ok()) << "decoded to " << cty::to_string(*got);
  EXPECT_EQ(got.error().path.to_string(), c.at("error_path").get<std::string>())
      << got.error().to_string();
  EXPECT_NE(got.error().message.find(c.at("error_contains").get<std::string>()), std::string::npos)
      << got.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, MsgpackInvalid,
                         ::testing::ValuesIn(cases("msgpack.json", "invalid")), case_name);

// ---- type JSON -------------------------------------------------------------------------------

class TypeJsonVector : public ::testing::TestWithParam<json> {};

TEST_P(TypeJsonVector, ParsesAndWritesCanonically) {
  const json& c = GetParam();
  auto t = cty::parse_type_json(c.at("json").get<std::string>());
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(cty::type_to_json(*t), c.at("canonical").get<std::string>());
  auto again = cty::parse_type_json(c.at("canonical").get<std::string>());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *t);
  EXPECT_EQ(again->hash(), t->hash());
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, TypeJsonVector,
                         ::testing::ValuesIn(cases("type_json.json", "valid")), case_name);

class TypeJsonInvalid : public ::testing::TestWithParam<json> {};

TEST_P(TypeJsonInvalid, Fails) {
  const json& c = GetParam();
  auto t = cty::parse_type_json(json_input(c));
  ASSERT_FALSE(t.ok()) << cty::type_to_json(*t);
  EXPECT_NE(t.error().message.find(c.at("error_contains").get<std::string>()), std::string::npos)
      << t.error().message;
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, TypeJsonInvalid,
                         ::testing::ValuesIn(cases("type_json.json", "invalid")), case_name);

// ---- JSON values -----------------------------------------------------------------------------

class JsonVector : public ::testing::TestWithParam<json> {};

TEST_P(JsonVector, DecodesAndEncodes) {
  const json& c = GetParam();
  SCOPED_TRACE(c.at("source").get<std::string>());
  const auto t = parse_type(c.at("type"));
  const auto expected = build(c.at("value"), t);
  auto got = cty::json::decode(json_input(c), t);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, expected) << "got " << cty::to_string(*got);
  auto text = cty::json::encode(expected, t);
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  EXPECT_EQ(*text, c.at("json").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, JsonVector,
                         ::testing::ValuesIn(cases("json.json", "encode_and_decode")), case_name);

class JsonDecodeOnly : public ::testing::TestWithParam<json> {};

TEST_P(JsonDecodeOnly, Decodes) {
  const json& c = GetParam();
  SCOPED_TRACE(c.at("source").get<std::string>());
  const auto t = parse_type(c.at("type"));
  auto got = cty::json::decode(json_input(c), t);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, build(c.at("value"), t)) << "got " << cty::to_string(*got);
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, JsonDecodeOnly,
                         ::testing::ValuesIn(cases("json.json", "decode_only")), case_name);

class JsonRawState : public ::testing::TestWithParam<json> {};

TEST_P(JsonRawState, DecodesLeniently) {
  const json& c = GetParam();
  const auto t = parse_type(c.at("type"));
  auto got = cty::json::decode_raw_state(json_input(c), t);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, build(c.at("value"), t)) << "got " << cty::to_string(*got);
  // The strict reading refuses the extra attributes.
  EXPECT_FALSE(cty::json::decode(json_input(c), t).ok());
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, JsonRawState,
                         ::testing::ValuesIn(cases("json.json", "raw_state")), case_name);

class JsonInvalid : public ::testing::TestWithParam<json> {};

TEST_P(JsonInvalid, FailsWithPathAndMessage) {
  const json& c = GetParam();
  const auto t = parse_type(c.at("type"));
  auto got = cty::json::decode(json_input(c), t);
  ASSERT_FALSE(got.ok()) << "decoded to " << cty::to_string(*got);
  EXPECT_EQ(got.error().path.to_string(), c.at("error_path").get<std::string>())
      << got.error().to_string();
  EXPECT_NE(got.error().message.find(c.at("error_contains").get<std::string>()), std::string::npos)
      << got.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, JsonInvalid,
                         ::testing::ValuesIn(cases("json.json", "invalid")), case_name);

class JsonEncodeInvalid : public ::testing::TestWithParam<json> {};

TEST_P(JsonEncodeInvalid, FailsWithPath) {
  const json& c = GetParam();
  const auto t = parse_type(c.at("type"));
  auto got = cty::json::encode(build(c.at("value"), t), t);
  ASSERT_FALSE(got.ok()) << *got;
  EXPECT_EQ(got.error().path.to_string(), c.at("error_path").get<std::string>());
  EXPECT_NE(got.error().message.find(c.at("error_contains").get<std::string>()), std::string::npos)
      << got.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, JsonEncodeInvalid,
                         ::testing::ValuesIn(cases("json.json", "encode_invalid")), case_name);

class JsonImplied : public ::testing::TestWithParam<json> {};

TEST_P(JsonImplied, ImpliedType) {
  const json& c = GetParam();
  auto t = cty::json::implied_type(c.at("json").get<std::string>());
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(cty::type_to_json(*t), c.at("type").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(cty_vectors, JsonImplied,
                         ::testing::ValuesIn(cases("json.json", "implied")), case_name);

}  // namespace
