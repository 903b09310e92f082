#pragma once
// cty::value: an immutable Terraform value of some cty::type.
//
// A value is known, null, or unknown ("known after apply"). Unknown values may carry
// refinements that Terraform uses to plan around them: not null, a string prefix, number bounds,
// collection length bounds. Values may carry marks (sensitive); marks never travel on the wire.
//
//   auto t = cty::type::object({{"name", cty::type::string()}, {"size", cty::type::number()}});
//   auto v = cty::value::object(t, {{"name", cty::value::string("logs")}});   // size is null
//   v.get_attr("name").as_string();    // "logs"
//   v.get_attr("size").is_null();      // true
//
// Copying is cheap: scalars and strings up to 21 bytes live inline in the 24-byte value; strings,
// big numbers and collections live in shared, reference-counted, immutable payloads. Object
// attributes are stored in the sorted order of the object type, so lookup is by index. A tree
// decoded from msgpack lives in one arena with one reference count for the whole tree: a copy of
// any part of it keeps the whole tree's memory alive until the last copy goes.
//
// Constructors check their arguments against the type and throw std::invalid_argument on a
// mismatch (a bug in the calling code); data from the wire goes through the codecs, which return
// errors as values instead. Accessors used on the wrong kind of value throw std::logic_error.

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cppvider/cty/number.hpp>
#include <cppvider/cty/type.hpp>

namespace cppvider::cty {

enum class mark : std::uint8_t { sensitive = 1U << 0U, ephemeral = 1U << 1U };

// A small set of marks. Only the framework's own marks exist, so a bit set is enough.
class marks {
 public:
  constexpr marks() noexcept = default;
  constexpr marks(mark m) noexcept : bits_(static_cast<std::uint8_t>(m)) {}  // NOLINT
  [[nodiscard]] constexpr bool has(mark m) const noexcept {
    return (bits_ & static_cast<std::uint8_t>(m)) != 0;
  }
  [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
  [[nodiscard]] constexpr std::uint8_t bits() const noexcept { return bits_; }
  static constexpr marks from_bits(std::uint8_t b) noexcept {
    marks m;
    m.bits_ = b;
    return m;
  }
  friend constexpr marks operator|(marks a, marks b) noexcept {
    return from_bits(a.bits_ | b.bits_);
  }
  friend constexpr bool operator==(marks, marks) noexcept = default;

 private:
  std::uint8_t bits_ = 0;
};

struct number_bound {
  cty::number value;
  bool inclusive = true;
  friend bool operator==(const number_bound&, const number_bound&) = default;
};

// What is known about an unknown value. Each field applies only to some types: string_prefix to
// strings, lower/upper to numbers, min/max_length to lists, sets and maps.
struct refinements {
  bool not_null = false;
  // Taken as given: the caller promises that no later character can combine with its end.
  // The msgpack encoder shortens prefixes past 256 bytes as go-cty does.
  std::string string_prefix;
  std::optional<number_bound> lower;
  std::optional<number_bound> upper;
  std::optional<std::uint64_t> min_length;
  std::optional<std::uint64_t> max_length;

  [[nodiscard]] bool empty() const noexcept {
    return !not_null && string_prefix.empty() && !lower && !upper && !min_length && !max_length;
  }
  friend bool operator==(const refinements&, const refinements&) = default;
};

struct map_entry;

namespace detail {
struct value_access;
}

class alignas(8) value {
 public:
  // A null value of the dynamic pseudo-type.
  value() noexcept = default;
  value(const value& o) noexcept {
    std::memcpy(static_cast<void*>(this), &o, sizeof(value));
    if (o.shared()) retain_payload();
  }
  value(value&& o) noexcept {
    std::memcpy(static_cast<void*>(this), &o, sizeof(value));
    o.reset_bits();
  }
  value& operator=(const value& o) noexcept {
    if (this != &o) {
      value tmp(o);
      swap(tmp);
    }
    return *this;
  }
  value& operator=(value&& o) noexcept {
    if (this != &o) {
      value tmp(std::move(o));
      swap(tmp);
    }
    return *this;
  }
  ~value() {
    if (shared()) release_payload();
  }
  void swap(value& o) noexcept {
    alignas(8) unsigned char buf[sizeof(value)];
    std::memcpy(buf, static_cast<void*>(this), sizeof(value));
    std::memcpy(static_cast<void*>(this), &o, sizeof(value));
    std::memcpy(static_cast<void*>(&o), buf, sizeof(value));
  }

  // ---- Construction -------------------------------------------------------------------------
  static value null(const cty::type& t);
  static value unknown(const cty::type& t);
  // Empty refinements give a plain unknown; refinements that do not apply to `t` throw.
  // `not_null` is dropped for the dynamic type, as in go-cty.
  static value unknown(const cty::type& t, refinements r);
  static value boolean(bool b) noexcept;
  static value number(cty::number n);
  template <std::integral I>
  requires(!std::same_as<I, bool>) static value number(I v) { return number(cty::number(v)); }
  static value number(double v);  // throws std::invalid_argument for NaN
  static value string(std::string_view s);
  static value list(const cty::type& element_type, std::vector<value> elements);
  // Duplicates (by cty equality) are dropped; unknown elements are always distinct. Sets of
  // primitives are kept sorted (false < true, numbers ascending, strings byte-wise) like go-cty.
  static value set(const cty::type& element_type, std::vector<value> elements);
  // A later duplicate key replaces the earlier one.
  static value map(const cty::type& element_type,
                   std::vector<std::pair<std::string, value>> entries);
  static value tuple(std::vector<value> elements);  // type from the elements
  static value tuple(const cty::type& tuple_type, std::vector<value> elements);
  // Attributes left out are null. Unknown names throw.
  static value object(const cty::type& object_type,
                      std::vector<std::pair<std::string, value>> attributes);
  // Type from the attributes (none optional).
  static value object(std::vector<std::pair<std::string, value>> attributes);

  // ---- Inspection ---------------------------------------------------------------------------
  [[nodiscard]] cty::type type() const;
  [[nodiscard]] bool is_null() const noexcept { return tag_ == tag::null; }
  [[nodiscard]] bool is_known() const noexcept { return tag_ != tag::unknown; }
  // Known all the way down (no unknown nested anywhere).
  [[nodiscard]] bool is_wholly_known() const noexcept;
  // The refinements of an unknown value; nullptr when there are none or the value is known.
  [[nodiscard]] const refinements* refinement() const noexcept;

  // Preconditions: known, not null, of the matching type.
  [[nodiscard]] bool as_bool() const;
  [[nodiscard]] cty::number as_number() const;
  [[nodiscard]] std::string_view as_string() const;

  // Elements of a list, set or tuple; attribute values of an object in attributes() order.
  [[nodiscard]] std::span<const value> elements() const;
  [[nodiscard]] std::size_t length() const;                          // also maps
  [[nodiscard]] const value& operator[](std::size_t i) const;        // throws std::out_of_range
  [[nodiscard]] const value& get_attr(std::string_view name) const;  // throws std::out_of_range
  [[nodiscard]] const value* find_attr(std::string_view name) const noexcept;
  // Map entries sorted by key.
  [[nodiscard]] std::span<const map_entry> entries() const;
  [[nodiscard]] const value* find(std::string_view key) const noexcept;

  // ---- Marks --------------------------------------------------------------------------------
  [[nodiscard]] cty::marks marks() const noexcept { return cty::marks::from_bits(marks_); }
  [[nodiscard]] value with_marks(cty::marks m) const;  // adds to the existing marks
  [[nodiscard]] value without_marks() const;           // this value only, not nested ones
  [[nodiscard]] bool is_sensitive() const noexcept { return marks().has(mark::sensitive); }
  [[nodiscard]] bool has_marks_deep() const noexcept;

  // ---- Comparison ---------------------------------------------------------------------------
  // Structural identity: same type, same knownness, same refinements, same content, same marks.
  friend bool operator==(const value& a, const value& b) noexcept;
  // cty's Equals: nullopt when the answer depends on an unknown value.
  [[nodiscard]] std::optional<bool> equals(const value& other) const;
  // Consistent with operator== (marks are not hashed).
  [[nodiscard]] std::size_t hash() const noexcept;

 private:
  friend struct detail::value_access;
  enum class tag : std::uint8_t {
    null,
    unknown,
    boolean,
    integer,
    real,
    big,
    small_string,
    string,
    list,
    set,
    map,
    tuple,
    object,
  };
  static constexpr std::size_t small_capacity = 21;

  [[nodiscard]] bool shared() const noexcept {
    return tag_ != tag::boolean && tag_ != tag::integer && tag_ != tag::real &&
           tag_ != tag::small_string && (word(1) != 0 || word(2) != 0);
  }
  void retain_payload() const noexcept;
  void release_payload() noexcept;
  void reset_bits() noexcept {
    tag_ = tag::null;
    marks_ = 0;
    small_len_ = 0;
    std::memset(raw_, 0, sizeof raw_);
  }
  // Word 1 sits at byte offset 8, word 2 at offset 16 (inside raw_).
  [[nodiscard]] std::uint64_t word(int i) const noexcept {
    std::uint64_t w;
    std::memcpy(&w, raw_ + (i == 1 ? 5 : 13), sizeof w);
    return w;
  }
  void set_word(int i, std::uint64_t w) noexcept {
    std::memcpy(raw_ + (i == 1 ? 5 : 13), &w, sizeof w);
  }

  tag tag_ = tag::null;
  std::uint8_t marks_ = 0;
  std::uint8_t small_len_ = 0;
  char raw_[small_capacity] = {};
};

static_assert(sizeof(value) == 24);

struct map_entry {
  std::string key;
  cty::value value;
};

// Terraform-console-like rendering for logs and test failures: `{name = "x", size = 3}`,
// `["a", "b"]`, `toset([1, 2])`, `(known after apply)`, `(sensitive value)`.
[[nodiscard]] std::string to_string(const value& v);

}  // namespace cppvider::cty

template <>
struct std::hash<cppvider::cty::value> {
  std::size_t operator()(const cppvider::cty::value& v) const noexcept { return v.hash(); }
};
