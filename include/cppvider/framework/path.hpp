// cppvider/framework/path.hpp: where an attribute sits inside a configuration, plan or state.
//
//   fw::path::root("rule").index(0).attribute("port")   // .rule[0].port
//
// A thin face over cty::path (the two convert freely) that adds Terraform's spelling of the
// first step, so diagnostics read as in the Go framework: path::root("name").
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "cppvider/cty/path.hpp"

namespace cppvider::framework {

class path : public cty::path {
 public:
  path() = default;
  path(cty::path p) : cty::path(std::move(p)) {}  // NOLINT: a cty path is a path

  static path root(std::string attribute_name) {
    return path{}.attribute(std::move(attribute_name));
  }

  // Extended copies, typed as framework paths so chains stay readable.
  [[nodiscard]] path attribute(std::string name) const {
    return cty::path::attribute(std::move(name));
  }
  [[nodiscard]] path index(std::int64_t i) const { return cty::path::index(i); }
  [[nodiscard]] path key(std::string k) const { return cty::path::key(std::move(k)); }
};

}  // namespace cppvider::framework
