// cppvider/runtime/event.hpp: waiting for something another task will do.
//
//   runtime::async_event ready;
//   co_await ready.wait();   // in many tasks; cancelled_error if a waiter is stopped
//   ready.set();             // elsewhere: wakes them all, once and for all
//
//   runtime::async_semaphore slots{4};
//   auto permit = co_await slots.acquire();  // released when `permit` goes out of scope
//
// Waiters resume on the thread that calls set() / releases, after its locks are dropped.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>
#include <vector>

#include "cppvider/runtime/task.hpp"

namespace cppvider::runtime {

namespace detail {
// One suspended waiter; whoever claims it first (the waker or the waiter's stop) resumes it.
struct wait_node {
  std::optional<resumer<void>> r;
  std::atomic<bool> claimed{false};
  bool claim() noexcept { return !claimed.exchange(true, std::memory_order_acq_rel); }
};
struct cancel_node {
  std::shared_ptr<wait_node> node;
  void operator()() const noexcept {
    if (node->claim()) node->r->set_error(std::make_exception_ptr(cancelled_error()));
  }
};

// Suspends the task until its node is claimed. `enqueue(node, arm)` runs under the owner's
// lock: it queues the node and calls arm() (which hooks up the task's stop token) when the task
// must wait, and returns false when the task may go on at once.
template <class Enqueue>
task<void> wait_for_turn(Enqueue enqueue) {
  const std::stop_token st = co_await current_stop_token();
  auto node = std::make_shared<wait_node>();
  std::optional<std::stop_callback<cancel_node>> on_stop;
  co_await suspend_with<void>([&](resumer<void> r, const std::stop_token&) {
    node->r.emplace(r);
    if (enqueue(node, [&] { on_stop.emplace(st, cancel_node{node}); })) return;
    if (node->claim()) r.set_value();
  });
}

}  // namespace detail

class async_event {
 public:
  void set() {
    std::vector<std::shared_ptr<detail::wait_node>> wake;
    {
      std::lock_guard lock(mu_);
      if (set_) return;
      set_ = true;
      wake.swap(waiters_);
    }
    for (auto& n : wake) {
      if (n->claim()) n->r->set_value();
    }
  }
  [[nodiscard]] bool is_set() const {
    std::lock_guard lock(mu_);
    return set_;
  }
  task<void> wait() {
    return detail::wait_for_turn([this](const std::shared_ptr<detail::wait_node>& node, auto arm) {
      std::lock_guard lock(mu_);
      if (set_) return false;
      // Drop waiters that were cancelled, so a long-lived event does not grow.
      std::erase_if(waiters_, [](const auto& w) { return w->claimed.load(); });
      waiters_.push_back(node);
      arm();
      return true;
    });
  }

 private:
  mutable std::mutex mu_;
  bool set_ = false;
  std::vector<std::shared_ptr<detail::wait_node>> waiters_;
};

// Limits how many tasks do something at once; permits are handed out in request order.
class async_semaphore {
 public:
  explicit async_semaphore(std::size_t permits) : available_(permits) {}

  class permit {
   public:
    permit() = default;
    explicit permit(async_semaphore* s) noexcept : s_(s) {}
    permit(permit&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    permit& operator=(permit&& o) noexcept {
      if (this != &o) {
        release();
        s_ = std::exchange(o.s_, nullptr);
      }
      return *this;
    }
    ~permit() { release(); }
    void release() noexcept {
      if (s_) std::exchange(s_, nullptr)->release();
    }

   private:
    async_semaphore* s_ = nullptr;
  };

  task<permit> acquire() {
    co_await detail::wait_for_turn(
        [this](const std::shared_ptr<detail::wait_node>& node, auto arm) {
          std::lock_guard lock(mu_);
          if (available_ > 0 && queue_.empty()) {
            --available_;
            return false;
          }
          queue_.push_back(node);
          arm();
          return true;
        });
    co_return permit{this};
  }
  [[nodiscard]] std::size_t available() const {
    std::lock_guard lock(mu_);
    return available_;
  }

 private:
  void release() noexcept {
    std::shared_ptr<detail::wait_node> next;
    {
      std::lock_guard lock(mu_);
      while (!queue_.empty()) {
        auto n = std::move(queue_.front());
        queue_.pop_front();
        if (n->claim()) {
          next = std::move(n);
          break;
        }
      }
      if (!next) ++available_;
    }
    if (next) next->r->set_value();  // the permit passes straight to the next waiter
  }
  mutable std::mutex mu_;
  std::size_t available_;
  std::deque<std::shared_ptr<detail::wait_node>> queue_;
};

}  // namespace cppvider::runtime
