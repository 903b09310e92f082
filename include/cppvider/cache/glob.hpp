// cppvider/cache/glob.hpp: shell-style wildcard matching for cache keys.
//
//   glob_match("server/*/disk?", "server/eu-1/disk2")   // true
//
//   *        any run of characters, '/' included, possibly empty
//   ?        exactly one character
//   [abc]    one of a, b, c;  [a-z] a range;  [!a-z] or [^a-z] anything else;  []x] ']' first
//            is literal;  a '[' without its closing ']' is a literal '['
//   \c       the character c itself (\*, \?, \[, \\)
//
// Matching is bytewise (no locale, no UTF-8 awareness) and takes O(|pattern| * |text|) steps
// at worst: only the last '*' seen is ever backtracked to, which suffices because every other
// token consumes exactly one character.
#pragma once

#include <cstddef>
#include <string_view>

namespace cppvider::cache {

namespace detail {

// Tries the single-character token at pattern[p] against c. On a match, stores the index past
// the token in `next` and returns true.
inline bool glob_token_matches(std::string_view pattern, std::size_t p, char c,
                               std::size_t& next) noexcept {
  const char t = pattern[p];
  if (t == '?') {
    next = p + 1;
    return true;
  }
  if (t == '\\' && p + 1 < pattern.size()) {
    next = p + 2;
    return pattern[p + 1] == c;
  }
  if (t == '[') {
    std::size_t i = p + 1;
    const bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
    if (negate) ++i;
    const std::size_t first = i;
    bool hit = false;
    // A ']' right after the opening (or the negation) belongs to the set.
    while (i < pattern.size() && (pattern[i] != ']' || i == first)) {
      char lo = pattern[i];
      if (lo == '\\' && i + 1 < pattern.size()) lo = pattern[++i];
      char hi = lo;
      if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
        hi = pattern[i + 2];
        if (hi == '\\' && i + 3 < pattern.size()) {
          hi = pattern[i + 3];
          ++i;
        }
        i += 2;
      }
      const auto u = static_cast<unsigned char>(c);
      if (static_cast<unsigned char>(lo) <= u && u <= static_cast<unsigned char>(hi)) hit = true;
      ++i;
    }
    if (i < pattern.size()) {  // found the closing ']'
      next = i + 1;
      return hit != negate;
    }
    // No closing bracket: the '[' is an ordinary character.
  }
  next = p + 1;
  return t == c;
}

}  // namespace detail

// True when the whole of `text` matches `pattern` (see above).
inline bool glob_match(std::string_view pattern, std::string_view text) noexcept {
  constexpr std::size_t none = std::string_view::npos;
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star_p = none;  // pattern index just past the last '*'
  std::size_t star_t = 0;     // text index that '*' is currently assumed to stop at
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    std::size_t next = 0;
    if (p < pattern.size() && detail::glob_token_matches(pattern, p, text[t], next)) {
      p = next;
      ++t;
      continue;
    }
    if (star_p == none) return false;
    // Let the last '*' swallow one more character and retry from just after it.
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace cppvider::cache
