// cppvider/framework/attr.hpp: one attribute's value in a bound struct.
//
//   struct state {
//     fw::attr<std::string> name;
//     fw::attr<std::int64_t> size_gb;
//   };
//   if (s.size_gb.is_unknown()) ...;            // "known after apply"
//   auto gb = s.size_gb.value_or(10);           // null (not set) -> 10
//   s.name = "logs";                            // now known
//
// A Terraform value is null, unknown or known; `attr<T>` is std::optional<T> plus the unknown
// state. T is any type cty converts (bool, integers, double, std::string, cty::number,
// cty::value, std::vector, std::set, std::map, std::optional, structs with cty_fields), or a
// struct bound by its own schema_for<> for nested attributes and blocks.
#pragma once

#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace cppvider::framework {

// Thrown by attr<T>::value() on a null or unknown attribute (a bug in the hook, like
// std::bad_optional_access). It reaches Terraform as an error diagnostic naming the operation
// and, for an attribute of the hook's request or response, its path ("plan.disk[0].size_gb"):
// the framework finds the attribute by `where()`, the address of the attr that threw.
class bad_attr_access : public std::logic_error {
 public:
  using std::logic_error::logic_error;
  bad_attr_access(const std::string& what, const void* where)
      : std::logic_error(what), where_(where) {}
  [[nodiscard]] const void* where() const noexcept { return where_; }

 private:
  const void* where_ = nullptr;
};

struct unknown_t {
  explicit constexpr unknown_t(int) {}
};
// Assign to make an attribute unknown: `s.id = fw::unknown;`.
inline constexpr unknown_t unknown{0};

template <class T>
class attr;
template <class T>
struct is_attr : std::false_type {};
template <class T>
struct is_attr<attr<T>> : std::true_type {};

template <class T>
class attr {
 public:
  using value_type = T;

  attr() = default;                      // null
  attr(std::nullopt_t) {}                // NOLINT: null
  attr(unknown_t) : unknown_(true) {}    // NOLINT
  attr(const T& v) : value_(v) {}        // NOLINT: a known value
  attr(T&& v) : value_(std::move(v)) {}  // NOLINT
  // attr<std::string> s = "x"; attr<std::int64_t> n = 5;
  template <class U>
  requires(!std::same_as<std::remove_cvref_t<U>, T> &&
           !std::same_as<std::remove_cvref_t<U>, attr> &&
           !std::same_as<std::remove_cvref_t<U>, std::nullopt_t> &&
           !std::same_as<std::remove_cvref_t<U>, unknown_t> && std::constructible_from<T, U&&>)
      attr(U&& v)
      : value_(std::in_place, std::forward<U>(v)) {}  // NOLINT

  static attr null() { return attr{}; }
  static attr unknown_value() { return attr{unknown}; }

  [[nodiscard]] bool is_null() const noexcept { return !unknown_ && !value_; }
  [[nodiscard]] bool is_unknown() const noexcept { return unknown_; }
  // Known and not null.
  [[nodiscard]] bool has_value() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] const T& value() const& {
    check();
    return *value_;
  }
  [[nodiscard]] T& value() & {
    check();
    return *value_;
  }
  [[nodiscard]] T&& value() && {
    check();
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` when null or unknown.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return value_ ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

  // As std::optional, with unknown read as null.
  [[nodiscard]] const std::optional<T>& optional() const noexcept { return value_; }

  void set_null() noexcept {
    value_.reset();
    unknown_ = false;
  }
  void set_unknown() noexcept {
    value_.reset();
    unknown_ = true;
  }
  template <class... Args>
  T& emplace(Args&&... args) {
    unknown_ = false;
    return value_.emplace(std::forward<Args>(args)...);
  }

  friend bool operator==(const attr&, const attr&) = default;
  // Known and equal: `s.name == "logs"`.
  template <class U>
  requires(!is_attr<U>::value && std::equality_comparable_with<T, U>) friend bool operator==(
      const attr& a, const U& v) {
    return a.value_ && *a.value_ == v;
  }

 private:
  void check() const {
    if (!value_)
      throw bad_attr_access(unknown_ ? "attribute value is unknown" : "attribute value is null",
                            this);
  }
  std::optional<T> value_;
  bool unknown_ = false;
};

template <class T>
inline constexpr bool is_attr_v = is_attr<T>::value;

}  // namespace cppvider::framework
