// cppvider/http/json.hpp: a small JSON value for request and response bodies.
//
//   auto body = http::json::object({{"name", "web"}, {"size_gb", 20}, {"tags",
//   http::json::object()}}); body["tags"]["env"] = "prod"; auto r = co_await
//   api.post("/v1/volumes", body);        // serialised, Content-Type set http::json v = r.json();
//   // parsed (simdjson inside) std::string id = v["id"].as_string(); if
//   (v["deleted_at"].is_null()) { ... }                   // a missing key reads as null
//
// Public headers cannot include nlohmann or simdjson (provider authors never compile them), so
// the HTTP layer has its own value type: null, bool, number (int64, uint64 or double, as
// written), string, array, object. Objects keep their members in insertion (document) order;
// lookup is linear, which suits API objects of a few dozen members. Parsing and dump() live in
// the library. A provider that prefers another JSON library can use the body strings directly.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace cppvider::http {

// Malformed JSON text, or a value used as the wrong kind (as_string() on a number).
class json_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class json {
 public:
  using array_t = std::vector<json>;
  using member = std::pair<std::string, json>;
  using object_t = std::vector<member>;
  enum class kind : std::uint8_t { null, boolean, number, string, array, object };

  json() noexcept = default;
  json(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): reads like JSON
  json(bool b) noexcept : v_(b) {}  // NOLINT
  template <std::integral I>
  requires(!std::same_as<I, bool>) json(I i)
  noexcept {  // NOLINT
    if constexpr (std::is_signed_v<I>) {
      v_ = static_cast<std::int64_t>(i);
    } else if (static_cast<std::uint64_t>(i) <=
               static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      v_ = static_cast<std::int64_t>(i);
    } else {
      v_ = static_cast<std::uint64_t>(i);
    }
  }
  template <std::floating_point F>
  json(F d) noexcept : v_(static_cast<double>(d)) {}  // NOLINT
  json(const char* s) : v_(std::string(s)) {}         // NOLINT
  json(std::string s) noexcept : v_(std::move(s)) {}  // NOLINT
  // Explicit: a string_view body handed to client::post must not turn into a JSON string.
  explicit json(std::string_view s) : v_(std::string(s)) {}
  json(array_t a) noexcept : v_(std::move(a)) {}   // NOLINT
  json(object_t o) noexcept : v_(std::move(o)) {}  // NOLINT

  static json array(std::initializer_list<json> items = {}) { return json(array_t(items)); }
  static json object(std::initializer_list<member> members = {}) { return json(object_t(members)); }

  // Throws json_error with the offset of the first problem; never reads past `text`.
  static json parse(std::string_view text);

  [[nodiscard]] kind type() const noexcept;
  [[nodiscard]] bool is_null() const noexcept { return v_.index() == 0; }
  [[nodiscard]] bool is_bool() const noexcept { return v_.index() == 1; }
  [[nodiscard]] bool is_number() const noexcept { return v_.index() >= 2 && v_.index() <= 4; }
  // An integer as written (no fraction or exponent).
  [[nodiscard]] bool is_integer() const noexcept { return v_.index() == 2 || v_.index() == 3; }
  [[nodiscard]] bool is_string() const noexcept { return v_.index() == 5; }
  [[nodiscard]] bool is_array() const noexcept { return v_.index() == 6; }
  [[nodiscard]] bool is_object() const noexcept { return v_.index() == 7; }

  // Accessors throw json_error on the wrong kind; as_int also when the number does not fit (a
  // double is accepted when it holds an integer exactly).
  [[nodiscard]] bool as_bool() const;
  [[nodiscard]] std::int64_t as_int() const;
  [[nodiscard]] std::uint64_t as_uint() const;
  [[nodiscard]] double as_double() const;
  [[nodiscard]] const std::string& as_string() const;
  [[nodiscard]] const array_t& as_array() const;
  [[nodiscard]] array_t& as_array();
  [[nodiscard]] const object_t& as_object() const;
  [[nodiscard]] object_t& as_object();

  // Object member lookup. On a const value a missing key, or any key of null, reads as null so
  // that chains like v["spec"]["size"] stay short; other kinds throw json_error.
  [[nodiscard]] const json& operator[](std::string_view key) const;
  // Inserts a null member when missing; a null value becomes an object first.
  json& operator[](std::string_view key);
  [[nodiscard]] const json& at(std::string_view key) const;  // throws json_error when missing
  [[nodiscard]] const json* find(std::string_view key) const noexcept;
  [[nodiscard]] json* find(std::string_view key) noexcept;
  [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  bool erase(std::string_view key);

  // Array access; throws json_error when out of range or not an array.
  [[nodiscard]] const json& operator[](std::size_t i) const;
  json& operator[](std::size_t i);
  // Appends; a null value becomes an array first.
  void push_back(json v);

  // Members of an object or elements of an array; 0 for scalars and null.
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  // Compact JSON. Throws json_error for NaN or infinity (JSON has no spelling for them).
  [[nodiscard]] std::string dump() const;
  void dump_to(std::string& out) const;

  // Numbers compare by value (1 == 1.0); objects compare member by member in order.
  friend bool operator==(const json& a, const json& b) noexcept;

 private:
  using storage = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double,
                               std::string, array_t, object_t>;
  storage v_;
};

std::string_view to_string(json::kind k) noexcept;

}  // namespace cppvider::http
