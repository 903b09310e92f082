// The outcome of a task started with runtime::spawn, for tests that watch it from the test
// thread: the completion callback (`sink()`) may run on any executor thread.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "cppvider/runtime/task.hpp"

namespace cppvider::test_support {

template <class T>
struct spawn_outcome {
  std::mutex mu;
  std::optional<runtime::settled<T>> result;

  auto sink() {
    return [this](runtime::settled<T> s) noexcept {
      const std::lock_guard lock(mu);
      result.emplace(std::move(s));
    };
  }
  bool done() {
    const std::lock_guard lock(mu);
    return result.has_value();
  }
  // The value; throws what the task threw (std::bad_optional_access if it has not finished).
  T value() {
    const std::lock_guard lock(mu);
    return result.value().value();
  }
  std::string error() {
    const std::lock_guard lock(mu);
    return result.value().error_message();
  }
  // Finished by cancellation (runtime::cancelled_error).
  bool cancelled() {
    const std::lock_guard lock(mu);
    try {
      (void)result.value().value();
    } catch (const runtime::cancelled_error&) {
      return true;
    } catch (...) {
    }
    return false;
  }
};

}  // namespace cppvider::test_support
