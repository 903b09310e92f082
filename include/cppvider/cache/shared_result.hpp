// cppvider/cache/shared_result.hpp: one outcome that many tasks wait for, each able to leave.
//
// The building block of the cache's single flight and of the batcher: a producer (a fetch, a
// batch call) completes it once with a value or an error; every task that joined gets its own
// copy. A waiter whose stop token fires leaves at once with cancelled_error, and when the last
// waiter leaves before the outcome is known the result is "abandoned": an `on_abandon` hook
// runs (the owner stops the producer) and later joins are refused, so a newcomer starts afresh
// instead of waiting for a producer that is being stopped.
//
// Internal to cppvider (cache and batch); not a stable interface.
#pragma once

#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>
#include <variant>

#include "cppvider/runtime/task.hpp"

namespace cppvider::cache::detail {

template <class T>
class shared_result {
 public:
  shared_result() = default;
  shared_result(const shared_result&) = delete;
  shared_result& operator=(const shared_result&) = delete;

  // Counts one more waiter in; it must then call wait(). False when the result has been
  // abandoned: the caller has to start a new producer.
  bool try_join() {
    std::lock_guard lock(mu_);
    if (abandoned_) return false;
    ++joined_;
    return true;
  }

  // Completes the result and wakes every waiter (on this thread, after the lock is dropped).
  // Returns false if it was already complete.
  bool set_value(T v) { return complete(outcome{std::in_place_index<1>, std::move(v)}); }
  bool set_error(std::exception_ptr e) {
    return complete(outcome{std::in_place_index<2>, std::move(e)});
  }

  // Waits for the outcome after a successful try_join(). `on_abandon()` runs (before this
  // waiter resumes, without locks held) if this waiter is the last one to leave before
  // completion; it must not throw.
  template <class OnAbandon>
  runtime::task<T> wait(OnAbandon on_abandon) {
    // Both live in this frame: the node is linked into our list until completion or leaving,
    // and the stop callback is unregistered by the frame before it goes away.
    node self;
    std::optional<std::stop_callback<leave_fn<OnAbandon>>> on_stop;
    co_return co_await runtime::suspend_with<T>(
        [&](runtime::resumer<T> r, const std::stop_token& st) {
          start_waiting(self, r, st, on_stop, on_abandon);
        });
  }

 private:
  using outcome = std::variant<std::monostate, T, std::exception_ptr>;

  struct node {
    node* prev = nullptr;
    node* next = nullptr;
    bool linked = false;
    std::optional<runtime::resumer<T>> r;
  };

  template <class OnAbandon>
  struct leave_fn {
    shared_result* self;
    node* n;
    OnAbandon* on_abandon;
    void operator()() const noexcept { self->leave(*n, *on_abandon); }
  };

  template <class OnAbandon>
  void start_waiting(node& n, runtime::resumer<T> r, const std::stop_token& st,
                     std::optional<std::stop_callback<leave_fn<OnAbandon>>>& on_stop,
                     OnAbandon& on_abandon) {
    std::unique_lock lock(mu_);
    if (done_) {
      lock.unlock();
      deliver(r);
      return;
    }
    if (st.stop_requested()) {
      const bool abandon = drop_one();
      lock.unlock();
      if (abandon) on_abandon();
      r.set_error(std::make_exception_ptr(runtime::cancelled_error()));
      return;
    }
    n.r.emplace(r);
    link(n);
    lock.unlock();
    // Armed outside the lock: a stop that fires meanwhile (or right here, inline) goes through
    // leave(), which takes the lock itself. Completion cannot resume us before start returns
    // (suspend_with's handshake), so `on_stop` is in place before the frame can go away.
    if (st.stop_possible()) on_stop.emplace(st, leave_fn<OnAbandon>{this, &n, &on_abandon});
  }

  template <class OnAbandon>
  void leave(node& n, OnAbandon& on_abandon) noexcept {
    std::unique_lock lock(mu_);
    // Completion already owns the node (it detached the list): it will resume us.
    if (done_ || !n.linked) return;
    unlink(n);
    const bool abandon = drop_one();
    runtime::resumer<T> r = *n.r;
    lock.unlock();
    if (abandon) on_abandon();
    // Resumes the waiter, which may destroy `n` and `on_abandon`: nothing after this.
    r.set_error(std::make_exception_ptr(runtime::cancelled_error()));
  }

  // Under the lock: one waiter gone; true when it was the last one and nothing is known yet.
  bool drop_one() noexcept {
    if (--joined_ != 0) return false;
    abandoned_ = true;
    return true;
  }

  bool complete(outcome o) {
    node* head = nullptr;
    {
      std::lock_guard lock(mu_);
      if (done_) return false;
      out_ = std::move(o);
      done_ = true;
      head = std::exchange(head_, nullptr);
    }
    // The list is frozen now: leave() sees done_ and keeps its hands off.
    while (head != nullptr) {
      node* next = head->next;
      runtime::resumer<T> r = *head->r;
      deliver(r);  // may destroy *head
      head = next;
    }
    return true;
  }

  // Hands the outcome to one waiter; each gets its own copy of the value.
  void deliver(runtime::resumer<T> r) const noexcept {
    if (out_.index() == 2) {
      r.set_error(std::get<2>(out_));
      return;
    }
    std::optional<T> copy;
    try {
      copy.emplace(std::get<1>(out_));
    } catch (...) {
      r.set_error(std::current_exception());
      return;
    }
    r.set_value(std::move(*copy));
  }

  void link(node& n) noexcept {
    n.prev = nullptr;
    n.next = head_;
    if (head_ != nullptr) head_->prev = &n;
    head_ = &n;
    n.linked = true;
  }
  void unlink(node& n) noexcept {
    if (n.prev != nullptr) {
      n.prev->next = n.next;
    } else {
      head_ = n.next;
    }
    if (n.next != nullptr) n.next->prev = n.prev;
    n.linked = false;
  }

  std::mutex mu_;
  std::size_t joined_ = 0;  // joined and neither served nor left
  bool abandoned_ = false;
  bool done_ = false;
  node* head_ = nullptr;  // suspended waiters
  outcome out_;
};

}  // namespace cppvider::cache::detail
