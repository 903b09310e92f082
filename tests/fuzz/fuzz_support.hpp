#pragma once
// Input framing shared by the msgpack and JSON targets: [n][n bytes of type JSON][payload], so
// the fuzzer explores types as well as values, and seeds carry their vector's type.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include <cppvider/cty/type_json.hpp>

namespace cty_fuzz {

struct framed {
  cppvider::cty::type type;
  std::string_view payload;
};

inline std::optional<framed> split(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size < 1U + data[0]) return std::nullopt;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  auto t = cppvider::cty::parse_type_json(all.substr(1, data[0]));
  if (!t) return std::nullopt;
  return framed{std::move(*t), all.substr(1U + data[0])};
}

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

}  // namespace cty_fuzz
