// The cloud example provider: servers on the mock cloud API (examples/cloud/mock_api), built
// with every tool of cppvider's runtime.
//
//   provider "cloud" { endpoint = "http://127.0.0.1:8080"  region = "eu-west" }
//   resource "cloud_server" "web" {
//     name = "web-1"  image = "debian-12"  size = "small"
//     volume_size_gb = 20  network_cidr = "10.0.1.0/24"  tags = { env = "demo" }
//   }
//   data "cloud_region" "here" {}            # zones, images, sizes of the provider's region
//
// What each part shows:
//   create  - the server's network and volume are created concurrently (runtime::gather), then
//             the server; a failure part-way cleans up, or keeps what exists (partial state);
//             every POST carries an Idempotency-Key, so the HTTP client may retry it safely.
//   read    - goes through a batcher: Terraform's concurrent refreshes become one
//             POST /v1/batch/get per window instead of one GET each.
//   plan    - checks image and size against the region's metadata, fetched once per process
//             through a TTL cache (single flight: 200 plans, 1 API call).
//   update  - PATCHes what changed and invalidates the cached copy of the object.
//   state   - lean: only what a user configures or refers to. The admin password the API
//             returns once goes to private state (encrypted with CPPVIDER_PRIVATE_STATE_SECRET).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "cppvider/batch/batcher.hpp"
#include "cppvider/cache/ttl_cache.hpp"
#include "cppvider/framework/provider.hpp"
#include "cppvider/http/client.hpp"
#include "cppvider/http/json.hpp"
#include "cppvider/runtime/task.hpp"

namespace cloud {

namespace fw = cppvider::framework;
namespace rt = cppvider::runtime;
namespace http = cppvider::http;

struct config {
  fw::attr<std::string> endpoint;  // default: $CLOUD_API_ENDPOINT
  fw::attr<std::string> region;    // default: eu-west
  fw::attr<std::string> token;     // sent as a bearer token; sensitive
  fw::attr<std::int64_t> max_connections;
};

// The API client every resource receives: one per configured provider, shared by all calls.
class api {
 public:
  api(std::string endpoint, std::string region, std::string token, std::int64_t max_connections);

  [[nodiscard]] const std::string& region() const noexcept { return region_; }

  // POST /v1/{kind}; the object created. `idempotency_key` makes retries safe.
  rt::task<http::json> create(std::string kind, http::json body, std::string idempotency_key);
  // The object, or null when it does not exist (404, or missing from a batch).
  rt::task<http::json> get(std::string kind, std::string id);
  rt::task<http::json> update(std::string kind, std::string id, http::json changes);
  // Deleting what is already gone succeeds.
  rt::task<void> remove(std::string kind, std::string id);
  rt::task<http::json> region_info(std::string name);

  [[nodiscard]] const http::client& client() const noexcept { return http_; }

 private:
  rt::task<http::json> fetch_region(std::string name);
  rt::task<cppvider::batch::results<std::string, http::json>> batch_get(
      std::vector<std::string> keys);

  std::string region_;
  http::client http_;
  // Region metadata changes rarely: cached for an hour, single flight.
  cppvider::cache::ttl_cache<std::string, http::json> regions_;
  // Objects this process has seen, "kind/id" -> object; writes keep it current.
  cppvider::cache::ttl_cache<std::string, http::json> objects_;
  // Concurrent reads ("kind/id") become one batch call; null for an object that does not exist.
  std::unique_ptr<cppvider::batch::batcher<std::string, http::json>> reads_;
};

struct server {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::string> name;
    fw::attr<std::string> image;
    fw::attr<std::string> size;
    fw::attr<std::int64_t> volume_size_gb;
    fw::attr<std::string> network_cidr;
    fw::attr<std::map<std::string, std::string>> tags;
    fw::attr<std::string> network_id;
    fw::attr<std::string> volume_id;
  };
  static constexpr std::string_view type_name = "server";
  api& cloud;

  static fw::schema_for<state> schema();
  rt::task<void> modify_plan(const fw::modify_plan_request<state>& req,
                             fw::modify_plan_response<state>& resp);
  rt::task<void> create(const fw::create_request<state>& req, fw::create_response<state>& resp);
  rt::task<void> read(const fw::read_request<state>& req, fw::read_response<state>& resp);
  rt::task<void> update(const fw::update_request<state>& req, fw::update_response<state>& resp);
  rt::task<void> destroy(const fw::destroy_request<state>& req, fw::destroy_response& resp);
  rt::task<void> import_state(const fw::import_request& req, fw::import_response<state>& resp);
};

struct region_data {
  struct state {
    fw::attr<std::string> name;  // default: the provider's region
    fw::attr<std::string> display_name;
    fw::attr<std::vector<std::string>> zones;
    fw::attr<std::vector<std::string>> images;
    fw::attr<std::vector<std::string>> sizes;
  };
  static constexpr std::string_view type_name = "region";
  api& cloud;

  static fw::schema_for<state> schema();
  rt::task<void> read(const fw::data_source_read_request<state>& req,
                      fw::data_source_read_response<state>& resp);
};

// Registers everything on `p`; main() and the tests share it.
void define(fw::provider<config, api>& p);

}  // namespace cloud
