// provider_schema_encoder: the encoded pieces, concatenated, are the message the plain response
// gives, for both protocol versions, and parse to the same schemas a client reads.
#include <gtest/gtest.h>

#include <string>

#include "cppvider/plugin/protocol.hpp"
#include "deterministic_proto.hpp"
#include "plugin/messages.hpp"
#include "tfplugin5.pb.h"
#include "tfplugin6.pb.h"

namespace plugin = cppvider::plugin;

namespace {

plugin::schema small_schema(const std::string& attribute, bool nested) {
  plugin::schema s;
  s.version = 2;
  s.block.description = "A thing called " + attribute;
  s.block.attributes.push_back(
      {.name = attribute, .type_json = "\"string\"", .description = "text", .required = true});
  s.block.attributes.push_back({.name = "id", .type_json = "\"string\"", .computed = true});
  if (nested) {
    auto obj = std::make_shared<plugin::schema_object>();
    obj->nesting = plugin::schema_object::nesting_mode::list;
    obj->attributes.push_back({.name = "port", .type_json = "\"number\"", .optional = true});
    s.block.attributes.push_back({.name = "rules", .nested_type = obj, .optional = true});
  }
  plugin::schema_nested_block b;
  b.type_name = "tag";
  b.nesting = plugin::schema_nested_block::nesting_mode::set;
  b.max_items = 4;
  b.block.attributes.push_back({.name = "key", .type_json = "\"string\"", .required = true});
  s.block.block_types.push_back(std::move(b));
  return s;
}

plugin::get_provider_schema_response full_response() {
  plugin::get_provider_schema_response r;
  r.provider = small_schema("region", false);
  for (int i = 0; i < 40; ++i) {
    r.resource_schemas.emplace("demo_r" + std::to_string(i),
                               small_schema("name" + std::to_string(i), i % 2 == 0));
  }
  r.data_source_schemas.emplace("demo_d", small_schema("filter", false));
  r.ephemeral_resource_schemas.emplace("demo_e", small_schema("secret", true));
  plugin::function_definition f;
  f.parameters.push_back({.name = "value", .type_json = "\"string\""});
  f.return_type_json = "\"string\"";
  f.summary = "echo";
  r.functions.emplace("echo", f);
  r.provider_meta = small_schema("module", false);
  r.capabilities.plan_destroy = true;
  r.capabilities.get_provider_schema_optional = true;
  r.diags.push_back(plugin::error_diagnostic("a warning-free error", "detail"));
  return r;
}

template <class Message>
void check_version(int version) {
  const auto plain = full_response();

  plugin::provider_schema_encoder enc(version);
  plugin::get_provider_schema_response rest = plain;
  // Half the resources one by one, the other half left in `rest`: both routes must merge.
  int i = 0;
  for (auto it = rest.resource_schemas.begin(); it != rest.resource_schemas.end();) {
    if (i++ % 2 == 0) {
      enc.add_resource(it->first, it->second);
      it = rest.resource_schemas.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [name, s] : plain.data_source_schemas) enc.add_data_source(name, s);
  rest.data_source_schemas.clear();
  for (const auto& [name, s] : plain.ephemeral_resource_schemas)
    enc.add_ephemeral_resource(name, s);
  rest.ephemeral_resource_schemas.clear();
  const auto encoded = std::move(enc).finish(rest);
  ASSERT_NE(encoded, nullptr);
  EXPECT_EQ(encoded->protocol_version, version);

  std::string bytes;
  for (const auto& p : encoded->pieces) bytes += p;
  EXPECT_EQ(bytes.size(), encoded->size());

  Message parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  Message expected;
  cppvider::plugin::messages::fill(plain, &expected);
  EXPECT_EQ(cppvider::test_support::deterministic_bytes(parsed),
            cppvider::test_support::deterministic_bytes(expected));

  // And what a client reads from it, independently of fill().
  EXPECT_EQ(parsed.resource_schemas_size(), 40);
  ASSERT_TRUE(parsed.resource_schemas().contains("demo_r7"));
  const auto& r7 = parsed.resource_schemas().at("demo_r7");
  EXPECT_EQ(r7.version(), 2);
  ASSERT_EQ(r7.block().attributes_size(), 2);
  EXPECT_EQ(r7.block().attributes(0).name(), "name7");
  EXPECT_TRUE(r7.block().attributes(0).required());
  ASSERT_EQ(r7.block().block_types_size(), 1);
  EXPECT_EQ(r7.block().block_types(0).max_items(), 4);
  EXPECT_TRUE(parsed.data_source_schemas().contains("demo_d"));
  EXPECT_TRUE(parsed.ephemeral_resource_schemas().contains("demo_e"));
  EXPECT_TRUE(parsed.functions().contains("echo"));
  EXPECT_EQ(parsed.provider().block().attributes(0).name(), "region");
  EXPECT_EQ(parsed.provider_meta().block().attributes(0).name(), "module");
  EXPECT_TRUE(parsed.server_capabilities().plan_destroy());
  ASSERT_EQ(parsed.diagnostics_size(), 1);
  EXPECT_EQ(parsed.diagnostics(0).summary(), "a warning-free error");
}

}  // namespace

TEST(SchemaEncoder, ProtocolSixMatchesThePlainResponse) {
  check_version<tfplugin6::GetProviderSchema::Response>(6);
}

TEST(SchemaEncoder, ProtocolFiveMatchesThePlainResponse) {
  check_version<tfplugin5::GetProviderSchema::Response>(5);
}

TEST(SchemaEncoder, NestedAttributesOnlyInProtocolSix) {
  plugin::provider_schema_encoder enc(6);
  enc.add_resource("demo_r", small_schema("name", true));
  const auto e = std::move(enc).finish({});
  std::string bytes;
  for (const auto& p : e->pieces) bytes += p;
  tfplugin6::GetProviderSchema::Response parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  const auto& attrs = parsed.resource_schemas().at("demo_r").block().attributes();
  ASSERT_EQ(attrs.size(), 3);
  EXPECT_EQ(attrs[2].name(), "rules");
  ASSERT_TRUE(attrs[2].has_nested_type());
  EXPECT_EQ(attrs[2].nested_type().attributes(0).name(), "port");
}

TEST(SchemaEncoder, LargeResponsesAreSplitIntoPieces) {
  plugin::provider_schema_encoder enc(6);
  plugin::schema s = small_schema("name", false);
  s.block.description.assign(10000, 'd');
  for (int i = 0; i < 200; ++i) enc.add_resource("demo_r" + std::to_string(i), s);
  const auto e = std::move(enc).finish({});
  EXPECT_GT(e->size(), 2'000'000u);
  EXPECT_GT(e->pieces.size(), 4u);
  std::string bytes;
  for (const auto& p : e->pieces) bytes += p;
  tfplugin6::GetProviderSchema::Response parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.resource_schemas_size(), 200);
}

TEST(SchemaEncoder, RefusesUnknownProtocolVersions) {
  EXPECT_THROW(plugin::provider_schema_encoder(4), std::invalid_argument);
  EXPECT_THROW(plugin::provider_schema_encoder(7), std::invalid_argument);
}
