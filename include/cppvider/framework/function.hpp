// cppvider/framework/function.hpp: provider-defined functions (Terraform 1.8+, OpenTofu 1.7+).
//
//   p.add_function(fw::function("slug", [](const std::string& text, std::int64_t max_len) {
//                    if (max_len < 1) throw fw::function_error(1, "max_len must be positive");
//                    return make_slug(text, max_len);
//                  })
//                    .summary("A URL-safe slug of a text")
//                    .parameter("text", {.description = "Any text"})
//                    .parameter("max_len", {.description = "Longest slug to return"}));
//
//   # in Terraform: provider::<provider>::slug("Hello World", 8)
//
// Parameter and return types come from the C++ signature (any type cty::to_value converts:
// bool, integers, double, std::string, vectors, maps, structs with cty_fields); a
// std::optional<T> parameter accepts null, a cty::value parameter any type (dynamic), and a last
// parameter of type fw::variadic<T> takes any number of trailing arguments. The body may be a
// coroutine returning runtime::task<R>. Functions must be pure: the same arguments give the same
// result, during validate, plan and apply alike; they run without the provider's configuration.
//
// Errors: throw fw::function_error (optionally naming the argument, counted from 0); Terraform
// shows its text. Any other exception becomes an error naming the function.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "cppvider/cty/convert.hpp"
#include "cppvider/cty/type.hpp"
#include "cppvider/cty/value.hpp"
#include "cppvider/framework/diagnostics.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::framework {

// What a function reports to Terraform when it cannot produce a result.
class function_error : public std::runtime_error {
 public:
  explicit function_error(const std::string& text) : std::runtime_error(text) {}
  function_error(std::size_t argument, const std::string& text)
      : std::runtime_error(text), argument_(argument) {}
  // The argument at fault, counted from 0 (variadic arguments continue the count).
  [[nodiscard]] std::optional<std::size_t> argument() const noexcept { return argument_; }

 private:
  std::optional<std::size_t> argument_;
};

// The trailing arguments of a variadic function: `fw::variadic<std::string> rest`.
template <class T>
struct variadic {
  std::vector<T> values;
};

struct parameter_options {
  std::string description;
  std::string markdown_description;  // replaces description when set
  // Null arguments reach the body (implied by a std::optional<T> parameter).
  bool allow_null = false;
  // Unknown arguments reach the body instead of Terraform answering "unknown" for the call.
  // Only for cty::value parameters, which can hold them.
  bool allow_unknown = false;
  // The type of a cty::value parameter; dynamic (any type) when unset.
  std::optional<cty::type> type;
};

struct function_parameter {
  std::string name;
  cty::type type;
  std::string description;
  bool markdown = false;
  bool allow_null = false;
  bool allow_unknown = false;
};

// What GetFunctions reports for one function.
struct function_signature {
  std::vector<function_parameter> parameters;
  std::optional<function_parameter> variadic;
  cty::type return_type;
  std::string summary;
  std::string description;
  bool markdown = false;
  std::string deprecation_message;
};

// The untyped interface the provider serves; `function` below implements it for C++ callables.
class function_definition {
 public:
  virtual ~function_definition() = default;
  [[nodiscard]] virtual const std::string& name() const = 0;
  [[nodiscard]] virtual const function_signature& signature() const = 0;
  // Mistakes in the definition (an unnamed parameter, a bad option), reported by
  // GetProviderSchema.
  [[nodiscard]] virtual diagnostics problems() const { return {}; }
  // `args` hold one value per parameter, then the variadic ones, each of its parameter's type.
  // Throws function_error.
  virtual runtime::task<cty::value> call(const std::vector<cty::value>& args) = 0;
};

namespace detail {

template <class T>
struct task_value {
  using type = T;
  static constexpr bool is_task = false;
};
template <class T>
struct task_value<runtime::task<T>> {
  using type = T;
  static constexpr bool is_task = true;
};

template <class T>
struct is_variadic : std::false_type {};
template <class T>
struct is_variadic<variadic<T>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// The parameter list of a callable with one non-template call operator, or of a function.
template <class F>
struct callable_args : callable_args<decltype(&F::operator())> {};
template <class R, class... A>
struct callable_args<R (*)(A...)> {
  using type = std::tuple<std::remove_cvref_t<A>...>;
};
template <class R, class... A>
struct callable_args<R(A...)> : callable_args<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_args<R (C::*)(A...)> : callable_args<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_args<R (C::*)(A...) const> : callable_args<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_args<R (C::*)(A...) noexcept> : callable_args<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_args<R (C::*)(A...) const noexcept> : callable_args<R (*)(A...)> {};
template <class R, class... A>
struct callable_args<R (*)(A...) noexcept> : callable_args<R (*)(A...)> {};

template <class F, class Tuple>
struct apply_result;
template <class F, class... A>
struct apply_result<F, std::tuple<A...>> {
  using type = std::invoke_result_t<F&, A&&...>;
};

template <class T>
cty::type parameter_type() {
  if constexpr (is_variadic<T>::value) {
    return cty::type_of<typename decltype(T::values)::value_type>();
  } else {
    return cty::type_of<T>();
  }
}

// Converts argument `index` (or the variadic tail from `index` on) for parameter type T.
template <class T>
T argument_as(const std::vector<cty::value>& args, std::size_t index,
              const function_signature& sig) {
  const auto convert = [&]<class U>(std::type_identity<U>, std::size_t i) -> U {
    auto r = cty::from_value<U>(args[i], {});
    if (!r) {
      const auto& p = i < sig.parameters.size() ? sig.parameters[i] : *sig.variadic;
      throw function_error(i,
                           "Invalid value for parameter \"" + p.name + "\": " + r.error().message);
    }
    return std::move(*r);
  };
  if constexpr (is_variadic<T>::value) {
    using U = typename decltype(T::values)::value_type;
    T out;
    for (std::size_t i = index; i < args.size(); ++i) {
      out.values.push_back(convert(std::type_identity<U>{}, i));
    }
    return out;
  } else {
    return convert(std::type_identity<T>{}, index);
  }
}

}  // namespace detail

// A function built from a C++ callable; pass it to provider::add_function.
template <class F>
class function final : public function_definition {
  using args_tuple = typename detail::callable_args<F>::type;
  static constexpr std::size_t arity = std::tuple_size_v<args_tuple>;
  using raw_result = typename detail::apply_result<F, args_tuple>::type;
  using result_type = typename detail::task_value<raw_result>::type;
  static constexpr bool has_variadic = [] {
    if constexpr (arity == 0) {
      return false;
    } else {
      return detail::is_variadic<std::tuple_element_t<arity - 1, args_tuple>>::value;
    }
  }();
  static constexpr std::size_t fixed = has_variadic ? arity - 1 : arity;

 public:
  function(std::string name, F body) : name_(std::move(name)), body_(std::move(body)) {
    static_assert(!std::is_void_v<result_type>, "a function must return a value");
    sig_.return_type = cty::type_of<result_type>();
    fill_parameters(std::make_index_sequence<arity>{});
  }

  function& summary(std::string text) {
    sig_.summary = std::move(text);
    return *this;
  }
  function& description(std::string text) {
    sig_.description = std::move(text);
    sig_.markdown = false;
    return *this;
  }
  function& markdown_description(std::string text) {
    sig_.description = std::move(text);
    sig_.markdown = true;
    return *this;
  }
  function& deprecation_message(std::string text) {
    sig_.deprecation_message = std::move(text);
    return *this;
  }
  // The return type when the body returns cty::value (dynamic otherwise).
  function& returns(cty::type t) {
    if (!std::is_same_v<result_type, cty::value>) {
      problems_.add_error(
          "Invalid function definition",
          "Function " + name_ + ": returns() applies only to a body returning cty::value.");
    }
    sig_.return_type = std::move(t);
    return *this;
  }
  // Names and describes the next parameter, in order; after the fixed ones, the variadic one.
  function& parameter(std::string name, parameter_options o = {}) {
    const std::size_t i = named_++;
    function_parameter* p = nullptr;
    if (i < sig_.parameters.size()) {
      p = &sig_.parameters[i];
    } else if (i == sig_.parameters.size() && sig_.variadic) {
      p = &*sig_.variadic;
    } else {
      problems_.add_error(
          "Invalid function definition",
          "Function " + name_ + ": parameter \"" + name + "\" is one more than the body takes.");
      return *this;
    }
    p->name = std::move(name);
    p->markdown = !o.markdown_description.empty();
    p->description = p->markdown ? std::move(o.markdown_description) : std::move(o.description);
    p->allow_null = p->allow_null || o.allow_null;
    if (o.allow_unknown || o.type) {
      if (!p->type.is_dynamic() && !dynamic_[i]) {
        problems_.add_error("Invalid function definition",
                            "Function " + name_ + ", parameter \"" + p->name +
                                "\": allow_unknown and type need a cty::value parameter.");
      } else {
        p->allow_unknown = o.allow_unknown;
        if (o.type) p->type = *o.type;
      }
    }
    return *this;
  }

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const function_signature& signature() const override { return sig_; }
  [[nodiscard]] diagnostics problems() const override { return problems_; }

  runtime::task<cty::value> call(const std::vector<cty::value>& args) override {
    auto converted = convert_all(args, std::make_index_sequence<arity>{});
    if constexpr (detail::task_value<raw_result>::is_task) {
      auto t = std::apply(body_, std::move(converted));
      result_type r = co_await std::move(t);
      co_return cty::to_value(r);
    } else {
      co_return cty::to_value(std::apply(body_, std::move(converted)));
    }
  }

 private:
  template <std::size_t... I>
  void fill_parameters(std::index_sequence<I...>) {
    (add_parameter<I, std::tuple_element_t<I, args_tuple>>(), ...);
  }
  template <std::size_t I, class T>
  void add_parameter() {
    function_parameter p;
    p.name = "arg" + std::to_string(I + 1);
    p.type = detail::parameter_type<T>();
    p.allow_null = detail::is_optional<T>::value;
    dynamic_.push_back(std::is_same_v<T, cty::value>);
    if constexpr (detail::is_variadic<T>::value) {
      static_assert(I + 1 == arity, "fw::variadic<T> must be the last parameter");
      sig_.variadic = std::move(p);
    } else {
      sig_.parameters.push_back(std::move(p));
    }
  }
  template <std::size_t... I>
  args_tuple convert_all(const std::vector<cty::value>& args, std::index_sequence<I...>) {
    if (args.size() < fixed || (!has_variadic && args.size() > fixed)) {
      throw function_error("Function " + name_ + " takes " + std::to_string(fixed) +
                           (has_variadic ? " or more" : "") + " arguments, got " +
                           std::to_string(args.size()) + ".");
    }
    return args_tuple{detail::argument_as<std::tuple_element_t<I, args_tuple>>(args, I, sig_)...};
  }

  std::string name_;
  F body_;
  function_signature sig_;
  std::vector<bool> dynamic_;  // per parameter: declared as cty::value
  std::size_t named_ = 0;
  diagnostics problems_;
};

}  // namespace cppvider::framework
