#include "cppvider/framework/schema.hpp"

#include <algorithm>
#include <cctype>

#include "cppvider/cty/type_json.hpp"

namespace cppvider::framework {

namespace {

const char* nesting_name(nesting m) {
  switch (m) {
    case nesting::single:
      return "single";
    case nesting::list:
      return "list";
    case nesting::set:
      return "set";
    case nesting::map:
      return "map";
    case nesting::group:
      return "group";
  }
  return "?";
}

// Terraform identifiers: a letter or underscore, then letters, digits, underscores or dashes.
// Providers use lower case by convention; anything else is almost surely a typo.
bool valid_identifier(const std::string& n) {
  if (n.empty()) return false;
  const auto c0 = static_cast<unsigned char>(n[0]);
  if (!(std::islower(c0) || c0 == '_')) return false;
  return std::all_of(n.begin(), n.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::islower(c) || std::isdigit(c) || c == '_' || c == '-';
  });
}

template <class T>
const T* find_named(const std::vector<T>& xs, std::string_view name) {
  for (const auto& x : xs)
    if (x.name == name) return &x;
  return nullptr;
}

plugin::schema_block to_plugin_block(const block_schema& b);

plugin::schema_attribute to_plugin_attribute(const attribute_schema& a) {
  plugin::schema_attribute out;
  out.name = a.name;
  out.description = a.description;
  out.description_kind = a.markdown ? plugin::string_kind::markdown : plugin::string_kind::plain;
  out.required = a.required;
  out.optional = a.optional;
  out.computed = a.computed;
  out.sensitive = a.sensitive;
  out.write_only = a.write_only;
  out.deprecated = !a.deprecation_message.empty();
  out.deprecation_message = a.deprecation_message;
  if (a.nested) {
    auto obj = std::make_shared<plugin::schema_object>();
    for (const auto& n : a.nested->attributes) obj->attributes.push_back(to_plugin_attribute(n));
    switch (*a.nested_mode) {
      case nesting::single:
        obj->nesting = plugin::schema_object::nesting_mode::single;
        break;
      case nesting::list:
        obj->nesting = plugin::schema_object::nesting_mode::list;
        break;
      case nesting::set:
        obj->nesting = plugin::schema_object::nesting_mode::set;
        break;
      case nesting::map:
        obj->nesting = plugin::schema_object::nesting_mode::map;
        break;
      case nesting::group:
        obj->nesting = plugin::schema_object::nesting_mode::invalid;
        break;
    }
    out.nested_type = std::move(obj);
  } else {
    out.type_json = cty::type_to_json(a.type);
  }
  return out;
}

plugin::schema_block to_plugin_block(const block_schema& b) {
  plugin::schema_block out;
  out.description = b.description;
  out.description_kind = b.markdown ? plugin::string_kind::markdown : plugin::string_kind::plain;
  out.deprecated = !b.deprecation_message.empty();
  out.deprecation_message = b.deprecation_message;
  out.attributes.reserve(b.attributes.size());
  for (const auto& a : b.attributes) out.attributes.push_back(to_plugin_attribute(a));
  for (const auto& nb : b.blocks) {
    plugin::schema_nested_block x;
    x.type_name = nb.name;
    x.block = to_plugin_block(*nb.block);
    x.block.description = nb.description;
    x.block.description_kind =
        nb.markdown ? plugin::string_kind::markdown : plugin::string_kind::plain;
    x.block.deprecated = !nb.deprecation_message.empty();
    x.block.deprecation_message = nb.deprecation_message;
    using m = plugin::schema_nested_block::nesting_mode;
    switch (nb.mode) {
      case nesting::single:
        x.nesting = m::single;
        break;
      case nesting::list:
        x.nesting = m::list;
        break;
      case nesting::set:
        x.nesting = m::set;
        break;
      case nesting::map:
        x.nesting = m::map;
        break;
      case nesting::group:
        x.nesting = m::group;
        break;
    }
    x.min_items = nb.min_items;
    x.max_items = nb.max_items;
    out.block_types.push_back(std::move(x));
  }
  return out;
}

cty::type implied_type(const block_schema& b) {
  std::vector<cty::attribute> attrs;
  attrs.reserve(b.attributes.size() + b.blocks.size());
  for (const auto& a : b.attributes) attrs.emplace_back(a.name, a.type);
  for (const auto& nb : b.blocks) attrs.emplace_back(nb.name, nb.type);
  return cty::type::object(std::move(attrs));
}

}  // namespace

const attribute_schema* block_schema::find_attribute(std::string_view name) const noexcept {
  return find_named(attributes, name);
}
const nested_block_schema* block_schema::find_block(std::string_view name) const noexcept {
  return find_named(blocks, name);
}

cty::type nested_type(nesting mode, const cty::type& object) {
  switch (mode) {
    case nesting::list:
      return cty::type::list(object);
    case nesting::set:
      return cty::type::set(object);
    case nesting::map:
      return cty::type::map(object);
    case nesting::single:
    case nesting::group:
      return object;
  }
  return object;
}

plugin::schema to_plugin(const schema& s) {
  plugin::schema out;
  out.version = s.version;
  out.block = to_plugin_block(*s.block);
  return out;
}

schema_builder& schema_builder::version(std::int64_t v) {
  if (v < 0) problems_.add_error("Invalid schema", "the schema version must not be negative");
  version_ = v;
  return *this;
}
schema_builder& schema_builder::description(std::string text) {
  block_.description = std::move(text);
  block_.markdown = false;
  return *this;
}
schema_builder& schema_builder::markdown_description(std::string text) {
  block_.description = std::move(text);
  block_.markdown = true;
  return *this;
}
schema_builder& schema_builder::deprecation_message(std::string text) {
  block_.deprecation_message = std::move(text);
  return *this;
}

bool schema_builder::check_name(const std::string& name) {
  if (name.empty()) {
    problems_.add_error("Invalid schema", "an attribute or block has an empty name");
    return false;
  }
  if (!valid_identifier(name)) {
    problems_.add_error(path::root(name), "Invalid schema",
                        "\"" + name +
                            "\" is not a valid name: use lower-case letters, digits and "
                            "underscores, starting with a letter");
    return false;
  }
  if (block_.find_attribute(name) != nullptr || block_.find_block(name) != nullptr) {
    problems_.add_error(path::root(name), "Invalid schema",
                        "\"" + name + "\" is declared more than once");
    return false;
  }
  return true;
}

schema_builder& schema_builder::attribute(std::string name, cty::type type, attribute_options<> o) {
  if (!check_name(name)) return *this;
  const auto bad = [&](const std::string& why) {
    problems_.add_error(path::root(name), "Invalid schema", "attribute \"" + name + "\": " + why);
  };
  const int modes = int{o.required} + int{o.optional} + int{o.computed};
  if (modes == 0) bad("must be required, optional or computed");
  if (o.required && o.optional) bad("cannot be both required and optional");
  if (o.required && o.computed) bad("cannot be both required and computed");
  if (o.write_only && o.computed) bad("a write-only attribute cannot be computed");
  if (o.write_only && o.default_value) bad("a write-only attribute cannot have a default");
  if (o.default_value) {
    if (o.required) {
      bad("a required attribute cannot have a default");
    } else if (!o.computed) {
      bad("an attribute with a default must be computed (optional = true, computed = true)");
    } else if (o.default_value->type().is_dynamic() && o.default_value->is_null() &&
               !type.is_dynamic()) {
      bad("defaults of nested attributes are not supported");
    } else if (!(o.default_value->type() == type) && !type.is_dynamic()) {
      bad("the default is a " + o.default_value->type().friendly_name() + ", the attribute a " +
          type.friendly_name());
    } else if (!o.default_value->is_wholly_known()) {
      bad("the default must be a known value");
    }
  }
  attribute_schema a;
  a.name = std::move(name);
  a.type = std::move(type);
  a.required = o.required;
  a.optional = o.optional;
  a.computed = o.computed;
  a.sensitive = o.sensitive;
  a.write_only = o.write_only;
  a.markdown = !o.markdown_description.empty();
  a.description = a.markdown ? std::move(o.markdown_description) : std::move(o.description);
  a.deprecation_message = std::move(o.deprecation_message);
  a.default_value = std::move(o.default_value);
  a.plan_modifiers = std::move(o.plan_modifiers);
  a.validators = std::move(o.validators);
  for (const auto& m : a.plan_modifiers)
    if (!m.modify) bad("a plan modifier has no function");
  for (const auto& v : a.validators)
    if (!v.validate) bad("a validator has no function");
  block_.attributes.push_back(std::move(a));
  return *this;
}

void schema_builder::adopt_problems(const std::string& parent, const schema_builder& nested) {
  for (const auto& d : nested.problems_) {
    auto copy = d;
    cty::path p = copy.attribute ? static_cast<cty::path>(*copy.attribute) : cty::path{};
    p.prepend(cty::path_step::attribute(parent));
    copy.attribute = path(std::move(p));
    copy.detail = "in \"" + parent + "\": " + copy.detail;
    problems_.add(std::move(copy));
  }
}

schema_builder& schema_builder::nested_attribute(std::string name, nesting mode,
                                                 const schema_builder& nested,
                                                 attribute_options<> o) {
  if (!check_name(name)) return *this;
  if (mode == nesting::group) {
    problems_.add_error(path::root(name), "Invalid schema",
                        "attribute \"" + name +
                            "\": nested attributes nest single, list, set or map; group is for "
                            "blocks");
    return *this;
  }
  if (!nested.block_.blocks.empty()) {
    problems_.add_error(path::root(name), "Invalid schema",
                        "attribute \"" + name + "\": nested attributes cannot contain blocks");
  }
  adopt_problems(name, nested);
  auto obj = nested.finish();
  const auto t = nested_type(mode, obj->object_type);
  const auto before = block_.attributes.size();
  attribute(name, t, std::move(o));
  if (block_.attributes.size() > before) {
    auto& a = block_.attributes.back();
    a.nested_mode = mode;
    a.nested = std::move(obj);
  }
  return *this;
}

schema_builder& schema_builder::block(std::string name, nesting mode, const schema_builder& nested,
                                      block_options o) {
  if (!check_name(name)) return *this;
  const auto bad = [&](const std::string& why) {
    problems_.add_error(path::root(name), "Invalid schema", "block \"" + name + "\": " + why);
  };
  if (o.min_items < 0 || o.max_items < 0) bad("min_items and max_items must not be negative");
  if (o.max_items > 0 && o.min_items > o.max_items) bad("min_items is greater than max_items");
  if ((mode == nesting::single || mode == nesting::group || mode == nesting::map) &&
      (o.min_items != 0 || o.max_items != 0)) {
    bad(std::string("min_items and max_items apply to list and set blocks, not ") +
        nesting_name(mode));
  }
  adopt_problems(name, nested);
  nested_block_schema b;
  b.name = std::move(name);
  b.mode = mode;
  b.block = nested.finish();
  b.min_items = o.min_items;
  b.max_items = o.max_items;
  b.markdown = !o.markdown_description.empty();
  b.description = b.markdown ? std::move(o.markdown_description) : std::move(o.description);
  b.deprecation_message = std::move(o.deprecation_message);
  b.type = nested_type(mode, b.block->object_type);
  block_.blocks.push_back(std::move(b));
  return *this;
}

std::shared_ptr<const block_schema> schema_builder::finish() const {
  auto b = std::make_shared<block_schema>(block_);
  b->object_type = implied_type(*b);
  for (const auto& a : b->attributes) {
    b->has_write_only = b->has_write_only || a.write_only || (a.nested && a.nested->has_write_only);
  }
  for (const auto& nb : b->blocks)
    b->has_write_only = b->has_write_only || nb.block->has_write_only;
  return b;
}

cty::type schema_builder::object_type() const { return implied_type(block_); }

schema_result schema_builder::build() const {
  auto s = std::make_shared<schema>();
  s->version = version_;
  s->block = finish();
  return {std::move(s), problems_};
}

namespace detail {
void conversion_error(diagnostics& diags, const cty::error& e) {
  diags.add_error(path(e.path), "Value conversion error", e.message);
}

cty::value merge_changes(const cty::value& original, const cty::value& baseline,
                         const cty::value& changed) {
  if (!original.is_known() || original.is_null() || !changed.is_known() || changed.is_null() ||
      !baseline.is_known() || baseline.is_null() || !(original.type() == changed.type())) {
    return changed;
  }
  const auto t = changed.type();
  const auto attrs = t.attributes();
  const auto o = original.elements();
  const auto b = baseline.elements();
  const auto c = changed.elements();
  std::vector<std::pair<std::string, cty::value>> out;
  out.reserve(attrs.size());
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    out.emplace_back(attrs[i].name, c[i] == b[i] ? o[i] : c[i]);
  }
  return cty::value::object(t, std::move(out));
}
}  // namespace detail

}  // namespace cppvider::framework
