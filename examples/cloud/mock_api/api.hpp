// The mock cloud's resources (networks, volumes, servers), its routes and its in-memory store.
// Nothing here knows about sockets, latency or faults: server.cpp decides those and calls in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "http.hpp"

namespace cloud_mock {

// Order matters: the three kinds come first, five operations each (see route_for()).
enum class route : std::uint8_t {
  networks_list,
  networks_create,
  networks_get,
  networks_update,
  networks_delete,
  volumes_list,
  volumes_create,
  volumes_get,
  volumes_update,
  volumes_delete,
  servers_list,
  servers_create,
  servers_get,
  servers_update,
  servers_delete,
  batch_get,
  regions_get,
  admin_counters,
  admin_config_get,
  admin_config_set,
  admin_reset,
  admin_state,
  admin_shutdown,
  not_found,
  method_not_allowed,
};
inline constexpr std::size_t route_count = static_cast<std::size_t>(route::method_not_allowed) + 1;

// "networks.create", "batch.get", "admin.counters", ...
[[nodiscard]] std::string_view route_name(route r);
// The /v1 API proper: subject to latency, faults and idempotency.
[[nodiscard]] constexpr bool is_api(route r) { return r <= route::regions_get; }
[[nodiscard]] constexpr bool is_admin(route r) {
  return r >= route::admin_counters && r <= route::admin_shutdown;
}

struct route_match {
  route which = route::not_found;
  std::string id;          // {id} or {name} from the path
  std::string_view allow;  // for method_not_allowed
};
[[nodiscard]] route_match match_route(std::string_view method, std::string_view path);

struct reply {
  int status = 200;
  std::string body;     // JSON; empty for 204
  std::string headers;  // extra header lines, each ending in CRLF
  bool replayed = false;
};

// JSON text that never throws on invalid UTF-8 (paths are echoed in errors).
[[nodiscard]] std::string to_json_text(const nlohmann::json& j);
[[nodiscard]] reply json_reply(int status, const nlohmann::json& j);
[[nodiscard]] reply error_reply(int status, std::string_view message);
// Parses a request body, which must be a JSON object; empty is `{}` only if allowed.
[[nodiscard]] bool parse_object(std::string_view body, nlohmann::json& out, std::string& error,
                                bool empty_is_object = false);

class store {
 public:
  store();

  // Handles an is_api() route, including Idempotency-Key replay for POSTs. Thread-safe.
  [[nodiscard]] reply handle(const route_match& m, const http::request& req);
  // {"networks": {"<id>": {...}}, "volumes": {...}, "servers": {...}} without secrets.
  [[nodiscard]] nlohmann::json dump() const;
  // Forgets every object and idempotency key; ids start again at 1.
  void clear();

 private:
  struct kind_state {
    std::map<std::string, nlohmann::json, std::less<>> objects;  // sorted = creation order
    std::uint64_t next_id = 1;
  };
  struct stored_reply {
    std::size_t fingerprint;  // of method, path and body: a reused key must mean the same request
    reply response;
  };

  reply dispatch(const route_match& m, const nlohmann::json& body);
  reply create(std::size_t kind, const nlohmann::json& body);
  reply update(std::size_t kind, const std::string& id, const nlohmann::json& body);
  reply remove(std::size_t kind, const std::string& id);
  reply batch_get(const nlohmann::json& body) const;
  // Checks body fields for `kind`; on create all required ones must be present.
  [[nodiscard]] std::string validate(std::size_t kind, const nlohmann::json& body,
                                     const nlohmann::json* current, int& status) const;
  std::string new_password();

  mutable std::mutex mu_;
  std::array<kind_state, 3> kinds_;
  std::unordered_map<std::string, stored_reply> idempotency_;
  std::mt19937_64 secret_rng_;
};

}  // namespace cloud_mock
