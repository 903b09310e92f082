#include "cppvider/plugin/protocol.hpp"

#include <string_view>

namespace cppvider::plugin {

diagnostic unimplemented_diagnostic(std::string_view rpc) {
  std::string summary(rpc);
  summary += " is not implemented by this provider";
  return error_diagnostic(std::move(summary),
                          "The provider was built with cppvider but serves no handler for this "
                          "RPC. This is a bug in the provider, or a feature it does not offer.");
}

namespace {
template <class Response>
void answer_unimplemented(const call_context& ctx, const responder<Response>& done) {
  Response r;
  r.diags.push_back(unimplemented_diagnostic(ctx.rpc));
  done(std::move(r));
}
}  // namespace

void provider_service::get_metadata(call_context ctx, get_metadata_request,
                                    responder<get_metadata_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::get_provider_schema(call_context ctx, get_provider_schema_request,
                                           responder<get_provider_schema_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::validate_provider_config(call_context ctx, validate_provider_config_request,
                                                responder<validate_provider_config_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::validate_resource_config(call_context ctx, validate_resource_config_request,
                                                responder<validate_resource_config_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::validate_data_resource_config(
    call_context ctx, validate_data_resource_config_request,
    responder<validate_data_resource_config_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::upgrade_resource_state(call_context ctx, upgrade_resource_state_request,
                                              responder<upgrade_resource_state_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::get_resource_identity_schemas(
    call_context ctx, get_resource_identity_schemas_request,
    responder<get_resource_identity_schemas_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::upgrade_resource_identity(
    call_context ctx, upgrade_resource_identity_request,
    responder<upgrade_resource_identity_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::configure_provider(call_context ctx, configure_provider_request,
                                          responder<configure_provider_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::read_resource(call_context ctx, read_resource_request,
                                     responder<read_resource_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::plan_resource_change(call_context ctx, plan_resource_change_request,
                                            responder<plan_resource_change_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::apply_resource_change(call_context ctx, apply_resource_change_request,
                                             responder<apply_resource_change_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::import_resource_state(call_context ctx, import_resource_state_request,
                                             responder<import_resource_state_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::move_resource_state(call_context ctx, move_resource_state_request,
                                           responder<move_resource_state_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::read_data_source(call_context ctx, read_data_source_request,
                                        responder<read_data_source_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::validate_ephemeral_resource_config(
    call_context ctx, validate_ephemeral_resource_config_request,
    responder<validate_ephemeral_resource_config_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::open_ephemeral_resource(call_context ctx, open_ephemeral_resource_request,
                                               responder<open_ephemeral_resource_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::renew_ephemeral_resource(call_context ctx, renew_ephemeral_resource_request,
                                                responder<renew_ephemeral_resource_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::close_ephemeral_resource(call_context ctx, close_ephemeral_resource_request,
                                                responder<close_ephemeral_resource_response> done) {
  answer_unimplemented(ctx, done);
}
void provider_service::get_functions(call_context ctx, get_functions_request,
                                     responder<get_functions_response> done) {
  answer_unimplemented(ctx, done);
}

void provider_service::call_function(call_context ctx, call_function_request,
                                     responder<call_function_response> done) {
  call_function_response r;
  r.error = function_error{unimplemented_diagnostic(ctx.rpc).summary, std::nullopt};
  done(std::move(r));
}

void provider_service::stop_provider(call_context, stop_provider_request,
                                     responder<stop_provider_response> done) {
  done({});
}

}  // namespace cppvider::plugin
