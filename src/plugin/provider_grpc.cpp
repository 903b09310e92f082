#include "provider_grpc.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "messages.hpp"
#include "tfplugin5.grpc.pb.h"
#include "tfplugin6.grpc.pb.h"

namespace cppvider::plugin::detail {
namespace {

// The message types of one protocol version, so that one adaptor template serves both.
// GetProviderSchema is served raw (bytes, not a message) so that a response the provider
// encoded once is sent as it is: see schema_wire below.
struct v6 {
  using service = tfplugin6::Provider::WithRawCallbackMethod_GetProviderSchema<
      tfplugin6::Provider::CallbackService>;
  using GetMetadata = tfplugin6::GetMetadata_;
  using ValidateResourceConfig = tfplugin6::ValidateResourceConfig;
  using UpgradeResourceState = tfplugin6::UpgradeResourceState;
  using GetResourceIdentitySchemas = tfplugin6::GetResourceIdentitySchemas;
  using UpgradeResourceIdentity = tfplugin6::UpgradeResourceIdentity;
  using ReadResource = tfplugin6::ReadResource;
  using PlanResourceChange = tfplugin6::PlanResourceChange;
  using ApplyResourceChange = tfplugin6::ApplyResourceChange;
  using ImportResourceState = tfplugin6::ImportResourceState;
  using MoveResourceState = tfplugin6::MoveResourceState;
  using ReadDataSource = tfplugin6::ReadDataSource;
  using GenerateResourceConfig = tfplugin6::GenerateResourceConfig;
  using ValidateEphemeralResourceConfig = tfplugin6::ValidateEphemeralResourceConfig;
  using OpenEphemeralResource = tfplugin6::OpenEphemeralResource;
  using RenewEphemeralResource = tfplugin6::RenewEphemeralResource;
  using CloseEphemeralResource = tfplugin6::CloseEphemeralResource;
  using ListResource = tfplugin6::ListResource;
  using ValidateListResourceConfig = tfplugin6::ValidateListResourceConfig;
  using GetFunctions = tfplugin6::GetFunctions;
  using CallFunction = tfplugin6::CallFunction;
  using PlanAction = tfplugin6::PlanAction;
  using InvokeAction = tfplugin6::InvokeAction;
  using ValidateActionConfig = tfplugin6::ValidateActionConfig;
  using GetProviderSchema = tfplugin6::GetProviderSchema;
  using StopProvider = tfplugin6::StopProvider;
};

struct v5 {
  using service =
      tfplugin5::Provider::WithRawCallbackMethod_GetSchema<tfplugin5::Provider::CallbackService>;
  using GetMetadata = tfplugin5::GetMetadata_;
  using ValidateResourceConfig = tfplugin5::ValidateResourceTypeConfig;
  using UpgradeResourceState = tfplugin5::UpgradeResourceState;
  using GetResourceIdentitySchemas = tfplugin5::GetResourceIdentitySchemas;
  using UpgradeResourceIdentity = tfplugin5::UpgradeResourceIdentity;
  using ReadResource = tfplugin5::ReadResource;
  using PlanResourceChange = tfplugin5::PlanResourceChange;
  using ApplyResourceChange = tfplugin5::ApplyResourceChange;
  using ImportResourceState = tfplugin5::ImportResourceState;
  using MoveResourceState = tfplugin5::MoveResourceState;
  using ReadDataSource = tfplugin5::ReadDataSource;
  using GenerateResourceConfig = tfplugin5::GenerateResourceConfig;
  using ValidateEphemeralResourceConfig = tfplugin5::ValidateEphemeralResourceConfig;
  using OpenEphemeralResource = tfplugin5::OpenEphemeralResource;
  using RenewEphemeralResource = tfplugin5::RenewEphemeralResource;
  using CloseEphemeralResource = tfplugin5::CloseEphemeralResource;
  using ListResource = tfplugin5::ListResource;
  using ValidateListResourceConfig = tfplugin5::ValidateListResourceConfig;
  using GetFunctions = tfplugin5::GetFunctions;
  using CallFunction = tfplugin5::CallFunction;
  using PlanAction = tfplugin5::PlanAction;
  using InvokeAction = tfplugin5::InvokeAction;
  using ValidateActionConfig = tfplugin5::ValidateActionConfig;
  using GetProviderSchema = tfplugin5::GetProviderSchema;
  using StopProvider = tfplugin5::Stop;
};

using ctx_t = grpc::CallbackServerContext;
using unary_t = grpc::ServerUnaryReactor;

// An RPC family the provider does not serve yet: answer with an error diagnostic naming it.
template <class Response>
unary_t* not_served(ctx_t* ctx, Response* resp, std::string_view rpc) {
  convert::to_proto(diagnostics{unimplemented_diagnostic(rpc)}, resp->mutable_diagnostics());
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// Server-streaming families not served yet: one event carrying the diagnostic, then the end.
template <class Message>
class single_message_writer final : public grpc::ServerWriteReactor<Message> {
 public:
  explicit single_message_writer(Message m) : message_(std::move(m)) {
    this->StartWriteAndFinish(&message_, grpc::WriteOptions(), grpc::Status::OK);
  }
  void OnDone() override { delete this; }  // gRPC's reactor ownership: freed when the call ends

 private:
  Message message_;
};

// Client-streaming family not served yet: drain the stream, then answer with the diagnostic.
template <class Chunk, class Response>
class draining_reader final : public grpc::ServerReadReactor<Chunk> {
 public:
  draining_reader(Response* resp, std::string_view rpc) : resp_(resp), rpc_(rpc) {
    this->StartRead(&chunk_);
  }
  void OnReadDone(bool ok) override {
    if (ok) {
      this->StartRead(&chunk_);
      return;
    }
    convert::to_proto(diagnostics{unimplemented_diagnostic(rpc_)}, resp_->mutable_diagnostics());
    this->Finish(grpc::Status::OK);
  }
  void OnDone() override { delete this; }

 private:
  Chunk chunk_;
  Response* resp_;
  std::string_view rpc_;
};

// The GetProviderSchema answer as bytes: the provider's encoded response shared, not copied
// (each slice holds a reference to it), or the plain one converted and serialised here.
template <class Message, int version>
void schema_wire(const get_provider_schema_response& r, grpc::ByteBuffer* out) {
  if (!r.encoded) {
    Message m;
    messages::fill(r, &m);
    bool own_buffer = false;
    const auto status = grpc::SerializationTraits<Message>::Serialize(m, out, &own_buffer);
    if (!status.ok()) throw std::runtime_error("the response could not be serialised");
    return;
  }
  if (r.encoded->protocol_version != version) {
    throw std::runtime_error("the provider encoded its schema for protocol " +
                             std::to_string(r.encoded->protocol_version) + ", not " +
                             std::to_string(version));
  }
  using holder = std::shared_ptr<const encoded_response>;
  std::vector<grpc::Slice> slices;
  slices.reserve(r.encoded->pieces.size());
  for (const auto& piece : r.encoded->pieces) {
    auto keep = std::make_unique<holder>(r.encoded);
    slices.emplace_back(
        const_cast<char*>(piece.data()), piece.size(),
        [](void* p) { std::unique_ptr<holder>(static_cast<holder*>(p)); }, keep.release());
  }
  *out = grpc::ByteBuffer(slices.data(), slices.size());
}

template <class Pb>
class provider_common : public Pb::service {
 public:
  provider_common(provider_service& svc, server_state& state) : svc_(svc), state_(state) {}

  unary_t* GetMetadata(ctx_t*, const typename Pb::GetMetadata::Request*,
                       typename Pb::GetMetadata::Response* resp) override {
    return dispatch<get_metadata_response>(
        state_, resp, "GetMetadata", &messages::fill<typename Pb::GetMetadata::Response>,
        [&](call_context c, auto done) { svc_.get_metadata(std::move(c), {}, std::move(done)); });
  }
  unary_t* UpgradeResourceState(ctx_t*, const typename Pb::UpgradeResourceState::Request* req,
                                typename Pb::UpgradeResourceState::Response* resp) override {
    return dispatch<upgrade_resource_state_response>(
        state_, resp, "UpgradeResourceState",
        &messages::fill<typename Pb::UpgradeResourceState::Response>,
        [&](call_context c, auto done) {
          svc_.upgrade_resource_state(std::move(c), messages::upgrade_resource_state(*req),
                                      std::move(done));
        });
  }
  unary_t* GetResourceIdentitySchemas(
      ctx_t*, const typename Pb::GetResourceIdentitySchemas::Request*,
      typename Pb::GetResourceIdentitySchemas::Response* resp) override {
    return dispatch<get_resource_identity_schemas_response>(
        state_, resp, "GetResourceIdentitySchemas",
        &messages::fill<typename Pb::GetResourceIdentitySchemas::Response>,
        [&](call_context c, auto done) {
          svc_.get_resource_identity_schemas(std::move(c), {}, std::move(done));
        });
  }
  unary_t* UpgradeResourceIdentity(ctx_t*, const typename Pb::UpgradeResourceIdentity::Request* req,
                                   typename Pb::UpgradeResourceIdentity::Response* resp) override {
    return dispatch<upgrade_resource_identity_response>(
        state_, resp, "UpgradeResourceIdentity",
        &messages::fill<typename Pb::UpgradeResourceIdentity::Response>,
        [&](call_context c, auto done) {
          svc_.upgrade_resource_identity(std::move(c), messages::upgrade_resource_identity(*req),
                                         std::move(done));
        });
  }
  unary_t* ReadResource(ctx_t*, const typename Pb::ReadResource::Request* req,
                        typename Pb::ReadResource::Response* resp) override {
    return dispatch<read_resource_response>(
        state_, resp, "ReadResource", &messages::fill<typename Pb::ReadResource::Response>,
        [&](call_context c, auto done) {
          svc_.read_resource(std::move(c), messages::read_resource(*req), std::move(done));
        });
  }
  unary_t* PlanResourceChange(ctx_t*, const typename Pb::PlanResourceChange::Request* req,
                              typename Pb::PlanResourceChange::Response* resp) override {
    return dispatch<plan_resource_change_response>(
        state_, resp, "PlanResourceChange",
        &messages::fill<typename Pb::PlanResourceChange::Response>, [&](call_context c, auto done) {
          svc_.plan_resource_change(std::move(c), messages::plan_resource_change(*req),
                                    std::move(done));
        });
  }
  unary_t* ApplyResourceChange(ctx_t*, const typename Pb::ApplyResourceChange::Request* req,
                               typename Pb::ApplyResourceChange::Response* resp) override {
    return dispatch<apply_resource_change_response>(
        state_, resp, "ApplyResourceChange",
        &messages::fill<typename Pb::ApplyResourceChange::Response>,
        [&](call_context c, auto done) {
          svc_.apply_resource_change(std::move(c), messages::apply_resource_change(*req),
                                     std::move(done));
        });
  }
  unary_t* ImportResourceState(ctx_t*, const typename Pb::ImportResourceState::Request* req,
                               typename Pb::ImportResourceState::Response* resp) override {
    return dispatch<import_resource_state_response>(
        state_, resp, "ImportResourceState",
        &messages::fill<typename Pb::ImportResourceState::Response>,
        [&](call_context c, auto done) {
          svc_.import_resource_state(std::move(c), messages::import_resource_state(*req),
                                     std::move(done));
        });
  }
  unary_t* MoveResourceState(ctx_t*, const typename Pb::MoveResourceState::Request* req,
                             typename Pb::MoveResourceState::Response* resp) override {
    return dispatch<move_resource_state_response>(
        state_, resp, "MoveResourceState",
        &messages::fill<typename Pb::MoveResourceState::Response>, [&](call_context c, auto done) {
          svc_.move_resource_state(std::move(c), messages::move_resource_state(*req),
                                   std::move(done));
        });
  }
  unary_t* ReadDataSource(ctx_t*, const typename Pb::ReadDataSource::Request* req,
                          typename Pb::ReadDataSource::Response* resp) override {
    return dispatch<read_data_source_response>(
        state_, resp, "ReadDataSource", &messages::fill<typename Pb::ReadDataSource::Response>,
        [&](call_context c, auto done) {
          svc_.read_data_source(std::move(c), messages::read_data_source(*req), std::move(done));
        });
  }
  unary_t* ValidateEphemeralResourceConfig(
      ctx_t*, const typename Pb::ValidateEphemeralResourceConfig::Request* req,
      typename Pb::ValidateEphemeralResourceConfig::Response* resp) override {
    return dispatch<validate_ephemeral_resource_config_response>(
        state_, resp, "ValidateEphemeralResourceConfig",
        &messages::fill_diags_only<validate_ephemeral_resource_config_response,
                                   typename Pb::ValidateEphemeralResourceConfig::Response>,
        [&](call_context c, auto done) {
          svc_.validate_ephemeral_resource_config(
              std::move(c), messages::validate_ephemeral_resource_config(*req), std::move(done));
        });
  }
  unary_t* OpenEphemeralResource(ctx_t*, const typename Pb::OpenEphemeralResource::Request* req,
                                 typename Pb::OpenEphemeralResource::Response* resp) override {
    return dispatch<open_ephemeral_resource_response>(
        state_, resp, "OpenEphemeralResource",
        &messages::fill<typename Pb::OpenEphemeralResource::Response>,
        [&](call_context c, auto done) {
          svc_.open_ephemeral_resource(std::move(c), messages::open_ephemeral_resource(*req),
                                       std::move(done));
        });
  }
  unary_t* RenewEphemeralResource(ctx_t*, const typename Pb::RenewEphemeralResource::Request* req,
                                  typename Pb::RenewEphemeralResource::Response* resp) override {
    return dispatch<renew_ephemeral_resource_response>(
        state_, resp, "RenewEphemeralResource",
        &messages::fill<typename Pb::RenewEphemeralResource::Response>,
        [&](call_context c, auto done) {
          svc_.renew_ephemeral_resource(std::move(c), messages::renew_ephemeral_resource(*req),
                                        std::move(done));
        });
  }
  unary_t* CloseEphemeralResource(ctx_t*, const typename Pb::CloseEphemeralResource::Request* req,
                                  typename Pb::CloseEphemeralResource::Response* resp) override {
    return dispatch<close_ephemeral_resource_response>(
        state_, resp, "CloseEphemeralResource",
        &messages::fill_diags_only<close_ephemeral_resource_response,
                                   typename Pb::CloseEphemeralResource::Response>,
        [&](call_context c, auto done) {
          svc_.close_ephemeral_resource(std::move(c), messages::close_ephemeral_resource(*req),
                                        std::move(done));
        });
  }
  unary_t* GetFunctions(ctx_t*, const typename Pb::GetFunctions::Request*,
                        typename Pb::GetFunctions::Response* resp) override {
    return dispatch<get_functions_response>(
        state_, resp, "GetFunctions", &messages::fill<typename Pb::GetFunctions::Response>,
        [&](call_context c, auto done) { svc_.get_functions(std::move(c), {}, std::move(done)); });
  }
  unary_t* CallFunction(ctx_t*, const typename Pb::CallFunction::Request* req,
                        typename Pb::CallFunction::Response* resp) override {
    return dispatch<call_function_response>(
        state_, resp, "CallFunction", &messages::fill<typename Pb::CallFunction::Response>,
        [&](call_context c, auto done) {
          svc_.call_function(std::move(c), messages::call_function(*req), std::move(done));
        });
  }

  // Families the framework does not serve yet.
  unary_t* GenerateResourceConfig(ctx_t* ctx, const typename Pb::GenerateResourceConfig::Request*,
                                  typename Pb::GenerateResourceConfig::Response* resp) override {
    return not_served(ctx, resp, "GenerateResourceConfig");
  }
  unary_t* ValidateListResourceConfig(
      ctx_t* ctx, const typename Pb::ValidateListResourceConfig::Request*,
      typename Pb::ValidateListResourceConfig::Response* resp) override {
    return not_served(ctx, resp, "ValidateListResourceConfig");
  }
  unary_t* PlanAction(ctx_t* ctx, const typename Pb::PlanAction::Request*,
                      typename Pb::PlanAction::Response* resp) override {
    return not_served(ctx, resp, "PlanAction");
  }
  unary_t* ValidateActionConfig(ctx_t* ctx, const typename Pb::ValidateActionConfig::Request*,
                                typename Pb::ValidateActionConfig::Response* resp) override {
    return not_served(ctx, resp, "ValidateActionConfig");
  }
  grpc::ServerWriteReactor<typename Pb::ListResource::Event>* ListResource(
      ctx_t*, const typename Pb::ListResource::Request*) override {
    typename Pb::ListResource::Event event;
    convert::to_proto(diagnostics{unimplemented_diagnostic("ListResource")},
                      event.mutable_diagnostic());
    return new single_message_writer<typename Pb::ListResource::Event>(std::move(event));
  }
  grpc::ServerWriteReactor<typename Pb::InvokeAction::Event>* InvokeAction(
      ctx_t*, const typename Pb::InvokeAction::Request*) override {
    typename Pb::InvokeAction::Event event;
    convert::to_proto(diagnostics{unimplemented_diagnostic("InvokeAction")},
                      event.mutable_completed()->mutable_diagnostics());
    return new single_message_writer<typename Pb::InvokeAction::Event>(std::move(event));
  }

 protected:
  // StopProvider (v6) and Stop (v5): stop every call in flight, then let the provider know.
  template <class Response>
  unary_t* stop(Response* resp) {
    state_.stop_in_flight();
    return dispatch<stop_provider_response>(
        state_, resp, "StopProvider", &messages::fill<Response>,
        [&](call_context c, auto done) { svc_.stop_provider(std::move(c), {}, std::move(done)); });
  }

  provider_service& svc_;
  server_state& state_;
};

class provider_v6 final : public provider_common<v6> {
 public:
  using provider_common::provider_common;

  unary_t* GetProviderSchema(ctx_t*, const grpc::ByteBuffer*, grpc::ByteBuffer* resp) override {
    return dispatch<get_provider_schema_response>(
        state_, resp, "GetProviderSchema", &schema_wire<tfplugin6::GetProviderSchema::Response, 6>,
        [&](call_context c, auto done) {
          svc_.get_provider_schema(std::move(c), {}, std::move(done));
        });
  }
  unary_t* ValidateProviderConfig(ctx_t*, const tfplugin6::ValidateProviderConfig::Request* req,
                                  tfplugin6::ValidateProviderConfig::Response* resp) override {
    return dispatch<validate_provider_config_response>(
        state_, resp, "ValidateProviderConfig",
        &messages::fill_diags_only<validate_provider_config_response,
                                   tfplugin6::ValidateProviderConfig::Response>,
        [&](call_context c, auto done) {
          svc_.validate_provider_config(std::move(c), messages::validate_provider_config(*req),
                                        std::move(done));
        });
  }
  unary_t* ValidateResourceConfig(ctx_t*, const tfplugin6::ValidateResourceConfig::Request* req,
                                  tfplugin6::ValidateResourceConfig::Response* resp) override {
    return dispatch<validate_resource_config_response>(
        state_, resp, "ValidateResourceConfig",
        &messages::fill_diags_only<validate_resource_config_response,
                                   tfplugin6::ValidateResourceConfig::Response>,
        [&](call_context c, auto done) {
          svc_.validate_resource_config(std::move(c), messages::validate_resource_config(*req),
                                        std::move(done));
        });
  }
  unary_t* ValidateDataResourceConfig(
      ctx_t*, const tfplugin6::ValidateDataResourceConfig::Request* req,
      tfplugin6::ValidateDataResourceConfig::Response* resp) override {
    return dispatch<validate_data_resource_config_response>(
        state_, resp, "ValidateDataResourceConfig",
        &messages::fill_diags_only<validate_data_resource_config_response,
                                   tfplugin6::ValidateDataResourceConfig::Response>,
        [&](call_context c, auto done) {
          svc_.validate_data_resource_config(
              std::move(c), messages::validate_data_resource_config(*req), std::move(done));
        });
  }
  unary_t* ConfigureProvider(ctx_t*, const tfplugin6::ConfigureProvider::Request* req,
                             tfplugin6::ConfigureProvider::Response* resp) override {
    return dispatch<configure_provider_response>(
        state_, resp, "ConfigureProvider",
        &messages::fill_diags_only<configure_provider_response,
                                   tfplugin6::ConfigureProvider::Response>,
        [&](call_context c, auto done) {
          svc_.configure_provider(std::move(c), messages::configure_provider(*req),
                                  std::move(done));
        });
  }
  unary_t* StopProvider(ctx_t*, const tfplugin6::StopProvider::Request*,
                        tfplugin6::StopProvider::Response* resp) override {
    return stop(resp);
  }

  // State stores (protocol 6 only), not served yet.
  unary_t* ValidateStateStoreConfig(ctx_t* ctx, const tfplugin6::ValidateStateStore::Request*,
                                    tfplugin6::ValidateStateStore::Response* resp) override {
    return not_served(ctx, resp, "ValidateStateStoreConfig");
  }
  unary_t* ConfigureStateStore(ctx_t* ctx, const tfplugin6::ConfigureStateStore::Request*,
                               tfplugin6::ConfigureStateStore::Response* resp) override {
    return not_served(ctx, resp, "ConfigureStateStore");
  }
  unary_t* LockState(ctx_t* ctx, const tfplugin6::LockState::Request*,
                     tfplugin6::LockState::Response* resp) override {
    return not_served(ctx, resp, "LockState");
  }
  unary_t* UnlockState(ctx_t* ctx, const tfplugin6::UnlockState::Request*,
                       tfplugin6::UnlockState::Response* resp) override {
    return not_served(ctx, resp, "UnlockState");
  }
  unary_t* GetStates(ctx_t* ctx, const tfplugin6::GetStates::Request*,
                     tfplugin6::GetStates::Response* resp) override {
    return not_served(ctx, resp, "GetStates");
  }
  unary_t* DeleteState(ctx_t* ctx, const tfplugin6::DeleteState::Request*,
                       tfplugin6::DeleteState::Response* resp) override {
    return not_served(ctx, resp, "DeleteState");
  }
  grpc::ServerWriteReactor<tfplugin6::ReadStateBytes::Response>* ReadStateBytes(
      ctx_t*, const tfplugin6::ReadStateBytes::Request*) override {
    tfplugin6::ReadStateBytes::Response r;
    convert::to_proto(diagnostics{unimplemented_diagnostic("ReadStateBytes")},
                      r.mutable_diagnostics());
    return new single_message_writer<tfplugin6::ReadStateBytes::Response>(std::move(r));
  }
  grpc::ServerReadReactor<tfplugin6::WriteStateBytes::RequestChunk>* WriteStateBytes(
      ctx_t*, tfplugin6::WriteStateBytes::Response* resp) override {
    return new draining_reader<tfplugin6::WriteStateBytes::RequestChunk,
                               tfplugin6::WriteStateBytes::Response>(resp, "WriteStateBytes");
  }
};

class provider_v5 final : public provider_common<v5> {
 public:
  using provider_common::provider_common;

  unary_t* GetSchema(ctx_t*, const grpc::ByteBuffer*, grpc::ByteBuffer* resp) override {
    return dispatch<get_provider_schema_response>(
        state_, resp, "GetProviderSchema", &schema_wire<tfplugin5::GetProviderSchema::Response, 5>,
        [&](call_context c, auto done) {
          svc_.get_provider_schema(std::move(c), {}, std::move(done));
        });
  }
  // Protocol 5 lets the provider rewrite its configuration here; cppvider validates only and
  // hands the configuration back unchanged.
  unary_t* PrepareProviderConfig(ctx_t*, const tfplugin5::PrepareProviderConfig::Request* req,
                                 tfplugin5::PrepareProviderConfig::Response* resp) override {
    *resp->mutable_prepared_config() = req->config();
    return dispatch<validate_provider_config_response>(
        state_, resp, "ValidateProviderConfig",
        &messages::fill_diags_only<validate_provider_config_response,
                                   tfplugin5::PrepareProviderConfig::Response>,
        [&](call_context c, auto done) {
          svc_.validate_provider_config(std::move(c), messages::validate_provider_config(*req),
                                        std::move(done));
        });
  }
  unary_t* ValidateResourceTypeConfig(
      ctx_t*, const tfplugin5::ValidateResourceTypeConfig::Request* req,
      tfplugin5::ValidateResourceTypeConfig::Response* resp) override {
    return dispatch<validate_resource_config_response>(
        state_, resp, "ValidateResourceConfig",
        &messages::fill_diags_only<validate_resource_config_response,
                                   tfplugin5::ValidateResourceTypeConfig::Response>,
        [&](call_context c, auto done) {
          svc_.validate_resource_config(std::move(c), messages::validate_resource_config(*req),
                                        std::move(done));
        });
  }
  unary_t* ValidateDataSourceConfig(ctx_t*, const tfplugin5::ValidateDataSourceConfig::Request* req,
                                    tfplugin5::ValidateDataSourceConfig::Response* resp) override {
    return dispatch<validate_data_resource_config_response>(
        state_, resp, "ValidateDataResourceConfig",
        &messages::fill_diags_only<validate_data_resource_config_response,
                                   tfplugin5::ValidateDataSourceConfig::Response>,
        [&](call_context c, auto done) {
          svc_.validate_data_resource_config(
              std::move(c), messages::validate_data_resource_config(*req), std::move(done));
        });
  }
  unary_t* Configure(ctx_t*, const tfplugin5::Configure::Request* req,
                     tfplugin5::Configure::Response* resp) override {
    return dispatch<configure_provider_response>(
        state_, resp, "ConfigureProvider",
        &messages::fill_diags_only<configure_provider_response, tfplugin5::Configure::Response>,
        [&](call_context c, auto done) {
          svc_.configure_provider(std::move(c), messages::configure_provider(*req),
                                  std::move(done));
        });
  }
  unary_t* Stop(ctx_t*, const tfplugin5::Stop::Request*, tfplugin5::Stop::Response* resp) override {
    return stop(resp);
  }
};

}  // namespace

std::unique_ptr<grpc::Service> make_provider_v6(provider_service& svc, server_state& state) {
  return std::make_unique<provider_v6>(svc, state);
}
std::unique_ptr<grpc::Service> make_provider_v5(provider_service& svc, server_state& state) {
  return std::make_unique<provider_v5>(svc, state);
}

}  // namespace cppvider::plugin::detail
