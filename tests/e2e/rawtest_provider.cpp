// terraform-provider-rawtest: a provider written straight against the plugin layer (no
// framework, no cty), used by the plugin layer's integration and e2e tests.
//
//   provider::rawtest::echo(s)  returns its string argument, answered from another thread
//   provider::rawtest::boom(s)  throws inside the handler (must become an error, not a crash)
//   ApplyResourceChange "rawtest_slow" waits until StopProvider or 30 s, then reports which
#include <chrono>
#include <cstdlib>
#include <thread>

#include "cppvider/plugin/serve.hpp"
#include "cppvider/runtime/log.hpp"

namespace plugin = cppvider::plugin;

namespace {

plugin::function_definition string_function(std::string summary) {
  plugin::function_definition f;
  f.parameters.push_back({.name = "value", .type_json = "\"string\""});
  f.return_type_json = "\"string\"";
  f.summary = std::move(summary);
  return f;
}

class rawtest final : public plugin::provider_service {
 public:
  // Answered encoded (provider_schema_encoder) over the wire, as framework providers do, or in
  // plain form with RAWTEST_PLAIN_SCHEMA=1: the plugin tests compare the two.
  void get_provider_schema(plugin::call_context ctx, plugin::get_provider_schema_request,
                           plugin::responder<plugin::get_provider_schema_response> done) override {
    plugin::get_provider_schema_response r;
    r.provider.block.attributes.push_back(
        {.name = "label", .type_json = "\"string\"", .description = "Free text", .optional = true});
    plugin::schema slow;
    slow.block.attributes.push_back({.name = "id", .type_json = "\"string\"", .computed = true});
    r.resource_schemas.emplace("rawtest_slow", slow);
    r.functions.emplace("echo", string_function("Returns its argument"));
    r.functions.emplace("boom", string_function("Always fails"));
    r.capabilities.get_provider_schema_optional = true;
    if (ctx.accepts_encoded && std::getenv("RAWTEST_PLAIN_SCHEMA") == nullptr) {
      plugin::provider_schema_encoder enc(ctx.protocol_version);
      enc.add_resource("rawtest_slow", r.resource_schemas.at("rawtest_slow"));
      r.resource_schemas.clear();
      plugin::get_provider_schema_response encoded;
      encoded.encoded = std::move(enc).finish(r);
      done(std::move(encoded));
      return;
    }
    done(std::move(r));
  }

  void validate_provider_config(
      plugin::call_context, plugin::validate_provider_config_request,
      plugin::responder<plugin::validate_provider_config_response> done) override {
    done({});
  }

  void configure_provider(plugin::call_context, plugin::configure_provider_request req,
                          plugin::responder<plugin::configure_provider_response> done) override {
    cppvider::log::info("configured", {{"terraform_version", req.terraform_version}});
    done({});
  }

  void get_functions(plugin::call_context, plugin::get_functions_request,
                     plugin::responder<plugin::get_functions_response> done) override {
    plugin::get_functions_response r;
    r.functions.emplace("echo", string_function("Returns its argument"));
    r.functions.emplace("boom", string_function("Always fails"));
    done(std::move(r));
  }

  void call_function(plugin::call_context, plugin::call_function_request req,
                     plugin::responder<plugin::call_function_response> done) override {
    if (req.name == "boom") throw std::runtime_error("boom was called");
    if (req.name != "echo" || req.arguments.size() != 1) {
      done({.error = plugin::function_error{"unknown function " + req.name, std::nullopt}});
      return;
    }
    // Answer later, from another thread: the responder is what makes handlers asynchronous.
    std::thread([arg = std::move(req.arguments[0]), done] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      done({.result = arg});
    }).detach();
  }

  void apply_resource_change(
      plugin::call_context ctx, plugin::apply_resource_change_request,
      plugin::responder<plugin::apply_resource_change_response> done) override {
    std::thread([ctx = std::move(ctx), done] {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!ctx.stop.stop_requested() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      plugin::apply_resource_change_response r;
      r.diags.push_back(
          plugin::error_diagnostic(ctx.stop.stop_requested() ? "stopped" : "timed out"));
      done(std::move(r));
    }).detach();
  }
};

}  // namespace

int main(int argc, char** argv) {
  rawtest provider;
  return plugin::serve(provider, {.provider_address = "example.com/cppvider/rawtest"}, argc, argv);
}
