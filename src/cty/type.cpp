#include <algorithm>
#include <stdexcept>

#include "internal.hpp"

namespace cppvider::cty {
namespace detail {
namespace {

constexpr std::size_t mix(std::size_t h, std::size_t v) noexcept {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6U) + (h >> 2U));
}

std::size_t hash_bytes(std::string_view s) noexcept {
  std::size_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// The primitive nodes are constant-initialised (no start-up code, usable from any static
// initialiser) and never destroyed, so values in other static objects may outlive exit.
// clang 14 (the fuzz build) cannot constant-evaluate libstdc++ 12's std::string members, so
// there the nodes are initialised dynamically before main, still never destroyed.
#if defined(__clang__)
struct primitive_holder {
  union {
    type_node node;
  };
  explicit primitive_holder(type_kind k) : node() {
    node.immortal = true;
    node.kind = k;
    node.hash = mix(0x51ed270b, static_cast<std::size_t>(k));
  }
  ~primitive_holder() {}  // NOLINT: deliberately leaves `node` alive
};
primitive_holder g_bool{type_kind::boolean};
primitive_holder g_number{type_kind::number};
primitive_holder g_string{type_kind::string};
#else
struct primitive_holder {
  union {
    type_node node;
  };
  constexpr explicit primitive_holder(type_kind k) : node() {
    node.immortal = true;
    node.kind = k;
    node.hash = mix(0x51ed270b, static_cast<std::size_t>(k));
  }
  constexpr ~primitive_holder() {}  // NOLINT: deliberately leaves `node` alive
};
constinit primitive_holder g_bool{type_kind::boolean};
constinit primitive_holder g_number{type_kind::number};
constinit primitive_holder g_string{type_kind::string};
#endif

// Canonical msgpack str encoding of each attribute name (what the encoder writes).
void build_msgpack_keys(type_node& n) {
  n.key_offsets.reserve(n.attributes.size() + 1);
  n.key_offsets.push_back(0);
  for (const auto& a : n.attributes) {
    const std::size_t len = a.name.size();
    auto& k = n.msgpack_keys;
    if (len < 32) {
      k.push_back(static_cast<char>(0xa0U | len));
    } else if (len <= 0xff) {
      k.push_back('\xd9');
      k.push_back(static_cast<char>(len));
    } else if (len <= 0xffff) {
      k.push_back('\xda');
      k.push_back(static_cast<char>(len >> 8U));
      k.push_back(static_cast<char>(len & 0xffU));
    } else {
      k.push_back('\xdb');
      for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>(len >> shift));
    }
    k.append(a.name);
    n.key_offsets.push_back(static_cast<std::uint32_t>(k.size()));
  }
}

}  // namespace

const type_node* bool_node() noexcept { return &g_bool.node; }
const type_node* number_node() noexcept { return &g_number.node; }
const type_node* string_node() noexcept { return &g_string.node; }

void release_node(const type_node* n) noexcept {
  if (n == nullptr || n->immortal) return;
  if (n->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete n;
}

bool type_conforms(const type_node* actual, const type_node* want) noexcept {
  if (want == nullptr || actual == want) return true;
  if (actual == nullptr) return false;
  if (actual->kind != want->kind) return false;
  if (!want->has_dynamic) return type::from_node(actual) == type::from_node(want);
  switch (want->kind) {
    case type_kind::list:
    case type_kind::set:
    case type_kind::map:
      return type_conforms(actual->element.node(), want->element.node());
    case type_kind::tuple:
      if (actual->elements.size() != want->elements.size()) return false;
      for (std::size_t i = 0; i < want->elements.size(); ++i) {
        if (!type_conforms(actual->elements[i].node(), want->elements[i].node())) return false;
      }
      return true;
    case type_kind::object:
      if (actual->attributes.size() != want->attributes.size()) return false;
      for (std::size_t i = 0; i < want->attributes.size(); ++i) {
        if (actual->attributes[i].name != want->attributes[i].name) return false;
        if (!type_conforms(actual->attributes[i].ty.node(), want->attributes[i].ty.node())) {
          return false;
        }
      }
      return true;
    default:
      return true;
  }
}

bool types_equal(const type_node* x, const type_node* y) noexcept {
  if (x == y) return true;
  if (x == nullptr || y == nullptr || x->hash != y->hash || x->kind != y->kind) return false;
  switch (x->kind) {
    case type_kind::list:
    case type_kind::set:
    case type_kind::map:
      return x->element == y->element;
    case type_kind::tuple:
      return x->elements == y->elements;
    case type_kind::object:
      return x->attributes == y->attributes;
    default:
      return false;  // primitives are singletons
  }
}

std::optional<std::size_t> attribute_index(const type_node* n, std::string_view name) noexcept {
  if (n == nullptr || n->kind != type_kind::object) return std::nullopt;
  const auto& attrs = n->attributes;
  auto it = std::lower_bound(attrs.begin(), attrs.end(), name,
                             [](const attribute& a, std::string_view k) { return a.name < k; });
  if (it == attrs.end() || it->name != name) return std::nullopt;
  return static_cast<std::size_t>(it - attrs.begin());
}

}  // namespace detail

using detail::type_node;

type::type(const type& other) noexcept : node_(other.node_) { detail::retain_node(node_); }

type& type::operator=(const type& other) noexcept {
  detail::retain_node(other.node_);
  detail::release_node(node_);
  node_ = other.node_;
  return *this;
}

type& type::operator=(type&& other) noexcept {
  if (this != &other) {
    detail::release_node(node_);
    node_ = other.node_;
    other.node_ = nullptr;
  }
  return *this;
}

type::~type() { detail::release_node(node_); }

type type::from_node(const type_node* n) noexcept {
  detail::retain_node(n);
  return type{n};
}

type type::boolean() noexcept { return type{&detail::g_bool.node}; }
type type::number() noexcept { return type{&detail::g_number.node}; }
type type::string() noexcept { return type{&detail::g_string.node}; }

namespace {
type collection(type_kind k, type element) {
  auto* n = new type_node;
  n->kind = k;
  n->has_dynamic = element.is_dynamic() || element.has_dynamic();
  n->hash = detail::mix(detail::mix(0x7c0113c7, static_cast<std::size_t>(k)), element.hash());
  n->element = std::move(element);
  type t = type::from_node(n);  // from_node retains; drop the creation reference
  detail::release_node(n);
  return t;
}
}  // namespace

type type::list(type element) { return collection(type_kind::list, std::move(element)); }
type type::set(type element) { return collection(type_kind::set, std::move(element)); }
type type::map(type element) { return collection(type_kind::map, std::move(element)); }

type type::tuple(std::vector<type> elements) {
  auto* n = new type_node;
  n->kind = type_kind::tuple;
  std::size_t h = detail::mix(0x2b7e1516, elements.size());
  for (const auto& e : elements) {
    h = detail::mix(h, e.hash());
    if (e.is_dynamic() || e.has_dynamic()) n->has_dynamic = true;
  }
  n->hash = h;
  n->elements = std::move(elements);
  type t{n};
  return t;
}

type type::object(std::initializer_list<attribute> attributes) {
  return object(std::vector<attribute>(attributes));
}

type type::object(std::vector<attribute> attributes) {
  std::sort(attributes.begin(), attributes.end(),
            [](const attribute& a, const attribute& b) { return a.name < b.name; });
  for (std::size_t i = 1; i < attributes.size(); ++i) {
    if (attributes[i].name == attributes[i - 1].name) {
      throw std::invalid_argument("cty::type::object: attribute \"" + attributes[i].name +
                                  "\" is declared twice");
    }
  }
  auto* n = new type_node;
  n->kind = type_kind::object;
  std::size_t h = detail::mix(0x3c6ef372, attributes.size());
  for (const auto& a : attributes) {
    h = detail::mix(h, detail::hash_bytes(a.name));
    h = detail::mix(h, a.ty.hash());
    h = detail::mix(h, a.optional ? 1 : 0);
    if (a.ty.is_dynamic() || a.ty.has_dynamic()) n->has_dynamic = true;
    if (a.optional) n->has_optional = true;
  }
  n->hash = h;
  n->attributes = std::move(attributes);
  detail::build_msgpack_keys(*n);
  return type{n};
}

type_kind type::kind() const noexcept { return detail::kind_of(node_); }

bool type::is_primitive() const noexcept {
  const auto k = kind();
  return k == type_kind::boolean || k == type_kind::number || k == type_kind::string;
}

bool type::is_collection() const noexcept {
  const auto k = kind();
  return k == type_kind::list || k == type_kind::set || k == type_kind::map;
}

const type& type::element_type() const noexcept { return node_->element; }
std::span<const type> type::tuple_elements() const noexcept { return node_->elements; }
std::span<const attribute> type::attributes() const noexcept { return node_->attributes; }

std::optional<std::size_t> type::attribute_index(std::string_view name) const noexcept {
  return detail::attribute_index(node_, name);
}

bool type::has_optional_attributes() const noexcept {
  return node_ != nullptr && node_->has_optional;
}
bool type::has_dynamic() const noexcept { return node_ == nullptr || node_->has_dynamic; }

std::size_t type::hash() const noexcept { return node_ == nullptr ? 0x6a09e667 : node_->hash; }

bool operator==(const type& a, const type& b) noexcept {
  return detail::types_equal(a.node_, b.node_);
}

std::string type::friendly_name() const {
  switch (kind()) {
    case type_kind::boolean:
      return "bool";
    case type_kind::number:
      return "number";
    case type_kind::string:
      return "string";
    case type_kind::dynamic:
      return "dynamic";
    case type_kind::list:
      return "list of " + element_type().friendly_name();
    case type_kind::set:
      return "set of " + element_type().friendly_name();
    case type_kind::map:
      return "map of " + element_type().friendly_name();
    case type_kind::tuple:
      return "tuple";
    case type_kind::object:
      return "object";
  }
  return "unknown type";
}

}  // namespace cppvider::cty
