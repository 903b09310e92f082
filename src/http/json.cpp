// http::json: parsing through simdjson's DOM, and a compact writer.
#include "cppvider/http/json.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <memory>
#include <string>

#include "cppvider/detail/json_escape.hpp"
#include "internal.hpp"

namespace cppvider::http {

namespace {

[[noreturn]] void wrong_kind(json::kind want, json::kind got) {
  std::string m = "JSON value is ";
  m += to_string(got);
  m += ", expected ";
  m += to_string(want);
  throw json_error(m);
}

json convert(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::NULL_VALUE:
      return nullptr;
    case element_type::BOOL:
      return bool(e.get_bool().value_unsafe());
    case element_type::INT64:
      return e.get_int64().value_unsafe();
    case element_type::UINT64:
      return e.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return e.get_double().value_unsafe();
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case element_type::ARRAY: {
      const simdjson::dom::array a = e.get_array().value_unsafe();
      json::array_t out;
      out.reserve(a.size());
      for (simdjson::dom::element item : a) out.push_back(convert(item));
      return out;
    }
    case element_type::OBJECT: {
      const simdjson::dom::object o = e.get_object().value_unsafe();
      json::object_t out;
      out.reserve(o.size());
      for (simdjson::dom::key_value_pair kv : o) {
        out.emplace_back(std::string(kv.key), convert(kv.value));
      }
      return out;
    }
  }
  return nullptr;
}

// Documents up to this size reuse a per-thread parser; bigger ones get their own so that one
// large response does not pin its buffers on an executor thread for ever.
constexpr std::size_t reuse_limit = 4U << 20U;

json parse_with(simdjson::dom::parser& parser, std::string_view text, bool padded) {
  simdjson::dom::element root;
  const auto err = parser.parse(text.data(), text.size(), !padded).get(root);
  if (err != simdjson::SUCCESS) {
    throw json_error(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  return convert(root);
}

void write_escaped(std::string& out, std::string_view s) {
  cppvider::detail::append_json_string(out, s);
}

template <class N>
void write_number(std::string& out, N n) {
  std::array<char, 32> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  const std::string_view text(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
  out += text;
  if constexpr (std::is_floating_point_v<N>) {
    // Keep a double a double when read back ("2.0", not "2").
    if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
  }
}

const json& null_value() {
  static const json n;
  return n;
}

}  // namespace

json json::parse(std::string_view text) { return detail::parse_json(text, false); }

namespace detail {
json parse_json(std::string_view text, bool padded) {
  if (text.size() > reuse_limit) {
    simdjson::dom::parser own;
    return parse_with(own, text, padded);
  }
  thread_local simdjson::dom::parser parser;
  return parse_with(parser, text, padded);
}
}  // namespace detail

json::kind json::type() const noexcept {
  switch (v_.index()) {
    case 0:
      return kind::null;
    case 1:
      return kind::boolean;
    case 2:
    case 3:
    case 4:
      return kind::number;
    case 5:
      return kind::string;
    case 6:
      return kind::array;
    default:
      return kind::object;
  }
}

bool json::as_bool() const {
  if (const auto* b = std::get_if<bool>(&v_)) return *b;
  wrong_kind(kind::boolean, type());
}

std::int64_t json::as_int() const {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
  if (std::holds_alternative<std::uint64_t>(v_)) throw json_error("JSON number exceeds int64");
  if (const auto* d = std::get_if<double>(&v_)) {
    // 2^63 is exactly representable; anything at or above it does not fit.
    if (std::trunc(*d) == *d && *d >= -9223372036854775808.0 && *d < 9223372036854775808.0) {
      return static_cast<std::int64_t>(*d);
    }
    throw json_error("JSON number is not an int64");
  }
  wrong_kind(kind::number, type());
}

std::uint64_t json::as_uint() const {
  if (const auto* u = std::get_if<std::uint64_t>(&v_)) return *u;
  if (const auto* i = std::get_if<std::int64_t>(&v_)) {
    if (*i < 0) throw json_error("JSON number is negative");
    return static_cast<std::uint64_t>(*i);
  }
  if (const auto* d = std::get_if<double>(&v_)) {
    if (std::trunc(*d) == *d && *d >= 0 && *d < 18446744073709551616.0) {
      return static_cast<std::uint64_t>(*d);
    }
    throw json_error("JSON number is not a uint64");
  }
  wrong_kind(kind::number, type());
}

double json::as_double() const {
  if (const auto* d = std::get_if<double>(&v_)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v_)) return static_cast<double>(*u);
  wrong_kind(kind::number, type());
}

const std::string& json::as_string() const {
  if (const auto* s = std::get_if<std::string>(&v_)) return *s;
  wrong_kind(kind::string, type());
}

const json::array_t& json::as_array() const {
  if (const auto* a = std::get_if<array_t>(&v_)) return *a;
  wrong_kind(kind::array, type());
}
json::array_t& json::as_array() {
  if (auto* a = std::get_if<array_t>(&v_)) return *a;
  wrong_kind(kind::array, type());
}
const json::object_t& json::as_object() const {
  if (const auto* o = std::get_if<object_t>(&v_)) return *o;
  wrong_kind(kind::object, type());
}
json::object_t& json::as_object() {
  if (auto* o = std::get_if<object_t>(&v_)) return *o;
  wrong_kind(kind::object, type());
}

const json* json::find(std::string_view key) const noexcept {
  const auto* o = std::get_if<object_t>(&v_);
  if (o == nullptr) return nullptr;
  for (const auto& [k, v] : *o) {
    if (k == key) return &v;
  }
  return nullptr;
}
json* json::find(std::string_view key) noexcept {
  return const_cast<json*>(std::as_const(*this).find(key));
}

const json& json::operator[](std::string_view key) const {
  if (is_null()) return null_value();
  if (!is_object()) wrong_kind(kind::object, type());
  const json* v = find(key);
  return v != nullptr ? *v : null_value();
}

json& json::operator[](std::string_view key) {
  if (is_null()) v_ = object_t{};
  auto& o = as_object();
  for (auto& [k, v] : o) {
    if (k == key) return v;
  }
  return o.emplace_back(std::string(key), json()).second;
}

const json& json::at(std::string_view key) const {
  static_cast<void>(as_object());  // throws for a non-object
  const json* v = find(key);
  if (v == nullptr) throw json_error("JSON object has no member \"" + std::string(key) + "\"");
  return *v;
}

bool json::erase(std::string_view key) {
  auto& o = as_object();
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it->first == key) {
      o.erase(it);
      return true;
    }
  }
  return false;
}

const json& json::operator[](std::size_t i) const {
  const auto& a = as_array();
  if (i >= a.size()) throw json_error("JSON array index " + std::to_string(i) + " out of range");
  return a[i];
}
json& json::operator[](std::size_t i) {
  auto& a = as_array();
  if (i >= a.size()) throw json_error("JSON array index " + std::to_string(i) + " out of range");
  return a[i];
}

void json::push_back(json v) {
  if (is_null()) v_ = array_t{};
  as_array().push_back(std::move(v));
}

std::size_t json::size() const noexcept {
  if (const auto* a = std::get_if<array_t>(&v_)) return a->size();
  if (const auto* o = std::get_if<object_t>(&v_)) return o->size();
  return 0;
}

std::string json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void json::dump_to(std::string& out) const {
  switch (v_.index()) {
    case 0:
      out += "null";
      break;
    case 1:
      out += std::get<bool>(v_) ? "true" : "false";
      break;
    case 2:
      write_number(out, std::get<std::int64_t>(v_));
      break;
    case 3:
      write_number(out, std::get<std::uint64_t>(v_));
      break;
    case 4: {
      const double d = std::get<double>(v_);
      if (!std::isfinite(d)) throw json_error("JSON cannot represent NaN or infinity");
      write_number(out, d);
      break;
    }
    case 5:
      write_escaped(out, std::get<std::string>(v_));
      break;
    case 6: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : std::get<array_t>(v_)) {
        if (!first) out.push_back(',');
        first = false;
        item.dump_to(out);
      }
      out.push_back(']');
      break;
    }
    default: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : std::get<object_t>(v_)) {
        if (!first) out.push_back(',');
        first = false;
        write_escaped(out, k);
        out.push_back(':');
        v.dump_to(out);
      }
      out.push_back('}');
    }
  }
}

bool operator==(const json& a, const json& b) noexcept {
  if (a.is_number() && b.is_number()) {
    if (a.is_integer() && b.is_integer()) return a.v_ == b.v_;  // normalised: same alternative
    return a.as_double() == b.as_double();
  }
  return a.v_ == b.v_;
}

std::string_view to_string(json::kind k) noexcept {
  switch (k) {
    case json::kind::null:
      return "null";
    case json::kind::boolean:
      return "a boolean";
    case json::kind::number:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "?";
}

}  // namespace cppvider::http
