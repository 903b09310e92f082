// cppvider/runtime/time.hpp: timers and timeouts for tasks.
//
//   co_await runtime::sleep_for(50ms);                            // throws cancelled_error on stop
//   auto v = co_await runtime::with_timeout(2s, fetch(id));       // throws timeout_error
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::runtime {

// A task that ran past its deadline (and was stopped).
class timeout_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
// Starts a timer; r receives true when it fired, false when `st` stopped it first.
void start_timer(std::chrono::nanoseconds d, std::stop_token st, resumer<bool> r);
std::string describe_duration(std::chrono::nanoseconds d);

// Sleeps for d unless `own` fires first; ignores the awaiting task's token on purpose. (The
// source is passed by pointer: GCC 12 releases a by-value stop_token parameter of a coroutine
// once too often when it is moved into a lambda capture.)
inline task<bool> sleep_watching(std::chrono::nanoseconds d, const std::stop_source* own) {
  co_return co_await suspend_with<bool>(
      [d, own](resumer<bool> r, const std::stop_token&) { start_timer(d, own->get_token(), r); });
}
}  // namespace detail

// Waits for d. The task's stop token ends the wait early with cancelled_error.
inline task<void> sleep_for(std::chrono::nanoseconds d) {
  const bool fired = co_await suspend_with<bool>(
      [d](resumer<bool> r, std::stop_token st) { detail::start_timer(d, std::move(st), r); });
  if (!fired) throw cancelled_error();
}

// Runs t; when it has not finished after d, stops it, waits for it to wind down and throws
// timeout_error (unless it still managed to finish successfully).
// (Written without nested blocks or co_await inside initialisers: GCC 12 mislays frame
// variables in such coroutines.)
template <class T>
task<T> with_timeout(std::chrono::nanoseconds d, task<T> t) {
  const std::stop_token parent = co_await current_stop_token();
  std::optional<settled<T>> result;
  std::atomic<bool> timed_out{false};
  std::stop_source timer_stop;
  detail::child_scope scope(parent);
  scope.start(std::move(t), [&](settled<T> s) noexcept {
    result.emplace(std::move(s));
    timer_stop.request_stop();
  });
  scope.start(detail::sleep_watching(d, &timer_stop), [&](settled<bool> fired) noexcept {
    if (fired.ok() && fired.value()) {
      timed_out.store(true, std::memory_order_release);
      scope.stop_children();
    }
  });
  co_await scope.join();
  if (timed_out.load(std::memory_order_acquire) && !result->ok()) {
    throw timeout_error("timed out after " + detail::describe_duration(d));
  }
  if constexpr (std::is_void_v<T>) {
    result->value();
  } else {
    co_return std::move(*result).value();
  }
}

}  // namespace cppvider::runtime
