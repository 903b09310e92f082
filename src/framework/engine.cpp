#include "engine.hpp"

#include <utility>

#include "cppvider/framework/values.hpp"

namespace cppvider::framework::engine {

namespace {

cty::value child(const cty::value& v, std::string_view name, const cty::type& t) {
  if (!v.is_known()) return cty::value::unknown(t);
  if (v.is_null()) return cty::value::null(t);
  const cty::value* a = v.find_attr(name);
  return a != nullptr ? *a : cty::value::null(t);
}

cty::value element_at(const cty::value& v, std::size_t i, const cty::type& t) {
  if (!v.is_known()) return cty::value::unknown(t);
  if (v.is_null() || i >= v.length()) return cty::value::null(t);
  return v.elements()[i];
}

cty::value entry_at(const cty::value& v, const std::string& key, const cty::type& t) {
  if (!v.is_known()) return cty::value::unknown(t);
  if (v.is_null()) return cty::value::null(t);
  const cty::value* e = v.find(key);
  return e != nullptr ? *e : cty::value::null(t);
}

// Set elements have no identity but their content: pair an element with the candidate whose
// non-computed attributes are equal (those are planned exactly as configured).
cty::value match_set_element(const block_schema& b, const cty::value& candidates,
                             const cty::value& e, const cty::type& t) {
  if (!candidates.is_known()) return cty::value::unknown(t);
  if (candidates.is_null() || !e.is_known() || e.is_null()) return cty::value::null(t);
  for (const auto& c : candidates.elements()) {
    if (!c.is_known() || c.is_null()) continue;
    bool same = true;
    for (const auto& a : b.attributes) {
      if (a.computed) continue;
      if (!(c.get_attr(a.name) == e.get_attr(a.name))) {
        same = false;
        break;
      }
    }
    for (const auto& nb : b.blocks) {
      if (!same) break;
      same = c.get_attr(nb.name) == e.get_attr(nb.name);
    }
    if (same) return c;
  }
  return cty::value::null(t);
}

// One attribute as a walk sees it: `plan` is the value being rebuilt; `config` and `state` the
// values at the same place in the other two trees (null where they have nothing there).
struct visit {
  const attribute_schema& attribute;
  const cty::value& config;
  const cty::value& state;
  const cty::value& plan;
  const cty::value& plan_parent;
  const cty::path& at;
};

struct no_block_hook {
  void operator()(const nested_block_schema&, const cty::value&, const cty::path&) const {}
};

// Rebuilds `plan` bottom-up: OnAttribute returns each attribute's new value before the walk
// descends into nested attributes; OnBlock sees each nested block's value.
template <class OnAttribute, class OnBlock = no_block_hook>
class walker {
 public:
  walker(OnAttribute on_attribute, OnBlock on_block = {})
      : on_attribute_(std::move(on_attribute)), on_block_(std::move(on_block)) {}

  cty::value block(const block_schema& b, const cty::value& cfg, const cty::value& st,
                   const cty::value& pl) {
    if (!pl.is_known() || pl.is_null()) return pl;
    std::vector<std::pair<std::string, cty::value>> out;
    out.reserve(b.attributes.size() + b.blocks.size());
    bool changed = false;
    for (const auto& a : b.attributes) {
      const auto cv = child(cfg, a.name, a.type);
      const auto sv = child(st, a.name, a.type);
      const auto& pv = pl.get_attr(a.name);
      at_.push(cty::path_step::attribute(a.name));
      cty::value nv = on_attribute_(visit{a, cv, sv, pv, pl, at_});
      if (a.nested) nv = nested(*a.nested_mode, *a.nested, cv, sv, nv);
      at_.pop();
      changed = changed || !(nv == pv);
      out.emplace_back(a.name, std::move(nv));
    }
    for (const auto& nb : b.blocks) {
      const auto cv = child(cfg, nb.name, nb.type);
      const auto sv = child(st, nb.name, nb.type);
      const auto& pv = pl.get_attr(nb.name);
      at_.push(cty::path_step::attribute(nb.name));
      on_block_(nb, pv, at_);
      cty::value nv = nested(nb.mode, *nb.block, cv, sv, pv);
      at_.pop();
      changed = changed || !(nv == pv);
      out.emplace_back(nb.name, std::move(nv));
    }
    if (!changed) return pl;
    return cty::value::object(pl.type(), std::move(out));
  }

 private:
  cty::value nested(nesting mode, const block_schema& b, const cty::value& cfg,
                    const cty::value& st, const cty::value& pl) {
    if (!pl.is_known() || pl.is_null()) return pl;
    const auto& ot = b.object_type;
    switch (mode) {
      case nesting::single:
      case nesting::group:
        return block(b, cfg, st, pl);
      case nesting::list:
      case nesting::set: {
        std::vector<cty::value> out;
        out.reserve(pl.length());
        bool changed = false;
        std::int64_t i = 0;
        for (const auto& e : pl.elements()) {
          const bool list = mode == nesting::list;
          const auto ce = list ? element_at(cfg, static_cast<std::size_t>(i), ot)
                               : match_set_element(b, cfg, e, ot);
          const auto se = list ? element_at(st, static_cast<std::size_t>(i), ot)
                               : match_set_element(b, st, e, ot);
          at_.push(cty::path_step::index(i++));
          auto ne = block(b, ce, se, e);
          at_.pop();
          changed = changed || !(ne == e);
          out.push_back(std::move(ne));
        }
        if (!changed) return pl;
        return mode == nesting::list ? cty::value::list(ot, std::move(out))
                                     : cty::value::set(ot, std::move(out));
      }
      case nesting::map: {
        std::vector<std::pair<std::string, cty::value>> out;
        bool changed = false;
        for (const auto& e : pl.entries()) {
          at_.push(cty::path_step::key(e.key));
          auto ne = block(b, entry_at(cfg, e.key, ot), entry_at(st, e.key, ot), e.value);
          at_.pop();
          changed = changed || !(ne == e.value);
          out.emplace_back(e.key, std::move(ne));
        }
        if (!changed) return pl;
        return cty::value::map(ot, std::move(out));
      }
    }
    return pl;
  }

  OnAttribute on_attribute_;
  OnBlock on_block_;
  cty::path at_;
};

std::string show(const cty::value& v) { return cty::to_string(v); }

std::string where(const cty::path& at) {
  auto s = at.to_string();
  return s.empty() ? "the resource" : "attribute " + s.substr(s[0] == '.' ? 1 : 0);
}

}  // namespace

cty::value apply_defaults(const block_schema& b, const cty::value& config, const cty::value& plan) {
  walker w{[](const visit& v) -> cty::value {
    if (v.attribute.default_value && v.config.is_known() && v.config.is_null()) {
      return *v.attribute.default_value;
    }
    return v.plan;
  }};
  return w.block(b, config, cty::value::null(b.object_type), plan);
}

cty::value mark_computed_unknown(const block_schema& b, const cty::value& config,
                                 const cty::value& plan) {
  walker w{[](const visit& v) -> cty::value {
    const auto& a = v.attribute;
    if (a.computed && !a.default_value && v.config.is_known() && v.config.is_null()) {
      return cty::value::unknown(a.type);
    }
    return v.plan;
  }};
  return w.block(b, config, cty::value::null(b.object_type), plan);
}

cty::value run_plan_modifiers(const block_schema& b, const cty::value& config,
                              const cty::value& state, const cty::value& plan, bool creating,
                              diagnostics& diags, std::vector<cty::path>& replace) {
  walker w{[&](const visit& v) -> cty::value {
    cty::value current = v.plan;
    const framework::path at(v.at);
    for (const auto& m : v.attribute.plan_modifiers) {
      plan_modifier_request req{at, v.config, v.state, current, creating};
      plan_modifier_response resp{current};
      m.modify(req, resp);
      diags.append(std::move(resp.diagnostics));
      if (resp.requires_replace) {
        bool seen = false;
        for (const auto& p : replace) seen = seen || p == v.at;
        if (!seen) replace.push_back(v.at);
      }
      if (!(resp.plan.type() == v.attribute.type) && !v.attribute.type.is_dynamic()) {
        diags.add_error(at, "Invalid plan modifier result",
                        "The plan modifier \"" + m.description + "\" planned a " +
                            resp.plan.type().friendly_name() + " for " + where(v.at) +
                            ", which is a " + v.attribute.type.friendly_name() +
                            ". This is a bug in the provider.");
        continue;
      }
      current = std::move(resp.plan);
    }
    return current;
  }};
  return w.block(b, config, state, plan);
}

void check_plan(const block_schema& b, const cty::value& config, const cty::value& plan,
                std::string_view type_name, diagnostics& diags) {
  const auto fail = [&](const cty::path& at, const std::string& what) {
    diags.add_error(
        framework::path(at), "Provider produced invalid plan",
        "Resource " + std::string(type_name) + ": " + what + ". This is a bug in the provider.");
  };
  walker w{[&](const visit& v) -> cty::value {
    const auto& a = v.attribute;
    if (a.write_only) {
      if (!(v.plan.is_known() && v.plan.is_null())) {
        fail(v.at, "planned " + show(v.plan) + " for " + where(v.at) +
                       ", which is write-only and must be planned as null");
      }
    } else if (v.config.is_known() && v.config.is_null()) {
      if (!a.computed && !(v.plan.is_known() && v.plan.is_null())) {
        fail(v.at, "planned " + show(v.plan) + " for " + where(v.at) +
                       ", which is not computed and not set in the configuration");
      }
    } else if (!v.config.is_known()) {
      if (!a.computed && v.plan.is_known()) {
        fail(v.at, "planned " + show(v.plan) + " for " + where(v.at) +
                       ", whose configuration value is not known yet");
      }
    } else if (a.nested) {
      if (v.plan.is_known() && v.plan.is_null()) {
        fail(v.at, "planned null for " + where(v.at) + ", which is set in the configuration");
      }
    } else if (!(v.plan == v.config)) {
      fail(v.at, "planned " + show(v.plan) + " for " + where(v.at) +
                     ", but the configuration sets " + show(v.config));
    }
    return v.plan;
  }};
  (void)w.block(b, config, cty::value::null(b.object_type), plan);
}

void check_wholly_known(const cty::value& v, std::string_view type_name, std::string_view rpc,
                        diagnostics& diags) {
  if (v.is_wholly_known()) return;
  // Name the first unknown place, depth first.
  cty::path at;
  const cty::value* cur = &v;
  while (cur->is_known() && !cur->is_null()) {
    const auto k = cur->type().kind();
    const cty::value* next = nullptr;
    if (k == cty::type_kind::object) {
      const auto attrs = cur->type().attributes();
      const auto vals = cur->elements();
      for (std::size_t i = 0; i < vals.size() && next == nullptr; ++i) {
        if (!vals[i].is_wholly_known()) {
          at.push(cty::path_step::attribute(attrs[i].name));
          next = &vals[i];
        }
      }
    } else if (k == cty::type_kind::map) {
      for (const auto& e : cur->entries()) {
        if (!e.value.is_wholly_known()) {
          at.push(cty::path_step::key(e.key));
          next = &e.value;
          break;
        }
      }
    } else if (k == cty::type_kind::list || k == cty::type_kind::set ||
               k == cty::type_kind::tuple) {
      std::int64_t i = 0;
      for (const auto& e : cur->elements()) {
        if (!e.is_wholly_known()) {
          at.push(cty::path_step::index(i));
          next = &e;
          break;
        }
        ++i;
      }
    }
    if (next == nullptr) break;
    cur = next;
  }
  diags.add_error(framework::path(at), "Provider returned invalid result object after apply",
                  "Resource " + std::string(type_name) + ": " + std::string(rpc) + " left " +
                      where(at) +
                      " unknown; every value must be known after apply. This is a bug in the "
                      "provider.");
}

void check_applied(const block_schema& b, const cty::value& planned, const cty::value& applied,
                   std::string_view type_name, diagnostics& diags) {
  check_wholly_known(applied, type_name, "apply", diags);
  if (diags.has_error()) return;
  walker w{[&](const visit& v) -> cty::value {
    const cty::value& planned_v = v.config;  // the plan rides in the config slot here
    const bool compare = v.attribute.nested ? (planned_v.is_wholly_known() &&
                                               (planned_v.is_null() || v.plan.is_null()))
                                            : planned_v.is_wholly_known();
    if (compare && !(planned_v == v.plan)) {
      diags.add_error(framework::path(v.at), "Provider produced inconsistent result after apply",
                      "Resource " + std::string(type_name) + ": " + where(v.at) +
                          " was planned as " + show(planned_v) + " but is now " + show(v.plan) +
                          ". This is a bug in the provider.");
    } else if (v.attribute.nested && planned_v.is_wholly_known() && !planned_v.is_null() &&
               !v.plan.is_null() && v.plan.type().is_collection() &&
               planned_v.length() != v.plan.length()) {
      diags.add_error(framework::path(v.at), "Provider produced inconsistent result after apply",
                      "Resource " + std::string(type_name) + ": " + where(v.at) +
                          " was planned with " + std::to_string(planned_v.length()) +
                          " elements but has " + std::to_string(v.plan.length()) +
                          ". This is a bug in the provider.");
    }
    return v.plan;
  }};
  (void)w.block(b, planned, cty::value::null(b.object_type), applied);
}

cty::value null_write_only(const block_schema& b, const cty::value& v) {
  if (!b.has_write_only) return v;
  walker w{[](const visit& x) -> cty::value {
    return x.attribute.write_only ? cty::value::null(x.attribute.type) : x.plan;
  }};
  return w.block(b, v, cty::value::null(b.object_type), v);
}

void refuse_write_only(const block_schema& b, const cty::value& config, diagnostics& diags) {
  if (!b.has_write_only) return;
  walker w{[&](const visit& x) -> cty::value {
    if (x.attribute.write_only && !(x.plan.is_known() && x.plan.is_null())) {
      diags.add_error(framework::path(x.at), "Write-only attribute not supported",
                      "The configuration sets " + where(x.at) +
                          ", which is write-only: that needs Terraform 1.11 or later. Leave it "
                          "unset or upgrade.");
    }
    return x.plan;
  }};
  (void)w.block(b, config, cty::value::null(b.object_type), config);
}

void validate_config(const block_schema& b, const cty::value& config, diagnostics& diags) {
  walker w{[&](const visit& v) -> cty::value {
             const auto& a = v.attribute;
             const framework::path at(v.at);
             if (!a.deprecation_message.empty() && !(v.plan.is_known() && v.plan.is_null())) {
               diags.add_warning(at, "Attribute deprecated", a.deprecation_message);
             }
             for (const auto& val : a.validators) {
               val.validate(validator_request{at, v.plan, v.plan_parent, config}, diags);
             }
             return v.plan;
           },
           [&](const nested_block_schema& nb, const cty::value& value, const cty::path& at) {
             if (!value.is_known() || value.is_null()) return;
             if (!nb.deprecation_message.empty() &&
                 (!value.type().is_collection() || value.length() > 0)) {
               diags.add_warning(framework::path(at), "Block deprecated", nb.deprecation_message);
             }
             if (nb.mode != nesting::list && nb.mode != nesting::set) return;
             const auto n = static_cast<std::int64_t>(value.length());
             if (n < nb.min_items || (nb.max_items > 0 && n > nb.max_items)) {
               diags.add_error(framework::path(at), "Invalid block count",
                               "Block \"" + nb.name + "\" must have " +
                                   (nb.max_items > 0 ? "between " + std::to_string(nb.min_items) +
                                                           " and " + std::to_string(nb.max_items)
                                                     : "at least " + std::to_string(nb.min_items)) +
                                   " items, got " + std::to_string(n) + ".");
             }
           }};
  (void)w.block(b, cty::value::null(b.object_type), cty::value::null(b.object_type), config);
}

}  // namespace cppvider::framework::engine
