// cppvider/runtime/task.hpp: coroutines for provider code.
//
//   runtime::task<server> create_server(api& a, spec s) {
//     auto [net, vol] = co_await runtime::gather(a.create_network(s), a.create_volume(s));
//     co_return co_await a.create_server(s, net.id, vol.id);
//   }
//
// A `task<T>` is lazy: nothing runs until it is awaited, spawned or passed to sync_wait. Then it
// runs on the calling thread until its first real suspension (an HTTP call, a timer), and resumes
// on the thread that completes that wait (an executor thread). A hook that never suspends thus
// costs no thread hop, which keeps plan latency in microseconds.
//
// Cancellation is cooperative and flows down: every task carries the std::stop_token of whoever
// awaited it (for a hook, the RPC's token, which StopProvider and client cancellation trigger).
// Runtime awaitables (sleep, HTTP, run_blocking, gather) watch it and throw cancelled_error.
#pragma once

#include <atomic>
#include <cassert>
#include <condition_variable>
#include <coroutine>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "cppvider/runtime/block_cache.hpp"

namespace cppvider::runtime {

// Thrown by awaitables when the task's stop token was triggered.
class cancelled_error : public std::runtime_error {
 public:
  cancelled_error() : std::runtime_error("operation cancelled") {}
  using std::runtime_error::runtime_error;
};

template <class T = void>
class task;

namespace detail {

struct promise_base {
  std::coroutine_handle<> continuation;
  std::stop_token stop;
  std::exception_ptr error;
  // Exchanged by the parent once it has started the child and by the child when it finishes;
  // the second one resumes the parent. A child that finishes without suspending thus returns
  // to its parent instead of calling it, so loops over such children do not grow the stack
  // even in builds without guaranteed tail calls (sanitizers, -O0).
  std::atomic<bool> handoff{false};

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
      auto& p = h.promise();
      // The parent has already suspended: resume it. Otherwise it is still inside
      // await_suspend (we finished synchronously) and continues when we return.
      if (p.handoff.exchange(true, std::memory_order_acq_rel) && p.continuation) {
        return p.continuation;
      }
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  // Frames come from the thread's block cache: requests end and start in batches, which
  // glibc's own per-thread cache (7 blocks a size) does not absorb (block_cache.hpp).
  static void* operator new(std::size_t n) { return cached_allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { cached_deallocate(p, n); }
};

template <class T>
struct task_promise : promise_base {
  std::optional<T> value;
  task<T> get_return_object() noexcept;
  template <class U = T>
  requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct task_promise<void> : promise_base {
  task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const {
    if (error) std::rethrow_exception(error);
  }
};

template <class P>
concept runtime_promise = std::is_base_of_v<promise_base, P>;

// The stop token of the coroutine owning `h`, or none when it is not a runtime task.
template <class P>
std::stop_token stop_token_of(std::coroutine_handle<P> h) noexcept {
  if constexpr (runtime_promise<P>) {
    return h.promise().stop;
  } else {
    return {};
  }
}

template <class T>
struct task_awaiter {
  std::coroutine_handle<task_promise<T>> child;
  bool await_ready() const noexcept { return !child || child.done(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> parent) noexcept {
    auto& p = child.promise();
    p.continuation = parent;
    if constexpr (runtime_promise<P>) p.stop = parent.promise().stop;
    child.resume();
    // false: the child already finished, so do not suspend at all.
    return !p.handoff.exchange(true, std::memory_order_acq_rel);
  }
  T await_resume() {
    if (!child) throw std::logic_error("awaited an empty cppvider::runtime::task");
    return child.promise().take();
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::task_promise<T>;
  using value_type = T;

  task() noexcept = default;
  explicit task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  task& operator=(task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  ~task() { reset(); }

  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(h_); }

  auto operator co_await() && noexcept { return detail::task_awaiter<T>{h_}; }

  // For the runtime's drivers: the stop token this task will see when started directly.
  void set_stop_token(std::stop_token st) noexcept {
    if (h_) h_.promise().stop = std::move(st);
  }

 private:
  void reset() noexcept {
    if (h_) h_.destroy();
    h_ = {};
  }
  std::coroutine_handle<promise_type> h_;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>{std::coroutine_handle<task_promise<T>>::from_promise(*this)};
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>{std::coroutine_handle<task_promise<void>>::from_promise(*this)};
}
}  // namespace detail

// ---- The outcome of a task: its value or its exception -----------------------------------

template <class T>
class settled {
 public:
  settled() = default;
  static settled of_value(T v) {
    settled s;
    s.v_.template emplace<1>(std::move(v));
    return s;
  }
  static settled of_error(std::exception_ptr e) {
    settled s;
    s.v_.template emplace<2>(std::move(e));
    return s;
  }
  [[nodiscard]] bool ok() const noexcept { return v_.index() == 1; }
  // The value; rethrows the task's exception.
  T& value() & {
    if (v_.index() == 2) std::rethrow_exception(std::get<2>(v_));
    if (v_.index() != 1) throw std::logic_error("settled: no value");
    return std::get<1>(v_);
  }
  T&& value() && { return std::move(value()); }
  [[nodiscard]] std::exception_ptr error() const noexcept {
    return v_.index() == 2 ? std::get<2>(v_) : nullptr;
  }
  // what() of the exception, or "" when it succeeded.
  [[nodiscard]] std::string error_message() const;

 private:
  std::variant<std::monostate, T, std::exception_ptr> v_;
};

template <>
class settled<void> {
 public:
  static settled of_value() { return settled{}; }
  static settled of_error(std::exception_ptr e) {
    settled s;
    s.e_ = std::move(e);
    return s;
  }
  [[nodiscard]] bool ok() const noexcept { return !e_; }
  void value() const {
    if (e_) std::rethrow_exception(e_);
  }
  [[nodiscard]] std::exception_ptr error() const noexcept { return e_; }
  [[nodiscard]] std::string error_message() const;

 private:
  std::exception_ptr e_;
};

namespace detail {
std::string describe(const std::exception_ptr& e);
}  // namespace detail

template <class T>
std::string settled<T>::error_message() const {
  return detail::describe(error());
}
inline std::string settled<void>::error_message() const { return detail::describe(e_); }

// Awaits t and captures its outcome instead of throwing.
template <class T>
task<settled<T>> settle(task<T> t) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(t);
      co_return settled<void>::of_value();
    } else {
      co_return settled<T>::of_value(co_await std::move(t));
    }
  } catch (...) {
    co_return settled<T>::of_error(std::current_exception());
  }
}

// ---- Reading the current task's stop token -----------------------------------------------

struct current_stop_token_awaiter {
  std::stop_token token;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    token = detail::stop_token_of(h);
    return false;  // never actually suspends
  }
  std::stop_token await_resume() noexcept { return std::move(token); }
};

// `auto st = co_await runtime::current_stop_token();`
inline current_stop_token_awaiter current_stop_token() noexcept { return {}; }

// Throws cancelled_error when the current task has been asked to stop.
inline task<void> throw_if_cancelled() {
  // Named, not `(co_await ...).stop_requested()`: GCC 12 miscompiles a co_await on a
  // temporary inside a condition (the coroutine never finishes).
  const std::stop_token st = co_await current_stop_token();
  if (st.stop_requested()) throw cancelled_error();
}

// ---- Starting tasks from plain code ------------------------------------------------------

namespace detail {

// A self-destroying coroutine that runs one task to completion and reports its outcome.
struct detached {
  struct promise_type {
    detached get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }
  };
};

// `settled_task` already carries its stop token: `detached` is not a runtime promise, so
// awaiting does not overwrite it.
template <class T, class F>
detached drive(task<settled<T>> settled_task, F on_done) {
  // on_done must not throw: the outcome (value or exception) is handed to it.
  auto outcome = co_await std::move(settled_task);
  // Destroy the task's frames before anyone hears of the outcome: whoever is told may free
  // what those frames still refer to (and it keeps exception_ptr counts on one side).
  settled_task = {};
  on_done(std::move(outcome));
}

}  // namespace detail

// Starts t now on this thread with stop token `st`; on_done(settled<T>) runs once when t
// finishes, on whichever thread finished it. on_done must not throw.
template <class T, class F>
void spawn(task<T> t, std::stop_token st, F on_done) {
  auto s = settle(std::move(t));
  s.set_stop_token(std::move(st));
  detail::drive<T>(std::move(s), std::move(on_done));
}

// Runs t and blocks this thread until it finishes; for main(), tests and tools, never inside a
// task (it would block an executor thread).
template <class T>
T sync_wait(task<T> t, std::stop_token st = {}) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<settled<T>> out;
  spawn(std::move(t), std::move(st), [&](settled<T> s) noexcept {
    std::lock_guard lock(mu);
    out.emplace(std::move(s));
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return out.has_value(); });
  if constexpr (std::is_void_v<T>) {
    out->value();
  } else {
    return std::move(*out).value();
  }
}

// ---- Writing awaitables over callback APIs -----------------------------------------------

// The resumption handle given to an operation started by `suspend_with`: call exactly one of
// set_value / set_error, exactly once, from any thread.
template <class T>
class resumer;

namespace detail {

template <class T>
struct suspend_state {
  std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> value;
  std::exception_ptr error;
  std::coroutine_handle<> handle;
  // 0: starting, 1: suspended, 2: completed while starting.
  std::atomic<int> phase{0};

  void complete() noexcept {
    int expected = 0;
    if (phase.compare_exchange_strong(expected, 2, std::memory_order_acq_rel)) return;
    handle.resume();  // phase was 1: the coroutine is suspended and waits for us
  }
};

}  // namespace detail

template <class T>
class resumer {
 public:
  explicit resumer(detail::suspend_state<T>* s) noexcept : s_(s) {}
  template <class U = T>
  requires(!std::is_void_v<U>) void set_value(U v) noexcept {
    s_->value.emplace(std::move(v));
    s_->complete();
  }
  void set_value() noexcept requires std::is_void_v<T> {
    s_->value.emplace();
    s_->complete();
  }
  void set_error(std::exception_ptr e) noexcept {
    s_->error = std::move(e);
    s_->complete();
  }

 private:
  detail::suspend_state<T>* s_;
};

// `co_await suspend_with<T>([](resumer<T> r, std::stop_token st) { start_op(..., r); })`
// suspends the task, starts the operation, and resumes with its value (or throws its error)
// when the operation calls the resumer, possibly before start returned.
namespace detail {
template <class T, class Start>
struct suspend_awaiter {
  Start start;
  suspend_state<T> state;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    state.handle = h;
    start(resumer<T>{&state}, stop_token_of(h));
    int expected = 0;
    // Still starting: suspend and let the resumer resume us. Completed already: go on.
    return state.phase.compare_exchange_strong(expected, 1, std::memory_order_acq_rel);
  }
  T await_resume() {
    if (state.error) std::rethrow_exception(state.error);
    if constexpr (!std::is_void_v<T>) return std::move(*state.value);
  }
};
}  // namespace detail

template <class T, class Start>
detail::suspend_awaiter<T, Start> suspend_with(Start start) {
  return {std::move(start), {}};
}

}  // namespace cppvider::runtime
