// cppvider/framework/state_upgrade.hpp: moving stored state forward, across versions and types.
//
// Upgrading: when a resource's schema changes incompatibly, bump its version
// (`schema_for<state>().version(1)`) and give one upgrader per older version, each going
// straight to the current schema:
//
//   struct file {
//     struct state { ... };                              // version 1: "permissions" as text
//     struct state_v0 { fw::attr<std::int64_t> mode; ... };
//     static fw::schema_for<state_v0> schema_v0();         // the schema version 0 had
//     static std::vector<fw::state_upgrader<state>> state_upgraders() {
//       return {fw::upgrade_from<state>(0, schema_v0(),
//                                       [](const state_v0& old, state& next, fw::diagnostics&) {
//                                         next.permissions = to_octal(old.mode.value());
//                                       })};
//     }
//   };
//
// Terraform calls UpgradeResourceState for every resource in every plan; state already at the
// current version is decoded directly (no upgrader runs). State from an older version is decoded
// with that version's schema and handed to its upgrader. A resource with no upgraders at all
// reads older state leniently with the current schema (attributes no longer in it are dropped,
// new ones are null), which suits purely additive changes; once it declares upgraders, a version
// without one is an error rather than a silent guess.
//
// Moving (Terraform 1.8+ `moved { from = other_type.x  to = this_type.x }`): movers say which
// sources they accept and build this resource's state from the source's raw state:
//
//   static std::vector<fw::state_mover<state>> state_movers() {
//     return {fw::move_from<state>(legacy_file::schema(),
//         [](const fw::move_state_request& req, const legacy_file::state& src, state& next,
//            fw::diagnostics&) {
//           if (req.source_type_name != "localfs_legacy_file") return false;  // not ours
//           next.path = src.filename; ...
//           return true;
//         })};
//   }
//
// Movers are tried in order; the first that returns true answers. None: an error naming the
// source. Private state does not move (it belongs to the source's provider).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "cppvider/cty/type.hpp"
#include "cppvider/cty/value.hpp"
#include "cppvider/framework/diagnostics.hpp"
#include "cppvider/framework/schema.hpp"

namespace cppvider::framework {

// Upgrades state written at `from_version` to the current schema. S is the resource's state
// struct (typed resources) or cty::value (untyped; `next` then starts as a null object of the
// current type and must become a value of that type).
template <class S>
struct state_upgrader {
  std::int64_t from_version = 0;
  cty::type prior_type;  // the object type of that version's schema
  std::function<void(const cty::value& prior, S& next, diagnostics&)> upgrade;
};

struct move_state_request {
  std::string source_provider_address;  // e.g. "registry.terraform.io/example/old"
  std::string source_type_name;         // e.g. "old_file"
  std::int64_t source_schema_version = 0;
  std::string source_json;  // the raw state, as stored
};

template <class S>
struct state_mover {
  // When set, source_json is decoded (leniently) with this type for `move`; otherwise `move`
  // gets a null value and reads source_json itself.
  std::optional<cty::type> source_type;
  // Returns false when this mover does not handle the source; the next one is tried.
  std::function<bool(const move_state_request&, const cty::value& source, S& next, diagnostics&)>
      move;
};

// A typed upgrader: the prior state is decoded into Old with `prior`'s schema.
//   fw::upgrade_from<state>(0, schema_v0(), [](const state_v0& old, state& next, fw::diagnostics&
//   d) {...})
template <class S, class Old, class F>
state_upgrader<S> upgrade_from(std::int64_t from_version, const schema_for<Old>& prior, F f) {
  static_assert(std::is_invocable_v<F&, const Old&, S&, diagnostics&>,
                "an upgrader takes (const Old&, S& next, fw::diagnostics&)");
  auto codec = prior.make_codec();
  return {from_version, prior.builder().object_type(),
          [codec, f = std::move(f)](const cty::value& v, S& next, diagnostics& d) mutable {
            const Old old = codec->decode(v, {}, d);
            if (d.has_error()) return;
            f(old, next, d);
          }};
}

// A typed mover: the source is decoded into Old with `source`'s schema.
template <class S, class Old, class F>
state_mover<S> move_from(const schema_for<Old>& source, F f) {
  static_assert(
      std::is_invocable_r_v<bool, F&, const move_state_request&, const Old&, S&, diagnostics&>,
      "a mover takes (const fw::move_state_request&, const Old&, S& next, fw::diagnostics&) and "
      "returns whether it handled the source");
  auto codec = source.make_codec();
  return {source.builder().object_type(),
          [codec, f = std::move(f)](const move_state_request& req, const cty::value& v, S& next,
                                    diagnostics& d) mutable {
            // A source this schema cannot read is not this mover's: let the next one try.
            diagnostics decoding;
            const Old old = codec->decode(v, {}, decoding);
            if (decoding.has_error()) return false;
            return static_cast<bool>(f(req, old, next, d));
          }};
}

}  // namespace cppvider::framework
