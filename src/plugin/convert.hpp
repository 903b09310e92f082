// Proto <-> plugin structs, written once for tfplugin5 and tfplugin6: both packages use the same
// field names, so one template serves both, and `requires` skips what protocol 5 lacks.
#pragma once

#include "wire_types.pb.h"

#include <chrono>

#include "cppvider/plugin/protocol.hpp"

namespace cppvider::plugin::convert {

// ---- to protocol structs (requests) ------------------------------------------------------

template <class P>
dynamic_value from_proto_value(const P& p) {
  return {p.msgpack(), p.json()};
}

template <class Msg, class P>
std::optional<dynamic_value> from_proto_identity(const Msg& has, const P& identity) {
  if (!has) return std::nullopt;
  return from_proto_value(identity.identity_data());
}

template <class P>
client_capabilities from_proto_client(const P& p) {
  client_capabilities c;
  c.deferral_allowed = p.deferral_allowed();
  if constexpr (requires { p.write_only_attributes_allowed(); })
    c.write_only_attributes_allowed = p.write_only_attributes_allowed();
  if constexpr (requires { p.store_planned_private(); })
    c.store_planned_private = p.store_planned_private();
  if constexpr (requires { p.computed_blocks_allowed(); })
    c.computed_blocks_allowed = p.computed_blocks_allowed();
  return c;
}

template <class P>
raw_state from_proto_raw(const P& p) {
  raw_state r;
  r.json = p.json();
  for (const auto& [k, v] : p.flatmap()) r.flatmap.emplace(k, v);
  return r;
}

template <class P>
std::optional<timestamp> from_proto_time(bool has, const P& t) {
  if (!has) return std::nullopt;
  return timestamp{std::chrono::duration_cast<timestamp::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos()))};
}

// ---- to proto (responses) ----------------------------------------------------------------

template <class P>
void to_proto(const dynamic_value& v, P* p) {
  p->set_msgpack(v.msgpack);
  p->set_json(v.json);
}

template <class P>
void to_proto_identity(const std::optional<dynamic_value>& v, P* p) {
  if (v) to_proto(*v, p->mutable_identity_data());
}

template <class P>
void to_proto(const attribute_path& path, P* p) {
  for (const auto& s : path.steps) {
    auto* step = p->add_steps();
    switch (s.k) {
      case attribute_path::step::kind::attribute_name:
        step->set_attribute_name(s.name);
        break;
      case attribute_path::step::kind::element_key_string:
        step->set_element_key_string(s.name);
        break;
      case attribute_path::step::kind::element_key_int:
        step->set_element_key_int(s.index);
        break;
    }
  }
}

template <class RepeatedDiag>
void to_proto(const diagnostics& diags, RepeatedDiag* out) {
  using diag_t = std::remove_pointer_t<decltype(out->Add())>;
  for (const auto& d : diags) {
    auto* p = out->Add();
    p->set_severity(static_cast<typename diag_t::Severity>(d.sev));
    p->set_summary(d.summary);
    p->set_detail(d.detail);
    if (d.attribute) to_proto(*d.attribute, p->mutable_attribute());
  }
}

template <class P>
void to_proto(const std::optional<deferred>& d, P* resp) {
  if (!d) return;
  using reason_t = decltype(resp->deferred().reason());
  resp->mutable_deferred()->set_reason(static_cast<reason_t>(d->why));
}

template <class P>
void to_proto(const timestamp& t, P* p) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  p->set_seconds(ns / 1'000'000'000);
  p->set_nanos(static_cast<int>(ns % 1'000'000'000));
}

template <class P>
void to_proto(const server_capabilities& c, P* p) {
  p->set_plan_destroy(c.plan_destroy);
  p->set_get_provider_schema_optional(c.get_provider_schema_optional);
  p->set_move_resource_state(c.move_resource_state);
  if constexpr (requires { p->set_generate_resource_config(true); })
    p->set_generate_resource_config(c.generate_resource_config);
}

template <class P>
void to_proto(const schema_attribute& a, P* p);

template <class P>
void to_proto(const schema_object& o, P* p) {
  for (const auto& a : o.attributes) to_proto(a, p->add_attributes());
  p->set_nesting(static_cast<decltype(p->nesting())>(o.nesting));
}

template <class P>
void to_proto(const schema_attribute& a, P* p) {
  p->set_name(a.name);
  if (a.nested_type) {
    if constexpr (requires { p->mutable_nested_type(); })
      to_proto(*a.nested_type, p->mutable_nested_type());
  } else {
    p->set_type(a.type_json);
  }
  p->set_description(a.description);
  p->set_required(a.required);
  p->set_optional(a.optional);
  p->set_computed(a.computed);
  p->set_sensitive(a.sensitive);
  p->set_description_kind(static_cast<decltype(p->description_kind())>(a.description_kind));
  p->set_deprecated(a.deprecated);
  if constexpr (requires { p->set_write_only(true); }) p->set_write_only(a.write_only);
  if constexpr (requires { p->set_deprecation_message(""); })
    if (!a.deprecation_message.empty()) p->set_deprecation_message(a.deprecation_message);
}

template <class P>
void to_proto(const schema_block& b, P* p) {
  p->set_version(b.version);
  for (const auto& a : b.attributes) to_proto(a, p->add_attributes());
  for (const auto& nb : b.block_types) {
    auto* q = p->add_block_types();
    q->set_type_name(nb.type_name);
    to_proto(nb.block, q->mutable_block());
    q->set_nesting(static_cast<decltype(q->nesting())>(nb.nesting));
    q->set_min_items(nb.min_items);
    q->set_max_items(nb.max_items);
  }
  p->set_description(b.description);
  p->set_description_kind(static_cast<decltype(p->description_kind())>(b.description_kind));
  p->set_deprecated(b.deprecated);
  if constexpr (requires { p->set_computed(true); }) p->set_computed(b.computed);
  if constexpr (requires { p->set_deprecation_message(""); })
    if (!b.deprecation_message.empty()) p->set_deprecation_message(b.deprecation_message);
}

template <class P>
void to_proto(const schema& s, P* p) {
  p->set_version(s.version);
  to_proto(s.block, p->mutable_block());
}

template <class P>
void to_proto(const function_parameter& f, P* p) {
  p->set_name(f.name);
  p->set_type(f.type_json);
  p->set_allow_null_value(f.allow_null_value);
  p->set_allow_unknown_values(f.allow_unknown_values);
  p->set_description(f.description);
  p->set_description_kind(static_cast<decltype(p->description_kind())>(f.description_kind));
}

template <class P>
void to_proto(const function_definition& f, P* p) {
  for (const auto& param : f.parameters) to_proto(param, p->add_parameters());
  if (f.variadic_parameter) to_proto(*f.variadic_parameter, p->mutable_variadic_parameter());
  p->mutable_return_()->set_type(f.return_type_json);
  p->set_summary(f.summary);
  p->set_description(f.description);
  p->set_description_kind(static_cast<decltype(p->description_kind())>(f.description_kind));
  p->set_deprecation_message(f.deprecation_message);
}

template <class Map>
void to_proto_schemas(const std::map<std::string, schema>& in, Map* out) {
  for (const auto& [name, s] : in) to_proto(s, &(*out)[name]);
}

template <class Map>
void to_proto_functions(const std::map<std::string, function_definition>& in, Map* out) {
  for (const auto& [name, f] : in) to_proto(f, &(*out)[name]);
}

}  // namespace cppvider::plugin::convert
