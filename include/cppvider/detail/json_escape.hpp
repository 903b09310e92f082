// cppvider/detail/json_escape.hpp: one JSON string writer for every layer (internal).
//
// The cty codecs, the type-JSON writer, the hclog-style logger and the HTTP client's JSON all
// write JSON strings; they share this so that escaping is the same (and fast) everywhere.
// Bytes are copied as they are except `"`, `\` and control characters (\n, \r, \t by name, the
// rest as \u00XX, as Go's encoder writes them); UTF-8 is passed through (validating it is the
// caller's business).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cppvider::detail {

inline void append_json_string(std::string& out, std::string_view s) {
  constexpr std::string_view hex = "0123456789abcdef";
  out.push_back('"');
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4U]);
        out.push_back(hex[c & 0xFU]);
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out.push_back('"');
}

}  // namespace cppvider::detail
