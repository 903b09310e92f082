#pragma once
// Private layout of types and value payloads, shared by the cty sources (never installed).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <span>
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
  // Object: every attribute name as its canonical msgpack str (header and bytes), back to back;
  // attribute i is [key_offsets[i], key_offsets[i + 1]). The decoder matches a wire key and the
  // encoder writes one with a single compare or copy, with no header parsing or UTF-8 check.
  std::string msgpack_keys;
  std::vector<std::uint32_t> key_offsets;

  [[nodiscard]] std::string_view msgpack_key(std::size_t i) const noexcept {
    return {msgpack_keys.data() + key_offsets[i], key_offsets[i + 1] - key_offsets[i]};
  }
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

// Structural type equality and attribute lookup on raw nodes (what type's members use).
bool types_equal(const type_node* a, const type_node* b) noexcept;
std::optional<std::size_t> attribute_index(const type_node* n, std::string_view name) noexcept;

// ---- Payloads ---------------------------------------------------------------------------------

enum class payload_kind : std::uint8_t { big, string, sequence, map, unknown };

class arena;

// A payload lives either on the heap, counted by `refs`, or in an arena (`zone` set), where the
// arena's single count stands for all of its payloads and `refs` is unused.
struct payload {
  explicit payload(payload_kind k, arena* z = nullptr) noexcept : kind(k), zone(z) {}
  mutable std::atomic<std::uint32_t> refs{1};
  payload_kind kind;
  arena* zone;
};

// (-1)^negative * digits * 10^exponent. digits: no leading or trailing zeros, not empty.
struct big_decimal : payload {
  big_decimal() : payload(payload_kind::big) {}
  bool negative = false;
  std::string digits;
  std::int64_t exponent = 0;
};

// digits * 10^exponent as "d.ddde<n>" (digits not empty, no sign): how a big number whose plain
// decimal text is too long is written (number::to_string, msgpack refinement bounds).
std::string scientific_text(std::string_view digits, std::int64_t exponent);

struct string_payload : payload {
  explicit string_payload(std::size_t n, arena* z = nullptr) noexcept
      : payload(payload_kind::string, z), size(n) {}
  std::size_t size;
  [[nodiscard]] const char* data() const noexcept {
    return reinterpret_cast<const char*>(this + 1);
  }
  [[nodiscard]] char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
  [[nodiscard]] std::string_view view() const noexcept { return {data(), size}; }
  static string_payload* create(std::string_view s);
  static string_payload* create_in(arena& a, std::string_view s);
};

// Elements of a list, set or tuple, or attribute values of an object (in the type's order),
// stored after the header in one allocation. A heap payload counts a reference to its type and
// to whatever its items hold; an arena payload and its items hold none (the arena keeps every
// type and heap payload they point to alive), so an arena is freed without walking its values.
struct sequence_payload : payload {
  sequence_payload(const type_node* t, std::uint32_t n, arena* z) noexcept
      : payload(payload_kind::sequence, z), node(t), size(n) {}
  const type_node* node;
  std::uint32_t size;
  [[nodiscard]] value* items() noexcept { return reinterpret_cast<value*>(this + 1); }
  [[nodiscard]] const value* items() const noexcept {
    return reinterpret_cast<const value*>(this + 1);
  }
  // All n items start as null of dynamic type. create() retains t.
  static sequence_payload* create(const type_node* t, std::uint32_t n);
  // In the arena, with t borrowed; items are left uninitialised when !zeroed (the caller
  // clears each one before writing it).
  static sequence_payload* create_in(arena& a, const type_node* t, std::uint32_t n,
                                     bool zeroed = true);
  static void destroy(sequence_payload* p) noexcept;  // heap payloads only
};
static_assert(sizeof(sequence_payload) % alignof(value) == 0);

// Map entries sorted by key and unique, stored after the header like sequence items.
struct map_payload : payload {
  map_payload(const type_node* t, std::uint32_t n, arena* z) noexcept
      : payload(payload_kind::map, z), node(t), size(n) {}
  const type_node* node;
  std::uint32_t size;
  [[nodiscard]] map_entry* items() noexcept { return reinterpret_cast<map_entry*>(this + 1); }
  [[nodiscard]] const map_entry* items() const noexcept {
    return reinterpret_cast<const map_entry*>(this + 1);
  }
  [[nodiscard]] std::span<const map_entry> entries() const noexcept { return {items(), size}; }
  // Takes entries that are already sorted and unique; retains t.
  static map_payload* create(const type_node* t, std::vector<map_entry>&& entries);
  // n entries with empty keys and null values, for the decoder to fill in place.
  static map_payload* create_in(arena& a, const type_node* t, std::uint32_t n);
  static void destroy(map_payload* p) noexcept;  // heap payloads only
};
static_assert(sizeof(map_payload) % alignof(map_entry) == 0);

struct unknown_payload : payload {
  unknown_payload() : payload(payload_kind::unknown) {}
  refinements refine;
};

// ---- Arena --------------------------------------------------------------------------------------

// Memory for the payloads of one decoded value tree: bump allocation in blocks, one atomic count
// for the whole tree (values outside the arena that point into it), freed in one go. Blocks of
// the standard size are recycled through a small per-thread cache, so steady-state decoding does
// not go back to malloc or the kernel. Keeping one small value of a big tree keeps the tree's
// memory: the usual price of a zone, fine for request-scoped values.
class arena {
 public:
  // An arena with one count, whose first block holds about `expected` bytes.
  static arena* create(std::size_t expected);
  arena(const arena&) = delete;
  arena& operator=(const arena&) = delete;

  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

  // `bytes` must be a multiple of 8; the memory is 8-aligned and lives as long as the arena.
  void* allocate(std::size_t bytes) {
    if (bytes <= static_cast<std::size_t>(end_ - cur_)) {
      void* p = cur_;
      cur_ += bytes;
      return p;
    }
    return allocate_slow(bytes);
  }

  void keep(type t);                     // t lives as long as the arena
  void adopt(const payload* p);          // takes over one reference to a heap payload
  void destroy_keys_of(map_payload* m);  // m's keys own heap memory: free it with the arena

  struct block;

 private:
  explicit arena(block* first) noexcept : first_(first) {}
  ~arena();
  void* allocate_slow(std::size_t bytes);
  void destroy() noexcept;

  std::atomic<std::uint32_t> refs_{1};
  char* cur_ = nullptr;
  char* end_ = nullptr;
  block* first_;           // holds the arena object itself
  block* more_ = nullptr;  // the other blocks
  std::vector<type> types_;
  std::vector<const payload*> payloads_;
  std::vector<map_payload*> maps_;
};

inline sequence_payload* sequence_payload::create_in(arena& a, const type_node* t, std::uint32_t n,
                                                     bool zeroed) {
  void* mem = a.allocate(sizeof(sequence_payload) + std::size_t{n} * sizeof(value));
  auto* p = new (mem) sequence_payload(t, n, &a);
  // All-zero bits are a null of dynamic type.
  if (zeroed && n != 0)
    std::memset(static_cast<void*>(p->items()), 0, std::size_t{n} * sizeof(value));
  return p;
}

inline void retain(const payload* p) noexcept {
  if (p->zone != nullptr)
    p->zone->retain();
  else
    p->refs.fetch_add(1, std::memory_order_relaxed);
}
void release_heap(const payload* p) noexcept;
inline void release(const payload* p) noexcept {
  if (p->zone != nullptr)
    p->zone->release();
  else
    release_heap(p);
}

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
      set_small_string(v, s);
    } else {
      v.tag_ = tag::string;
      v.set_word(1, reinterpret_cast<std::uint64_t>(string_payload::create(s)));
    }
  }
  // Long strings go into the arena.
  static void set_string_in(arena& a, value& v, std::string_view s) {
    if (s.size() <= value::small_capacity) {
      set_small_string(v, s);
    } else {
      v.tag_ = tag::string;
      v.set_word(1, reinterpret_cast<std::uint64_t>(string_payload::create_in(a, s)));
    }
  }
  static void set_small_string(value& v, std::string_view s) noexcept {
    v.tag_ = tag::small_string;
    v.small_len_ = static_cast<std::uint8_t>(s.size());
    if (!s.empty()) std::memcpy(v.raw_, s.data(), s.size());
  }
  // Makes v a string of n <= small_capacity bytes and returns where they go.
  static char* small_string_storage(value& v, std::size_t n) noexcept {
    v.tag_ = tag::small_string;
    v.small_len_ = static_cast<std::uint8_t>(n);
    return v.raw_;
  }
  static constexpr std::size_t small_string_capacity = value::small_capacity;
  // Drops v's bits without releasing anything: for values whose references someone else holds
  // (arena items, or a value whose payload was handed over).
  static void forget(value& v) noexcept { v.reset_bits(); }
  // Makes raw (possibly uninitialised) storage a null of dynamic type, holding nothing.
  static void clear(value& v) noexcept { std::memset(static_cast<void*>(&v), 0, sizeof(value)); }
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
// The positions of the elements a set keeps (the first of each group of equal ones), in set
// order: primitives sorted, others in first-seen order.
std::vector<std::uint32_t> set_order(const value* items, std::uint32_t n, bool primitive);

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
