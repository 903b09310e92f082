// cppvider/plugin/protocol.hpp: the provider protocol as plain C++ types.
//
// These structs mirror tfplugin6 (and tfplugin5, which is a subset) message by message, so that
// no gRPC or protobuf type ever reaches a public header. Values stay encoded (`dynamic_value`):
// decoding them is the job of the cty layer and the framework, which know the schema.
//
// A server implements `provider_service`. Each RPC is a virtual function that receives the call
// context and the request by value, and answers exactly once through its `responder`, from any
// thread, now or later: that is what lets the framework run hooks as coroutines without holding a
// gRPC thread. The defaults answer with an error diagnostic naming the RPC.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

namespace cppvider::plugin {

// An encoded cty value: msgpack from hosts; JSON only as a fallback. Empty both = absent.
struct dynamic_value {
  std::string msgpack;
  std::string json;
  bool empty() const noexcept { return msgpack.empty() && json.empty(); }
};

struct attribute_path {
  struct step {
    enum class kind : std::uint8_t { attribute_name, element_key_string, element_key_int };
    kind k = kind::attribute_name;
    std::string name;  // attribute name or string key
    std::int64_t index = 0;
  };
  std::vector<step> steps;
};

enum class severity : std::uint8_t { invalid = 0, error = 1, warning = 2 };

struct diagnostic {
  severity sev = severity::error;
  std::string summary;
  std::string detail;
  std::optional<attribute_path> attribute;
};
using diagnostics = std::vector<diagnostic>;

inline diagnostic error_diagnostic(std::string summary, std::string detail = {}) {
  return {severity::error, std::move(summary), std::move(detail), std::nullopt};
}

struct function_error {
  std::string text;
  std::optional<std::int64_t> function_argument;
};

// ---- Schemas -------------------------------------------------------------------------------

enum class string_kind : std::uint8_t { plain = 0, markdown = 1 };

struct schema_object;

struct schema_attribute {
  std::string name;
  std::string type_json;  // cty type JSON, e.g. "string" or ["list","number"]; empty with nested
  std::shared_ptr<const schema_object> nested_type;  // protocol 6 only
  std::string description;
  bool required = false;
  bool optional = false;
  bool computed = false;
  bool sensitive = false;
  string_kind description_kind = string_kind::plain;
  bool deprecated = false;
  bool write_only = false;
  std::string deprecation_message;
};

struct schema_object {
  enum class nesting_mode : std::uint8_t { invalid = 0, single = 1, list = 2, set = 3, map = 4 };
  std::vector<schema_attribute> attributes;
  nesting_mode nesting = nesting_mode::single;
};

struct schema_nested_block;

struct schema_block {
  std::int64_t version = 0;
  std::vector<schema_attribute> attributes;
  std::vector<schema_nested_block> block_types;
  std::string description;
  string_kind description_kind = string_kind::plain;
  bool deprecated = false;
  bool computed = false;  // protocol 6.11
  std::string deprecation_message;
};

struct schema_nested_block {
  enum class nesting_mode : std::uint8_t {
    invalid = 0,
    single = 1,
    list = 2,
    set = 3,
    map = 4,
    group = 5
  };
  std::string type_name;
  schema_block block;
  nesting_mode nesting = nesting_mode::list;
  std::int64_t min_items = 0;
  std::int64_t max_items = 0;
};

struct schema {
  std::int64_t version = 0;
  schema_block block;
};

struct function_parameter {
  std::string name;
  std::string type_json;
  bool allow_null_value = false;
  bool allow_unknown_values = false;
  std::string description;
  string_kind description_kind = string_kind::plain;
};

struct function_definition {
  std::vector<function_parameter> parameters;
  std::optional<function_parameter> variadic_parameter;
  std::string return_type_json;
  std::string summary;
  std::string description;
  string_kind description_kind = string_kind::plain;
  std::string deprecation_message;
};

struct identity_attribute {
  std::string name;
  std::string type_json;
  bool required_for_import = false;
  bool optional_for_import = false;
  std::string description;
};

struct identity_schema {
  std::int64_t version = 0;
  std::vector<identity_attribute> attributes;
};

// ---- Capabilities --------------------------------------------------------------------------

struct server_capabilities {
  bool plan_destroy = false;
  bool get_provider_schema_optional = false;
  bool move_resource_state = false;
  bool generate_resource_config = false;
};

struct client_capabilities {
  bool deferral_allowed = false;
  bool write_only_attributes_allowed = false;
  bool store_planned_private = false;
  bool computed_blocks_allowed = false;
};

struct deferred {
  enum class reason : std::uint8_t {
    unknown = 0,
    resource_config_unknown = 1,
    provider_config_unknown = 2,
    absent_prereq = 3
  };
  reason why = reason::unknown;
};

// ---- Requests and responses, one pair per RPC ----------------------------------------------

struct get_metadata_request {};
struct get_metadata_response {
  server_capabilities capabilities;
  diagnostics diags;
  std::vector<std::string> data_sources, resources, functions, ephemeral_resources, list_resources,
      state_stores, actions;
};

// A response already in wire form: the bytes of the protobuf message for one protocol version,
// in pieces that are sent one after the other. Immutable; shared by every call that sends it.
struct encoded_response {
  int protocol_version = 6;
  std::vector<std::string> pieces;
  std::size_t size() const noexcept;
};

struct get_provider_schema_request {};
struct get_provider_schema_response {
  // When set, this is the whole answer and the fields below are ignored: the server sends the
  // bytes as they are, without copying them (see provider_schema_encoder). Only over the wire:
  // set it only when call_context::accepts_encoded says so.
  std::shared_ptr<const encoded_response> encoded;

  schema provider;
  std::map<std::string, schema> resource_schemas;
  std::map<std::string, schema> data_source_schemas;
  std::map<std::string, schema> ephemeral_resource_schemas;
  std::map<std::string, schema> list_resource_schemas;
  std::map<std::string, function_definition> functions;
  std::optional<schema> provider_meta;
  server_capabilities capabilities;
  diagnostics diags;
};

struct validate_provider_config_request {
  dynamic_value config;
};
struct validate_provider_config_response {
  diagnostics diags;
};

struct validate_resource_config_request {
  std::string type_name;
  dynamic_value config;
  client_capabilities client;
};
struct validate_resource_config_response {
  diagnostics diags;
};

struct validate_data_resource_config_request {
  std::string type_name;
  dynamic_value config;
};
struct validate_data_resource_config_response {
  diagnostics diags;
};

struct raw_state {
  std::string json;
  std::map<std::string, std::string> flatmap;  // Terraform <= 0.11 state only
};

struct upgrade_resource_state_request {
  std::string type_name;
  std::int64_t version = 0;
  raw_state state;
};
struct upgrade_resource_state_response {
  dynamic_value upgraded_state;
  diagnostics diags;
};

struct get_resource_identity_schemas_request {};
struct get_resource_identity_schemas_response {
  std::map<std::string, identity_schema> identity_schemas;
  diagnostics diags;
};

struct upgrade_resource_identity_request {
  std::string type_name;
  std::int64_t version = 0;
  raw_state raw_identity;
};
struct upgrade_resource_identity_response {
  std::optional<dynamic_value> upgraded_identity;
  diagnostics diags;
};

struct configure_provider_request {
  std::string terraform_version;
  dynamic_value config;
  client_capabilities client;
};
struct configure_provider_response {
  diagnostics diags;
};

struct read_resource_request {
  std::string type_name;
  dynamic_value current_state;
  std::string private_state;
  dynamic_value provider_meta;
  client_capabilities client;
  std::optional<dynamic_value> current_identity;
};
struct read_resource_response {
  dynamic_value new_state;
  diagnostics diags;
  std::string private_state;
  std::optional<deferred> deferral;
  std::optional<dynamic_value> new_identity;
};

struct plan_resource_change_request {
  std::string type_name;
  dynamic_value prior_state;
  dynamic_value proposed_new_state;
  dynamic_value config;
  std::string prior_private;
  dynamic_value provider_meta;
  client_capabilities client;
  std::optional<dynamic_value> prior_identity;
};
struct plan_resource_change_response {
  dynamic_value planned_state;
  std::vector<attribute_path> requires_replace;
  std::string planned_private;
  diagnostics diags;
  std::optional<deferred> deferral;
  std::optional<dynamic_value> planned_identity;
};

struct apply_resource_change_request {
  std::string type_name;
  dynamic_value prior_state;
  dynamic_value planned_state;
  dynamic_value config;
  std::string planned_private;
  dynamic_value provider_meta;
  std::optional<dynamic_value> planned_identity;
};
struct apply_resource_change_response {
  dynamic_value new_state;
  std::string private_state;
  diagnostics diags;
  std::optional<dynamic_value> new_identity;
};

struct import_resource_state_request {
  std::string type_name;
  std::string id;
  client_capabilities client;
  std::optional<dynamic_value> identity;
};
struct imported_resource {
  std::string type_name;
  dynamic_value state;
  std::string private_state;
  std::optional<dynamic_value> identity;
};
struct import_resource_state_response {
  std::vector<imported_resource> imported;
  diagnostics diags;
  std::optional<deferred> deferral;
};

struct move_resource_state_request {
  std::string source_provider_address;
  std::string source_type_name;
  std::int64_t source_schema_version = 0;
  raw_state source_state;
  std::string target_type_name;
  std::string source_private;
  std::optional<raw_state> source_identity;
  std::int64_t source_identity_schema_version = 0;
};
struct move_resource_state_response {
  dynamic_value target_state;
  diagnostics diags;
  std::string target_private;
  std::optional<dynamic_value> target_identity;
};

struct read_data_source_request {
  std::string type_name;
  dynamic_value config;
  dynamic_value provider_meta;
  client_capabilities client;
};
struct read_data_source_response {
  dynamic_value state;
  diagnostics diags;
  std::optional<deferred> deferral;
};

struct validate_ephemeral_resource_config_request {
  std::string type_name;
  dynamic_value config;
};
struct validate_ephemeral_resource_config_response {
  diagnostics diags;
};

using timestamp = std::chrono::system_clock::time_point;

struct open_ephemeral_resource_request {
  std::string type_name;
  dynamic_value config;
  client_capabilities client;
};
struct open_ephemeral_resource_response {
  diagnostics diags;
  std::optional<timestamp> renew_at;
  dynamic_value result;
  std::optional<std::string> private_state;
  std::optional<deferred> deferral;
};

struct renew_ephemeral_resource_request {
  std::string type_name;
  std::optional<std::string> private_state;
};
struct renew_ephemeral_resource_response {
  diagnostics diags;
  std::optional<timestamp> renew_at;
  std::optional<std::string> private_state;
};

struct close_ephemeral_resource_request {
  std::string type_name;
  std::optional<std::string> private_state;
};
struct close_ephemeral_resource_response {
  diagnostics diags;
};

struct get_functions_request {};
struct get_functions_response {
  std::map<std::string, function_definition> functions;
  diagnostics diags;
};

struct call_function_request {
  std::string name;
  std::vector<dynamic_value> arguments;
};
struct call_function_response {
  dynamic_value result;
  std::optional<function_error> error;
};

struct stop_provider_request {};
struct stop_provider_response {
  std::string error;
};

// ---- Calls ---------------------------------------------------------------------------------

// What a handler knows about the call it serves. Cheap to copy; keep it for async work.
struct call_context {
  std::string rpc;         // e.g. "PlanResourceChange" (the protocol 6 name)
  std::string request_id;  // unique per process; also on every log line of the call
  int protocol_version = 6;
  // Requested when StopProvider arrives or the client cancels the call: stop waiting, answer.
  std::stop_token stop;
  // True when the answer goes to the wire, which accepts encoded responses; false in-process
  // (cppvider::testing), where the caller reads the fields.
  bool accepts_encoded = false;
};

// Encodes a GetProviderSchema response for the wire one schema at a time, so that a provider of
// thousands of resource types never holds all of them in plain form: each schema can be built,
// added and dropped. The result is the same message `get_provider_schema_response` would give.
class provider_schema_encoder {
 public:
  explicit provider_schema_encoder(int protocol_version);  // 5 or 6
  provider_schema_encoder(provider_schema_encoder&&) noexcept;
  provider_schema_encoder& operator=(provider_schema_encoder&&) noexcept;
  ~provider_schema_encoder();

  void add_resource(const std::string& type_name, const schema& s);
  void add_data_source(const std::string& type_name, const schema& s);
  void add_ephemeral_resource(const std::string& type_name, const schema& s);

  // Adds `rest` (provider schema, provider_meta, functions, capabilities, diagnostics and any
  // schemas in its maps) and returns the finished message.
  [[nodiscard]] std::shared_ptr<const encoded_response> finish(
      const get_provider_schema_response& rest) &&;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

namespace detail {
template <class Response>
struct completion {
  virtual ~completion() = default;
  virtual void complete(Response&& r) noexcept = 0;
};
}  // namespace detail

// Sends one RPC's answer. Copyable; the first call wins and later calls are ignored. If every
// copy is dropped unanswered, the call fails with an internal error instead of hanging Terraform.
template <class Response>
class responder {
 public:
  explicit responder(std::shared_ptr<detail::completion<Response>> c) : c_(std::move(c)) {}
  void operator()(Response r) const noexcept {
    if (c_) c_->complete(std::move(r));
  }

 private:
  std::shared_ptr<detail::completion<Response>> c_;
};

// The provider, seen from the wire. Override what you serve; the rest answers with an error
// diagnostic naming the RPC. Calls arrive concurrently (Terraform runs 10 operations at once).
class provider_service {
 public:
  virtual ~provider_service() = default;

  virtual void get_metadata(call_context, get_metadata_request, responder<get_metadata_response>);
  virtual void get_provider_schema(call_context, get_provider_schema_request,
                                   responder<get_provider_schema_response>);
  virtual void validate_provider_config(call_context, validate_provider_config_request,
                                        responder<validate_provider_config_response>);
  virtual void validate_resource_config(call_context, validate_resource_config_request,
                                        responder<validate_resource_config_response>);
  virtual void validate_data_resource_config(call_context, validate_data_resource_config_request,
                                             responder<validate_data_resource_config_response>);
  virtual void upgrade_resource_state(call_context, upgrade_resource_state_request,
                                      responder<upgrade_resource_state_response>);
  virtual void get_resource_identity_schemas(call_context, get_resource_identity_schemas_request,
                                             responder<get_resource_identity_schemas_response>);
  virtual void upgrade_resource_identity(call_context, upgrade_resource_identity_request,
                                         responder<upgrade_resource_identity_response>);
  virtual void configure_provider(call_context, configure_provider_request,
                                  responder<configure_provider_response>);
  virtual void read_resource(call_context, read_resource_request,
                             responder<read_resource_response>);
  virtual void plan_resource_change(call_context, plan_resource_change_request,
                                    responder<plan_resource_change_response>);
  virtual void apply_resource_change(call_context, apply_resource_change_request,
                                     responder<apply_resource_change_response>);
  virtual void import_resource_state(call_context, import_resource_state_request,
                                     responder<import_resource_state_response>);
  virtual void move_resource_state(call_context, move_resource_state_request,
                                   responder<move_resource_state_response>);
  virtual void read_data_source(call_context, read_data_source_request,
                                responder<read_data_source_response>);
  virtual void validate_ephemeral_resource_config(
      call_context, validate_ephemeral_resource_config_request,
      responder<validate_ephemeral_resource_config_response>);
  virtual void open_ephemeral_resource(call_context, open_ephemeral_resource_request,
                                       responder<open_ephemeral_resource_response>);
  virtual void renew_ephemeral_resource(call_context, renew_ephemeral_resource_request,
                                        responder<renew_ephemeral_resource_response>);
  virtual void close_ephemeral_resource(call_context, close_ephemeral_resource_request,
                                        responder<close_ephemeral_resource_response>);
  virtual void get_functions(call_context, get_functions_request,
                             responder<get_functions_response>);
  virtual void call_function(call_context, call_function_request,
                             responder<call_function_response>);

  // StopProvider: the server has already requested stop on every call in flight (their
  // call_context::stop) before this runs; override to cancel work the provider tracks itself.
  // It must not wait for that work to end.
  virtual void stop_provider(call_context, stop_provider_request,
                             responder<stop_provider_response>);
};

// The diagnostic the defaults send: "<RPC> is not implemented by this provider".
diagnostic unimplemented_diagnostic(std::string_view rpc);

}  // namespace cppvider::plugin
