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

}  // namespace detail

namespace msgpack {
namespace {

using detail::type_node;
using detail::value_access;
using tag = value_access::tag;

// ---- Decoding ----------------------------------------------------------------------------------

class decoder {
 public:
  decoder(std::string_view bytes, int max_depth)
      : p_(reinterpret_cast<const std::uint8_t*>(bytes.data())),
        end_(p_ + bytes.size()),
        depth_left_(max_depth) {}

  result<value> run(const type& t) {
    value out;
    if (!decode(t.node(), out)) return take_error();
    if (p_ != end_) {
      message_ = std::to_string(end_ - p_) + " unexpected bytes after the value";
      return take_error();
    }
    return out;
  }

 private:
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
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v = (v << 8U) | p_[i];
    p_ += sizeof(T);
    out = static_cast<T>(v);
    return true;
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

  bool read_number(value& out) {
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_;
    if (b <= 0x7f) {
      ++p_;
      value_access::set_int(out, b);
      return true;
    }
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
      value_access::set_number(out, number(d));
      return true;
    }
    if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb) || (b >= 0xc4 && b <= 0xc6)) {
      std::string_view text;
      if (!read_bytes(text, "number")) return false;
      auto n = number::parse(text);
      if (!n) return fail(n.error().message);
      value_access::set_number(out, *n);
      return true;
    }
    std::int64_t i;
    bool too_big;
    if (!read_int(i, too_big, "number")) return false;
    if (too_big) {
      value_access::set_number(out, number::from_uint64(static_cast<std::uint64_t>(i)));
    } else {
      value_access::set_int(out, i);
    }
    return true;
  }

  bool enter() {
    if (--depth_left_ < 0) return fail("nesting too deep");
    return true;
  }

  bool decode(const type_node* t, value& out) {
    if (p_ >= end_) return truncated();
    const std::uint8_t b = *p_;
    if (is_ext(b)) return decode_unknown(t, out);
    const type_kind k = detail::kind_of(t);
    if (b == 0xc0) {
      ++p_;
      detail::retain_node(t);
      value_access::set_null(out, t);
      return true;
    }
    switch (k) {
      case type_kind::string: {
        std::string_view s;
        if (!read_string(s, "string")) return false;
        value_access::set_string(out, s);
        return true;
      }
      case type_kind::number:
        return read_number(out);
      case type_kind::boolean:
        if (b == 0xc2 || b == 0xc3) {
          ++p_;
          value_access::set_bool(out, b == 0xc3);
          return true;
        }
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

  // The common scalar encodings handled inline; everything else goes through decode().
  bool decode_fast(const type_node* t, value& out) {
    if (p_ < end_ && t != nullptr) {
      const std::uint8_t b = *p_;
      switch (t->kind) {
        case type_kind::string:
          if (b >= 0xa0 && b <= 0xbf) {
            const std::size_t n = b & 0x1fU;
            if (n + 1 > left()) break;
            const std::string_view s(reinterpret_cast<const char*>(p_ + 1), n);
            if (!detail::valid_utf8(s)) break;
            p_ += n + 1;
            value_access::set_string(out, s);
            return true;
          }
          break;
        case type_kind::number:
          if (b <= 0x7f) {
            ++p_;
            value_access::set_int(out, b);
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
        default:
          break;
      }
    }
    return decode(t, out);
  }

  bool decode_object(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_map_len(n, "object") || !enter()) return false;
    const auto& attrs = t->attributes;
    const auto na = static_cast<std::uint32_t>(attrs.size());
    auto* payload = detail::sequence_payload::create(type::from_node(t), na);
    value_access::set_sequence(out, tag::object, payload);  // out owns the payload now
    value* items = payload->items();
    // Seen attributes, one bit each; small objects avoid the heap.
    std::uint64_t seen_small = 0;
    std::vector<bool> seen_big;
    if (na > 64) seen_big.assign(na, false);
    for (std::uint32_t i = 0; i < n; ++i) {
      std::string_view key;
      if (!read_string(key, "object attribute name")) return false;
      std::uint32_t idx = i;
      // Keys normally arrive sorted, so attribute i is the first guess.
      if (idx >= na || attrs[idx].name.size() != key.size() ||
          std::memcmp(attrs[idx].name.data(), key.data(), key.size()) != 0) {
        auto it =
            std::lower_bound(attrs.begin(), attrs.end(), key,
                             [](const attribute& a, std::string_view k) { return a.name < k; });
        if (it == attrs.end() || it->name != key) {
          rev_path_.push_back(path_step::attribute(std::string(key)));
          return fail("unsupported attribute \"" + std::string(key) + "\"");
        }
        idx = static_cast<std::uint32_t>(it - attrs.begin());
      }
      const bool dup = na > 64 ? seen_big[idx] : ((seen_small >> idx) & 1U) != 0;
      if (dup) {
        rev_path_.push_back(path_step::attribute(std::string(key)));
        return fail("duplicate attribute \"" + std::string(key) + "\"");
      }
      if (na > 64)
        seen_big[idx] = true;
      else
        seen_small |= std::uint64_t{1} << idx;
      if (!decode_fast(attrs[idx].ty.node(), items[idx])) {
        rev_path_.push_back(path_step::attribute(attrs[idx].name));
        return false;
      }
    }
    if (n != na) {
      // Terraform sends every attribute; be lenient and read a missing one as null.
      for (std::uint32_t idx = 0; idx < na; ++idx) {
        const bool was = na > 64 ? seen_big[idx] : ((seen_small >> idx) & 1U) != 0;
        if (!was) {
          detail::retain_node(attrs[idx].ty.node());
          value_access::set_null(items[idx], attrs[idx].ty.node());
        }
      }
    }
    ++depth_left_;
    return true;
  }

  bool decode_list(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "list") || !enter()) return false;
    auto* payload = detail::sequence_payload::create(type::from_node(t), n);
    value_access::set_sequence(out, tag::list, payload);
    value* items = payload->items();
    const type_node* et = t->element.node();
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!decode_fast(et, items[i])) {
        rev_path_.push_back(path_step::index(i));
        return false;
      }
    }
    ++depth_left_;
    return true;
  }

  bool decode_set(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "set") || !enter()) return false;
    std::vector<value> elements(n);
    const type_node* et = t->element.node();
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!decode(et, elements[i])) {
        rev_path_.push_back(path_step::index(i));
        return false;
      }
    }
    out = detail::make_set(type::from_node(t), std::move(elements));
    ++depth_left_;
    return true;
  }

  bool decode_tuple(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "tuple") || !enter()) return false;
    if (n != t->elements.size()) {
      return fail("a tuple of " + std::to_string(t->elements.size()) +
                  " elements is required, got " + std::to_string(n));
    }
    auto* payload = detail::sequence_payload::create(type::from_node(t), n);
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

  bool decode_map(const type_node* t, value& out) {
    std::uint32_t n;
    if (!read_map_len(n, "map") || !enter()) return false;
    auto* payload = new detail::map_payload(type::from_node(t));
    value_access::set_map(out, payload);
    auto& entries = payload->entries;
    entries.reserve(n);
    const type_node* et = t->element.node();
    bool sorted = true;
    for (std::uint32_t i = 0; i < n; ++i) {
      std::string_view key;
      if (!read_string(key, "map key")) return false;
      if (!entries.empty() && !(entries.back().key < key)) sorted = false;
      entries.push_back(map_entry{std::string(key), value{}});
      if (!decode(et, entries.back().value)) {
        rev_path_.push_back(path_step::key(std::string(key)));
        return false;
      }
    }
    if (!sorted) {
      std::stable_sort(entries.begin(), entries.end(),
                       [](const map_entry& a, const map_entry& b) { return a.key < b.key; });
      for (std::size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].key == entries[i - 1].key) {
          rev_path_.push_back(path_step::key(entries[i].key));
          return fail("duplicate map key");
        }
      }
    }
    ++depth_left_;
    return true;
  }

  bool decode_dynamic(value& out) {
    std::uint32_t n;
    if (!read_array_len(n, "dynamic value ([type, value] array)") || !enter()) return false;
    if (n != 2) return fail("a dynamic value must be a [type, value] array");
    std::string_view json;
    if (!read_bytes(json, "type of a dynamic value")) return false;
    if (json != cached_json_) {
      auto t = parse_type_json(json);
      if (!t) return fail(t.error().message);
      cached_json_.assign(json);
      cached_type_ = std::move(*t);
    }
    const type concrete = cached_type_;  // keep alive: nested dynamics replace the cache
    if (!decode(concrete.node(), out)) return false;
    ++depth_left_;
    return true;
  }

  bool decode_unknown(const type_node* t, value& out) {
    std::int8_t code;
    std::string_view body;
    if (!read_ext(code, body)) return false;
    if (code != 12 || body.size() <= 1) {
      detail::retain_node(t);
      value_access::set_unknown(out, t, nullptr);
      return true;
    }
    if (body.size() > 1024) return fail("oversize unknown value refinement");
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
      std::int64_t key;
      bool too_big;
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
          value bound;
          if (!read_number(bound)) return false;
          if (p_ >= end_) return truncated();
          if (*p_ != 0xc2 && *p_ != 0xc3)
            return fail("number bound refinement must be a [number, bool] array");
          const bool inclusive = *p_++ == 0xc3;
          (key == 3 ? r.lower : r.upper) = number_bound{bound.as_number(), inclusive};
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
      detail::retain_node(t);
      value_access::set_null(out, t);
      return true;
    }
    out = value::unknown(type::from_node(t), std::move(r));
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
    if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb) || (b >= 0xc4 && b <= 0xc6)) {
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
  std::string message_;
  std::vector<path_step> rev_path_;
  std::string cached_json_;
  type cached_type_;
};

// ---- Encoding ----------------------------------------------------------------------------------

class encoder {
 public:
  explicit encoder(std::string& out) : out_(out) {}

  std::optional<cty::error> run(const value& v, const type& t) {
    if (encode(v, t.node())) return std::nullopt;
    cty::error e;
    e.message = std::move(message_);
    for (auto it = rev_path_.rbegin(); it != rev_path_.rend(); ++it) e.path.push(std::move(*it));
    return e;
  }

 private:
  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  template <class T>
  void be(std::uint8_t code, T v) {
    char buf[1 + sizeof(T)];
    buf[0] = static_cast<char>(code);
    auto u = static_cast<std::uint64_t>(v);
    for (std::size_t i = sizeof(T); i > 0; --i) {
      buf[i] = static_cast<char>(u & 0xFFU);
      u >>= 8U;
    }
    out_.append(buf, sizeof buf);
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
    if (n < 32)
      byte(static_cast<std::uint8_t>(0xa0U | n));
    else if (n <= 0xff)
      be<std::uint8_t>(0xd9, static_cast<std::uint8_t>(n));
    else if (n <= 0xffff)
      be<std::uint16_t>(0xda, static_cast<std::uint16_t>(n));
    else
      be<std::uint32_t>(0xdb, static_cast<std::uint32_t>(n));
    out_.append(s);
  }
  void write_bin(std::string_view s) {
    const std::size_t n = s.size();
    if (n <= 0xff)
      be<std::uint8_t>(0xc4, static_cast<std::uint8_t>(n));
    else if (n <= 0xffff)
      be<std::uint16_t>(0xc5, static_cast<std::uint16_t>(n));
    else
      be<std::uint32_t>(0xc6, static_cast<std::uint32_t>(n));
    out_.append(s);
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
      out_.append("\xd4\x00\x00", 3);
      return;
    }
    std::string body;
    std::swap(body, out_);  // write the refinement map into a scratch buffer
    std::size_t count = 0;
    const type_kind k = t->kind;
    if (r->not_null) {
      byte(1);
      byte(0xc2);
      ++count;
    }
    if (k == type_kind::number) {
      if (r->lower && !(r->lower->value.is_infinite() && r->lower->value.is_negative())) {
        byte(3);
        write_array_len(2);
        value n = value::number(r->lower->value);
        write_number(n);
        byte(r->lower->inclusive ? 0xc3 : 0xc2);
        ++count;
      }
      if (r->upper && !(r->upper->value.is_infinite() && !r->upper->value.is_negative())) {
        byte(4);
        write_array_len(2);
        value n = value::number(r->upper->value);
        write_number(n);
        byte(r->upper->inclusive ? 0xc3 : 0xc2);
        ++count;
      }
    } else if (k == type_kind::string) {
      const std::string_view prefix = detail::truncate_prefix(r->string_prefix);
      if (!prefix.empty()) {
        byte(2);
        write_str(prefix);
        ++count;
      }
    } else if (k == type_kind::list || k == type_kind::set || k == type_kind::map) {
      if (r->min_length && *r->min_length != 0) {
        byte(5);
        write_uint(*r->min_length);
        ++count;
      }
      if (r->max_length) {
        byte(6);
        write_uint(*r->max_length);
        ++count;
      }
    }
    std::swap(body, out_);
    if (count == 0) {
      out_.append("\xd4\x00\x00", 3);
      return;
    }
    const std::size_t len = body.size() + 1;  // plus the map header (count <= 6 -> fixmap)
    switch (len) {
      case 1:
        byte(0xd4);
        break;
      case 2:
        byte(0xd5);
        break;
      case 4:
        byte(0xd6);
        break;
      case 8:
        byte(0xd7);
        break;
      case 16:
        byte(0xd8);
        break;
      default:
        if (len <= 0xff)
          be<std::uint8_t>(0xc7, static_cast<std::uint8_t>(len));
        else if (len <= 0xffff)
          be<std::uint16_t>(0xc8, static_cast<std::uint16_t>(len));
        else
          be<std::uint32_t>(0xc9, static_cast<std::uint32_t>(len));
    }
    byte(12);
    byte(static_cast<std::uint8_t>(0x80U | count));
    out_.append(body);
  }

  bool encode(const value& v, const type_node* t) {
    const tag vt = value_access::tag_of(v);
    if (t == nullptr) {
      const type_node* own = value_access::node_of(v);
      if (own == nullptr) {  // an untyped null or unknown is written bare
        if (vt == tag::null)
          byte(0xc0);
        else
          out_.append("\xd4\x00\x00", 3);
        return true;
      }
      write_array_len(2);
      if (own != cached_node_) {
        cached_json_.clear();
        append_type_json(cached_json_, type::from_node(own));
        cached_type_ = type::from_node(own);
        cached_node_ = own;
      }
      write_bin(cached_json_);
      return encode(v, own);
    }
    if (vt == tag::unknown) {
      write_unknown(v, t);
      return true;
    }
    if (vt == tag::null) {
      byte(0xc0);
      return true;
    }
    switch (t->kind) {
      case type_kind::string:
        if (vt != tag::small_string && vt != tag::string) return mismatch(v, t);
        write_str(value_access::string_of(v));
        return true;
      case type_kind::number:
        if (vt != tag::integer && vt != tag::real && vt != tag::big) return mismatch(v, t);
        write_number(v);
        return true;
      case type_kind::boolean:
        if (vt != tag::boolean) return mismatch(v, t);
        byte(value_access::bool_of(v) ? 0xc3 : 0xc2);
        return true;
      case type_kind::object: {
        if (vt != tag::object) return mismatch(v, t);
        const auto* s = value_access::seq_of(v);
        const auto& want = t->attributes;
        const type_node* have = s->ty.node();
        if (have != t) {
          const auto& got = have->attributes;
          bool same = got.size() == want.size();
          for (std::size_t i = 0; same && i < got.size(); ++i) same = got[i].name == want[i].name;
          if (!same) return fail("object attributes do not match the type");
        }
        write_map_len(want.size());
        for (std::uint32_t i = 0; i < s->size; ++i) {
          write_str(want[i].name);
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
        write_array_len(s->size);
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
        write_array_len(s->size);
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
        const auto& entries = value_access::map_of(v)->entries;
        write_map_len(entries.size());
        const type_node* et = t->element.node();
        for (const auto& e : entries) {
          write_str(e.key);
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

  std::string& out_;
  std::string message_;
  std::vector<path_step> rev_path_;
  const type_node* cached_node_ = nullptr;
  type cached_type_;  // keeps cached_node_ alive
  std::string cached_json_;
};

}  // namespace

result<value> decode(std::string_view bytes, const type& t, const decode_options& options) {
  return decoder(bytes, options.max_depth).run(t);
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
