#pragma once
// Reads tests/vectors/*.json and builds the values their cases describe (see generate.py there).

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include <cppvider/cty/cty.hpp>

namespace cty_test {

namespace cty = cppvider::cty;

inline nlohmann::json load_vectors(const std::string& file) {
  std::ifstream in(std::string(CPPVIDER_SOURCE_DIR) + "/tests/vectors/" + file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open vectors file " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

inline std::string from_hex(const std::string& hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4U];
    out += digits[c & 0xFU];
  }
  return out;
}

inline cty::type parse_type(const nlohmann::json& j) {
  auto t = cty::parse_type_json(j.dump());
  if (!t) throw std::runtime_error("bad type in vector: " + j.dump() + ": " + t.error().message);
  return *t;
}

inline cty::number parse_number(const nlohmann::json& j) {
  if (j.is_number_integer()) return cty::number(j.get<std::int64_t>());
  if (j.is_object()) {
    const std::uint64_t bits = std::stoull(j.at("float64_bits").get<std::string>(), nullptr, 16);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return cty::number(d);
  }
  auto n = cty::number::parse(j.get<std::string>());
  if (!n) throw std::runtime_error("bad number in vector: " + j.dump());
  return *n;
}

inline cty::value build(const nlohmann::json& d, const cty::type& t) {
  if (d.is_object() && d.contains("unknown")) {
    const auto& u = d.at("unknown");
    if (u.is_boolean()) return cty::value::unknown(t);
    cty::refinements r;
    r.not_null = u.value("not_null", false);
    r.string_prefix = u.value("prefix", std::string());
    if (u.contains("lower"))
      r.lower = cty::number_bound{parse_number(u["lower"][0]), u["lower"][1].get<bool>()};
    if (u.contains("upper"))
      r.upper = cty::number_bound{parse_number(u["upper"][0]), u["upper"][1].get<bool>()};
    if (u.contains("min_length")) r.min_length = u["min_length"].get<std::uint64_t>();
    if (u.contains("max_length")) r.max_length = u["max_length"].get<std::uint64_t>();
    return cty::value::unknown(t, r);
  }
  if (t.is_dynamic()) {
    if (d.is_null()) return cty::value::null(t);
    return build(d.at("value"), parse_type(d.at("dynamic")));
  }
  if (d.is_null()) return cty::value::null(t);
  switch (t.kind()) {
    case cty::type_kind::boolean:
      return cty::value::boolean(d.get<bool>());
    case cty::type_kind::number:
      return cty::value::number(parse_number(d));
    case cty::type_kind::string:
      return cty::value::string(d.get<std::string>());
    case cty::type_kind::list:
    case cty::type_kind::set: {
      std::vector<cty::value> xs;
      for (const auto& e : d) xs.push_back(build(e, t.element_type()));
      return t.is_list() ? cty::value::list(t.element_type(), xs)
                         : cty::value::set(t.element_type(), xs);
    }
    case cty::type_kind::tuple: {
      std::vector<cty::value> xs;
      std::size_t i = 0;
      for (const auto& e : d) xs.push_back(build(e, t.tuple_elements()[i++]));
      return cty::value::tuple(t, xs);
    }
    case cty::type_kind::map: {
      std::vector<std::pair<std::string, cty::value>> xs;
      for (const auto& [k, e] : d.items()) xs.emplace_back(k, build(e, t.element_type()));
      return cty::value::map(t.element_type(), xs);
    }
    case cty::type_kind::object: {
      std::vector<std::pair<std::string, cty::value>> xs;
      for (const auto& [k, e] : d.items()) {
        const auto idx = t.attribute_index(k);
        if (!idx) throw std::runtime_error("vector names attribute " + k + " the type lacks");
        xs.emplace_back(k, build(e, t.attributes()[*idx].ty));
      }
      return cty::value::object(t, xs);
    }
    case cty::type_kind::dynamic:
      break;
  }
  throw std::runtime_error("unsupported vector value");
}

// Input bytes of a JSON case: "json" text, or "json_hex" for bytes a JSON file cannot hold.
inline std::string json_input(const nlohmann::json& c) {
  return c.contains("json_hex") ? from_hex(c["json_hex"].get<std::string>())
                                : c["json"].get<std::string>();
}

}  // namespace cty_test
