// cppvider/framework/data_source.hpp: data sources (read-only lookups).
//
//   struct file {
//     struct state { fw::attr<std::string> path; fw::attr<std::string> content; };
//     static constexpr std::string_view type_name = "file";
//     static auto schema() { ... }
//     void read(const fw::data_source_read_request<state>& req,
//               fw::data_source_read_response<state>& resp);   // or a runtime::task<> coroutine
//     // optional: validate_config
//   };
//   provider.add_data_source<file>();
//
// Terraform reads a data source when its configuration is wholly known, during plan, or during
// apply when it depends on values known only then. The response starts as the configuration;
// fill in the computed attributes.
#pragma once

#include <functional>
#include <string>

#include "cppvider/cty/value.hpp"
#include "cppvider/framework/resource.hpp"
#include "cppvider/framework/schema.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::framework {

template <class S>
struct data_source_read_request {
  S config;
  cty::value provider_meta;  // the module's provider_meta block (see resource.hpp)
};
template <class S>
struct data_source_read_response {
  S state;  // starts as the configuration
  framework::diagnostics diagnostics;
};

class data_source_definition {
 public:
  virtual ~data_source_definition() = default;
  [[nodiscard]] virtual std::string type_name() const = 0;
  [[nodiscard]] virtual schema_result schema() = 0;
  // Hooks are coroutines; the caller keeps request and response alive until they finish.
  virtual runtime::task<void> validate_config(const validate_config_request<cty::value>&,
                                              validate_config_response&) {
    co_return;
  }
  virtual runtime::task<void> read(const data_source_read_request<cty::value>&,
                                   data_source_read_response<cty::value>&) = 0;
};

class dynamic_data_source : public data_source_definition {
 public:
  dynamic_data_source(std::string type_name, schema_builder schema)
      : type_name_(std::move(type_name)), schema_(std::move(schema)) {}

  std::function<void(const data_source_read_request<cty::value>&,
                     data_source_read_response<cty::value>&)>
      on_read;

  [[nodiscard]] std::string type_name() const override { return type_name_; }
  [[nodiscard]] schema_result schema() override { return schema_.build(); }
  runtime::task<void> read(const data_source_read_request<cty::value>& q,
                           data_source_read_response<cty::value>& p) override {
    if (on_read) on_read(q, p);
    co_return;
  }

 private:
  std::string type_name_;
  schema_builder schema_;
};

}  // namespace cppvider::framework
