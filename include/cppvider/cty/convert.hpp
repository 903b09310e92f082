#pragma once
// Conversions between cty values and plain C++ types.
//
//   cty::to_value(std::vector<std::string>{"a", "b"});            // list of string
//   auto port = cty::from_value<std::uint16_t>(v.get_attr("port"), cty::path{}.attribute("port"));
//   if (!port) ...;   // "…: 70000 does not fit in uint16" — never a silent truncation
//
// Supported out of the box: bool, every integer type (range-checked), float and double,
// std::string, cty::number, cty::value (as is), std::vector<T> (from lists, sets and tuples),
// std::map<std::string, T> (from maps and objects) and std::optional<T> (null <-> nullopt).
// A null value converts only into std::optional; an unknown value converts into nothing (the
// framework's attr<T> carries unknown explicitly).
//
// Structs: declare their fields once with an ADL hook next to the struct.
//
//   struct rule { std::int64_t port; std::optional<std::string> cidr; };
//   constexpr auto cty_fields(std::type_identity<rule>) {
//     return std::tuple{cty::field("port", &rule::port), cty::field("cidr", &rule::cidr)};
//   }
//   cty::type_of<rule>();      // object({cidr: string, port: number})
//
// Other types: specialize cty::cty_traits<T> with static `cty_type()`, `to_value(const T&)` and
// `from_value(const value&, const path&) -> result<T>`.

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cppvider/cty/error.hpp>
#include <cppvider/cty/number.hpp>
#include <cppvider/cty/path.hpp>
#include <cppvider/cty/type.hpp>
#include <cppvider/cty/value.hpp>

namespace cppvider::cty {

template <class T, class Enable = void>
struct cty_traits;  // specialize for your own types

template <class T>
concept convertible = requires(const T& t, const value& v, const path& p) {
  { cty_traits<T>::cty_type() } -> std::same_as<type>;
  { cty_traits<T>::to_value(t) } -> std::same_as<value>;
  { cty_traits<T>::from_value(v, p) } -> std::same_as<result<T>>;
};

template <class T>
[[nodiscard]] type type_of() {
  return cty_traits<T>::cty_type();
}
template <class T>
[[nodiscard]] value to_value(const T& v) {
  return cty_traits<T>::to_value(v);
}
template <class T>
[[nodiscard]] result<T> from_value(const value& v, const path& at = {}) {
  return cty_traits<T>::from_value(v, at);
}

// A struct member bound to an attribute name.
template <class S, class M>
struct field_binding {
  std::string_view name;
  M S::*member;
};
template <class S, class M>
constexpr field_binding<S, M> field(std::string_view name, M S::*member) {
  return {name, member};
}

namespace detail {

// Checks that v is known, not null and of kind k; the error names what was expected.
inline std::optional<error> expect_known(const value& v, const path& at, const char* what) {
  if (!v.is_known())
    return error{at, std::string("a known ") + what + " is required, got an unknown value"};
  if (v.is_null()) return error{at, std::string("a ") + what + " is required, got null"};
  return std::nullopt;
}
inline error kind_error(const value& v, const path& at, const char* what) {
  return error{at, std::string("a ") + what + " is required, got " + v.type().friendly_name()};
}

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

}  // namespace detail

template <>
struct cty_traits<value> {
  static cty::type cty_type() { return cty::type::dynamic(); }
  static value to_value(const value& v) { return v; }
  static result<value> from_value(const value& v, const path&) { return v; }
};

template <>
struct cty_traits<bool> {
  static cty::type cty_type() { return cty::type::boolean(); }
  static value to_value(bool b) { return value::boolean(b); }
  static result<bool> from_value(const value& v, const path& at) {
    if (auto e = detail::expect_known(v, at, "bool")) return std::move(*e);
    if (v.type().kind() != type_kind::boolean) return detail::kind_error(v, at, "bool");
    return v.as_bool();
  }
};

template <>
struct cty_traits<number> {
  static cty::type cty_type() { return cty::type::number(); }
  static value to_value(const number& n) { return value::number(n); }
  static result<number> from_value(const value& v, const path& at) {
    if (auto e = detail::expect_known(v, at, "number")) return std::move(*e);
    if (v.type().kind() != type_kind::number) return detail::kind_error(v, at, "number");
    return v.as_number();
  }
};

template <std::integral I>
requires(!std::same_as<I, bool>) struct cty_traits<I> {
  static cty::type cty_type() { return cty::type::number(); }
  static value to_value(I i) {
    if constexpr (std::is_unsigned_v<I>) {
      return value::number(number::from_uint64(static_cast<std::uint64_t>(i)));
    } else {
      return value::number(static_cast<std::int64_t>(i));
    }
  }
  static result<I> from_value(const value& v, const path& at) {
    auto n = cty_traits<number>::from_value(v, at);
    if (!n) return std::move(n).error();
    const auto range_error = [&] {
      return error{at, n->to_string() + " does not fit in " + type_name()};
    };
    if (!n->is_integer()) return error{at, n->to_string() + " is not a whole number"};
    if constexpr (std::is_unsigned_v<I>) {
      const auto u = n->to_uint64();
      if (!u || *u > std::numeric_limits<I>::max()) return range_error();
      return static_cast<I>(*u);
    } else {
      const auto s = n->to_int64();
      if (!s || *s < std::numeric_limits<I>::min() || *s > std::numeric_limits<I>::max())
        return range_error();
      return static_cast<I>(*s);
    }
  }
  static std::string type_name() {
    return std::string(std::is_unsigned_v<I> ? "uint" : "int") + std::to_string(sizeof(I) * 8);
  }
};

template <std::floating_point F>
struct cty_traits<F> {
  static cty::type cty_type() { return cty::type::number(); }
  static value to_value(F f) { return value::number(static_cast<double>(f)); }  // NaN throws
  // Rounds to the nearest F; a finite number too large for F is an error, not an infinity.
  static result<F> from_value(const value& v, const path& at) {
    auto n = cty_traits<number>::from_value(v, at);
    if (!n) return std::move(n).error();
    const double d = n->to_double();
    const auto f = static_cast<F>(d);
    if (!n->is_infinite() &&
        (f == std::numeric_limits<F>::infinity() || f == -std::numeric_limits<F>::infinity())) {
      return error{at, n->to_string() + " is out of range for a floating-point number"};
    }
    return f;
  }
};

template <>
struct cty_traits<std::string> {
  static cty::type cty_type() { return cty::type::string(); }
  static value to_value(const std::string& s) { return value::string(s); }
  static result<std::string> from_value(const value& v, const path& at) {
    if (auto e = detail::expect_known(v, at, "string")) return std::move(*e);
    if (v.type().kind() != type_kind::string) return detail::kind_error(v, at, "string");
    return std::string(v.as_string());
  }
};

template <class T>
struct cty_traits<std::optional<T>> {
  static cty::type cty_type() { return type_of<T>(); }
  static value to_value(const std::optional<T>& o) {
    return o ? cty::to_value(*o) : value::null(type_of<T>());
  }
  static result<std::optional<T>> from_value(const value& v, const path& at) {
    if (v.is_known() && v.is_null()) return std::optional<T>{};
    auto r = cty::from_value<T>(v, at);
    if (!r) return std::move(r).error();
    return std::optional<T>{std::move(*r)};
  }
};

template <class T>
struct cty_traits<std::vector<T>> {
  static cty::type cty_type() { return cty::type::list(type_of<T>()); }
  static value to_value(const std::vector<T>& xs) {
    std::vector<value> out;
    out.reserve(xs.size());
    for (const auto& x : xs) out.push_back(cty::to_value(x));
    return value::list(type_of<T>(), std::move(out));
  }
  static result<std::vector<T>> from_value(const value& v, const path& at) {
    if (auto e = detail::expect_known(v, at, "list")) return std::move(*e);
    const auto k = v.type().kind();
    if (k != type_kind::list && k != type_kind::set && k != type_kind::tuple) {
      return detail::kind_error(v, at, "list");
    }
    std::vector<T> out;
    out.reserve(v.length());
    std::int64_t i = 0;
    for (const auto& e : v.elements()) {
      auto r = cty::from_value<T>(e, at.index(i++));
      if (!r) return std::move(r).error();
      out.push_back(std::move(*r));
    }
    return out;
  }
};

template <class T>
struct cty_traits<std::map<std::string, T>> {
  static cty::type cty_type() { return cty::type::map(type_of<T>()); }
  static value to_value(const std::map<std::string, T>& m) {
    std::vector<std::pair<std::string, value>> out;
    out.reserve(m.size());
    for (const auto& [k, x] : m) out.emplace_back(k, cty::to_value(x));
    return value::map(type_of<T>(), std::move(out));
  }
  static result<std::map<std::string, T>> from_value(const value& v, const path& at) {
    if (auto e = detail::expect_known(v, at, "map")) return std::move(*e);
    std::map<std::string, T> out;
    const auto k = v.type().kind();
    if (k == type_kind::map) {
      for (const auto& e : v.entries()) {
        auto r = cty::from_value<T>(e.value, at.key(e.key));
        if (!r) return std::move(r).error();
        out.emplace(e.key, std::move(*r));
      }
      return out;
    }
    if (k == type_kind::object) {
      const auto attrs = v.type().attributes();
      const auto vals = v.elements();
      for (std::size_t i = 0; i < vals.size(); ++i) {
        auto r = cty::from_value<T>(vals[i], at.attribute(attrs[i].name));
        if (!r) return std::move(r).error();
        out.emplace(attrs[i].name, std::move(*r));
      }
      return out;
    }
    return detail::kind_error(v, at, "map");
  }
};

// Structs described by an ADL-found `cty_fields(std::type_identity<S>)`.
template <class S>
requires requires { cty_fields(std::type_identity<S>{}); }
struct cty_traits<S> {
  static cty::type cty_type() {
    std::vector<attribute> attrs;
    std::apply(
        [&](const auto&... f) { (attrs.emplace_back(std::string(f.name), member_type(f)), ...); },
        cty_fields(std::type_identity<S>{}));
    return cty::type::object(std::move(attrs));
  }
  static value to_value(const S& s) {
    std::vector<std::pair<std::string, value>> attrs;
    std::apply(
        [&](const auto&... f) {
          (attrs.emplace_back(std::string(f.name), cty::to_value(s.*(f.member))), ...);
        },
        cty_fields(std::type_identity<S>{}));
    return value::object(cty_type(), std::move(attrs));
  }
  static result<S> from_value(const value& v, const path& at) {
    if (auto e = detail::expect_known(v, at, "object")) return std::move(*e);
    if (v.type().kind() != type_kind::object) return detail::kind_error(v, at, "object");
    S out{};
    std::optional<error> failure;
    std::apply([&](const auto&... f) { (read_field(v, at, out, f, failure) && ...); },
               cty_fields(std::type_identity<S>{}));
    if (failure) return std::move(*failure);
    return out;
  }

 private:
  template <class M>
  static cty::type member_type(const field_binding<S, M>&) {
    return type_of<M>();
  }
  template <class M>
  static bool read_field(const value& v, const path& at, S& out, const field_binding<S, M>& f,
                         std::optional<error>& failure) {
    const value* attr = v.find_attr(f.name);
    const path here = at.attribute(std::string(f.name));
    if (attr == nullptr) {
      if constexpr (detail::is_optional_v<M>) {
        out.*(f.member) = std::nullopt;
        return true;
      } else {
        failure = error{here, "attribute is missing"};
        return false;
      }
    }
    auto r = cty::from_value<M>(*attr, here);
    if (!r) {
      failure = std::move(r).error();
      return false;
    }
    out.*(f.member) = std::move(*r);
    return true;
  }
};

}  // namespace cppvider::cty
