#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <cppvider/cty/msgpack.hpp>
#include <cppvider/cty/type_json.hpp>

#include "internal.hpp"

namespace cppvider::cty {
namespace detail {

// go-cty's ctystrings.SafeKnownPrefix needs Unicode grapheme tables; this keeps its behaviour for
// ASCII text and is more conservative (shorter) otherwise, which is a weaker but still true
// promise: cut to 255 bytes on a code point boundary, then keep the end only when it is one of
// go-cty's delimiters, else drop the last character (and any non-ASCII run before the cut, which
// may belong to the same grapheme cluster).
std::string_view truncate_prefix(std::string_view s) noexcept {
  if (s.size() <= 256) return s;
  std::size_t end = 255;
  std::size_t lead = end;
  while (lead > 0 && (static_cast<unsigned char>(s[lead - 1]) & 0xC0U) == 0x80U) --lead;
  if (lead > 0) {
    const auto c = static_cast<unsigned char>(s[lead - 1]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (lead - 1 + len > end) end = lead - 1;  // incomplete sequence at the cut
  }
  static constexpr std::string_view delimiters = "-_:;/\\,.(){}[]|?!~ \t@#$%^&*+\"'";
  const auto last = static_cast<unsigned char>(s[end - 1]);
  if (last < 0x80) {
    if (delimiters.find(static_cast<char>(last)) != std::string_view::npos) return s.substr(0, end);
    --end;
    if (s[end] == '\n' && end > 0 && s[end - 1] == '\r') --end;
    return s.substr(0, end);
  }
  while (end > 0 && static_cast<unsigned char>(s[end - 1]) >= 0x80) --end;
  if (end > 0) --end;  // the ASCII base the dropped run may have extended
  return s.substr(0, end);
}

// go-cty refuses a refinement extension over 1 KiB (an abusive allocation otherwise); so do we,
// and the encoder never writes one.
constexpr std::size_t max_refinement_bytes = 1024;

}  // namespace detail

namespace msgpack {
namespace {

using detail::type_node;
using detail::value_access;
using tag = value_access::tag;

// ---- Decoding ----------------------------------------------------------------------------------

// n bytes equal; wire keys are short, where a call to memcmp would cost more than the compare.
inline bool same_bytes(const std::uint8_t* a, const char* b, std::size_t n) noexcept {
  if (n >= 8 && n <= 16) {
    std::uint64_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4 && n < 8) {
    std::uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n < 4) {
    return n == 0 || (a[0] == static_cast<std::uint8_t>(b[0]) &&
                      a[n / 2] == static_cast<std::uint8_t>(b[n / 2]) &&
                      a[n - 1] == static_cast<std::uint8_t>(b[n - 1]));
  }
  return std::memcmp(a, b, n) == 0;
}

// A big-endian unsigned integer of T's size at p.
template <class T>
inline T load_be(const std::uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (sizeof(T) == 2) {
    v = __builtin_bswap16(v);
  } else if constexpr (sizeof(T) == 4) {
    v = __builtin_bswap32(v);
  } else if constexpr (sizeof(T) == 8) {
    v = __builtin_bswap64(v);
  }
  return v;
}

// True when the n <= 31 bytes at p are ASCII (then they are valid UTF-8), with a few overlapping
// word loads instead of a loop.
[[gnu::always_inline]] inline bool short_ascii(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t acc = 0;
  if (n >= 8) {
    std::uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
    acc = a | b;
    if (n > 16) {
      std::memcpy(&a, p + 8, 8);
      acc |= a;
    }
    if (n > 24) {
      std::memcpy(&a, p + 16, 8);
      acc |= a;
    }
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    acc = a | b;
  } else if (n > 0) {
    acc = p[0] | p[n / 2] | p[n - 1];
  }
  return (acc & 0x8080808080808080ULL) == 0;
}

// Copies n bytes with fixed-size (overlapping) moves when short: keys and most strings are.
inline void copy_bytes(char* d, const char* s, std::size_t n) noexcept {
  if (n > 32) {
    std::memcpy(d, s, n);
  } else if (n >= 16) {
    std::memcpy(d, s, 16);
    std::memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(d, s, 8);
    std::memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(d, s, 4);
    std::memcpy(d + n - 4, s + n - 4, 4);
  } else if (n > 0) {
    d[0] = s[0];
    d[n / 2] = s[n / 2];
    d[n - 1] = s[n - 1];
  }
}

// Sets a short string with fixed-size moves only (a variable-length memcpy is a library call,
// and most values are short strings), writing exactly bytes [0, n) of a fresh, all-zero slot.
[[gnu::always_inline]] inline void set_fresh_small_string(value& out, const std::uint8_t* s,
                                                          std::size_t n) noexcept {
  copy_bytes(value_access::small_string_storage(out, n), reinterpret_cast<const char*>(s), n);
}

// number(double)'s canonical form (integers in int64 range as int64), NaN excluded by the caller.
inline void set_double(value& out, double d) noexcept {
  constexpr double two63 = 9223372036854775808.0;
  if (d >= -two63 && d < two63 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
    value_access::set_int(out, static_cast<std::int64_t>(d));
  } else {
    value_access::set_real(out, d);
  }
}

// Decoding builds the tree in one arena (allocated on the first payload). Values stored inside
// arena payloads hold no references of their own: the arena keeps the schema type, every type
// parsed from a dynamic wrapper and every heap payload (refinements, big numbers) alive, so
// building costs no atomic operations and a half-built tree after an error is simply dropped
// with the arena. Only the returned root counts a reference.
class decoder {
 public:
  decoder(std::string_view bytes, const type& root, int max_depth)
      : p_(reinterpret_cast<const std::uint8_t*>(bytes.data())),
        end_(p_ + bytes.size()),
        depth_left_(max_depth),
        root_(root) {}
  decoder(const decoder&) = delete;
  decoder& operator=(const decoder&) = delete;
  ~decoder() {
    if (arena_ != nullptr) arena_->release();
  }

  result<value> run() {
    value slot;
    bool ok = decode(root_.node(), slot);
    if (ok && p_ != end_) {
      message_ = std::to_string(end_ - p_) + " unexpected bytes after the value";
      ok = false;
    }
    if (arena_ != nullptr) {
      for (auto& t : parsed_types_) arena_->keep(std::move(t));
    }
    if (!ok) {
      value_access::forget(slot);
      return take_error();
    }
    value out(slot);  // the one counted reference to the tree
    value_access::forget(slot);
    return out;
  }

 private:
  detail::arena& mem() {
    if (arena_ == nullptr) {
      // Decoded trees take about two to three times their wire size.
      arena_ = detail::arena::create(3 * static_cast<std::size_t>(end_ - p_) + 64);
      arena_->keep(root_);
    }
    return *arena_;
  }

  cty::error take_error() {
    cty::error e;
    e.message = std::move(message_);
    for (auto it = rev_path_.rbegin(); it != rev_path_.rend(); ++it) e.path.push(std::move(*it));
    return e;
  }

  bool fail(std::string msg) {
    message_ = std::move(msg);
    return false;
  }
  bool truncated() { return fail("truncated msgpack data"); }

  [[nodiscard]] std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }

  template <class T>
  bool read_be(T& out) {
    if (left() < sizeof(T)) return truncated();
    out = load_be<T>(p_);
    p_ += sizeof(T);
    return true;
  }

  static bool is_str_or_bin(std::uint8_t b) noexcept {
    return (b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb) || (b >= 0xc4 && b <= 0xc6);
  }

  // Reads a str or bin header and body; false with an error when the next item is neither.
  bool read_bytes(std::string_view& out, const char* what) {
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_++;
    std::size_t n = 0;
    if (b >= 0xa0 && b <= 0xbf) {
      n = b & 0x1fU;
    } else if (b == 0xd9 || b == 0xc4) {
      std::uint8_t l = 0;
      if (!read_be(l)) return false;
      n = l;
    } else if (b == 0xda || b == 0xc5) {
      std::uint16_t l = 0;
      if (!read_be(l)) return false;
      n = l;
    } else if (b == 0xdb || b == 0xc6) {
      std::uint32_t l = 0;
      if (!read_be(l)) return false;
      n = l;
    } else {
      --p_;
      return fail(std::string(what) + " is required");
    }
    if (n > left()) return truncated();
    out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  bool read_string(std::string_view& out, const char* what) {
    if (!read_bytes(out, what)) return false;
    if (!detail::valid_utf8(out)) return fail("invalid UTF-8 in " + std::string(what));
    return true;
  }

  // Array header; the count is checked against the bytes left (each element takes >= 1 byte).
  bool read_array_len(std::uint32_t& n, const char* what) {
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_++;
    if (b >= 0x90 && b <= 0x9f) {
      n = b & 0x0fU;
    } else if (b == 0xdc) {
      std::uint16_t l = 0;
      if (!read_be(l)) return false;
      n = l;
    } else if (b == 0xdd) {
      if (!read_be(n)) return false;
    } else {
      --p_;
      return fail(std::string(what) + " is required");
    }
    if (n > left()) return truncated();
    return true;
  }

  bool read_map_len(std::uint32_t& n, const char* what) {
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_++;
    if (b >= 0x80 && b <= 0x8f) {
      n = b & 0x0fU;
    } else if (b == 0xde) {
      std::uint16_t l = 0;
      if (!read_be(l)) return false;
      n = l;
    } else if (b == 0xdf) {
      if (!read_be(n)) return false;
    } else {
      --p_;
      return fail(std::string(what) + " is required");
    }
    if (std::uint64_t{n} * 2 > left()) return truncated();
    return true;
  }

  static bool is_ext(std::uint8_t b) noexcept {
    return (b >= 0xd4 && b <= 0xd8) || (b >= 0xc7 && b <= 0xc9);
  }

  bool read_ext(std::int8_t& code, std::string_view& body) {
    const std::uint8_t b = *p_++;
    std::size_t n = 0;
    switch (b) {
      case 0xd4:
        n = 1;
        break;
      case 0xd5:
        n = 2;
        break;
      case 0xd6:
        n = 4;
        break;
      case 0xd7:
        n = 8;
        break;
      case 0xd8:
        n = 16;
        break;
      case 0xc7: {
        std::uint8_t l = 0;
        if (!read_be(l)) return false;
        n = l;
        break;
      }
      case 0xc8: {
        std::uint16_t l = 0;
        if (!read_be(l)) return false;
        n = l;
        break;
      }
      default: {
        std::uint32_t l = 0;
        if (!read_be(l)) return false;
        n = l;
        break;
      }
    }
    if (left() < 1) return truncated();
    code = static_cast<std::int8_t>(*p_++);
    if (n > left()) return truncated();
    body = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  // Any integer form, as a signed 64-bit value when it fits.
  bool read_int(std::int64_t& out, bool& too_big, const char* what) {
    too_big = false;
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_;
    if (b <= 0x7f) {
      ++p_;
      out = b;
      return true;
    }
    if (b >= 0xe0) {
      ++p_;
      out = static_cast<std::int8_t>(b);
      return true;
    }
    ++p_;
    switch (b) {
      case 0xcc: {
        std::uint8_t v = 0;
        if (!read_be(v)) return false;
        out = v;
        return true;
      }
      case 0xcd: {
        std::uint16_t v = 0;
        if (!read_be(v)) return false;
        out = v;
        return true;
      }
      case 0xce: {
        std::uint32_t v = 0;
        if (!read_be(v)) return false;
        out = v;
        return true;
      }
      case 0xcf: {
        std::uint64_t v = 0;
        if (!read_be(v)) return false;
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          too_big = true;
        out = static_cast<std::int64_t>(v);
        return true;
      }
      case 0xd0: {
        std::uint8_t v = 0;
        if (!read_be(v)) return false;
        out = static_cast<std::int8_t>(v);
        return true;
      }
      case 0xd1: {
        std::uint16_t v = 0;
        if (!read_be(v)) return false;
        out = static_cast<std::int16_t>(v);
        return true;
      }
      case 0xd2: {
        std::uint32_t v = 0;
        if (!read_be(v)) return false;
        out = static_cast<std::int32_t>(v);
        return true;
      }
      case 0xd3: {
        std::uint64_t v = 0;
        if (!read_be(v)) return false;
        out = static_cast<std::int64_t>(v);
        return true;
      }
      default:
        --p_;
        return fail(std::string(what) + " is required");
    }
  }

  // A number in any form: int (an int64 stays on the fast path, only uint64 beyond it builds a
  // number), float32/64, or exact decimal text in a str or bin.
  [[gnu::noinline]] bool read_number(value& out) {
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_;
    if (b == 0xca || b == 0xcb) {
      ++p_;
      double d;
      if (b == 0xca) {
        std::uint32_t bits = 0;
        if (!read_be(bits)) return false;
        float f;
        std::memcpy(&f, &bits, sizeof f);
        d = f;
      } else {
        std::uint64_t bits = 0;
        if (!read_be(bits)) return false;
        std::memcpy(&d, &bits, sizeof d);
      }
      if (std::isnan(d)) return fail("NaN is not a valid number");
      set_double(out, d);
      return true;
    }
    if (is_str_or_bin(b)) {
      std::string_view text;
      if (!read_bytes(text, "number")) return false;
      auto n = number::parse(text);
      if (!n) return fail(n.error().message);
      set_number(out, *n);
      return true;
    }
    std::int64_t i;
    bool too_big;
    if (!read_int(i, too_big, "number")) return false;
    if (too_big) {
      set_number(out, number::from_uint64(static_cast<std::uint64_t>(i)));
    } else {
      value_access::set_int(out, i);
    }
    return true;
  }

  // A number into an arena slot: a big decimal's reference goes to the arena.
  void set_number(value& out, const number& n) {
    if (n.is_int64()) {
      value_access::set_int(out, n.int64_unchecked());
    } else if (n.is_double()) {
      value_access::set_real(out, n.double_unchecked());
    } else {
      detail::retain(static_cast<const detail::payload*>(n.big()));
      mem().adopt(n.big());
      value_access::set_big(out, n.big());
    }
  }

  bool enter() {
    if (--depth_left_ < 0) return fail("nesting too deep");
    return true;
  }

  // The common encodings of scalars are decoded here, inline in the container loops; anything
  // else (containers, null, unknown, other encodings, errors) goes to decode_slow().
  [[gnu::always_inline]] bool decode(const type_node* t, value& out) {
    if (p_ < end_ && t != nullptr) {
      const std::uint8_t b = *p_;
      const std::size_t avail = left();
      switch (t->kind) {
        case type_kind::string:
          if ((b & 0xe0U) == 0xa0U) {  // fixstr of ASCII text (else the full UTF-8 check)
            const std::size_t n = b & 0x1fU;
            if (n >= avail || !short_ascii(p_ + 1, n)) break;
            const std::uint8_t* s = p_ + 1;
            p_ += n + 1;
            if (n <= value_access::small_string_capacity) {
              set_fresh_small_string(out, s, n);
            } else {
              value_access::set_string_in(mem(), out, {reinterpret_cast<const char*>(s), n});
            }
            return true;
          }
          break;
        case type_kind::number:
          if (b <= 0x7f) {
            ++p_;
            value_access::set_int(out, b);
            return true;
          }
          if (b == 0xcb && avail >= 9) {
            const std::uint64_t bits = load_be<std::uint64_t>(p_ + 1);
            double d;
            std::memcpy(&d, &bits, sizeof d);
            if (std::isnan(d)) break;
            p_ += 9;
            set_double(out, d);
            return true;
          }
          if (b == 0xcd && avail >= 3) {
            value_access::set_int(out, load_be<std::uint16_t>(p_ + 1));
            p_ += 3;
            return true;
          }
          break;
        case type_kind::boolean:
          if (b == 0xc2 || b == 0xc3) {
            ++p_;
            value_access::set_bool(out, b == 0xc3);
            return true;
          }
          break;
        case type_kind::object:
          if ((b & 0xf0U) == 0x80U) return decode_object(t, out);
          break;
        case type_kind::list:
          if ((b & 0xf0U) == 0x90U) return decode_list(t, out);
          break;
        default:
          break;
      }
    }
    return decode_slow(t, out);
  }

  [[gnu::noinline]] bool decode_slow(const type_node* t, value& out) {
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_;
    if (is_ext(b)) return decode_unknown(t, out);
    if (b == 0xc0) {
      ++p_;
      value_access::set_null(out, t);
      return true;
    }
    switch (detail::kind_of(t)) {
      case type_kind::string: {
        std::string_view s;
        if (!read_string(s, "string")) return false;
        value_access::set_string_in(mem(), out, s);
        return true;
      }
      case type_kind::number:
        return read_number(out);
      case type_kind::boolean:
        return fail("bool is required");
      case type_kind::object:
        return decode_object(t, out);
      case type_kind::list:
        return decode_list(t, out);
      case type_kind::set:
        return decode_set(t, out);
      case type_kind::map:
        return decode_map(t, out);
      case type_kind::tuple:
        return decode_tuple(t, out);
      case type_kind::dynamic:
        return decode_dynamic(out);
    }
    return fail("unsupported type");
  }

  [[gnu::noinline]] bool decode_object(const type_node* t, value& out) {
    std::uint32_t n;
    if (p_ < end_ && (*p_ & 0xf0U) == 0x80U) {  // fixmap
      n = *p_ & 0x0fU;
      if (std::size_t{n} * 2 >= left()) return truncated();
      ++p_;
    } else if (!read_map_len(n, "object")) {
      return false;
    }
    if (!enter()) return false;
    const auto& attrs = t->attributes;
    const auto na = static_cast<std::uint32_t>(attrs.size());
    // Every slot is cleared just before it is written (no memset of the whole payload).
    auto* payload = detail::sequence_payload::create_in(mem(), t, na, false);
    value_access::set_sequence(out, tag::object, payload);
    value* items = payload->items();
    // Keys normally arrive sorted and canonically encoded: key i is attribute i, matched by
    // comparing the wire bytes with its precomputed encoding (already known valid UTF-8), and
    // no duplicate is possible. Only once a key is out of order does it take the general path
    // and the seen-set (one bit per attribute; small objects avoid the heap).
    std::uint32_t in_order = 0;  // keys [0, in_order) were attributes [0, in_order)
    std::uint64_t seen_small = 0;
    std::vector<bool> seen_big;
    const auto seen = [&](std::uint32_t idx) {
      return na > 64 ? static_cast<bool>(seen_big[idx]) : ((seen_small >> idx) & 1U) != 0;
    };
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint32_t idx = i;
      if (in_order == i && i < na) {
        const std::string_view want = t->msgpack_key(i);
        if (want.size() <= left() && same_bytes(p_, want.data(), want.size())) {
          p_ += want.size();
          ++in_order;
          value_access::clear(items[idx]);
          if (!decode(attrs[idx].ty.node(), items[idx])) {
            rev_path_.push_back(path_step::attribute(attrs[idx].name));
            return false;
          }
          continue;
        }
      }
      if (in_order == i) {  // first key out of order: record the ones before it
        if (na > 64) {
          seen_big.assign(na, false);
          for (std::uint32_t k = 0; k < in_order; ++k) seen_big[k] = true;
        } else {
          seen_small = in_order == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << in_order) - 1;
        }
      }
      std::string_view key;
      if (!read_string(key, "object attribute name")) return false;
      const auto found = detail::attribute_index(t, key);
      if (!found) {
        rev_path_.push_back(path_step::attribute(std::string(key)));
        return fail("unsupported attribute \"" + std::string(key) + "\"");
      }
      idx = static_cast<std::uint32_t>(*found);
      if (seen(idx)) {
        rev_path_.push_back(path_step::attribute(attrs[idx].name));
        return fail("duplicate attribute \"" + attrs[idx].name + "\"");
      }
      if (na > 64)
        seen_big[idx] = true;
      else
        seen_small |= std::uint64_t{1} << idx;
      value_access::clear(items[idx]);
      if (!decode(attrs[idx].ty.node(), items[idx])) {
        rev_path_.push_back(path_step::attribute(attrs[idx].name));
        return false;
      }
    }
    if (n != na) {
      // Terraform sends every attribute; be lenient and read a missing one as null.
      for (std::uint32_t idx = 0; idx < na; ++idx) {
        if (in_order == n ? idx >= n : !seen(idx)) {
          value_access::clear(items[idx]);
          value_access::set_null(items[idx], attrs[idx].ty.node());
        }
      }
    }
    ++depth_left_;
    return true;
  }

  [[gnu::noinline]] bool decode_list(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "list") || !enter()) return false;
    auto* payload = detail::sequence_payload::create_in(mem(), t, n, false);
    value_access::set_sequence(out, tag::list, payload);
    value* items = payload->items();
    const type_node* et = t->element.node();
    for (std::uint32_t i = 0; i < n; ++i) {
      value_access::clear(items[i]);
      if (!decode(et, items[i])) {
        rev_path_.push_back(path_step::index(i));
        return false;
      }
    }
    ++depth_left_;
    return true;
  }

  [[gnu::noinline]] bool decode_set(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "set") || !enter()) return false;
    auto* payload = detail::sequence_payload::create_in(mem(), t, n);
    value* items = payload->items();
    const type_node* et = t->element.node();
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!decode(et, items[i])) {
        rev_path_.push_back(path_step::index(i));
        return false;
      }
    }
    if (n > 1) {
      // Drop duplicates and order primitives. Arena items hold no references, so they are
      // rearranged by copying their bits, and dropped ones are simply left behind.
      const auto order = detail::set_order(items, n,
                                           detail::kind_of(et) == type_kind::boolean ||
                                               detail::kind_of(et) == type_kind::number ||
                                               detail::kind_of(et) == type_kind::string);
      bool identity = order.size() == n;
      for (std::uint32_t i = 0; identity && i < n; ++i) identity = order[i] == i;
      if (!identity) {
        auto* kept =
            detail::sequence_payload::create_in(mem(), t, static_cast<std::uint32_t>(order.size()));
        for (std::size_t i = 0; i < order.size(); ++i) {
          std::memcpy(static_cast<void*>(kept->items() + i), &items[order[i]], sizeof(value));
        }
        payload = kept;
      }
    }
    value_access::set_sequence(out, tag::set, payload);
    ++depth_left_;
    return true;
  }

  [[gnu::noinline]] bool decode_tuple(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "tuple") || !enter()) return false;
    if (n != t->elements.size()) {
      return fail("a tuple of " + std::to_string(t->elements.size()) +
                  " elements is required, got " + std::to_string(n));
    }
    auto* payload = detail::sequence_payload::create_in(mem(), t, n);
    value_access::set_sequence(out, tag::tuple, payload);
    value* items = payload->items();
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!decode(t->elements[i].node(), items[i])) {
        rev_path_.push_back(path_step::index(i));
        return false;
      }
    }
    ++depth_left_;
    return true;
  }

  // Whether a key's characters live in the std::string object (no heap memory to free).
  static bool key_is_inline(const std::string& k) noexcept {
    const auto d = reinterpret_cast<std::uintptr_t>(k.data());
    const auto self = reinterpret_cast<std::uintptr_t>(&k);
    return d >= self && d < self + sizeof(std::string);
  }

  [[gnu::noinline]] bool decode_map(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_map_len(n, "map") || !enter()) return false;
    auto* payload = detail::map_payload::create_in(mem(), t, n);
    value_access::set_map(out, payload);
    map_entry* entries = payload->items();
    const type_node* et = t->element.node();
    bool sorted = true;
    bool heap_keys = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      std::string_view key;
      if (!read_string(key, "map key")) return false;
      if (i > 0 && !(std::string_view(entries[i - 1].key) < key)) sorted = false;
      entries[i].key.assign(key);
      if (!heap_keys && !key_is_inline(entries[i].key)) {
        heap_keys = true;
        mem().destroy_keys_of(payload);
      }
      if (!decode(et, entries[i].value)) {
        rev_path_.push_back(path_step::key(std::string(key)));
        return false;
      }
    }
    if (!sorted) {
      std::vector<std::uint32_t> order(n);
      for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [entries](std::uint32_t a, std::uint32_t b) {
        return entries[a].key < entries[b].key;
      });
      for (std::uint32_t i = 1; i < n; ++i) {
        if (entries[order[i]].key == entries[order[i - 1]].key) {
          rev_path_.push_back(path_step::key(entries[order[i]].key));
          return fail("duplicate map key");
        }
      }
      auto* sorted_payload = detail::map_payload::create_in(mem(), t, n);
      if (heap_keys) mem().destroy_keys_of(sorted_payload);
      for (std::uint32_t i = 0; i < n; ++i) {
        map_entry& to = sorted_payload->items()[i];
        map_entry& from = entries[order[i]];
        to.key = std::move(from.key);
        std::memcpy(static_cast<void*>(&to.value), &from.value, sizeof(value));
      }
      value_access::set_map(out, sorted_payload);
    }
    ++depth_left_;
    return true;
  }

  [[gnu::noinline]] bool decode_dynamic(value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "dynamic value ([type, value] array)") || !enter()) return false;
    if (n != 2) return fail("a dynamic value must be a [type, value] array");
    std::string_view json;
    if (!read_bytes(json, "type of a dynamic value")) return false;
    if (parsed_types_.empty() || json != cached_json_) {
      auto t = parse_type_json(json);
      if (!t) return fail(t.error().message);
      cached_json_.assign(json);
      // Every parsed type stays alive until the end: arena items point into it.
      parsed_types_.push_back(std::move(*t));
    }
    const type_node* concrete = parsed_types_.back().node();
    if (!decode(concrete, out)) return false;
    ++depth_left_;
    return true;
  }

  [[gnu::noinline]] bool decode_unknown(const type_node* t, value& out) {
    std::int8_t code;
    std::string_view body;
    if (!read_ext(code, body)) return false;
    if (code != 12 || body.size() <= 1) {
      value_access::set_unknown(out, t, nullptr);
      return true;
    }
    if (body.size() > detail::max_refinement_bytes)
      return fail("oversize unknown value refinement");
    // Parse the refinement map inside the extension body; bytes after it are ignored.
    const std::uint8_t* saved_end = end_;
    const std::uint8_t* after = p_;
    p_ = reinterpret_cast<const std::uint8_t*>(body.data());
    end_ = p_ + body.size();
    const bool ok = decode_refinements(t, out);
    p_ = after;
    end_ = saved_end;
    return ok;
  }

  bool decode_refinements(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_map_len(n, "refinement map")) return fail("unknown value refinements must be a map");
    const type_kind k = detail::kind_of(t);
    refinements r;
    bool definitely_null = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      std::int64_t key = 0;
      bool too_big = false;
      if (!read_int(key, too_big, "integer refinement key")) return false;
      if (too_big) key = -1;
      switch (key) {
        case 1: {
          if (p_ >= end_) return truncated();
          if (*p_ != 0xc2 && *p_ != 0xc3) return fail("null refinement must be a bool");
          const bool is_null = *p_++ == 0xc3;
          if (is_null)
            definitely_null = true;
          else
            r.not_null = true;
          break;
        }
        case 2: {
          if (k != type_kind::string && k != type_kind::dynamic) {
            return fail("string prefix refinement for a " + type::from_node(t).friendly_name());
          }
          std::string_view prefix;
          if (!read_string(prefix, "string prefix refinement")) return false;
          r.string_prefix.assign(prefix);
          break;
        }
        case 3:
        case 4: {
          if (k != type_kind::number && k != type_kind::dynamic) {
            return fail("number bound refinement for a " + type::from_node(t).friendly_name());
          }
          std::uint32_t len;
          if (!read_array_len(len, "[number, bool] bound") || len != 2) {
            return fail("number bound refinement must be a [number, bool] array");
          }
          value bound;  // may borrow a big number the arena holds
          const bool read = read_number(bound);
          const number bound_number = read ? bound.as_number() : number{};
          value_access::forget(bound);
          if (!read) return false;
          if (p_ >= end_) return truncated();
          if (*p_ != 0xc2 && *p_ != 0xc3)
            return fail("number bound refinement must be a [number, bool] array");
          const bool inclusive = *p_++ == 0xc3;
          (key == 3 ? r.lower : r.upper) = number_bound{bound_number, inclusive};
          break;
        }
        case 5:
        case 6: {
          if (k != type_kind::list && k != type_kind::set && k != type_kind::map &&
              k != type_kind::dynamic) {
            return fail("length bound refinement for a " + type::from_node(t).friendly_name());
          }
          std::int64_t bound;
          if (!read_int(bound, too_big, "integer length bound")) return false;
          if (too_big || bound < 0) return fail("length bound refinement out of range");
          (key == 5 ? r.min_length : r.max_length) = static_cast<std::uint64_t>(bound);
          break;
        }
        default:
          if (!skip(0)) return false;  // a refinement from the future
      }
    }
    if (t == nullptr) {  // refinements of a dynamic value are ignored (as in go-cty)
      value_access::set_unknown(out, nullptr, nullptr);
      return true;
    }
    if (definitely_null) {
      value_access::set_null(out, t);
      return true;
    }
    if (r.empty()) {
      value_access::set_unknown(out, t, nullptr);
      return true;
    }
    // The kinds were checked above, so value::unknown does not throw; the arena takes over the
    // refinements payload and the slot borrows it like every other arena item.
    value refined = value::unknown(type::from_node(t), std::move(r));
    const auto* p = value_access::unknown_of(refined);
    detail::retain(p);
    mem().adopt(p);
    value_access::set_unknown(out, t, p);
    return true;
  }

  // Skips one msgpack item of any kind.
  bool skip(int depth) {
    if (depth > 64) return fail("nesting too deep");
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
      ++p_;
      return true;
    }
    if (is_ext(b)) {
      std::int8_t code;
      std::string_view body;
      return read_ext(code, body);
    }
    if (is_str_or_bin(b)) {
      std::string_view s;
      return read_bytes(s, "value");
    }
    if ((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd) {
      std::uint32_t n;
      if (!read_array_len(n, "array")) return false;
      for (std::uint32_t i = 0; i < n; ++i) {
        if (!skip(depth + 1)) return false;
      }
      return true;
    }
    if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf) {
      std::uint32_t n;
      if (!read_map_len(n, "map")) return false;
      for (std::uint32_t i = 0; i < 2 * n; ++i) {
        if (!skip(depth + 1)) return false;
      }
      return true;
    }
    const std::size_t size = b == 0xca                  ? 4
                             : b == 0xcb                ? 8
                             : (b == 0xcc || b == 0xd0) ? 1
                             : (b == 0xcd || b == 0xd1) ? 2
                             : (b == 0xce || b == 0xd2) ? 4
                             : (b == 0xcf || b == 0xd3) ? 8
                                                        : 0;
    if (size == 0) return fail("invalid msgpack byte");
    if (left() < size + 1) return truncated();
    p_ += size + 1;
    return true;
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  int depth_left_;
  const type& root_;
  detail::arena* arena_ = nullptr;
  std::string message_;
  std::vector<path_step> rev_path_;
  std::string cached_json_;
  std::vector<type> parsed_types_;  // the last one matches cached_json_
};

// ---- Encoding ----------------------------------------------------------------------------------

// Appends msgpack to a std::string through a raw cursor: the string is grown ahead in chunks
// (std::string::append and push_back check and update the size on every call, which dominated
// encoding) and cut back to what was written by finish().
class writer {
 public:
  explicit writer(std::string& out) : out_(out), used_(out.size()) { sync(); }
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  ~writer() { finish(); }

  void finish() {
    used_ = static_cast<std::size_t>(pos_ - out_.data());
    out_.resize(used_);
    sync();
  }
  [[nodiscard]] std::size_t size() const noexcept {
    return static_cast<std::size_t>(pos_ - out_.data());
  }

  void byte(std::uint8_t b) {
    ensure(1);
    *pos_++ = static_cast<char>(b);
  }
  void put(std::string_view s) {
    ensure(s.size());
    copy_bytes(pos_, s.data(), s.size());
    pos_ += s.size();
  }
  template <class T>
  void be(std::uint8_t code, T v) {
    ensure(1 + sizeof(T));
    *pos_++ = static_cast<char>(code);
    T big = v;
    if constexpr (sizeof(T) == 2) {
      big = __builtin_bswap16(v);
    } else if constexpr (sizeof(T) == 4) {
      big = __builtin_bswap32(v);
    } else if constexpr (sizeof(T) == 8) {
      big = __builtin_bswap64(v);
    }
    std::memcpy(pos_, &big, sizeof big);
    pos_ += sizeof big;
  }

  void write_uint(std::uint64_t n) {
    if (n <= 0x7f)
      byte(static_cast<std::uint8_t>(n));
    else if (n <= 0xff)
      be<std::uint8_t>(0xcc, static_cast<std::uint8_t>(n));
    else if (n <= 0xffff)
      be<std::uint16_t>(0xcd, static_cast<std::uint16_t>(n));
    else if (n <= 0xffffffffULL)
      be<std::uint32_t>(0xce, static_cast<std::uint32_t>(n));
    else
      be<std::uint64_t>(0xcf, n);
  }
  // The most compact form, as vmihailenco/msgpack's EncodeInt (which go-cty uses) writes it.
  void write_int(std::int64_t n) {
    if (n >= 0) return write_uint(static_cast<std::uint64_t>(n));
    if (n >= -32)
      byte(static_cast<std::uint8_t>(n));
    else if (n >= -128)
      be<std::uint8_t>(0xd0, static_cast<std::uint8_t>(n));
    else if (n >= -32768)
      be<std::uint16_t>(0xd1, static_cast<std::uint16_t>(n));
    else if (n >= std::numeric_limits<std::int32_t>::min())
      be<std::uint32_t>(0xd2, static_cast<std::uint32_t>(n));
    else
      be<std::uint64_t>(0xd3, static_cast<std::uint64_t>(n));
  }
  void write_double(double d) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    be<std::uint64_t>(0xcb, bits);
  }
  void write_str(std::string_view s) {
    const std::size_t n = s.size();
    ensure(5 + n);
    if (n < 32) {
      *pos_++ = static_cast<char>(0xa0U | n);
    } else if (n <= 0xff) {
      be<std::uint8_t>(0xd9, static_cast<std::uint8_t>(n));
    } else if (n <= 0xffff) {
      be<std::uint16_t>(0xda, static_cast<std::uint16_t>(n));
    } else {
      be<std::uint32_t>(0xdb, static_cast<std::uint32_t>(n));
    }
    copy_bytes(pos_, s.data(), n);
    pos_ += n;
  }
  void write_bin(std::string_view s) {
    const std::size_t n = s.size();
    if (n <= 0xff)
      be<std::uint8_t>(0xc4, static_cast<std::uint8_t>(n));
    else if (n <= 0xffff)
      be<std::uint16_t>(0xc5, static_cast<std::uint16_t>(n));
    else
      be<std::uint32_t>(0xc6, static_cast<std::uint32_t>(n));
    put(s);
  }
  void write_array_len(std::size_t n) {
    if (n < 16)
      byte(static_cast<std::uint8_t>(0x90U | n));
    else if (n <= 0xffff)
      be<std::uint16_t>(0xdc, static_cast<std::uint16_t>(n));
    else
      be<std::uint32_t>(0xdd, static_cast<std::uint32_t>(n));
  }
  void write_map_len(std::size_t n) {
    if (n < 16)
      byte(static_cast<std::uint8_t>(0x80U | n));
    else if (n <= 0xffff)
      be<std::uint16_t>(0xde, static_cast<std::uint16_t>(n));
    else
      be<std::uint32_t>(0xdf, static_cast<std::uint32_t>(n));
  }
  void write_number(const value& v) {
    switch (value_access::tag_of(v)) {
      case tag::integer:
        write_int(value_access::int_of(v));
        break;
      case tag::real:
        write_double(value_access::real_of(v));
        break;
      default:
        write_str(value_access::number_of(v).to_string());
        break;
    }
  }

 private:
  void ensure(std::size_t n) {
    if (static_cast<std::size_t>(limit_ - pos_) < n) grow(n);
  }
  [[gnu::noinline]] void grow(std::size_t n) {
    used_ = static_cast<std::size_t>(pos_ - out_.data());
    // Zero-filling ahead costs a memset: stay within the capacity the caller reserved, in
    // steps, and double beyond it.
    std::size_t want = used_ + std::max<std::size_t>(n, 256);
    if (want <= out_.capacity()) {
      want = std::max(want, std::min(out_.capacity(), used_ + std::size_t{64} * 1024));
    } else {
      want = std::max(want, 2 * out_.capacity());
    }
    out_.resize(want);
    sync();
  }
  void sync() noexcept {
    pos_ = out_.data() + used_;
    limit_ = out_.data() + out_.size();
  }

  std::string& out_;
  std::size_t used_;
  char* pos_ = nullptr;
  char* limit_ = nullptr;
};

class encoder {
 public:
  explicit encoder(std::string& out) : w_(out) {}

  std::optional<cty::error> run(const value& v, const type& t) {
    const bool ok = encode(v, t.node());
    w_.finish();
    if (ok) return std::nullopt;
    cty::error e;
    e.message = std::move(message_);
    for (auto it = rev_path_.rbegin(); it != rev_path_.rend(); ++it) e.path.push(std::move(*it));
    return e;
  }

 private:
  bool fail(std::string msg) {
    message_ = std::move(msg);
    return false;
  }
  bool mismatch(const value& v, const type_node* t) {
    return fail("a " + type::from_node(t).friendly_name() + " is required, got " +
                type::from_node(value_access::node_of(v)).friendly_name());
  }

  void write_unknown(const value& v, const type_node* t) {
    const refinements* r = v.refinement();
    if (r == nullptr || t == nullptr) {
      w_.put(std::string_view("\xd4\x00\x00", 3));
      return;
    }
    // Decoders (go-cty's and ours) refuse a refinement map over 1 KiB. A number bound whose plain
    // decimal text is long (1e3000 is 3 001 digits) goes out in scientific notation; should the
    // map still not fit, the bounds are left out: the value stays unknown, only less refined.
    std::string body;  // the refinement map's entries, written first to learn the size
    std::size_t count = 0;
    const auto write_bound = [](writer& b, const number& n) {
      const detail::big_decimal* big = n.big();
      if (big != nullptr && big->digits.size() + static_cast<std::size_t>(std::max<std::int64_t>(
                                                     big->exponent, -big->exponent)) >
                                64) {
        // "9.2233720372065e3883": every decoder parses it to the same number.
        b.write_str((big->negative ? "-" : "") +
                    detail::scientific_text(big->digits, big->exponent));
      } else {
        b.write_number(value::number(n));
      }
    };
    for (const bool with_bounds : {true, false}) {
      body.clear();
      count = 0;
      {
        writer b(body);
        const type_kind k = t->kind;
        if (r->not_null) {
          b.byte(1);
          b.byte(0xc2);
          ++count;
        }
        if (k == type_kind::number && with_bounds) {
          if (r->lower && !(r->lower->value.is_infinite() && r->lower->value.is_negative())) {
            b.byte(3);
            b.write_array_len(2);
            write_bound(b, r->lower->value);
            b.byte(r->lower->inclusive ? 0xc3 : 0xc2);
            ++count;
          }
          if (r->upper && !(r->upper->value.is_infinite() && !r->upper->value.is_negative())) {
            b.byte(4);
            b.write_array_len(2);
            write_bound(b, r->upper->value);
            b.byte(r->upper->inclusive ? 0xc3 : 0xc2);
            ++count;
          }
        } else if (k == type_kind::string) {
          const std::string_view prefix = detail::truncate_prefix(r->string_prefix);
          if (!prefix.empty()) {
            b.byte(2);
            b.write_str(prefix);
            ++count;
          }
        } else if (k == type_kind::list || k == type_kind::set || k == type_kind::map) {
          if (r->min_length && *r->min_length != 0) {
            b.byte(5);
            b.write_uint(*r->min_length);
            ++count;
          }
          if (r->max_length) {
            b.byte(6);
            b.write_uint(*r->max_length);
            ++count;
          }
        }
      }
      if (body.size() + 1 <= detail::max_refinement_bytes) break;
    }
    if (count == 0) {
      w_.put(std::string_view("\xd4\x00\x00", 3));
      return;
    }
    const std::size_t len = body.size() + 1;  // plus the map header (count <= 6 -> fixmap)
    switch (len) {
      case 1:
        w_.byte(0xd4);
        break;
      case 2:
        w_.byte(0xd5);
        break;
      case 4:
        w_.byte(0xd6);
        break;
      case 8:
        w_.byte(0xd7);
        break;
      case 16:
        w_.byte(0xd8);
        break;
      default:
        if (len <= 0xff)
          w_.be<std::uint8_t>(0xc7, static_cast<std::uint8_t>(len));
        else if (len <= 0xffff)
          w_.be<std::uint16_t>(0xc8, static_cast<std::uint16_t>(len));
        else
          w_.be<std::uint32_t>(0xc9, static_cast<std::uint32_t>(len));
    }
    w_.byte(12);
    w_.byte(static_cast<std::uint8_t>(0x80U | count));
    w_.put(body);
  }

  bool encode(const value& v, const type_node* t) {
    const tag vt = value_access::tag_of(v);
    if (t == nullptr) {
      const type_node* own = value_access::node_of(v);
      if (own == nullptr) {  // an untyped null or unknown is written bare
        if (vt == tag::null)
          w_.byte(0xc0);
        else
          w_.put(std::string_view("\xd4\x00\x00", 3));
        return true;
      }
      w_.write_array_len(2);
      if (own != cached_node_) {
        cached_json_.clear();
        append_type_json(cached_json_, type::from_node(own));
        cached_type_ = type::from_node(own);
        cached_node_ = own;
      }
      w_.write_bin(cached_json_);
      return encode(v, own);
    }
    if (vt == tag::unknown) {
      write_unknown(v, t);
      return true;
    }
    if (vt == tag::null) {
      w_.byte(0xc0);
      return true;
    }
    switch (t->kind) {
      case type_kind::string:
        if (vt != tag::small_string && vt != tag::string) return mismatch(v, t);
        w_.write_str(value_access::string_of(v));
        return true;
      case type_kind::number:
        if (vt != tag::integer && vt != tag::real && vt != tag::big) return mismatch(v, t);
        w_.write_number(v);
        return true;
      case type_kind::boolean:
        if (vt != tag::boolean) return mismatch(v, t);
        w_.byte(value_access::bool_of(v) ? 0xc3 : 0xc2);
        return true;
      case type_kind::object: {
        if (vt != tag::object) return mismatch(v, t);
        const auto* s = value_access::seq_of(v);
        const auto& want = t->attributes;
        const type_node* have = s->node;
        if (have != t && (have != matched_have_ || t != matched_want_)) {
          // Same names in the same order: the precomputed key blobs are equal (each key
          // carries its length). Remembered, as the elements of a collection share one type.
          if (have->msgpack_keys != t->msgpack_keys)
            return fail("object attributes do not match the type");
          matched_have_ = have;
          matched_want_ = t;
        }
        w_.write_map_len(want.size());
        for (std::uint32_t i = 0; i < s->size; ++i) {
          w_.put(t->msgpack_key(i));  // the precomputed header and name
          if (!encode(s->items()[i], want[i].ty.node())) {
            rev_path_.push_back(path_step::attribute(want[i].name));
            return false;
          }
        }
        return true;
      }
      case type_kind::list:
      case type_kind::set: {
        if (vt != (t->kind == type_kind::list ? tag::list : tag::set)) return mismatch(v, t);
        const auto* s = value_access::seq_of(v);
        w_.write_array_len(s->size);
        const type_node* et = t->element.node();
        for (std::uint32_t i = 0; i < s->size; ++i) {
          if (!encode(s->items()[i], et)) {
            rev_path_.push_back(path_step::index(i));
            return false;
          }
        }
        return true;
      }
      case type_kind::tuple: {
        if (vt != tag::tuple) return mismatch(v, t);
        const auto* s = value_access::seq_of(v);
        if (s->size != t->elements.size()) return fail("tuple length does not match the type");
        w_.write_array_len(s->size);
        for (std::uint32_t i = 0; i < s->size; ++i) {
          if (!encode(s->items()[i], t->elements[i].node())) {
            rev_path_.push_back(path_step::index(i));
            return false;
          }
        }
        return true;
      }
      case type_kind::map: {
        if (vt != tag::map) return mismatch(v, t);
        const auto entries = value_access::map_of(v)->entries();
        w_.write_map_len(entries.size());
        const type_node* et = t->element.node();
        for (const auto& e : entries) {
          w_.write_str(e.key);
          if (!encode(e.value, et)) {
            rev_path_.push_back(path_step::key(e.key));
            return false;
          }
        }
        return true;
      }
      case type_kind::dynamic:
        break;
    }
    return fail("unsupported type");
  }

  writer w_;
  // The last pair of distinct object type nodes found to have the same attribute names (both
  // alive while the value being encoded is).
  const type_node* matched_have_ = nullptr;
  const type_node* matched_want_ = nullptr;
  std::string message_;
  std::vector<path_step> rev_path_;
  const type_node* cached_node_ = nullptr;
  type cached_type_;  // keeps cached_node_ alive
  std::string cached_json_;
};

}  // namespace

result<value> decode(std::string_view bytes, const type& t, const decode_options& options) {
  return decoder(bytes, t, options.max_depth).run();
}

std::optional<error> encode_into(std::string& out, const value& v, const type& t) {
  return encoder(out).run(v, t);
}

result<std::string> encode(const value& v, const type& t) {
  std::string out;
  if (auto e = encode_into(out, v, t)) return std::move(*e);
  return out;
}

}  // namespace msgpack
}  // namespace cppvider::cty
