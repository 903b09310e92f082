#pragma once
// cty::path: where a value sits inside another one.
//
// A path is a list of steps from the root value: an attribute of an object, an index into a
// list, tuple or set, or a key of a map. Every codec and conversion error carries one, so a
// diagnostic can point at `.rules[0].port` instead of "somewhere in the plan".
//
//   auto p = cty::path{}.attribute("tags").key("env");   // .tags["env"]

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cppvider::cty {

class path_step {
 public:
  enum class kind : std::uint8_t { attribute, index, key };

  static path_step attribute(std::string name) { return {kind::attribute, 0, std::move(name)}; }
  static path_step index(std::int64_t i) { return {kind::index, i, {}}; }
  static path_step key(std::string k) { return {kind::key, 0, std::move(k)}; }

  [[nodiscard]] kind step_kind() const noexcept { return kind_; }
  // The attribute name (kind::attribute) or map key (kind::key).
  [[nodiscard]] const std::string& name() const noexcept { return text_; }
  [[nodiscard]] std::int64_t index_value() const noexcept { return index_; }

  friend bool operator==(const path_step&, const path_step&) = default;

 private:
  path_step(kind k, std::int64_t i, std::string t) : kind_(k), index_(i), text_(std::move(t)) {}
  kind kind_;
  std::int64_t index_;
  std::string text_;
};

class path {
 public:
  path() = default;

  // Copies extended by one step; the receiver is unchanged.
  [[nodiscard]] path attribute(std::string name) const;
  [[nodiscard]] path index(std::int64_t i) const;
  [[nodiscard]] path key(std::string k) const;

  // In-place forms, for code that walks a tree and pops as it returns.
  path& push(path_step s) {
    steps_.push_back(std::move(s));
    return *this;
  }
  void pop() { steps_.pop_back(); }
  path& prepend(path_step s);

  [[nodiscard]] std::span<const path_step> steps() const noexcept { return steps_; }
  [[nodiscard]] bool empty() const noexcept { return steps_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return steps_.size(); }

  // `.tags["env"]`, `.rules[0].port`; the root path is the empty string.
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const path&, const path&) = default;

 private:
  std::vector<path_step> steps_;
};

}  // namespace cppvider::cty
