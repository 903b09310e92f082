#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "cppvider/detail/json_escape.hpp"
#include "internal.hpp"

namespace cppvider::cty {
namespace detail {

// ---- Payload lifetime --------------------------------------------------------------------------

string_payload* string_payload::create(std::string_view s) {
  void* mem = ::operator new(sizeof(string_payload) + s.size());
  auto* p = new (mem) string_payload(s.size());
  if (!s.empty()) std::memcpy(p->data(), s.data(), s.size());
  return p;
}

namespace {
constexpr std::size_t round8(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }
}  // namespace

string_payload* string_payload::create_in(arena& a, std::string_view s) {
  void* mem = a.allocate(round8(sizeof(string_payload) + s.size()));
  auto* p = new (mem) string_payload(s.size(), &a);
  if (!s.empty()) std::memcpy(p->data(), s.data(), s.size());
  return p;
}

sequence_payload* sequence_payload::create(const type_node* t, std::uint32_t n) {
  void* mem = ::operator new (sizeof(sequence_payload) + std::size_t{n} * sizeof(value));
  retain_node(t);
  auto* p = new (mem) sequence_payload(t, n, nullptr);
  value* items = p->items();
  for (std::uint32_t i = 0; i < n; ++i) new (items + i) value();
  return p;
}

void sequence_payload::destroy(sequence_payload* p) noexcept {
  value* items = p->items();
  for (std::uint32_t i = 0; i < p->size; ++i) items[i].~value();
  release_node(p->node);
  p->~sequence_payload();
  ::operator delete(static_cast<void*>(p));
}

map_payload* map_payload::create(const type_node* t, std::vector<map_entry>&& entries) {
  const auto n = static_cast<std::uint32_t>(entries.size());
  void* mem = ::operator new (sizeof(map_payload) + std::size_t{n} * sizeof(map_entry));
  retain_node(t);
  auto* p = new (mem) map_payload(t, n, nullptr);
  for (std::uint32_t i = 0; i < n; ++i) new (p->items() + i) map_entry(std::move(entries[i]));
  return p;
}

map_payload* map_payload::create_in(arena& a, const type_node* t, std::uint32_t n) {
  void* mem = a.allocate(sizeof(map_payload) + std::size_t{n} * sizeof(map_entry));
  auto* p = new (mem) map_payload(t, n, &a);
  for (std::uint32_t i = 0; i < n; ++i) new (p->items() + i) map_entry();
  return p;
}

void map_payload::destroy(map_payload* p) noexcept {
  for (std::uint32_t i = 0; i < p->size; ++i) p->items()[i].~map_entry();
  release_node(p->node);
  p->~map_payload();
  ::operator delete(static_cast<void*>(p));
}

void release_heap(const payload* p) noexcept {
  if (p->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  auto* mp = const_cast<payload*>(p);
  switch (p->kind) {
    case payload_kind::big:
      delete static_cast<big_decimal*>(mp);
      break;
    case payload_kind::string: {
      auto* s = static_cast<string_payload*>(mp);
      s->~string_payload();
      ::operator delete(static_cast<void*>(s));
      break;
    }
    case payload_kind::sequence:
      sequence_payload::destroy(static_cast<sequence_payload*>(mp));
      break;
    case payload_kind::map:
      map_payload::destroy(static_cast<map_payload*>(mp));
      break;
    case payload_kind::unknown:
      delete static_cast<unknown_payload*>(mp);
      break;
  }
}

void value_access::set_number(value& v, const number& n) {
  if (n.is_int64()) {
    set_int(v, n.int64_unchecked());
  } else if (n.is_double()) {
    set_real(v, n.double_unchecked());
  } else {
    retain(static_cast<const payload*>(n.big()));
    set_big(v, n.big());
  }
}

number value_access::number_of(const value& v) noexcept {
  switch (v.tag_) {
    case tag::integer:
      return number{int_of(v)};
    case tag::real: {
      number n = number::infinity();  // any real; overwritten below
      n = number{real_of(v)};
      return n;
    }
    case tag::big: {
      retain(static_cast<const payload*>(big_of(v)));
      return number::adopt_big(big_of(v));
    }
    default:
      return number{};
  }
}

const type_node* value_access::node_of(const value& v) noexcept {
  switch (v.tag_) {
    case tag::null:
    case tag::unknown:
      return null_or_unknown_node(v);
    case tag::boolean:
      return bool_node();
    case tag::integer:
    case tag::real:
    case tag::big:
      return number_node();
    case tag::small_string:
    case tag::string:
      return string_node();
    case tag::map:
      return map_of(v)->node;
    default:
      return seq_of(v)->node;
  }
}

bool valid_utf8_slow(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // Fast path: eight ASCII bytes at a time.
    if (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1FU;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0FU;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[k] & 0xC0U) != 0x80U) return false;
      cp = (cp << 6U) | (p[k] & 0x3FU);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += len;
  }
  return true;
}

namespace {

using tag = value_access::tag;

bool is_sequence(tag t) {
  return t == tag::list || t == tag::set || t == tag::tuple || t == tag::object;
}

std::size_t mix(std::size_t h, std::size_t v) noexcept {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6U) + (h >> 2U));
}

bool raw_equal(const value& a, const value& b, bool with_marks) noexcept;

bool set_items_equal(const sequence_payload* x, const sequence_payload* y,
                     bool with_marks) noexcept {
  bool positional = true;
  for (std::uint32_t i = 0; i < x->size && positional; ++i) {
    positional = raw_equal(x->items()[i], y->items()[i], with_marks);
  }
  if (positional) return true;
  // Same elements in another order (sets of non-primitives keep insertion order).
  std::unordered_multimap<std::size_t, std::uint32_t> index;
  for (std::uint32_t i = 0; i < y->size; ++i) index.emplace(value_hash(y->items()[i]), i);
  std::vector<bool> used(y->size, false);
  for (std::uint32_t i = 0; i < x->size; ++i) {
    auto [lo, hi] = index.equal_range(value_hash(x->items()[i]));
    bool found = false;
    for (auto it = lo; it != hi; ++it) {
      if (!used[it->second] && raw_equal(x->items()[i], y->items()[it->second], with_marks)) {
        used[it->second] = true;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

bool raw_equal(const value& a, const value& b, bool with_marks) noexcept {
  const tag ta = value_access::tag_of(a);
  if (ta != value_access::tag_of(b)) return false;
  if (with_marks && a.marks() != b.marks()) return false;
  switch (ta) {
    case tag::null:
      return type::from_node(value_access::null_or_unknown_node(a)) ==
             type::from_node(value_access::null_or_unknown_node(b));
    case tag::unknown: {
      if (type::from_node(value_access::null_or_unknown_node(a)) !=
          type::from_node(value_access::null_or_unknown_node(b))) {
        return false;
      }
      const auto* ra = value_access::unknown_of(a);
      const auto* rb = value_access::unknown_of(b);
      if (ra == nullptr || rb == nullptr) return ra == rb;
      return ra->refine == rb->refine;
    }
    case tag::boolean:
    case tag::integer:
      return value_access::word(a, 1) == value_access::word(b, 1);
    case tag::real:
      return value_access::real_of(a) == value_access::real_of(b);
    case tag::big:
      return value_access::number_of(a) == value_access::number_of(b);
    case tag::small_string:
    case tag::string:
      return value_access::string_of(a) == value_access::string_of(b);
    case tag::map: {
      const auto* x = value_access::map_of(a);
      const auto* y = value_access::map_of(b);
      if (x == y) return true;
      if (x->size != y->size || !types_equal(x->node, y->node)) return false;
      for (std::uint32_t i = 0; i < x->size; ++i) {
        if (x->items()[i].key != y->items()[i].key ||
            !raw_equal(x->items()[i].value, y->items()[i].value, with_marks)) {
          return false;
        }
      }
      return true;
    }
    default: {
      const auto* x = value_access::seq_of(a);
      const auto* y = value_access::seq_of(b);
      if (x == y) return true;
      if (x->size != y->size || !types_equal(x->node, y->node)) return false;
      if (ta == tag::set) return set_items_equal(x, y, with_marks);
      for (std::uint32_t i = 0; i < x->size; ++i) {
        if (!raw_equal(x->items()[i], y->items()[i], with_marks)) return false;
      }
      return true;
    }
  }
}

int primitive_order(const value& a, const value& b) {
  // Known non-null values first, in value order; then nulls; then unknowns.
  const auto rank = [](const value& v) { return v.is_known() ? (v.is_null() ? 1 : 0) : 2; };
  const int ra = rank(a);
  const int rb = rank(b);
  if (ra != rb || ra != 0) return ra - rb;
  const tag t = value_access::tag_of(a);
  if (t == tag::boolean) {
    return static_cast<int>(value_access::bool_of(a)) - static_cast<int>(value_access::bool_of(b));
  }
  if (t == tag::small_string || t == tag::string) {
    const int c = value_access::string_of(a).compare(value_access::string_of(b));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  const auto c = value_access::number_of(a) <=> value_access::number_of(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

[[noreturn]] void misuse(const char* fn, const value& v, const char* want) {
  throw std::logic_error(std::string("cty::value::") + fn + ": expected " + want + ", have " +
                         (v.is_known() ? (v.is_null() ? "null " : "") : "unknown ") +
                         v.type().friendly_name());
}

// Makes v acceptable where `want` is expected, or throws.
void conform(value& v, const type& want, const char* what) {
  const type_node* have = value_access::node_of(v);
  if (have == nullptr && !want.is_dynamic() && (v.is_null() || !v.is_known())) {
    const std::uint8_t marks = v.marks().bits();
    value replacement = v.is_null() ? value::null(want) : value::unknown(want);
    value_access::set_marks(replacement, marks);
    v = std::move(replacement);
    return;
  }
  if (!type_conforms(have, want.node())) {
    throw std::invalid_argument(std::string("cty::value::") + what + ": element of type " +
                                type::from_node(have).friendly_name() + " where " +
                                want.friendly_name() + " is expected");
  }
}

}  // namespace

bool set_element_equal(const value& a, const value& b) noexcept {
  return a.is_wholly_known() && b.is_wholly_known() && raw_equal(a, b, false);
}

std::size_t value_hash(const value& v) noexcept {
  const tag t = value_access::tag_of(v);
  switch (t) {
    case tag::null:
      return mix(0x11, type::from_node(value_access::null_or_unknown_node(v)).hash());
    case tag::unknown:
      return mix(0x22, type::from_node(value_access::null_or_unknown_node(v)).hash());
    case tag::boolean:
      return value_access::bool_of(v) ? 0x33 : 0x44;
    case tag::integer:
    case tag::real:
    case tag::big:
      return value_access::number_of(v).hash();
    case tag::small_string:
    case tag::string:
      return std::hash<std::string_view>{}(value_access::string_of(v));
    case tag::map: {
      const auto* m = value_access::map_of(v);
      std::size_t h = mix(0x55, m->size);
      for (const auto& e : m->entries()) {
        h = mix(h, std::hash<std::string>{}(e.key));
        h = mix(h, value_hash(e.value));
      }
      return h;
    }
    default: {
      const auto* s = value_access::seq_of(v);
      std::size_t h = mix(static_cast<std::size_t>(t), s->size);
      if (t == tag::set) {
        std::size_t acc = 0;  // order-independent
        for (std::uint32_t i = 0; i < s->size; ++i) acc += value_hash(s->items()[i]);
        return mix(h, acc);
      }
      for (std::uint32_t i = 0; i < s->size; ++i) h = mix(h, value_hash(s->items()[i]));
      return h;
    }
  }
}

std::vector<std::uint32_t> set_order(const value* items, std::uint32_t n, bool primitive) {
  std::vector<std::uint32_t> kept;
  kept.reserve(n);
  if (n <= 8) {
    for (std::uint32_t i = 0; i < n; ++i) {
      bool dup = false;
      for (const auto k : kept) {
        if (set_element_equal(items[i], items[k])) {
          dup = true;
          break;
        }
      }
      if (!dup) kept.push_back(i);
    }
  } else {
    std::unordered_multimap<std::size_t, std::uint32_t> seen;
    seen.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!items[i].is_wholly_known()) {
        kept.push_back(i);
        continue;
      }
      const std::size_t h = value_hash(items[i]);
      auto [lo, hi] = seen.equal_range(h);
      bool dup = false;
      for (auto it = lo; it != hi; ++it) {
        if (raw_equal(items[i], items[it->second], false)) {
          dup = true;
          break;
        }
      }
      if (!dup) {
        seen.emplace(h, i);
        kept.push_back(i);
      }
    }
  }
  if (primitive) {
    std::stable_sort(kept.begin(), kept.end(), [items](std::uint32_t a, std::uint32_t b) {
      return primitive_order(items[a], items[b]) < 0;
    });
  }
  return kept;
}

value make_set(const type& set_type, std::vector<value> elements) {
  const auto order = set_order(elements.data(), static_cast<std::uint32_t>(elements.size()),
                               set_type.element_type().is_primitive());
  auto* p = sequence_payload::create(set_type.node(), static_cast<std::uint32_t>(order.size()));
  for (std::size_t i = 0; i < order.size(); ++i) p->items()[i] = std::move(elements[order[i]]);
  value v;
  value_access::set_sequence(v, tag::set, p);
  return v;
}

}  // namespace detail

using detail::value_access;
using tag = detail::value_access::tag;

// ---- Lifetime ----------------------------------------------------------------------------------

void value::retain_payload() const noexcept {
  switch (tag_) {
    case tag::null:
      detail::retain_node(value_access::null_or_unknown_node(*this));
      break;
    case tag::unknown:
      detail::retain_node(value_access::null_or_unknown_node(*this));
      if (const auto* r = value_access::unknown_of(*this)) detail::retain(r);
      break;
    default:
      detail::retain(reinterpret_cast<const detail::payload*>(word(1)));
      break;
  }
}

void value::release_payload() noexcept {
  switch (tag_) {
    case tag::null:
      detail::release_node(value_access::null_or_unknown_node(*this));
      break;
    case tag::unknown:
      detail::release_node(value_access::null_or_unknown_node(*this));
      if (const auto* r = value_access::unknown_of(*this)) detail::release(r);
      break;
    default:
      detail::release(reinterpret_cast<const detail::payload*>(word(1)));
      break;
  }
}

// ---- Construction ------------------------------------------------------------------------------

value value::null(const cty::type& t) {
  value v;
  detail::retain_node(t.node());
  value_access::set_null(v, t.node());
  return v;
}

value value::unknown(const cty::type& t) {
  value v;
  detail::retain_node(t.node());
  value_access::set_unknown(v, t.node(), nullptr);
  return v;
}

value value::unknown(const cty::type& t, refinements r) {
  if (t.is_dynamic() || r.empty()) return unknown(t);
  const auto k = t.kind();
  if (!r.string_prefix.empty() && k != type_kind::string) {
    throw std::invalid_argument("cty::value::unknown: a string prefix refines only strings");
  }
  if ((r.lower || r.upper) && k != type_kind::number) {
    throw std::invalid_argument("cty::value::unknown: number bounds refine only numbers");
  }
  if ((r.min_length || r.max_length) && !t.is_collection()) {
    throw std::invalid_argument("cty::value::unknown: length bounds refine only collections");
  }
  auto* p = new detail::unknown_payload;
  p->refine = std::move(r);
  value v;
  detail::retain_node(t.node());
  value_access::set_unknown(v, t.node(), p);
  return v;
}

value value::boolean(bool b) noexcept {
  value v;
  value_access::set_bool(v, b);
  return v;
}

value value::number(cty::number n) {
  value v;
  value_access::set_number(v, n);
  return v;
}

value value::number(double d) { return number(cty::number(d)); }

value value::string(std::string_view s) {
  value v;
  value_access::set_string(v, s);
  return v;
}

value value::list(const cty::type& element_type, std::vector<value> elements) {
  for (auto& e : elements) detail::conform(e, element_type, "list");
  const auto list_type = cty::type::list(element_type);
  auto* p = detail::sequence_payload::create(list_type.node(),
                                             static_cast<std::uint32_t>(elements.size()));
  for (std::size_t i = 0; i < elements.size(); ++i) p->items()[i] = std::move(elements[i]);
  value v;
  value_access::set_sequence(v, tag::list, p);
  return v;
}

value value::set(const cty::type& element_type, std::vector<value> elements) {
  for (auto& e : elements) detail::conform(e, element_type, "set");
  return detail::make_set(cty::type::set(element_type), std::move(elements));
}

value value::map(const cty::type& element_type,
                 std::vector<std::pair<std::string, value>> entries) {
  for (auto& e : entries) detail::conform(e.second, element_type, "map");
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<map_entry> unique;
  unique.reserve(entries.size());
  for (auto& e : entries) {
    if (!unique.empty() && unique.back().key == e.first) {
      unique.back().value = std::move(e.second);
    } else {
      unique.push_back(map_entry{std::move(e.first), std::move(e.second)});
    }
  }
  const auto map_type = cty::type::map(element_type);
  value v;
  value_access::set_map(v, detail::map_payload::create(map_type.node(), std::move(unique)));
  return v;
}

value value::tuple(std::vector<value> elements) {
  std::vector<cty::type> types;
  types.reserve(elements.size());
  for (const auto& e : elements) types.push_back(e.type());
  return tuple(cty::type::tuple(std::move(types)), std::move(elements));
}

value value::tuple(const cty::type& tuple_type, std::vector<value> elements) {
  if (!tuple_type.is_tuple() || tuple_type.tuple_elements().size() != elements.size()) {
    throw std::invalid_argument("cty::value::tuple: element count does not match the type");
  }
  for (std::size_t i = 0; i < elements.size(); ++i) {
    detail::conform(elements[i], tuple_type.tuple_elements()[i], "tuple");
  }
  auto* p = detail::sequence_payload::create(tuple_type.node(),
                                             static_cast<std::uint32_t>(elements.size()));
  for (std::size_t i = 0; i < elements.size(); ++i) p->items()[i] = std::move(elements[i]);
  value v;
  value_access::set_sequence(v, tag::tuple, p);
  return v;
}

value value::object(const cty::type& object_type,
                    std::vector<std::pair<std::string, value>> attributes) {
  if (!object_type.is_object())
    throw std::invalid_argument("cty::value::object: not an object type");
  const auto attrs = object_type.attributes();
  auto* p = detail::sequence_payload::create(object_type.node(),
                                             static_cast<std::uint32_t>(attrs.size()));
  value v;
  value_access::set_sequence(v, tag::object, p);  // owns p from here on
  for (std::size_t i = 0; i < attrs.size(); ++i) p->items()[i] = value::null(attrs[i].ty);
  for (auto& [name, val] : attributes) {
    const auto idx = object_type.attribute_index(name);
    if (!idx) {
      throw std::invalid_argument("cty::value::object: the type has no attribute \"" + name + "\"");
    }
    detail::conform(val, attrs[*idx].ty, "object");
    p->items()[*idx] = std::move(val);
  }
  return v;
}

value value::object(std::vector<std::pair<std::string, value>> attributes) {
  std::vector<attribute> attrs;
  attrs.reserve(attributes.size());
  for (const auto& [name, val] : attributes) attrs.emplace_back(name, val.type());
  return object(cty::type::object(std::move(attrs)), std::move(attributes));
}

// ---- Inspection --------------------------------------------------------------------------------

cty::type value::type() const { return cty::type::from_node(value_access::node_of(*this)); }

bool value::is_wholly_known() const noexcept {
  switch (tag_) {
    case tag::unknown:
      return false;
    case tag::map:
      for (const auto& e : value_access::map_of(*this)->entries()) {
        if (!e.value.is_wholly_known()) return false;
      }
      return true;
    case tag::list:
    case tag::set:
    case tag::tuple:
    case tag::object: {
      const auto* s = value_access::seq_of(*this);
      for (std::uint32_t i = 0; i < s->size; ++i) {
        if (!s->items()[i].is_wholly_known()) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

const refinements* value::refinement() const noexcept {
  if (tag_ != tag::unknown) return nullptr;
  const auto* p = value_access::unknown_of(*this);
  return p == nullptr ? nullptr : &p->refine;
}

bool value::as_bool() const {
  if (tag_ != tag::boolean) detail::misuse("as_bool", *this, "a known bool");
  return value_access::bool_of(*this);
}

cty::number value::as_number() const {
  if (tag_ != tag::integer && tag_ != tag::real && tag_ != tag::big) {
    detail::misuse("as_number", *this, "a known number");
  }
  return value_access::number_of(*this);
}

std::string_view value::as_string() const {
  if (tag_ != tag::small_string && tag_ != tag::string) {
    detail::misuse("as_string", *this, "a known string");
  }
  return value_access::string_of(*this);
}

std::span<const value> value::elements() const {
  if (!detail::is_sequence(tag_))
    detail::misuse("elements", *this, "a known list, set, tuple or object");
  const auto* s = value_access::seq_of(*this);
  return {s->items(), s->size};
}

std::size_t value::length() const {
  if (tag_ == tag::map) return value_access::map_of(*this)->size;
  return elements().size();
}

const value& value::operator[](std::size_t i) const {
  const auto e = elements();
  if (i >= e.size()) {
    throw std::out_of_range("cty::value: index " + std::to_string(i) + " out of range (length " +
                            std::to_string(e.size()) + ")");
  }
  return e[i];
}

const value* value::find_attr(std::string_view name) const noexcept {
  if (tag_ != tag::object) return nullptr;
  const auto* s = value_access::seq_of(*this);
  const auto idx = detail::attribute_index(s->node, name);
  return idx ? &s->items()[*idx] : nullptr;
}

const value& value::get_attr(std::string_view name) const {
  if (tag_ != tag::object) detail::misuse("get_attr", *this, "a known object");
  const value* v = find_attr(name);
  if (v == nullptr)
    throw std::out_of_range("cty::value: no attribute \"" + std::string(name) + "\"");
  return *v;
}

std::span<const map_entry> value::entries() const {
  if (tag_ != tag::map) detail::misuse("entries", *this, "a known map");
  return value_access::map_of(*this)->entries();
}

const value* value::find(std::string_view key) const noexcept {
  if (tag_ != tag::map) return nullptr;
  const auto es = value_access::map_of(*this)->entries();
  auto it = std::lower_bound(es.begin(), es.end(), key,
                             [](const map_entry& e, std::string_view k) { return e.key < k; });
  return it != es.end() && it->key == key ? &it->value : nullptr;
}

// ---- Marks -------------------------------------------------------------------------------------

value value::with_marks(cty::marks m) const {
  value v(*this);
  v.marks_ = static_cast<std::uint8_t>(v.marks_ | m.bits());
  return v;
}

value value::without_marks() const {
  value v(*this);
  v.marks_ = 0;
  return v;
}

bool value::has_marks_deep() const noexcept {
  if (marks_ != 0) return true;
  if (tag_ == tag::map) {
    for (const auto& e : value_access::map_of(*this)->entries()) {
      if (e.value.has_marks_deep()) return true;
    }
  } else if (detail::is_sequence(tag_)) {
    const auto* s = value_access::seq_of(*this);
    for (std::uint32_t i = 0; i < s->size; ++i) {
      if (s->items()[i].has_marks_deep()) return true;
    }
  }
  return false;
}

// ---- Comparison --------------------------------------------------------------------------------

bool operator==(const value& a, const value& b) noexcept { return detail::raw_equal(a, b, true); }

std::optional<bool> value::equals(const value& other) const {
  if (!is_known() || !other.is_known()) return std::nullopt;
  if (is_null() || other.is_null()) return is_null() && other.is_null();
  if (type() != other.type()) return false;
  if (tag_ == tag::set) {
    if (!is_wholly_known() || !other.is_wholly_known()) return std::nullopt;
    return detail::raw_equal(*this, other, false);
  }
  if (tag_ == tag::map) {
    const auto x = value_access::map_of(*this)->entries();
    const auto y = value_access::map_of(other)->entries();
    if (x.size() != y.size()) return false;
    bool unknown = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i].key != y[i].key) return false;
      const auto e = x[i].value.equals(y[i].value);
      if (!e)
        unknown = true;
      else if (!*e)
        return false;
    }
    return unknown ? std::nullopt : std::optional<bool>(true);
  }
  if (detail::is_sequence(tag_)) {
    const auto x = elements();
    const auto y = other.elements();
    if (x.size() != y.size()) return false;
    bool unknown = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto e = x[i].equals(y[i]);
      if (!e)
        unknown = true;
      else if (!*e)
        return false;
    }
    return unknown ? std::nullopt : std::optional<bool>(true);
  }
  return detail::raw_equal(*this, other, false);
}

std::size_t value::hash() const noexcept { return detail::value_hash(*this); }

// ---- Rendering ---------------------------------------------------------------------------------

namespace {

// Strings render as JSON strings: quotes, backslashes and control characters escaped, so a
// rendered value never breaks a diagnostic or a log line.
void quote(std::string& out, std::string_view s) { cppvider::detail::append_json_string(out, s); }

void render(std::string& out, const value& v, int depth) {
  if (v.is_sensitive()) {
    out += "(sensitive value)";
    return;
  }
  if (!v.is_known()) {
    out += "(known after apply)";
    return;
  }
  if (v.is_null()) {
    out += "null";
    return;
  }
  if (depth > 64) {
    out += "...";
    return;
  }
  switch (v.type().kind()) {
    case type_kind::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case type_kind::number:
      out += v.as_number().to_string();
      return;
    case type_kind::string:
      quote(out, v.as_string());
      return;
    case type_kind::map: {
      out += '{';
      bool first = true;
      for (const auto& e : v.entries()) {
        if (!first) out += ", ";
        first = false;
        quote(out, e.key);
        out += " = ";
        render(out, e.value, depth + 1);
      }
      out += '}';
      return;
    }
    case type_kind::object: {
      out += '{';
      const auto attrs = v.type().attributes();
      const auto vals = v.elements();
      for (std::size_t i = 0; i < vals.size(); ++i) {
        if (i != 0) out += ", ";
        out += attrs[i].name;
        out += " = ";
        render(out, vals[i], depth + 1);
      }
      out += '}';
      return;
    }
    default: {
      const bool is_set = v.type().is_set();
      out += is_set ? "toset([" : "[";
      bool first = true;
      for (const auto& e : v.elements()) {
        if (!first) out += ", ";
        first = false;
        render(out, e, depth + 1);
      }
      out += is_set ? "])" : "]";
      return;
    }
  }
}

}  // namespace

std::string to_string(const value& v) {
  std::string out;
  render(out, v, 0);
  return out;
}

}  // namespace cppvider::cty
