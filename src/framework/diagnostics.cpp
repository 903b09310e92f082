#include "cppvider/framework/diagnostics.hpp"

namespace cppvider::framework {

void diagnostics::add_error(std::string summary, std::string detail) {
  items_.push_back({severity::error, std::move(summary), std::move(detail), std::nullopt});
}
void diagnostics::add_error(framework::path at, std::string summary, std::string detail) {
  items_.push_back({severity::error, std::move(summary), std::move(detail), std::move(at)});
}
void diagnostics::add_warning(std::string summary, std::string detail) {
  items_.push_back({severity::warning, std::move(summary), std::move(detail), std::nullopt});
}
void diagnostics::add_warning(framework::path at, std::string summary, std::string detail) {
  items_.push_back({severity::warning, std::move(summary), std::move(detail), std::move(at)});
}
void diagnostics::append(const diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}
void diagnostics::append(diagnostics&& other) {
  if (items_.empty()) {
    items_ = std::move(other.items_);
    return;
  }
  for (auto& d : other.items_) items_.push_back(std::move(d));
}

bool diagnostics::has_error() const noexcept { return error_count() > 0; }

std::size_t diagnostics::error_count() const noexcept {
  std::size_t n = 0;
  for (const auto& d : items_) n += d.severity == severity::error ? 1 : 0;
  return n;
}

std::string diagnostics::to_string() const {
  std::string out;
  for (const auto& d : items_) {
    out += d.severity == severity::error ? "error: " : "warning: ";
    out += d.summary;
    if (!d.detail.empty()) out += ": " + d.detail;
    if (d.attribute && !d.attribute->empty()) out += " (at " + d.attribute->to_string() + ")";
    out += '\n';
  }
  return out;
}

plugin::attribute_path to_plugin(const cty::path& p) {
  using k = plugin::attribute_path::step::kind;
  plugin::attribute_path out;
  out.steps.reserve(p.size());
  for (const auto& s : p.steps()) {
    switch (s.step_kind()) {
      case cty::path_step::kind::attribute:
        out.steps.push_back({k::attribute_name, s.name(), 0});
        break;
      case cty::path_step::kind::index:
        out.steps.push_back({k::element_key_int, {}, s.index_value()});
        break;
      case cty::path_step::kind::key:
        out.steps.push_back({k::element_key_string, s.name(), 0});
        break;
    }
  }
  return out;
}

plugin::diagnostic to_plugin(const diagnostic& d) {
  plugin::diagnostic out;
  out.sev = d.severity == severity::error ? plugin::severity::error : plugin::severity::warning;
  out.summary = d.summary;
  out.detail = d.detail;
  if (d.attribute && !d.attribute->empty()) out.attribute = to_plugin(*d.attribute);
  return out;
}

void append_to(plugin::diagnostics& out, const diagnostics& in) {
  out.reserve(out.size() + in.size());
  for (const auto& d : in) out.push_back(to_plugin(d));
}

diagnostics from_plugin(const plugin::diagnostics& in) {
  diagnostics out;
  for (const auto& d : in) {
    diagnostic x{d.sev == plugin::severity::warning ? severity::warning : severity::error,
                 d.summary, d.detail, std::nullopt};
    if (d.attribute) {
      path p;
      for (const auto& s : d.attribute->steps) {
        using k = plugin::attribute_path::step::kind;
        if (s.k == k::attribute_name)
          p = p.attribute(s.name);
        else if (s.k == k::element_key_int)
          p = p.index(s.index);
        else
          p = p.key(s.name);
      }
      x.attribute = std::move(p);
    }
    out.add(std::move(x));
  }
  return out;
}

}  // namespace cppvider::framework
