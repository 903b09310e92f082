// terraform-provider-awsscale: 1 500 generated resource types on the cppvider framework, for the
// start-up and GetProviderSchema benchmark (bench/aws-scale/README.md). The resources have real
// schemas and trivial hooks; nothing calls the hooks.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "awsscale_schema.hpp"
#include "cppvider/framework/provider.hpp"
#include "cppvider/framework/resource.hpp"

namespace awsscale {

namespace fw = cppvider::framework;
namespace rt = cppvider::runtime;

struct config {
  fw::attr<std::string> region, profile, access_key, secret_key;
  fw::attr<std::int64_t> max_retries;
  fw::attr<bool> skip_credentials_validation;
  fw::attr<std::set<std::string>> allowed_account_ids;
};

struct client {
  std::string region;
};

using provider = fw::provider<config, client>;

// A resource whose schema comes from generated data: `make(index)` builds it on the first
// GetProviderSchema (or the first call naming the type), never at start-up. That is the point
// of not using fw::dynamic_resource here: it takes a finished schema_builder in its
// constructor, so 1 500 of them would build every schema before the handshake.
class generated_resource final : public fw::resource_definition {
 public:
  using schema_fn = fw::schema_builder (*)(std::uint32_t index);

  generated_resource(std::string_view name, schema_fn make, std::uint32_t index)
      : name_(name), make_(make), index_(index) {}

  [[nodiscard]] std::string type_name() const override { return std::string(name_); }
  [[nodiscard]] fw::schema_result schema() override { return make_(index_).build(); }

  // Trivial hooks: the benchmark measures start-up and schema, never CRUD.
  rt::task<void> create(const fw::create_request<cppvider::cty::value>& req,
                        fw::create_response<cppvider::cty::value>& resp) override;
  rt::task<void> read(const fw::read_request<cppvider::cty::value>&,
                      fw::read_response<cppvider::cty::value>&) override;
  rt::task<void> update(const fw::update_request<cppvider::cty::value>&,
                        fw::update_response<cppvider::cty::value>&) override;
  rt::task<void> destroy(const fw::destroy_request<cppvider::cty::value>&,
                         fw::destroy_response&) override;

 private:
  std::string_view name_;  // points into static data
  schema_fn make_;
  std::uint32_t index_;
};

// The provider's own configuration block and configure function.
void define_provider(provider& p);

// Registers every resource of the compiled-in table (awsscale_table.cpp).
void add_table_resources(provider& p);
// Registers every resource of the generated schema functions (awsscale_code_*.cpp).
void add_code_resources(provider& p);

}  // namespace awsscale
