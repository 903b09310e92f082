// cppvider/runtime/executor.hpp: the threads that resume tasks after they wait.
//
// One executor (asio's io_context run by its event threads) resumes every task whose timer,
// socket or HTTP transfer completes; a separate bounded pool runs blocking code (run_blocking).
// Both start on first use, so a provider that never waits pays nothing at start-up.
//
//   co_await runtime::resume_on_executor();   // continue on an executor thread
//
// Fairness: a standby thread watches the event threads. When none of them has completed a handler
// for a tick (50 ms) while work is ready, they are all held by tasks that compute or block, and
// the standby serves the loop until one is free again; a task that holds its thread stalls the
// others for about a tick, not for as long as it runs.
//
// Sizes: CPPVIDER_THREADS event threads (default: the cores but one, at least 1) and
// CPPVIDER_BLOCKING_THREADS (default 8), read when each is first used.
#pragma once

#include <coroutine>
#include <functional>
#include <memory>

#include "cppvider/runtime/task.hpp"

namespace cppvider::runtime {

class executor {
 public:
  explicit executor(unsigned threads);
  ~executor();  // stops and joins its threads; tasks still waiting are abandoned
  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;

  // Runs f on an executor thread. f must not throw.
  void post(std::function<void()> f);
  // Event threads (the standby thread not counted).
  [[nodiscard]] unsigned thread_count() const noexcept;

  struct impl;
  [[nodiscard]] impl& native() noexcept { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

// The process-wide executor every runtime awaitable uses.
executor& default_executor();

// Suspends and continues on an executor thread. (Not suspend_with: a resumer that fires before
// the suspension completes lets the task go on in place, which is the point of nothing here.)
struct resume_on_executor_awaiter {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    default_executor().post([h] { h.resume(); });
  }
  void await_resume() const noexcept {}
};
inline resume_on_executor_awaiter resume_on_executor() noexcept { return {}; }

}  // namespace cppvider::runtime
