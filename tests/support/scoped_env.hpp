// Sets or unsets an environment variable for one scope and puts the old value back. Tests run
// one at a time; no other thread reads the environment while one is made or undone.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace cppvider::test_support {

class scoped_env {
 public:
  scoped_env(std::string_view name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;  // NOLINT(concurrency-mt-unsafe)
    apply(value);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() { apply(old_); }

 private:
  void apply(const std::optional<std::string>& v) {
    if (v) {
      ::setenv(name_.c_str(), v->c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    } else {
      ::unsetenv(name_.c_str());  // NOLINT(concurrency-mt-unsafe)
    }
  }
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace cppvider::test_support
