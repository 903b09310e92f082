#pragma once
// Private layout of types and value payloads, shared by the cty sources (never installed).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <cppvider/cty/type.hpp>
#include <cppvider/cty/value.hpp>

namespace cppvider::cty::detail {

struct type_node {
  mutable std::atomic<std::uint32_t> refs{1};
  bool immortal = false;
  bool has_dynamic = false;
  bool has_optional = false;
  type_kind kind = type_kind::dynamic;
  std::size_t hash = 0;
  type element;                       // list, set, map
  std::vector<type> elements;         // tuple
  std::vector<attribute> attributes;  // object, sorted by name
};

inline void retain_node(const type_node* n) noexcept {
  if (n != nullptr && !n->immortal) n->refs.fetch_add(1, std::memory_order_relaxed);
}
void release_node(const type_node* n) noexcept;

inline type_kind kind_of(const type_node* n) noexcept {
  return n == nullptr ? type_kind::dynamic : n->kind;
}

const type_node* bool_node() noexcept;
const type_node* number_node() noexcept;
const type_node* string_node() noexcept;

// ---- Payloads ---------------------------------------------------------------------------------

enum class payload_kind : std::uint8_t { big, string, sequence, map, unknown };

struct payload {
  explicit payload(payload_kind k) : kind(k) {}
  mutable std::atomic<std::uint32_t> refs{1};
  payload_kind kind;
};

inline void retain(const payload* p) noexcept { p->refs.fetch_add(1, std::memory_order_relaxed); }
void release(const payload* p) noexcept;

// (-1)^negative * digits * 10^exponent. digits: no leading or trailing zeros, not empty.
struct big_decimal : payload {
  big_decimal() : payload(payload_kind::big) {}
  bool negative = false;
  std::string digits;
  std::int64_t exponent = 0;
};

struct string_payload : payload {
  string_payload() : payload(payload_kind::string) {}
  std::size_t size = 0;
  [[nodiscard]] const char* data() const noexcept {
    return reinterpret_cast<const char*>(this + 1);
  }
  [[nodiscard]] char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
  [[nodiscard]] std::string_view view() const noexcept { return {data(), size}; }
  static string_payload* create(std::string_view s);
};

// Elements of a list, set or tuple, or attribute values of an object (in the type's order),
// stored after the header in one allocation.
struct sequence_payload : payload {
  explicit sequence_payload(type t, std::uint32_t n)
      : payload(payload_kind::sequence), ty(std::move(t)), size(n) {}
  type ty;
  std::uint32_t size;
  [[nodiscard]] value* items() noexcept { return reinterpret_cast<value*>(this + 1); }
  [[nodiscard]] const value* items() const noexcept {
    return reinterpret_cast<const value*>(this + 1);
  }
  // All n items start as null of dynamic type.
  static sequence_payload* create(type t, std::uint32_t n);
  static void destroy(sequence_payload* p) noexcept;
};
static_assert(sizeof(sequence_payload) % alignof(value) == 0);

struct map_payload : payload {
  explicit map_payload(type t) : payload(payload_kind::map), ty(std::move(t)) {}
  type ty;
  std::vector<map_entry> entries;  // sorted by key, unique
};

struct unknown_payload : payload {
  unknown_payload() : payload(payload_kind::unknown) {}
  refinements refine;
};

// ---- Raw value construction for the codecs -----------------------------------------------------

struct value_access {
  using tag = value::tag;
  static tag tag_of(const value& v) noexcept { return v.tag_; }
  static std::uint64_t word(const value& v, int i) noexcept { return v.word(i); }

  // Takes over one reference to n.
  static void set_null(value& v, const type_node* n) noexcept {
    v.tag_ = tag::null;
    v.set_word(2, reinterpret_cast<std::uint64_t>(n));
  }
  static void set_unknown(value& v, const type_node* n, const unknown_payload* r) noexcept {
    v.tag_ = tag::unknown;
    v.set_word(1, reinterpret_cast<std::uint64_t>(r));
    v.set_word(2, reinterpret_cast<std::uint64_t>(n));
  }
  static void set_bool(value& v, bool b) noexcept {
    v.tag_ = tag::boolean;
    v.set_word(1, b ? 1 : 0);
  }
  static void set_int(value& v, std::int64_t i) noexcept {
    v.tag_ = tag::integer;
    v.set_word(1, static_cast<std::uint64_t>(i));
  }
  static void set_real(value& v, double d) noexcept {
    std::uint64_t w;
    std::memcpy(&w, &d, sizeof w);
    v.tag_ = tag::real;
    v.set_word(1, w);
  }
  static void set_big(value& v, const big_decimal* b) noexcept {  // takes the reference
    v.tag_ = tag::big;
    v.set_word(1, reinterpret_cast<std::uint64_t>(b));
  }
  static void set_number(value& v, const number& n);
  static void set_string(value& v, std::string_view s) {
    if (s.size() <= value::small_capacity) {
      v.tag_ = tag::small_string;
      v.small_len_ = static_cast<std::uint8_t>(s.size());
      if (!s.empty()) std::memcpy(v.raw_, s.data(), s.size());
    } else {
      v.tag_ = tag::string;
      v.set_word(1, reinterpret_cast<std::uint64_t>(string_payload::create(s)));
    }
  }
  static void set_sequence(value& v, tag t, const sequence_payload* p) noexcept {
    v.tag_ = t;
    v.set_word(1, reinterpret_cast<std::uint64_t>(p));
  }
  static void set_map(value& v, const map_payload* p) noexcept {
    v.tag_ = tag::map;
    v.set_word(1, reinterpret_cast<std::uint64_t>(p));
  }
  static void set_marks(value& v, std::uint8_t m) noexcept { v.marks_ = m; }

  static const type_node* node_of(const value& v) noexcept;  // the value's own type
  static const type_node* null_or_unknown_node(const value& v) noexcept {
    return reinterpret_cast<const type_node*>(v.word(2));
  }
  static const unknown_payload* unknown_of(const value& v) noexcept {
    return reinterpret_cast<const unknown_payload*>(v.word(1));
  }
  static bool bool_of(const value& v) noexcept { return v.word(1) != 0; }
  static std::int64_t int_of(const value& v) noexcept {
    return static_cast<std::int64_t>(v.word(1));
  }
  static double real_of(const value& v) noexcept {
    double d;
    const std::uint64_t w = v.word(1);
    std::memcpy(&d, &w, sizeof d);
    return d;
  }
  static const big_decimal* big_of(const value& v) noexcept {
    return reinterpret_cast<const big_decimal*>(v.word(1));
  }
  static std::string_view string_of(const value& v) noexcept {
    if (v.tag_ == tag::small_string) return {v.raw_, v.small_len_};
    return reinterpret_cast<const string_payload*>(v.word(1))->view();
  }
  static const sequence_payload* seq_of(const value& v) noexcept {
    return reinterpret_cast<const sequence_payload*>(v.word(1));
  }
  static const map_payload* map_of(const value& v) noexcept {
    return reinterpret_cast<const map_payload*>(v.word(1));
  }
  static number number_of(const value& v) noexcept;
};

// Type of a value conforms to `want` (dynamic positions in `want` accept anything).
bool type_conforms(const type_node* actual, const type_node* want) noexcept;

// Set semantics: equal when both are wholly known and structurally equal (marks ignored).
bool set_element_equal(const value& a, const value& b) noexcept;
std::size_t value_hash(const value& v) noexcept;

// Builds a set payload value from decoded elements: drops duplicates, sorts primitives.
value make_set(const type& set_type, std::vector<value> elements);

// Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8_slow(std::string_view s) noexcept;
inline bool valid_utf8(std::string_view s) noexcept {
  // Most strings are short ASCII: check eight bytes at a time, then the tail, inline.
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t high = 0;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    high |= w;
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    high |= static_cast<unsigned char>(*p++);
    --n;
  }
  return (high & 0x8080808080808080ULL) == 0 || valid_utf8_slow(s);
}

// Safe string prefix for the wire: at most 256 bytes, go-cty's truncation (see msgpack.cpp).
std::string_view truncate_prefix(std::string_view prefix) noexcept;

}  // namespace cppvider::cty::detail
