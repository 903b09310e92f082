// A stable id without a backing store, shared by the benchmark providers (framework and
// framework-less) so that both answer byte-identical states.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bench_resources {

// `prefix` and 16 hex digits of FNV-1a over `s`.
inline std::string hash_id(std::string_view prefix, std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(prefix);
  for (int shift = 60; shift >= 0; shift -= 4) out += digits[(h >> shift) & 0xf];
  return out;
}

}  // namespace bench_resources
