// gRPC adaptors that serve a plugin::provider_service as tfplugin6.Provider and tfplugin5.Provider.
#pragma once

#include <memory>

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>

#include "call.hpp"
#include "cppvider/plugin/protocol.hpp"

namespace cppvider::plugin::detail {

std::unique_ptr<grpc::Service> make_provider_v6(provider_service& svc, server_state& state);
std::unique_ptr<grpc::Service> make_provider_v5(provider_service& svc, server_state& state);

// Services of go-plugin and gRPC that every plugin serves: GRPCController (Shutdown),
// GRPCStdio, GRPCBroker and grpc.health.v1.Health.
std::vector<std::unique_ptr<grpc::Service>> make_go_plugin_services(server_state& state);

}  // namespace cppvider::plugin::detail
