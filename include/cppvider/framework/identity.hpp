// cppvider/framework/identity.hpp: resource identity (Terraform 1.12+).
//
//   struct bucket {
//     struct state { fw::attr<std::string> name; fw::attr<std::string> region; ... };
//     static fw::identity_schema identity() { return {.required = {"name"}, .optional =
//     {"region"}}; }
//     ...
//   };
//
// An identity is the small set of attributes that names a remote object for good (a bucket's
// name and region, an instance id). Terraform stores it beside the state, checks that it never
// changes while the object lives, and can import by it (`import { to = ..., identity = {...} }`)
// and list objects by it. Here an identity is declared as state attributes: the framework
// derives it from the state after create, read, update and import, keeps it through plans, and
// on import by identity starts the state from it (read then fills in the rest, as with an id).
// Identity attributes must be primitive (string, number, bool) or lists of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cppvider::framework {

struct identity_schema {
  std::int64_t version = 0;
  std::vector<std::string> required;  // state attributes an import by identity must give
  std::vector<std::string> optional;  // identifying too, but an import may leave them out
  // Descriptions per attribute come from the state schema's descriptions.
};

}  // namespace cppvider::framework
