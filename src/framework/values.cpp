#include "cppvider/framework/values.hpp"

#include <stdexcept>
#include <utility>

namespace cppvider::framework {

const cty::value* find(const cty::value& root, const cty::path& p) noexcept {
  const cty::value* cur = &root;
  for (const auto& s : p.steps()) {
    if (!cur->is_known() || cur->is_null()) return nullptr;
    const auto k = cur->type().kind();
    switch (s.step_kind()) {
      case cty::path_step::kind::attribute:
        if (k != cty::type_kind::object) return nullptr;
        cur = cur->find_attr(s.name());
        break;
      case cty::path_step::kind::key:
        if (k != cty::type_kind::map) return nullptr;
        cur = cur->find(s.name());
        break;
      case cty::path_step::kind::index:
        if (k != cty::type_kind::list && k != cty::type_kind::tuple && k != cty::type_kind::set)
          return nullptr;
        if (s.index_value() < 0 || static_cast<std::size_t>(s.index_value()) >= cur->length())
          return nullptr;
        cur = &cur->elements()[static_cast<std::size_t>(s.index_value())];
        break;
    }
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

cty::value with_attribute(const cty::value& obj, std::string_view name, cty::value v) {
  const auto t = obj.type();
  if (!t.is_object() || !obj.is_known() || obj.is_null()) {
    throw std::invalid_argument("with_attribute: not a known object");
  }
  if (!t.attribute_index(name)) {
    throw std::invalid_argument("with_attribute: no attribute \"" + std::string(name) + "\"");
  }
  const auto attrs = t.attributes();
  const auto vals = obj.elements();
  std::vector<std::pair<std::string, cty::value>> out;
  out.reserve(vals.size());
  for (std::size_t i = 0; i < vals.size(); ++i) {
    if (attrs[i].name == name) {
      out.emplace_back(attrs[i].name, std::move(v));
    } else {
      out.emplace_back(attrs[i].name, vals[i]);
    }
  }
  return cty::value::object(t, std::move(out));
}

cty::value null_object(const block_schema& b) {
  std::vector<std::pair<std::string, cty::value>> out;
  for (const auto& nb : b.blocks) {
    if (nb.mode == nesting::list)
      out.emplace_back(nb.name, cty::value::list(nb.block->object_type, {}));
    if (nb.mode == nesting::set)
      out.emplace_back(nb.name, cty::value::set(nb.block->object_type, {}));
    if (nb.mode == nesting::map)
      out.emplace_back(nb.name, cty::value::map(nb.block->object_type, {}));
    if (nb.mode == nesting::group) out.emplace_back(nb.name, null_object(*nb.block));
  }
  return cty::value::object(b.object_type, std::move(out));
}

namespace {

cty::value proposed_nested(nesting mode, const block_schema& b, const cty::value& prior,
                           const cty::value& config);

cty::value proposed_block(const block_schema& b, const cty::value& prior,
                          const cty::value& config) {
  if (!config.is_known() || config.is_null()) return config;
  const bool have_prior = prior.is_known() && !prior.is_null();
  std::vector<std::pair<std::string, cty::value>> out;
  for (const auto& a : b.attributes) {
    const auto& cv = config.get_attr(a.name);
    const cty::value pv = have_prior ? prior.get_attr(a.name) : cty::value::null(a.type);
    if (a.computed && cv.is_known() && cv.is_null()) {
      out.emplace_back(a.name, pv);
    } else if (a.nested) {
      out.emplace_back(a.name, proposed_nested(*a.nested_mode, *a.nested, pv, cv));
    } else {
      out.emplace_back(a.name, cv);
    }
  }
  for (const auto& nb : b.blocks) {
    const auto& cv = config.get_attr(nb.name);
    const cty::value pv = have_prior ? prior.get_attr(nb.name) : cty::value::null(nb.type);
    out.emplace_back(nb.name, proposed_nested(nb.mode, *nb.block, pv, cv));
  }
  return cty::value::object(b.object_type, std::move(out));
}

cty::value proposed_nested(nesting mode, const block_schema& b, const cty::value& prior,
                           const cty::value& config) {
  if (!config.is_known() || config.is_null()) return config;
  const bool have_prior = prior.is_known() && !prior.is_null();
  const auto& ot = b.object_type;
  switch (mode) {
    case nesting::single:
    case nesting::group:
      return proposed_block(b, prior, config);
    case nesting::list: {
      std::vector<cty::value> out;
      std::size_t i = 0;
      for (const auto& e : config.elements()) {
        const bool has = have_prior && i < prior.length();
        out.push_back(proposed_block(b, has ? prior.elements()[i] : cty::value::null(ot), e));
        ++i;
      }
      return cty::value::list(ot, std::move(out));
    }
    case nesting::set: {
      // Set elements have no identity but their content: an element's prior is the prior
      // element whose configurable (non-computed) attributes are the same.
      std::vector<cty::value> out;
      std::vector<bool> used(have_prior ? prior.length() : 0, false);
      for (const auto& e : config.elements()) {
        cty::value match = cty::value::null(ot);
        for (std::size_t i = 0; i < used.size() && match.is_null(); ++i) {
          const auto& candidate = prior.elements()[i];
          if (used[i] || !candidate.is_known() || candidate.is_null() || !e.is_known() ||
              e.is_null()) {
            continue;
          }
          bool same = true;
          for (const auto& a : b.attributes) {
            if (!a.computed) same = same && candidate.get_attr(a.name) == e.get_attr(a.name);
          }
          for (const auto& nb : b.blocks) {
            same = same && candidate.get_attr(nb.name) == e.get_attr(nb.name);
          }
          if (same) {
            used[i] = true;
            match = candidate;
          }
        }
        out.push_back(proposed_block(b, match, e));
      }
      return cty::value::set(ot, std::move(out));
    }
    case nesting::map: {
      std::vector<std::pair<std::string, cty::value>> out;
      for (const auto& e : config.entries()) {
        const cty::value* p = have_prior ? prior.find(e.key) : nullptr;
        out.emplace_back(e.key, proposed_block(b, p ? *p : cty::value::null(ot), e.value));
      }
      return cty::value::map(ot, std::move(out));
    }
  }
  return config;
}

}  // namespace

cty::value proposed_new_state(const block_schema& b, const cty::value& prior,
                              const cty::value& config) {
  return proposed_block(b, prior, config);
}

}  // namespace cppvider::framework
