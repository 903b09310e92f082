// cppvider/runtime/gather.hpp: run tasks concurrently and wait for all of them.
//
//   auto [net, vol] = co_await runtime::gather(create_network(a), create_volume(a));
//   auto servers    = co_await runtime::gather(std::move(reads));          // vector<task<T>>
//   auto outcomes   = co_await runtime::gather_settled(std::move(reads));  // vector<settled<T>>
//
// gather starts every task at once (each runs until its first suspension, in order) and
// finishes when all have finished. The first exception asks the others to stop (their stop
// token fires, so an HTTP call in flight is cancelled) and is rethrown once they have all
// wound down: no task outlives the gather that started it. gather_settled never throws for a
// child; it returns each child's value or error (Pyvider's `return_exceptions=True`).
// A `void` task contributes std::monostate to a tuple.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <stop_token>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "cppvider/runtime/task.hpp"

namespace cppvider::runtime {

namespace detail {

template <class T>
using non_void_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

struct forward_stop {
  std::stop_source* target;
  void operator()() const noexcept { target->request_stop(); }
};

// Children started from one parent coroutine and joined by it. Children get a stop token that
// fires when the parent's does or when stop_children() is called.
class child_scope {
 public:
  explicit child_scope(const std::stop_token& parent) {
    if (parent.stop_possible()) link_.emplace(parent, forward_stop{&source_});
  }
  child_scope(const child_scope&) = delete;
  child_scope& operator=(const child_scope&) = delete;

  // Starts t; on_done(settled<T>) runs when it finishes and must not throw.
  template <class T, class F>
  void start(task<T> t, F on_done) {
    pending_.fetch_add(1, std::memory_order_relaxed);
    spawn(std::move(t), source_.get_token(), [this, f = std::move(on_done)](settled<T> s) mutable {
      f(std::move(s));
      finish_one();  // may resume the parent, which may destroy *this: nothing after it
    });
  }
  void stop_children() noexcept { source_.request_stop(); }
  [[nodiscard]] std::stop_token children_token() const noexcept { return source_.get_token(); }

  // Waits until every started child has finished.
  auto join() noexcept {
    struct awaiter {
      child_scope* scope;
      bool await_ready() const noexcept { return false; }
      bool await_suspend(std::coroutine_handle<> h) noexcept {
        scope->waiter_ = h;
        return scope->pending_.fetch_sub(1, std::memory_order_acq_rel) != 1;
      }
      void await_resume() const noexcept {}
    };
    return awaiter{this};
  }

 private:
  void finish_one() noexcept {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) waiter_.resume();
  }
  std::stop_source source_;
  std::optional<std::stop_callback<forward_stop>> link_;
  std::atomic<std::size_t> pending_{1};  // 1 for the parent until it joins
  std::coroutine_handle<> waiter_;
};

// Records the first failure among children.
class first_error {
 public:
  // True if e is the first error seen.
  bool offer(const std::exception_ptr& e) noexcept {
    bool expected = false;
    if (!taken_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return false;
    error_ = e;
    return true;
  }
  void rethrow_if_any() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::atomic<bool> taken_{false};
  std::exception_ptr error_;
};

template <class... T, std::size_t... I>
task<std::tuple<settled<T>...>> gather_settled_impl(std::index_sequence<I...>, task<T>... ts) {
  const std::stop_token parent = co_await current_stop_token();
  std::tuple<settled<T>...> out;
  child_scope scope(parent);
  (scope.start(std::move(ts), [&out](settled<T> s) noexcept { std::get<I>(out) = std::move(s); }),
   ...);
  co_await scope.join();
  co_return out;
}

template <class... T, std::size_t... I>
task<std::tuple<non_void_t<T>...>> gather_impl(std::index_sequence<I...>, task<T>... ts) {
  const std::stop_token parent = co_await current_stop_token();
  std::tuple<std::optional<non_void_t<T>>...> values;
  first_error err;
  child_scope scope(parent);
  (scope.start(std::move(ts),
               [&values, &err, &scope](settled<T> s) noexcept {
                 if (!s.ok()) {
                   if (err.offer(s.error())) scope.stop_children();
                 } else if constexpr (std::is_void_v<T>) {
                   std::get<I>(values).emplace();
                 } else {
                   std::get<I>(values).emplace(std::move(s).value());
                 }
               }),
   ...);
  co_await scope.join();
  err.rethrow_if_any();
  co_return std::tuple<non_void_t<T>...>{std::move(*std::get<I>(values))...};
}

}  // namespace detail

template <class... T>
task<std::tuple<detail::non_void_t<T>...>> gather(task<T>... ts) {
  return detail::gather_impl(std::index_sequence_for<T...>{}, std::move(ts)...);
}

template <class... T>
task<std::tuple<settled<T>...>> gather_settled(task<T>... ts) {
  return detail::gather_settled_impl(std::index_sequence_for<T...>{}, std::move(ts)...);
}

// All tasks of a vector at once; `limit` > 0 caps how many run at the same time (the rest
// start as earlier ones finish, in order).
template <class T>
task<std::vector<settled<T>>> gather_settled(std::vector<task<T>> ts, std::size_t limit = 0);

template <class T>
task<std::vector<detail::non_void_t<T>>> gather(std::vector<task<T>> ts, std::size_t limit = 0);

namespace detail {

// Runs the tasks of `ts` with at most `limit` in flight; on_done(i, settled) per task (from
// any thread, never twice for one i). Returns when all have finished. `stop_on_error` stops
// the rest after the first failure; tasks not yet started then report cancelled_error.
// Each slot is a loop awaiting one task after another, so a long run of tasks that finish
// without suspending does not grow the stack.
template <class T, class F>
task<void> run_slot(std::vector<task<T>>& ts, std::atomic<std::size_t>& next,
                    std::atomic<bool>& failed, bool stop_on_error, child_scope& scope, F& on_done) {
  for (;;) {
    const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
    if (i >= ts.size()) co_return;
    if (stop_on_error && failed.load(std::memory_order_acquire)) {
      on_done(i, settled<T>::of_error(std::make_exception_ptr(cancelled_error())));
      continue;
    }
    auto s = co_await settle(std::move(ts[i]));
    const bool first_failure =
        !s.ok() && stop_on_error && !failed.exchange(true, std::memory_order_acq_rel);
    // Record this error before stopping the others: they may finish (with cancelled_error)
    // inside stop_children(), and the error gather reports must be the one that caused it.
    on_done(i, std::move(s));
    if (first_failure) scope.stop_children();
  }
}

template <class T, class F>
task<void> run_all(std::vector<task<T>>& ts, std::size_t limit, bool stop_on_error, F on_done) {
  const std::stop_token parent = co_await current_stop_token();
  if (limit == 0 || limit > ts.size()) limit = ts.size();
  child_scope scope(parent);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  for (std::size_t k = 0; k < limit; ++k) {
    scope.start(run_slot(ts, next, failed, stop_on_error, scope, on_done),
                [](settled<void>) noexcept {});
  }
  co_await scope.join();
}

}  // namespace detail

template <class T>
task<std::vector<settled<T>>> gather_settled(std::vector<task<T>> ts, std::size_t limit) {
  std::vector<settled<T>> out(ts.size());
  co_await detail::run_all(ts, limit, false,
                           [&out](std::size_t i, settled<T> s) { out[i] = std::move(s); });
  co_return out;
}

template <class T>
task<std::vector<detail::non_void_t<T>>> gather(std::vector<task<T>> ts, std::size_t limit) {
  std::vector<std::optional<detail::non_void_t<T>>> values(ts.size());
  detail::first_error err;
  co_await detail::run_all(ts, limit, true, [&](std::size_t i, settled<T> s) {
    if (!s.ok()) {
      err.offer(s.error());
    } else if constexpr (std::is_void_v<T>) {
      values[i].emplace();
    } else {
      values[i].emplace(std::move(s).value());
    }
  });
  err.rethrow_if_any();
  std::vector<detail::non_void_t<T>> out;
  out.reserve(values.size());
  for (auto& v : values) out.push_back(std::move(*v));
  co_return out;
}

}  // namespace cppvider::runtime
