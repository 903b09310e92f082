// cppvider/framework/schema.hpp: describe a provider, resource or data source to Terraform.
//
//   struct state {
//     fw::attr<std::string> name;
//     fw::attr<std::int64_t> size_gb;
//     fw::attr<std::vector<rule>> rules;
//   };
//   static auto schema() {
//     return fw::schema_for<state>()
//         .attribute("name", &state::name, {.required = true})
//         .attribute("size_gb", &state::size_gb, {.optional = true, .computed = true,
//                                                .default_value = 10})
//         .block("rule", &state::rules, fw::as_list, rule_schema(), {.max_items = 8});
//   }
//
// Each attribute is bound to a field of the state struct by member pointer: its cty type comes
// from the field's type, so a default or a nested schema of the wrong type does not compile, and
// there is no name to misspell twice. `schema_builder` is the same DSL over cty types for schemas
// known only at run time.
//
// Mistakes (required and computed, a default on a required attribute, a repeated name, ...) are
// collected as diagnostics naming the attribute; the provider reports them from
// GetProviderSchema, and `build()` returns them for tests.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "cppvider/cty/convert.hpp"
#include "cppvider/cty/type.hpp"
#include "cppvider/cty/value.hpp"
#include "cppvider/framework/attr.hpp"
#include "cppvider/framework/diagnostics.hpp"
#include "cppvider/framework/plan_modifiers.hpp"
#include "cppvider/framework/validators.hpp"
#include "cppvider/plugin/protocol.hpp"

// cty converts std::vector but not yet std::set; sets of primitives bind to std::set<T>.
namespace cppvider::cty {
template <class T>
struct cty_traits<std::set<T>> {
  static cty::type cty_type() { return cty::type::set(type_of<T>()); }
  static value to_value(const std::set<T>& xs) {
    std::vector<value> out;
    out.reserve(xs.size());
    for (const auto& x : xs) out.push_back(cty::to_value(x));
    return value::set(type_of<T>(), std::move(out));
  }
  static result<std::set<T>> from_value(const value& v, const path& at) {
    auto elems = cty_traits<std::vector<T>>::from_value(v, at);
    if (!elems) return std::move(elems).error();
    return std::set<T>(std::make_move_iterator(elems->begin()),
                       std::make_move_iterator(elems->end()));
  }
};
}  // namespace cppvider::cty

namespace cppvider::framework {

// How a nested attribute or block holds its objects. Blocks only: group (always present, never
// null). Bound fields: single and group -> attr<N>, list and set -> attr<std::vector<N>>,
// map -> attr<std::map<std::string, N>>.
enum class nesting : std::uint8_t { single, list, set, map, group };
template <nesting M>
struct nesting_tag {
  static constexpr nesting mode = M;
};
inline constexpr nesting_tag<nesting::single> as_single{};
inline constexpr nesting_tag<nesting::list> as_list{};
inline constexpr nesting_tag<nesting::set> as_set{};
inline constexpr nesting_tag<nesting::map> as_map{};
inline constexpr nesting_tag<nesting::group> as_group{};

// Options of one attribute, given with designated initializers in this order.
template <class T = cty::value>
struct attribute_options {
  bool required = false;   // must be set in the configuration
  bool optional = false;   // may be set
  bool computed = false;   // the provider may set it (with optional: when not configured)
  bool sensitive = false;  // hidden in plan output
  // Sent by Terraform 1.11+ in the configuration only: never in plan or state (a password the
  // API needs once). Optional or required, never computed; read it from the request's config.
  bool write_only = false;
  std::string description;
  std::string markdown_description;  // replaces description when set
  std::string deprecation_message;   // non-empty: deprecated, warned about when configured
  // Planned when the configuration leaves the attribute null. Needs computed, not required.
  std::optional<T> default_value;
  std::vector<plan_modifier> plan_modifiers;
  std::vector<validator> validators;
};

struct block_options {
  std::int64_t min_items = 0;
  std::int64_t max_items = 0;  // 0: no limit
  std::string description;
  std::string markdown_description;
  std::string deprecation_message;
};

struct block_schema;

// ---- The finished schema: what GetProviderSchema reports and what planning walks ----------

struct attribute_schema {
  std::string name;
  cty::type type;  // for nested attributes, the implied type of the nesting
  bool required = false;
  bool optional = false;
  bool computed = false;
  bool sensitive = false;
  bool write_only = false;
  std::string description;
  bool markdown = false;
  std::string deprecation_message;
  std::optional<cty::value> default_value;
  std::vector<plan_modifier> plan_modifiers;
  std::vector<validator> validators;
  // Nested attributes (protocol 6) only.
  std::optional<nesting> nested_mode;
  std::shared_ptr<const block_schema> nested;
};

struct nested_block_schema {
  std::string name;
  nesting mode = nesting::list;
  std::shared_ptr<const block_schema> block;
  std::int64_t min_items = 0;
  std::int64_t max_items = 0;
  std::string description;
  bool markdown = false;
  std::string deprecation_message;
  cty::type type;  // of the value in the parent object
};

struct block_schema {
  std::vector<attribute_schema> attributes;
  std::vector<nested_block_schema> blocks;
  std::string description;
  bool markdown = false;
  std::string deprecation_message;
  cty::type object_type;        // attributes and blocks, sorted by name
  bool has_write_only = false;  // a write-only attribute here or in anything nested

  [[nodiscard]] const attribute_schema* find_attribute(std::string_view name) const noexcept;
  [[nodiscard]] const nested_block_schema* find_block(std::string_view name) const noexcept;
};

// The type a nested attribute or block of `mode` holding `object` objects has in its parent.
[[nodiscard]] cty::type nested_type(nesting mode, const cty::type& object);

struct schema {
  std::int64_t version = 0;
  std::shared_ptr<const block_schema> block;

  [[nodiscard]] const cty::type& type() const noexcept { return block->object_type; }
};

[[nodiscard]] plugin::schema to_plugin(const schema& s);

struct schema_result {
  std::shared_ptr<const framework::schema> schema;  // always set, even with errors
  framework::diagnostics diagnostics;               // the schema's mistakes
  [[nodiscard]] bool ok() const noexcept { return !diagnostics.has_error(); }
};

// ---- The untyped DSL ----------------------------------------------------------------------

class schema_builder {
 public:
  schema_builder& version(std::int64_t v);
  schema_builder& description(std::string text);
  schema_builder& markdown_description(std::string text);
  schema_builder& deprecation_message(std::string text);

  schema_builder& attribute(std::string name, cty::type type, attribute_options<> options = {});
  schema_builder& nested_attribute(std::string name, nesting mode, const schema_builder& nested,
                                   attribute_options<> options = {});
  schema_builder& block(std::string name, nesting mode, const schema_builder& nested,
                        block_options options = {});

  // Cheap: the schema is assembled here, checks ran when each part was added.
  [[nodiscard]] schema_result build() const;
  // The object type of what was added so far.
  [[nodiscard]] cty::type object_type() const;
  [[nodiscard]] const framework::diagnostics& problems() const noexcept { return problems_; }

 private:
  [[nodiscard]] bool check_name(const std::string& name);
  [[nodiscard]] std::shared_ptr<const block_schema> finish() const;
  void adopt_problems(const std::string& parent, const schema_builder& nested);

  std::int64_t version_ = 0;
  block_schema block_;
  framework::diagnostics problems_;
};

// ---- The typed DSL ------------------------------------------------------------------------

// Converts between a bound struct S and cty object values of its schema's type.
template <class S>
class codec {
 public:
  struct field {
    std::string name;
    std::function<cty::value(const S&)> get;
    std::function<void(S&, const cty::value&, const cty::path&, diagnostics&)> set;
    // The path below this field of the attr at `where` ("" for the field itself), if it is there.
    std::function<std::optional<std::string>(const S&, const void* where)> locate;
  };

  codec(cty::type object_type, std::vector<field> fields)
      : type_(std::move(object_type)), fields_(std::move(fields)) {}

  [[nodiscard]] const cty::type& type() const noexcept { return type_; }

  [[nodiscard]] cty::value encode(const S& s) const {
    std::vector<std::pair<std::string, cty::value>> attrs;
    attrs.reserve(fields_.size());
    for (const auto& f : fields_) attrs.emplace_back(f.name, f.get(s));
    return cty::value::object(type_, std::move(attrs));
  }
  // The path of the attr at `where` inside s ("name", "disk[0].size_gb"), if it is one of s's.
  [[nodiscard]] std::optional<std::string> locate(const S& s, const void* where) const {
    for (const auto& f : fields_) {
      if (!f.locate) continue;
      if (auto below = f.locate(s, where)) return f.name + *below;
    }
    return std::nullopt;
  }
  // Fields stay default (null) where conversion fails; each failure is an error at its path.
  [[nodiscard]] S decode(const cty::value& v, const cty::path& at, diagnostics& diags) const {
    S out{};
    if (v.is_null() || !v.is_known()) return out;
    for (const auto& f : fields_) {
      const cty::value* a = v.find_attr(f.name);
      if (a == nullptr) continue;
      f.set(out, *a, at.attribute(f.name), diags);
    }
    return out;
  }

 private:
  cty::type type_;
  std::vector<field> fields_;
};

namespace detail {

void conversion_error(diagnostics& diags, const cty::error& e);

// The object a typed hook answered, without conversion losses: attributes whose encoding the
// hook left as decoded (`baseline`) keep their `original` value (exact decimals, partly unknown
// collections); attributes it changed take their `changed` value. All three are objects of
// the same type (or null).
[[nodiscard]] cty::value merge_changes(const cty::value& original, const cty::value& baseline,
                                       const cty::value& changed);

template <class T>
cty::value attr_to_value(const attr<T>& a, const cty::type& t) {
  if (a.is_unknown()) return cty::value::unknown(t);
  if (a.is_null()) return cty::value::null(t);
  return cty::to_value(*a);
}

template <class T>
attr<T> attr_from_value(const cty::value& v, const cty::path& at, diagnostics& diags) {
  if (!v.is_known()) return attr<T>{unknown};
  if (v.is_null()) return attr<T>{};
  if constexpr (!std::is_same_v<T, cty::value>) {
    // A list with one unknown element (configured from something known only after apply)
    // cannot live in a std::vector<std::string>: the field reads as unknown as a whole.
    if (!v.is_wholly_known()) return attr<T>{unknown};
  }
  auto r = cty::from_value<T>(v, at);
  if (!r) {
    conversion_error(diags, r.error());
    return attr<T>{};
  }
  return attr<T>{std::move(*r)};
}

template <nesting M, class F, class N>
inline constexpr bool nested_field_matches = (M == nesting::single || M == nesting::group)
                                                 ? std::is_same_v<F, N>
                                             : (M == nesting::list || M == nesting::set)
                                                 ? std::is_same_v<F, std::vector<N>>
                                                 : std::is_same_v<F, std::map<std::string, N>>;

template <nesting M, class N>
cty::value nested_to_value(const auto& field, const codec<N>& c, const cty::type& t) {
  if (field.is_unknown()) return cty::value::unknown(t);
  if (field.is_null()) return cty::value::null(t);
  if constexpr (M == nesting::single || M == nesting::group) {
    return c.encode(*field);
  } else if constexpr (M == nesting::map) {
    std::vector<std::pair<std::string, cty::value>> out;
    for (const auto& [k, n] : *field) out.emplace_back(k, c.encode(n));
    return cty::value::map(c.type(), std::move(out));
  } else {
    std::vector<cty::value> out;
    out.reserve(field->size());
    for (const auto& n : *field) out.push_back(c.encode(n));
    return M == nesting::list ? cty::value::list(c.type(), std::move(out))
                              : cty::value::set(c.type(), std::move(out));
  }
}

template <nesting M, class F, class N>
attr<F> nested_from_value(const cty::value& v, const codec<N>& c, const cty::path& at,
                          diagnostics& diags) {
  if (!v.is_known()) return attr<F>{unknown};
  if (v.is_null()) return attr<F>{};
  if constexpr (M == nesting::single || M == nesting::group) {
    return attr<F>{c.decode(v, at, diags)};
  } else if constexpr (M == nesting::map) {
    F out;
    for (const auto& e : v.entries()) out.emplace(e.key, c.decode(e.value, at.key(e.key), diags));
    return attr<F>{std::move(out)};
  } else {
    F out;
    out.reserve(v.length());
    std::int64_t i = 0;
    for (const auto& e : v.elements()) out.push_back(c.decode(e, at.index(i++), diags));
    return attr<F>{std::move(out)};
  }
}

}  // namespace detail

namespace detail {
// cty::convertible<std::vector<T>> holds for every T (the check does not look inside), so
// containers are checked element by element here.
template <class T>
struct deep_convertible : std::bool_constant<cty::convertible<T>> {};
template <class T>
struct deep_convertible<std::vector<T>> : deep_convertible<T> {};
template <class T>
struct deep_convertible<std::set<T>> : deep_convertible<T> {};
template <class T>
struct deep_convertible<std::optional<T>> : deep_convertible<T> {};
template <class T>
struct deep_convertible<std::map<std::string, T>> : deep_convertible<T> {};
}  // namespace detail

// Types an attribute can bind: everything cty converts.
template <class T>
concept attribute_value = detail::deep_convertible<T>::value;

template <class S>
class schema_for {
 public:
  using state_type = S;

  schema_for& version(std::int64_t v) {
    builder_.version(v);
    return *this;
  }
  schema_for& description(std::string text) {
    builder_.description(std::move(text));
    return *this;
  }
  schema_for& markdown_description(std::string text) {
    builder_.markdown_description(std::move(text));
    return *this;
  }
  schema_for& deprecation_message(std::string text) {
    builder_.deprecation_message(std::move(text));
    return *this;
  }

  // An attribute of a type cty converts; its cty type is type_of<T>().
  template <attribute_value T>
  schema_for& attribute(std::string name, attr<T> S::*member, attribute_options<T> options = {}) {
    const cty::type t = cty::type_of<T>();
    attribute_options<> untyped = strip(std::move(options));
    builder_.attribute(name, t, std::move(untyped));
    fields_.push_back({std::move(name),
                       [member, t](const S& s) { return detail::attr_to_value(s.*member, t); },
                       [member](S& s, const cty::value& v, const cty::path& at, diagnostics& d) {
                         s.*member = detail::attr_from_value<T>(v, at, d);
                       },
                       [member](const S& s, const void* where) -> std::optional<std::string> {
                         if (&(s.*member) == where) return std::string();
                         return std::nullopt;
                       }});
    return *this;
  }

  // A nested attribute (protocol 6): objects described by `nested`, held as `mode` says.
  template <nesting M, class F, class N>
  requires detail::nested_field_matches<M, F, N> schema_for& nested_attribute(
      std::string name, attr<F> S::*member, nesting_tag<M>, const schema_for<N>& nested,
      attribute_options<F> options = {}) {
    if (M == nesting::group) {
      builder_.nested_attribute(name, nesting::group, nested.builder(), {});
      return *this;  // rejected by the builder; no binding
    }
    auto c = nested.make_codec();
    const cty::type t = nested_type(M, c->type());
    builder_.nested_attribute(name, M, nested.builder(), strip(std::move(options)));
    bind_nested<M, F, N>(std::move(name), member, std::move(c), t);
    return *this;
  }

  // A nested block: `name { ... }` in the configuration, possibly repeated.
  template <nesting M, class F, class N>
  requires detail::nested_field_matches<M, F, N> schema_for& block(std::string name,
                                                                   attr<F> S::*member,
                                                                   nesting_tag<M>,
                                                                   const schema_for<N>& nested,
                                                                   block_options options = {}) {
    auto c = nested.make_codec();
    const cty::type t = nested_type(M, c->type());
    builder_.block(name, M, nested.builder(), std::move(options));
    bind_nested<M, F, N>(std::move(name), member, std::move(c), t);
    return *this;
  }

  [[nodiscard]] schema_result build() const { return builder_.build(); }
  [[nodiscard]] const schema_builder& builder() const noexcept { return builder_; }
  [[nodiscard]] std::shared_ptr<const codec<S>> make_codec() const {
    return std::make_shared<const codec<S>>(builder_.object_type(), fields_);
  }

 private:
  template <class T>
  static attribute_options<> strip(attribute_options<T>&& o) {
    attribute_options<> u{.required = o.required,
                          .optional = o.optional,
                          .computed = o.computed,
                          .sensitive = o.sensitive,
                          .write_only = o.write_only,
                          .description = std::move(o.description),
                          .markdown_description = std::move(o.markdown_description),
                          .deprecation_message = std::move(o.deprecation_message),
                          .default_value = std::nullopt,
                          .plan_modifiers = std::move(o.plan_modifiers),
                          .validators = std::move(o.validators)};
    if constexpr (attribute_value<T>) {
      if (o.default_value) u.default_value = cty::to_value(*o.default_value);
    } else if (o.default_value) {
      // Defaults of nested attributes are not supported yet: an untyped null makes the builder
      // reject the attribute with a message.
      u.default_value = cty::value{};
    }
    return u;
  }

  template <nesting M, class F, class N>
  void bind_nested(std::string name, attr<F> S::*member, std::shared_ptr<const codec<N>> c,
                   cty::type t) {
    fields_.push_back(
        {std::move(name),
         [member, c, t](const S& s) { return detail::nested_to_value<M>(s.*member, *c, t); },
         [member, c](S& s, const cty::value& v, const cty::path& at, diagnostics& d) {
           s.*member = detail::nested_from_value<M, F>(v, *c, at, d);
         },
         [member, c](const S& s, const void* where) -> std::optional<std::string> {
           const attr<F>& a = s.*member;
           if (&a == where) return std::string();
           if (!a.has_value()) return std::nullopt;
           if constexpr (M == nesting::single || M == nesting::group) {
             if (auto p = c->locate(*a, where)) return "." + *p;
           } else if constexpr (M == nesting::map) {
             for (const auto& [k, n] : *a)
               if (auto p = c->locate(n, where)) return "[\"" + k + "\"]." + *p;
           } else {
             for (std::size_t i = 0; i < a->size(); ++i)
               if (auto p = c->locate((*a)[i], where)) return "[" + std::to_string(i) + "]." + *p;
           }
           return std::nullopt;
         }});
  }

  schema_builder builder_;
  std::vector<typename codec<S>::field> fields_;
};

}  // namespace cppvider::framework
