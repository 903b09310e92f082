#pragma once
// Errors as values: every fallible cty call returns `result<T>`, holding either a T or an
// `error` with the path of the offending value and a message written for the practitioner.
//
//   auto v = cty::msgpack::decode(bytes, schema_type);
//   if (!v) return diagnostics.add_error(v.error().path, "Invalid plan", v.error().message);
//   use(*v);

#include <exception>
#include <string>
#include <utility>
#include <variant>

#include <cppvider/cty/path.hpp>

namespace cppvider::cty {

struct error {
  cty::path path;
  std::string message;

  // "message" at the root, else ".a[0]: message".
  [[nodiscard]] std::string to_string() const;
};

// Thrown only when a caller reads the value of a failed result (a programming error, like
// std::bad_optional_access); decoders and conversions never throw.
class bad_result_access : public std::exception {
 public:
  explicit bad_result_access(std::string what) : what_(std::move(what)) {}
  [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

template <class T>
class [[nodiscard]] result {
 public:
  result(T v) : data_(std::in_place_index<0>, std::move(v)) {}           // NOLINT
  result(cty::error e) : data_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] T& value() & { return check(), std::get<0>(data_); }
  [[nodiscard]] const T& value() const& { return check(), std::get<0>(data_); }
  [[nodiscard]] T&& value() && { return check(), std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(data_) : static_cast<T>(std::forward<U>(fallback));
  }

  // Precondition: !ok().
  [[nodiscard]] const cty::error& error() const& { return std::get<1>(data_); }
  [[nodiscard]] cty::error&& error() && { return std::get<1>(std::move(data_)); }

 private:
  void check() const {
    if (!ok()) throw bad_result_access("cty::result holds an error: " + error().to_string());
  }
  std::variant<T, cty::error> data_;
};

}  // namespace cppvider::cty
