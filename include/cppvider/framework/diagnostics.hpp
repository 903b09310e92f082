// cppvider/framework/diagnostics.hpp: errors and warnings for the practitioner.
//
//   resp.diagnostics.add_error(fw::path::root("name"), "Could not create bucket", r.describe());
//   if (resp.diagnostics.has_error()) return;
//
// Everything a practitioner sees is a diagnostic: a severity, a one-line summary, a detail and,
// when it concerns one attribute, the path of that attribute (Terraform then underlines it in the
// configuration). Any error fails the operation; warnings are shown and the operation goes on.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cppvider/framework/path.hpp"
#include "cppvider/plugin/protocol.hpp"

namespace cppvider::framework {

enum class severity : std::uint8_t { error, warning };

struct diagnostic {
  framework::severity severity = framework::severity::error;
  std::string summary;
  std::string detail;
  std::optional<framework::path> attribute;  // none: about the whole resource or provider

  friend bool operator==(const diagnostic&, const diagnostic&) = default;
};

class diagnostics {
 public:
  void add_error(std::string summary, std::string detail = {});
  void add_error(framework::path at, std::string summary, std::string detail = {});
  void add_warning(std::string summary, std::string detail = {});
  void add_warning(framework::path at, std::string summary, std::string detail = {});
  void add(diagnostic d) { items_.push_back(std::move(d)); }
  void append(const diagnostics& other);
  void append(diagnostics&& other);

  [[nodiscard]] bool has_error() const noexcept;
  [[nodiscard]] std::size_t error_count() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] const diagnostic& operator[](std::size_t i) const { return items_[i]; }
  [[nodiscard]] auto begin() const noexcept { return items_.begin(); }
  [[nodiscard]] auto end() const noexcept { return items_.end(); }

  // "error: summary: detail (at .path)" lines, for logs and test failure messages.
  [[nodiscard]] std::string to_string() const;

 private:
  std::vector<diagnostic> items_;
};

// The wire forms. Paths map attribute -> attribute_name, index -> element_key_int and
// key -> element_key_string.
[[nodiscard]] plugin::attribute_path to_plugin(const cty::path& p);
[[nodiscard]] plugin::diagnostic to_plugin(const diagnostic& d);
void append_to(plugin::diagnostics& out, const diagnostics& in);
[[nodiscard]] diagnostics from_plugin(const plugin::diagnostics& in);

}  // namespace cppvider::framework
