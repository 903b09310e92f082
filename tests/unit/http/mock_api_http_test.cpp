// http::client against the mock cloud API (examples/cloud/mock_api): CRUD with JSON, the pool
// seen from the server's connection counters, and its injected faults.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "cppvider/http/client.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"
#include "server.hpp"

namespace rt = cppvider::runtime;
namespace http = cppvider::http;
using namespace std::chrono_literals;

namespace {

// prefix + n, built without `"literal" + std::string`, which trips GCC 12's -Wrestrict.
std::string numbered(std::string prefix, int n) {
  prefix += std::to_string(n);
  return prefix;
}

class MockApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    options_.base_url = "http://" + server_.address();
    options_.retry.base_delay = 5ms;
    options_.retry.max_delay = 50ms;
  }
  void TearDown() override { server_.stop(); }

  void configure(const http::client& c, const http::json& config) {
    rt::sync_wait(c.post("/_admin/config", config)).raise_for_status();
  }
  http::json counters(const http::client& c) {
    return rt::sync_wait(c.get("/_admin/counters")).raise_for_status().json();
  }

  cloud_mock::server server_{{.port = 0}};
  http::client_options options_;
};

TEST_F(MockApi, CrudRoundTripWithJson) {
  const http::client c(options_);
  const auto created = rt::sync_wait(
      c.post("/v1/networks", http::json::object({{"name", "core"}, {"cidr", "10.0.0.0/16"}})));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"].as_string();
  EXPECT_EQ(created.json()["cidr"].as_string(), "10.0.0.0/16");

  const auto read = rt::sync_wait(c.get("/v1/networks/" + id));
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["name"].as_string(), "core");

  const auto patched =
      rt::sync_wait(c.patch("/v1/networks/" + id, http::json::object({{"name", "edge"}})));
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["name"].as_string(), "edge");

  EXPECT_EQ(rt::sync_wait(c.del("/v1/networks/" + id)).status, 204);
  const auto gone = rt::sync_wait(c.get("/v1/networks/" + id));
  EXPECT_EQ(gone.status, 404);
  EXPECT_THROW(gone.raise_for_status(), http::status_error);

  const auto bad = rt::sync_wait(c.post("/v1/networks", http::json::object({{"name", 5}})));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.attempts, 1);
}

TEST_F(MockApi, ConcurrentRequestsStayWithinThePool) {
  options_.limits = {.max_connections = 8, .max_keepalive_connections = 8};
  const http::client c(options_);
  configure(c, http::json::object({{"latency_ms", 3}}));
  std::vector<rt::task<http::response>> reqs;
  for (int i = 0; i < 200; ++i) reqs.push_back(c.get("/v1/regions/eu-west"));
  const auto responses = rt::sync_wait(rt::gather(std::move(reqs)));
  for (const auto& r : responses) EXPECT_EQ(r.status, 200);
  const auto n = counters(c);  // through the same pool: no extra connection
  EXPECT_LE(n["connections"]["peak"].as_int(), 8);
  EXPECT_LE(n["connections"]["accepted"].as_int(), 8);
  EXPECT_GE(n["peak_in_flight"].as_int(), 2);  // they did overlap
}

TEST_F(MockApi, UnkeyedPostsAreNeverRepeatedAfterA5xx) {
  // 5xx after the server applied the request: a blind retry would create duplicates.
  options_.retry.retry_statuses = {500, 503};
  const http::client c(options_);
  configure(
      c, http::json::object({{"error_5xx_rate", 0.5}, {"fault_after_apply", true}, {"seed", 7}}));
  int failed = 0;
  constexpr int sent = 20;
  for (int i = 0; i < sent; ++i) {
    const auto r = rt::sync_wait(
        c.post("/v1/volumes", http::json::object({{"name", numbered("v", i)}, {"size_gb", 1}})));
    EXPECT_EQ(r.attempts, 1);
    if (r.status >= 500) ++failed;
  }
  EXPECT_GT(failed, 0);
  configure(c, http::json::object({{"reset", true}}));
  const auto items = rt::sync_wait(c.get("/v1/volumes")).json()["items"];
  EXPECT_EQ(items.size(), static_cast<std::size_t>(sent));  // each applied exactly once
}

TEST_F(MockApi, KeyedPostsAreRepeatedUntilTheyStick) {
  options_.retry.retry_statuses = {500, 503};
  options_.retry.max_attempts = 12;
  const http::client c(options_);
  configure(
      c, http::json::object({{"error_5xx_rate", 0.5}, {"fault_after_apply", true}, {"seed", 11}}));
  int retried = 0;
  for (int i = 0; i < 10; ++i) {
    const auto r = rt::sync_wait(
        c.post("/v1/volumes", http::json::object({{"name", numbered("k", i)}, {"size_gb", 2}}),
               {{"Idempotency-Key", numbered("key-", i)}}));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.attempts > 1) ++retried;
  }
  EXPECT_GT(retried, 0);
  configure(c, http::json::object({{"reset", true}}));
  EXPECT_EQ(rt::sync_wait(c.get("/v1/volumes")).json()["items"].size(), 10U);  // no duplicates
}

TEST_F(MockApi, RateLimitedRequestsWaitAndSucceed) {
  const http::client c(options_);
  configure(c, http::json::object({{"rate_429", 0.5}, {"retry_after_ms", 30}, {"seed", 3}}));
  options_.retry.max_attempts = 10;
  const http::client patient(options_);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(rt::sync_wait(patient.get("/v1/regions/us-east")).status, 200);
  }
}

TEST_F(MockApi, InjectedTransportFaults) {
  options_.timeouts.read = 300ms;
  options_.retry.max_attempts = 2;
  const http::client c(options_);
  configure(c, http::json::object({{"truncate_rate", 1.0}}));
  try {
    rt::sync_wait(c.get("/v1/regions/eu-west?token=abcdefgh"));
    ADD_FAILURE();
  } catch (const http::error& e) {
    EXPECT_EQ(e.kind(), http::error_kind::bad_response) << e.what();
    EXPECT_EQ(std::string(e.what()).find("abcdefgh"), std::string::npos);
  }
  configure(c, http::json::object({{"reset", true}, {"reset_rate", 1.0}}));
  try {
    rt::sync_wait(c.get("/v1/regions/eu-west"));
    ADD_FAILURE();
  } catch (const http::error& e) {
    EXPECT_TRUE(e.is(http::error_kind::reset)) << e.what();
    EXPECT_EQ(e.attempts(), 2);  // reset before any response byte: a GET is retried
  }
  configure(c, http::json::object({{"reset", true}, {"hang_rate", 1.0}}));
  try {
    rt::sync_wait(c.get("/v1/regions/eu-west"));
    ADD_FAILURE();
  } catch (const http::error& e) {
    EXPECT_EQ(e.kind(), http::error_kind::read_timeout) << e.what();
  }
}

}  // namespace
