// A small provider used by the framework tests: a fake backend, a resource covering every
// planning feature, a data source, and knobs that make the resource misbehave on purpose.
#pragma once

#include <cctype>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cppvider/framework/provider.hpp"

namespace testprov {

namespace fw = cppvider::framework;
namespace cty = cppvider::cty;

struct backend {
  std::map<std::string, std::string> objects;  // id -> name
  int next_id = 1;
  int updates = 0;
  // "throw", "change_name", "leave_unknown", "error", "read_unknown", "read_nested_unknown",
  // "read_null_note"
  std::string misbehave;
  std::string label;
};

struct config {
  fw::attr<std::string> label;
  fw::attr<std::string> mode;
};

struct rule {
  fw::attr<std::int64_t> port;
  fw::attr<std::string> proto;
  fw::attr<std::string> rid;  // computed per rule
};

inline fw::schema_for<rule> rule_schema() {
  return fw::schema_for<rule>()
      .attribute("port", &rule::port, {.required = true, .validators = {fw::between(1, 65535)}})
      .attribute("proto", &rule::proto,
                 {.optional = true, .computed = true, .default_value = "tcp"})
      .attribute("rid", &rule::rid, {.computed = true});
}

struct thing {
  struct state {
    fw::attr<std::string> name;
    fw::attr<std::string> note;
    fw::attr<std::int64_t> size;
    fw::attr<std::string> id;
    fw::attr<std::string> etag;
    fw::attr<std::string> zone;
    fw::attr<std::string> upper;
    fw::attr<std::vector<rule>> rules;
    fw::attr<std::vector<rule>> entries;
    fw::attr<std::set<std::string>> tags;
    fw::attr<double> ratio;
  };
  static constexpr std::string_view type_name = "thing";
  backend& api;

  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("name", &state::name,
                   {.required = true,
                    .plan_modifiers = {fw::requires_replace()},
                    .validators = {fw::length_between(1, 16)}})
        .attribute("note", &state::note, {.optional = true})
        .attribute("size", &state::size, {.optional = true, .computed = true, .default_value = 10})
        .attribute("id", &state::id,
                   {.computed = true, .plan_modifiers = {fw::use_state_for_unknown()}})
        .attribute("etag", &state::etag, {.computed = true})
        .attribute(
            "zone", &state::zone,
            {.optional = true,
             .plan_modifiers = {fw::requires_replace_if(
                 [](const fw::plan_modifier_request& r) {
                   return !(r.plan.is_known() && !r.plan.is_null() && r.plan.as_string() == "any");
                 },
                 "unless moved to \"any\"")}})
        .attribute("upper", &state::upper, {.computed = true})
        .nested_attribute("rules", &state::rules, fw::as_list, rule_schema(), {.optional = true})
        .block("entry", &state::entries, fw::as_list, rule_schema(), {.max_items = 3})
        .attribute("tags", &state::tags, {.optional = true, .validators = {fw::size_at_most(3)}})
        .attribute("ratio", &state::ratio, {.optional = true});
  }

  void fill(state& s) {
    if (api.misbehave == "throw") throw std::runtime_error("backend exploded");
    s.etag = "etag-" + std::to_string(api.updates);
    std::string up = s.name.value_or("");
    for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s.upper = up;
    for (auto* list : {&s.rules, &s.entries}) {
      if (!list->has_value()) continue;
      for (auto& r : **list) r.rid = "r" + std::to_string(r.port.value_or(0));
    }
    if (api.misbehave == "change_name") s.name = "renamed";
    if (api.misbehave == "leave_unknown") s.etag = fw::unknown;
  }

  void create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
    // Bugs in a hook: value() of what is not known yet, or not set.
    if (api.misbehave == "read_unknown") (void)req.plan.id.value();
    if (api.misbehave == "read_nested_unknown") (void)(*req.plan.rules)[1].rid.value();
    if (api.misbehave == "read_null_note") (void)resp.state.note.value();
    if (api.misbehave == "error") {
      resp.diagnostics.add_error(fw::path::root("name"), "Could not create", "backend said no");
      return;
    }
    const auto id = "t-" + std::to_string(api.next_id++);
    api.objects[id] = req.plan.name.value();
    resp.state.id = id;
    fill(resp.state);
  }
  void read(const fw::read_request<state>& req, fw::read_response<state>& resp) {
    if (api.misbehave == "throw") throw std::runtime_error("read exploded");
    auto it = api.objects.find(req.state.id.value());
    if (it == api.objects.end()) return resp.remove();
    resp.state.name = it->second;
  }
  void update(const fw::update_request<state>& req, fw::update_response<state>& resp) {
    ++api.updates;
    api.objects[req.state.id.value()] = req.plan.name.value();
    fill(resp.state);
  }
  void destroy(const fw::destroy_request<state>& req, fw::destroy_response& resp) {
    if (api.misbehave == "error") {
      resp.diagnostics.add_error("Could not delete", "backend said no");
      return;
    }
    api.objects.erase(req.state.id.value());
  }
  void modify_plan(const fw::modify_plan_request<state>& req,
                   fw::modify_plan_response<state>& resp) {
    // Known names give a known upper-case copy at plan time.
    if (req.plan.name.has_value()) {
      std::string up = *req.plan.name;
      for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      resp.plan.upper = up;
    }
    if (api.misbehave == "bad_plan") resp.plan.note = "sneaky";
  }
};

// A resource without a client, an import hook or modify_plan: passthrough import.
struct plain {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::string> value;
  };
  static constexpr std::string_view type_name = "plain";
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .version(2)
        .attribute("id", &state::id, {.required = true})
        .attribute("value", &state::value, {.optional = true});
  }
  void create(const fw::create_request<state>&, fw::create_response<state>&) {}
  void read(const fw::read_request<state>&, fw::read_response<state>& resp) {
    if (!resp.state.value.has_value()) resp.state.value = "read:" + resp.state.id.value();
  }
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

struct lookup {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::string> name;
    fw::attr<std::string> label;
  };
  static constexpr std::string_view type_name = "lookup";
  backend& api;
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("id", &state::id, {.required = true})
        .attribute("name", &state::name, {.computed = true})
        .attribute("label", &state::label, {.computed = true});
  }
  void read(const fw::data_source_read_request<state>& req,
            fw::data_source_read_response<state>& resp) {
    auto it = api.objects.find(req.config.id.value());
    if (it == api.objects.end()) {
      resp.diagnostics.add_error(fw::path::root("id"), "Not found", req.config.id.value());
      return;
    }
    resp.state.name = it->second;
    resp.state.label = api.label;
  }
};

inline void setup(fw::provider<config, backend>& p, backend& shared) {
  p.schema()
      .attribute("label", &config::label, {.optional = true})
      .attribute("mode", &config::mode,
                 {.optional = true, .validators = {fw::one_of({"fast", "safe"})}});
  p.configure([&shared](const config& c, fw::diagnostics& d) -> std::shared_ptr<backend> {
    if (c.label.has_value() && *c.label == "reject") {
      d.add_error(fw::path::root("label"), "Rejected label", "the label \"reject\" is refused");
    }
    shared.label = c.label.value_or("none");
    return std::shared_ptr<backend>(&shared, [](backend*) {});
  });
  p.add_resource<thing>();
  p.add_resource<plain>();
  p.add_data_source<lookup>();
}

}  // namespace testprov
