#pragma once
// A small strict JSON cursor (RFC 8259) used by the type-JSON and value-JSON decoders. It never
// allocates beyond the strings it returns, never recurses (callers bound their own depth), and
// reports the byte offset of the first problem.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "internal.hpp"

namespace cppvider::cty::detail {

class json_cursor {
 public:
  explicit json_cursor(std::string_view text)
      : p_(text.data()), begin_(text.data()), end_(text.data() + text.size()) {}

  void skip_ws() noexcept {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  [[nodiscard]] bool at_end() noexcept {
    skip_ws();
    return p_ >= end_;
  }
  // Next significant character, or '\0' at the end.
  [[nodiscard]] char peek() noexcept {
    skip_ws();
    return p_ < end_ ? *p_ : '\0';
  }
  bool consume(char c) noexcept {
    if (peek() != c) return false;
    ++p_;
    return true;
  }
  bool literal(std::string_view word) noexcept {
    skip_ws();
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }
  [[nodiscard]] std::size_t offset() const noexcept {
    return static_cast<std::size_t>(p_ - begin_);
  }

  // A JSON string into `out` (replacing its content), validating UTF-8 and escapes.
  bool string(std::string& out) {
    out.clear();
    if (!consume('"')) return fail("expected a string");
    const char* run = p_;
    while (true) {
      // Copy unescaped runs in one go.
      while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20)
        ++p_;
      out.append(run, p_);
      if (p_ >= end_) return fail("unterminated string");
      const char c = *p_;
      if (c == '"') {
        ++p_;
        break;
      }
      if (c != '\\') return fail("control character in string");
      ++p_;
      if (p_ >= end_) return fail("unterminated string");
      switch (*p_++) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return fail("bad \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t lo = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return fail("unpaired surrogate");
            p_ += 2;
            if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10U) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("unpaired surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return fail("bad escape in string");
      }
      run = p_;
    }
    if (!valid_utf8(out)) return fail("invalid UTF-8 in string");
    return true;
  }

  // The text of a JSON number (RFC 8259 grammar), unparsed.
  bool number_text(std::string_view& out) noexcept {
    skip_ws();
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return fail("expected a number");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return fail("bad number");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return fail("bad number");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    return true;
  }

  // Skips any JSON value without recursion, nesting at most max_depth.
  bool skip_value(int max_depth) {
    std::string stack;  // '{' or '[' per open container
    std::string scratch;
    while (true) {
      const char c = peek();
      if (c == '{' || c == '[') {
        if (static_cast<int>(stack.size()) >= max_depth) return fail("nesting too deep");
        ++p_;
        if (consume(c == '{' ? '}' : ']')) {
          // empty container: a complete value
        } else {
          stack.push_back(c);
          if (c == '{' && (!string(scratch) || !consume(':')))
            return fail("expected an object key");
          continue;
        }
      } else if (c == '"') {
        if (!string(scratch)) return false;
      } else if (c == 't' || c == 'f' || c == 'n') {
        if (!literal("true") && !literal("false") && !literal("null")) return fail("bad literal");
      } else {
        std::string_view num;
        if (!number_text(num)) return false;
      }
      // A value is complete: close containers or move on to the next element.
      bool next = false;
      while (!stack.empty() && !next) {
        const char n = peek();
        if (n == ',') {
          ++p_;
          if (stack.back() == '{' && (!string(scratch) || !consume(':'))) {
            return fail("expected an object key");
          }
          next = true;
        } else if ((n == '}' && stack.back() == '{') || (n == ']' && stack.back() == '[')) {
          ++p_;
          stack.pop_back();
        } else {
          return fail("expected ',' or a closing bracket");
        }
      }
      if (stack.empty() && !next) return true;
    }
  }

  bool fail(const char* msg) {
    if (error_.empty()) error_ = std::string(msg) + " at byte " + std::to_string(offset());
    return false;
  }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  bool hex4(std::uint32_t& cp) noexcept {
    if (end_ - p_ < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = *p_++;
      cp <<= 4U;
      if (h >= '0' && h <= '9')
        cp |= static_cast<std::uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f')
        cp |= static_cast<std::uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        cp |= static_cast<std::uint32_t>(h - 'A' + 10);
      else
        return false;
    }
    return true;
  }
  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6U));
      out += static_cast<char>(0x80 | (cp & 0x3FU));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12U));
      out += static_cast<char>(0x80 | ((cp >> 6U) & 0x3FU));
      out += static_cast<char>(0x80 | (cp & 0x3FU));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18U));
      out += static_cast<char>(0x80 | ((cp >> 12U) & 0x3FU));
      out += static_cast<char>(0x80 | ((cp >> 6U) & 0x3FU));
      out += static_cast<char>(0x80 | (cp & 0x3FU));
    }
  }
  const char* p_;
  const char* begin_;
  const char* end_;
  std::string error_;
};

// Appends s as a JSON string literal.
void write_json_string(std::string& out, std::string_view s);

}  // namespace cppvider::cty::detail
