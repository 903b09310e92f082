#include <cppvider/cty/error.hpp>
#include <cppvider/cty/path.hpp>

namespace cppvider::cty {

path path::attribute(std::string name) const {
  path p = *this;
  p.steps_.push_back(path_step::attribute(std::move(name)));
  return p;
}

path path::index(std::int64_t i) const {
  path p = *this;
  p.steps_.push_back(path_step::index(i));
  return p;
}

path path::key(std::string k) const {
  path p = *this;
  p.steps_.push_back(path_step::key(std::move(k)));
  return p;
}

path& path::prepend(path_step s) {
  steps_.insert(steps_.begin(), std::move(s));
  return *this;
}

std::string path::to_string() const {
  std::string out;
  for (const auto& s : steps_) {
    switch (s.step_kind()) {
      case path_step::kind::attribute:
        out += '.';
        out += s.name();
        break;
      case path_step::kind::index:
        out += '[';
        out += std::to_string(s.index_value());
        out += ']';
        break;
      case path_step::kind::key:
        out += "[\"";
        for (char c : s.name()) {
          if (c == '"' || c == '\\') out += '\\';
          out += c;
        }
        out += "\"]";
        break;
    }
  }
  return out;
}

std::string error::to_string() const {
  if (path.empty()) return message;
  return path.to_string() + ": " + message;
}

}  // namespace cppvider::cty
