// Request and response conversions per RPC, shared by tfplugin5 and tfplugin6 (same field names).
#pragma once

#include "convert.hpp"

namespace cppvider::plugin::messages {
using namespace convert;

template <class P>
validate_provider_config_request validate_provider_config(const P& p) {
  return {from_proto_value(p.config())};
}
template <class P>
validate_resource_config_request validate_resource_config(const P& p) {
  validate_resource_config_request r{p.type_name(), from_proto_value(p.config()), {}};
  if constexpr (requires { p.client_capabilities(); })
    r.client = from_proto_client(p.client_capabilities());
  return r;
}
template <class P>
validate_data_resource_config_request validate_data_resource_config(const P& p) {
  return {p.type_name(), from_proto_value(p.config())};
}
template <class P>
upgrade_resource_state_request upgrade_resource_state(const P& p) {
  return {p.type_name(), p.version(), from_proto_raw(p.raw_state())};
}
template <class P>
upgrade_resource_identity_request upgrade_resource_identity(const P& p) {
  return {p.type_name(), p.version(), from_proto_raw(p.raw_identity())};
}
template <class P>
configure_provider_request configure_provider(const P& p) {
  configure_provider_request r{p.terraform_version(), from_proto_value(p.config()), {}};
  if constexpr (requires { p.client_capabilities(); })
    r.client = from_proto_client(p.client_capabilities());
  return r;
}
template <class P>
read_resource_request read_resource(const P& p) {
  read_resource_request r;
  r.type_name = p.type_name();
  r.current_state = from_proto_value(p.current_state());
  r.private_state = p.private_();
  r.provider_meta = from_proto_value(p.provider_meta());
  r.client = from_proto_client(p.client_capabilities());
  r.current_identity = from_proto_identity(p.has_current_identity(), p.current_identity());
  return r;
}
template <class P>
plan_resource_change_request plan_resource_change(const P& p) {
  plan_resource_change_request r;
  r.type_name = p.type_name();
  r.prior_state = from_proto_value(p.prior_state());
  r.proposed_new_state = from_proto_value(p.proposed_new_state());
  r.config = from_proto_value(p.config());
  r.prior_private = p.prior_private();
  r.provider_meta = from_proto_value(p.provider_meta());
  r.client = from_proto_client(p.client_capabilities());
  r.prior_identity = from_proto_identity(p.has_prior_identity(), p.prior_identity());
  return r;
}
template <class P>
apply_resource_change_request apply_resource_change(const P& p) {
  apply_resource_change_request r;
  r.type_name = p.type_name();
  r.prior_state = from_proto_value(p.prior_state());
  r.planned_state = from_proto_value(p.planned_state());
  r.config = from_proto_value(p.config());
  r.planned_private = p.planned_private();
  r.provider_meta = from_proto_value(p.provider_meta());
  r.planned_identity = from_proto_identity(p.has_planned_identity(), p.planned_identity());
  return r;
}
template <class P>
import_resource_state_request import_resource_state(const P& p) {
  return {p.type_name(), p.id(), from_proto_client(p.client_capabilities()),
          from_proto_identity(p.has_identity(), p.identity())};
}
template <class P>
move_resource_state_request move_resource_state(const P& p) {
  move_resource_state_request r;
  r.source_provider_address = p.source_provider_address();
  r.source_type_name = p.source_type_name();
  r.source_schema_version = p.source_schema_version();
  r.source_state = from_proto_raw(p.source_state());
  r.target_type_name = p.target_type_name();
  r.source_private = p.source_private();
  if (p.has_source_identity()) r.source_identity = from_proto_raw(p.source_identity());
  r.source_identity_schema_version = p.source_identity_schema_version();
  return r;
}
template <class P>
read_data_source_request read_data_source(const P& p) {
  return {p.type_name(), from_proto_value(p.config()), from_proto_value(p.provider_meta()),
          from_proto_client(p.client_capabilities())};
}
template <class P>
validate_ephemeral_resource_config_request validate_ephemeral_resource_config(const P& p) {
  return {p.type_name(), from_proto_value(p.config())};
}
template <class P>
open_ephemeral_resource_request open_ephemeral_resource(const P& p) {
  return {p.type_name(), from_proto_value(p.config()), from_proto_client(p.client_capabilities())};
}
template <class P>
renew_ephemeral_resource_request renew_ephemeral_resource(const P& p) {
  renew_ephemeral_resource_request r{p.type_name(), std::nullopt};
  if (p.has_private_()) r.private_state = p.private_();
  return r;
}
template <class P>
close_ephemeral_resource_request close_ephemeral_resource(const P& p) {
  close_ephemeral_resource_request r{p.type_name(), std::nullopt};
  if (p.has_private_()) r.private_state = p.private_();
  return r;
}
template <class P>
call_function_request call_function(const P& p) {
  call_function_request r{p.name(), {}};
  r.arguments.reserve(static_cast<std::size_t>(p.arguments_size()));
  for (const auto& a : p.arguments()) r.arguments.push_back(from_proto_value(a));
  return r;
}

// ---- responses ---------------------------------------------------------------------------

template <class P>
void fill(const get_metadata_response& r, P* p) {
  to_proto(r.capabilities, p->mutable_server_capabilities());
  to_proto(r.diags, p->mutable_diagnostics());
  for (const auto& n : r.data_sources) p->add_data_sources()->set_type_name(n);
  for (const auto& n : r.resources) p->add_resources()->set_type_name(n);
  for (const auto& n : r.functions) p->add_functions()->set_name(n);
  for (const auto& n : r.ephemeral_resources) p->add_ephemeral_resources()->set_type_name(n);
  if constexpr (requires { p->add_list_resources(); })
    for (const auto& n : r.list_resources) p->add_list_resources()->set_type_name(n);
  if constexpr (requires { p->add_state_stores(); })
    for (const auto& n : r.state_stores) p->add_state_stores()->set_type_name(n);
  if constexpr (requires { p->add_actions(); })
    for (const auto& n : r.actions) p->add_actions()->set_type_name(n);
}
template <class P>
void fill(const get_provider_schema_response& r, P* p) {
  to_proto(r.provider, p->mutable_provider());
  to_proto_schemas(r.resource_schemas, p->mutable_resource_schemas());
  to_proto_schemas(r.data_source_schemas, p->mutable_data_source_schemas());
  to_proto_schemas(r.ephemeral_resource_schemas, p->mutable_ephemeral_resource_schemas());
  if constexpr (requires { p->mutable_list_resource_schemas(); })
    to_proto_schemas(r.list_resource_schemas, p->mutable_list_resource_schemas());
  to_proto_functions(r.functions, p->mutable_functions());
  if (r.provider_meta) to_proto(*r.provider_meta, p->mutable_provider_meta());
  to_proto(r.capabilities, p->mutable_server_capabilities());
  to_proto(r.diags, p->mutable_diagnostics());
}
template <class Resp, class P>
requires requires(Resp r) { r.diags; }
void fill_diags_only(const Resp& r, P* p) { to_proto(r.diags, p->mutable_diagnostics()); }
template <class P>
void fill(const upgrade_resource_state_response& r, P* p) {
  to_proto(r.upgraded_state, p->mutable_upgraded_state());
  to_proto(r.diags, p->mutable_diagnostics());
}
template <class P>
void fill(const get_resource_identity_schemas_response& r, P* p) {
  for (const auto& [name, s] : r.identity_schemas) {
    auto& q = (*p->mutable_identity_schemas())[name];
    q.set_version(s.version);
    for (const auto& a : s.attributes) {
      auto* qa = q.add_identity_attributes();
      qa->set_name(a.name);
      qa->set_type(a.type_json);
      qa->set_required_for_import(a.required_for_import);
      qa->set_optional_for_import(a.optional_for_import);
      qa->set_description(a.description);
    }
  }
  to_proto(r.diags, p->mutable_diagnostics());
}
template <class P>
void fill(const upgrade_resource_identity_response& r, P* p) {
  if (r.upgraded_identity)
    to_proto(*r.upgraded_identity, p->mutable_upgraded_identity()->mutable_identity_data());
  to_proto(r.diags, p->mutable_diagnostics());
}
template <class P>
void fill(const read_resource_response& r, P* p) {
  to_proto(r.new_state, p->mutable_new_state());
  to_proto(r.diags, p->mutable_diagnostics());
  p->set_private_(r.private_state);
  to_proto(r.deferral, p);
  if (r.new_identity) to_proto_identity(r.new_identity, p->mutable_new_identity());
}
template <class P>
void fill(const plan_resource_change_response& r, P* p) {
  to_proto(r.planned_state, p->mutable_planned_state());
  for (const auto& path : r.requires_replace) to_proto(path, p->add_requires_replace());
  p->set_planned_private(r.planned_private);
  to_proto(r.diags, p->mutable_diagnostics());
  to_proto(r.deferral, p);
  if (r.planned_identity) to_proto_identity(r.planned_identity, p->mutable_planned_identity());
}
template <class P>
void fill(const apply_resource_change_response& r, P* p) {
  to_proto(r.new_state, p->mutable_new_state());
  p->set_private_(r.private_state);
  to_proto(r.diags, p->mutable_diagnostics());
  if (r.new_identity) to_proto_identity(r.new_identity, p->mutable_new_identity());
}
template <class P>
void fill(const import_resource_state_response& r, P* p) {
  for (const auto& i : r.imported) {
    auto* q = p->add_imported_resources();
    q->set_type_name(i.type_name);
    to_proto(i.state, q->mutable_state());
    q->set_private_(i.private_state);
    if (i.identity) to_proto_identity(i.identity, q->mutable_identity());
  }
  to_proto(r.diags, p->mutable_diagnostics());
  to_proto(r.deferral, p);
}
template <class P>
void fill(const move_resource_state_response& r, P* p) {
  to_proto(r.target_state, p->mutable_target_state());
  to_proto(r.diags, p->mutable_diagnostics());
  p->set_target_private(r.target_private);
  if (r.target_identity) to_proto_identity(r.target_identity, p->mutable_target_identity());
}
template <class P>
void fill(const read_data_source_response& r, P* p) {
  to_proto(r.state, p->mutable_state());
  to_proto(r.diags, p->mutable_diagnostics());
  to_proto(r.deferral, p);
}
template <class P>
void fill(const open_ephemeral_resource_response& r, P* p) {
  to_proto(r.diags, p->mutable_diagnostics());
  if (r.renew_at) to_proto(*r.renew_at, p->mutable_renew_at());
  to_proto(r.result, p->mutable_result());
  if (r.private_state) p->set_private_(*r.private_state);
  to_proto(r.deferral, p);
}
template <class P>
void fill(const renew_ephemeral_resource_response& r, P* p) {
  to_proto(r.diags, p->mutable_diagnostics());
  if (r.renew_at) to_proto(*r.renew_at, p->mutable_renew_at());
  if (r.private_state) p->set_private_(*r.private_state);
}
template <class P>
void fill(const get_functions_response& r, P* p) {
  to_proto_functions(r.functions, p->mutable_functions());
  to_proto(r.diags, p->mutable_diagnostics());
}
template <class P>
void fill(const call_function_response& r, P* p) {
  to_proto(r.result, p->mutable_result());
  if (r.error) {
    p->mutable_error()->set_text(r.error->text);
    if (r.error->function_argument)
      p->mutable_error()->set_function_argument(*r.error->function_argument);
  }
}
template <class P>
void fill(const stop_provider_response& r, P* p) {
  p->set_error(r.error);
}

}  // namespace cppvider::plugin::messages
