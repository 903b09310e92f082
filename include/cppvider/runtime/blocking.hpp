// cppvider/runtime/blocking.hpp: run code that must block without stalling the executor.
//
//   auto hash = [&] { return sha256_file(path); };   // named first: see docs/runtime.md
//   auto digest = co_await runtime::run_blocking(hash);
//
// The function runs on a bounded pool (CPPVIDER_BLOCKING_THREADS threads, default 8; calls
// beyond that queue), and the task resumes on an executor thread with its result or exception.
// A function taking a std::stop_token receives the task's, so long jobs can give up; one still
// queued when the stop is requested is never started and the await throws cancelled_error.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

#include "cppvider/runtime/task.hpp"

namespace cppvider::runtime {

namespace detail {
// Queues job on the blocking pool; then posts `resume` to the executor. If st is stopped before
// the job starts, the job is skipped and `cancelled` is posted instead.
void post_blocking(std::stop_token st, std::function<void(const std::stop_token&)> job,
                   std::function<void()> resume, std::function<void()> cancelled);

template <class F>
struct blocking_result {
  using type = std::invoke_result_t<F&>;
};
template <class F>
requires std::is_invocable_v<F&, const std::stop_token&>
struct blocking_result<F> {
  using type = std::invoke_result_t<F&, const std::stop_token&>;
};
}  // namespace detail

template <class F>
auto run_blocking(F f) {
  constexpr bool takes_token = std::is_invocable_v<F&, const std::stop_token&>;
  using R = typename detail::blocking_result<F>::type;
  return [](F f) -> task<R> {
    using stored = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
    std::optional<stored> value;
    std::exception_ptr error;
    co_await suspend_with<void>([&](resumer<void> r, std::stop_token st) {
      detail::post_blocking(
          std::move(st),
          [&](const std::stop_token& token) {
            try {
              if constexpr (std::is_void_v<R>) {
                if constexpr (takes_token)
                  f(token);
                else
                  f();
                value.emplace();
              } else if constexpr (takes_token) {
                value.emplace(f(token));
              } else {
                value.emplace(f());
              }
            } catch (...) {
              error = std::current_exception();
            }
          },
          [r]() mutable { r.set_value(); },
          [r]() mutable { r.set_error(std::make_exception_ptr(cancelled_error())); });
    });
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) co_return std::move(*value);
  }(std::move(f));
}

}  // namespace cppvider::runtime
