// The mock cloud API (examples/cloud/mock_api), driven over real loopback HTTP: libcurl as the
// client, raw sockets where curl would hide the bytes, and the executable for its command line.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server.hpp"

extern char** environ;

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const struct curl_global {
  curl_global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~curl_global() { curl_global_cleanup(); }
} curl_init;

struct response {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  steady::duration elapsed{};

  [[nodiscard]] json body_json() const { return json::parse(body, nullptr, false); }
  [[nodiscard]] std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

// One easy handle, so consecutive calls reuse one keep-alive connection.
class client {
 public:
  explicit client(std::uint16_t port)
      : handle_{curl_easy_init(), &curl_easy_cleanup},
        base_{"http://127.0.0.1:" + std::to_string(port)} {}

  response call(const std::string& method, const std::string& path, const std::string& body = {},
                std::vector<std::string> headers = {}, long timeout_ms = 5000) {
    response r;
    CURL* h = handle_.get();
    curl_easy_reset(h);  // keeps the connection cache
    const auto url = base_ + path;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (method == "POST" || method == "PATCH") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    }
    headers.emplace_back("Content-Type: application/json");
    headers.emplace_back("Expect:");
    curl_slist* list = nullptr;
    for (const auto& line : headers) list = curl_slist_append(list, line.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    const auto start = steady::now();
    r.code = curl_easy_perform(h);
    r.elapsed = steady::now() - start;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(list);
    return r;
  }

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<response*>(user)->body.append(data, size * n);
    return size * n;
  }
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto& r = *static_cast<response*>(user);
    std::string_view line{data, size * n};
    if (line.starts_with("HTTP/")) r.headers.clear();
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      std::string name{line.substr(0, colon)};
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      auto value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
        value.remove_suffix(1);
      r.headers[name] = std::string{value};
    }
    return size * n;
  }

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle_;
  std::string base_;
};

// A plain TCP connection for the bytes curl would never send.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port) : fd_{::socket(AF_INET, SOCK_STREAM, 0)} {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_connection() { ::close(fd_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One response: the head, plus Content-Length bytes of body if announced. Empty on EOF/error.
  std::string read_response() {
    for (;;) {
      if (const auto end = buf_.find("\r\n\r\n"); end != std::string::npos) {
        std::size_t length = 0;
        std::string head = buf_.substr(0, end);
        std::transform(head.begin(), head.end(), head.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (const auto at = head.find("content-length:"); at != std::string::npos) {
          length = std::stoul(head.substr(at + 15));
        }
        if (buf_.size() >= end + 4 + length) {
          auto out = buf_.substr(0, end + 4 + length);
          buf_.erase(0, end + 4 + length);
          return out;
        }
      }
      if (!fill()) return {};
    }
  }

  // True when the server closed the connection (after whatever is buffered).
  bool closed_by_peer() { return buf_.empty() && !fill(); }

 private:
  bool fill() {
    char chunk[16384];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string buf_;
};

std::string body_of(const std::string& raw) { return raw.substr(raw.find("\r\n\r\n") + 4); }

// Polls until `pred` holds or two seconds pass; the server counts asynchronously.
bool eventually(const std::function<bool()>& pred) {
  const auto until = steady::now() + 2s;
  while (steady::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

std::unique_ptr<cloud_mock::server> start_server(cloud_mock::server_options opts = {.threads = 2}) {
  auto srv = std::make_unique<cloud_mock::server>(std::move(opts));
  srv->start();
  return srv;
}

class mock_api : public ::testing::Test {
 protected:
  response call(const std::string& method, const std::string& path, const json& body = nullptr,
                std::vector<std::string> headers = {}) {
    return api_.call(method, path, body.is_null() ? std::string{} : body.dump(),
                     std::move(headers));
  }
  // A new connection each time: what fault tests need, since curl silently retries a request
  // whose reused connection broke.
  response call_fresh(const std::string& method, const std::string& path,
                      const json& body = nullptr, long timeout_ms = 5000) {
    client c{port()};
    return c.call(method, path, body.is_null() ? std::string{} : body.dump(), {}, timeout_ms);
  }
  void configure(const json& config) {
    const auto r = admin_.call("POST", "/_admin/config", config.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  json counters() { return admin_.call("GET", "/_admin/counters").body_json(); }
  json state() { return admin_.call("GET", "/_admin/state").body_json(); }
  [[nodiscard]] std::uint16_t port() const { return srv_->port(); }

  std::string create_network(const std::string& name = "net") {
    const auto r = call("POST", "/v1/networks", {{"name", name}, {"cidr", "10.0.0.0/16"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.body_json().value("id", "");
  }
  std::string create_volume(int size_gb = 10) {
    const auto r = call("POST", "/v1/volumes", {{"name", "data"}, {"size_gb", size_gb}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.body_json().value("id", "");
  }
  json server_body(const std::string& net, const std::string& vol) {
    return {{"name", "web"},
            {"image", "debian-12"},
            {"size", "small"},
            {"network_id", net},
            {"volume_id", vol}};
  }

  std::unique_ptr<cloud_mock::server> srv_ = start_server();
  client api_{port()};
  client admin_{port()};  // its own connection, so admin calls never share a faulted one
};

}  // namespace

TEST_F(mock_api, NetworksCrud) {
  const auto created = call("POST", "/v1/networks", {{"name", "core"}, {"cidr", "10.1.0.0/16"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto net = created.body_json();
  const auto id = net.value("id", "");
  EXPECT_TRUE(id.starts_with("net-")) << id;
  EXPECT_EQ(net["name"], "core");
  EXPECT_EQ(net["cidr"], "10.1.0.0/16");
  EXPECT_TRUE(net.contains("created_at"));

  const auto got = call("GET", "/v1/networks/" + id);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body_json(), net);

  const auto patched = call("PATCH", "/v1/networks/" + id, {{"name", "renamed"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.body_json()["name"], "renamed");
  EXPECT_EQ(patched.body_json()["cidr"], "10.1.0.0/16");  // partial update keeps the rest

  const auto listed = call("GET", "/v1/networks").body_json();
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["name"], "renamed");

  const auto deleted = call("DELETE", "/v1/networks/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  const auto gone = call("GET", "/v1/networks/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_TRUE(gone.body_json().contains("error"));
  EXPECT_EQ(call("DELETE", "/v1/networks/" + id).status, 404);
  EXPECT_EQ(call("PATCH", "/v1/networks/" + id, {{"name", "x"}}).status, 404);
}

TEST_F(mock_api, VolumesCrudAndSizeRules) {
  const auto id = create_volume(10);
  ASSERT_TRUE(id.starts_with("vol-")) << id;
  EXPECT_EQ(call("GET", "/v1/volumes/" + id).body_json()["size_gb"], 10);
  const auto grown = call("PATCH", "/v1/volumes/" + id, {{"size_gb", 20}});
  EXPECT_EQ(grown.status, 200) << grown.body;
  EXPECT_EQ(grown.body_json()["size_gb"], 20);
  EXPECT_EQ(call("PATCH", "/v1/volumes/" + id, {{"size_gb", 5}}).status, 422);  // no shrinking
  EXPECT_EQ(call("PATCH", "/v1/volumes/" + id, {{"size_gb", "30"}}).status, 400);
  EXPECT_EQ(call("POST", "/v1/volumes", {{"name", "x"}, {"size_gb", 1.5}}).status, 400);
  EXPECT_EQ(call("POST", "/v1/volumes", {{"name", "x"}, {"size_gb", 0}}).status, 400);
  EXPECT_EQ(call("GET", "/v1/volumes").body_json()["items"].size(), 1u);
  EXPECT_EQ(call("DELETE", "/v1/volumes/" + id).status, 204);
  EXPECT_EQ(call("GET", "/v1/volumes/" + id).status, 404);
}

TEST_F(mock_api, ServersCrudReferencesAndSecret) {
  const auto net = create_network();
  const auto vol = create_volume();

  auto missing_net = server_body("net-999999", vol);
  EXPECT_EQ(call("POST", "/v1/servers", missing_net).status, 422);
  EXPECT_EQ(call("POST", "/v1/servers", server_body(net, "vol-999999")).status, 422);

  auto body = server_body(net, vol);
  body["tags"] = {{"env", "test"}};
  const auto created = call("POST", "/v1/servers", body);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto srv = created.body_json();
  const auto id = srv.value("id", "");
  EXPECT_TRUE(id.starts_with("srv-")) << id;
  EXPECT_GE(srv.value("admin_password", "").size(), 16u);
  EXPECT_EQ(srv["tags"], json({{"env", "test"}}));

  const auto got = call("GET", "/v1/servers/" + id).body_json();
  EXPECT_FALSE(got.contains("admin_password"));  // shown only once
  EXPECT_EQ(got["network_id"], net);

  const auto patched = call("PATCH", "/v1/servers/" + id, {{"tags", {{"env", "prod"}}}});
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.body_json()["tags"]["env"], "prod");
  EXPECT_FALSE(patched.body_json().contains("admin_password"));
  EXPECT_EQ(call("PATCH", "/v1/servers/" + id, {{"volume_id", "vol-424242"}}).status, 422);
  EXPECT_EQ(call("PATCH", "/v1/servers/" + id, {{"tags", {{"n", 1}}}}).status, 400);

  // Without tags the server gets an empty map.
  const auto untagged = call("POST", "/v1/servers", server_body(net, vol)).body_json();
  EXPECT_EQ(untagged["tags"], json::object());

  EXPECT_EQ(call("DELETE", "/v1/networks/" + net).status, 409);  // still used
  EXPECT_EQ(call("DELETE", "/v1/servers/" + id).status, 204);
  EXPECT_EQ(call("DELETE", "/v1/servers/" + untagged.value("id", "")).status, 204);
  EXPECT_EQ(call("DELETE", "/v1/networks/" + net).status, 204);
  EXPECT_EQ(call("DELETE", "/v1/volumes/" + vol).status, 204);
  EXPECT_EQ(call("GET", "/v1/servers").body_json()["items"].size(), 0u);
}

TEST_F(mock_api, BadRequestsGetClearErrors) {
  auto expect_error = [](const response& r, long status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_TRUE(r.body_json().contains("error")) << r.body;
  };
  expect_error(api_.call("POST", "/v1/networks", "{not json"), 400);
  expect_error(api_.call("POST", "/v1/networks", "[1,2]"), 400);
  expect_error(api_.call("POST", "/v1/networks", ""), 400);
  expect_error(call("POST", "/v1/networks", {{"name", "n"}}), 400);  // no cidr
  expect_error(call("POST", "/v1/networks", {{"name", "n"}, {"cidr", "10.0.0.0/33"}}), 400);
  expect_error(call("POST", "/v1/networks", {{"name", "n"}, {"cidr", "10.0.0/8"}}), 400);
  expect_error(call("POST", "/v1/networks", {{"name", "n"}, {"cidr", "10.0.0.0/8"}, {"x", 1}}),
               400);
  expect_error(call("POST", "/v1/networks", {{"name", ""}, {"cidr", "10.0.0.0/8"}}), 400);
  expect_error(call("GET", "/v1/nothing"), 404);
  expect_error(call("GET", "/elsewhere"), 404);
  const auto wrong_method = call("PUT", "/v1/networks");
  expect_error(wrong_method, 405);
  EXPECT_EQ(wrong_method.header("allow"), "GET, POST");
  // Deep nesting is rejected without exhausting the stack.
  expect_error(api_.call("POST", "/v1/networks", std::string(200000, '[')), 400);
  EXPECT_EQ(call("GET", "/v1/networks").status, 200);
  EXPECT_EQ(state()["networks"].size(), 0u);
}

TEST_F(mock_api, BatchGetWithoutKindMixesKindsByIdPrefix) {
  const auto net = create_network("n");
  const auto r = call("POST", "/v1/batch/get", {{"ids", {net, "vol-000404", "xyz-1"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.body_json();
  EXPECT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][net]["name"], "n");
  EXPECT_EQ(j["missing"], json::array({"vol-000404", "xyz-1"}));
}

TEST_F(mock_api, BatchGetReportsMissingAndCountsOnce) {
  const auto a = create_network("a");
  const auto b = create_network("b");
  ASSERT_EQ(admin_.call("POST", "/_admin/reset").status, 200);  // counters, and state, cleared
  const auto a2 = create_network("a");
  const auto b2 = create_network("b");
  EXPECT_EQ(a2, a);  // ids restart after a reset
  EXPECT_EQ(b2, b);

  const auto r =
      call("POST", "/v1/batch/get", {{"kind", "networks"}, {"ids", {a, "net-404404", b}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.body_json();
  EXPECT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][a]["name"], "a");
  EXPECT_EQ(j["items"][b]["name"], "b");
  EXPECT_EQ(j["missing"], json::array({"net-404404"}));

  const auto c = counters();
  EXPECT_EQ(c["routes"]["batch.get"], 1);
  EXPECT_EQ(c["routes"]["networks.get"], 0);
  EXPECT_EQ(c["routes"]["networks.create"], 2);

  std::vector<std::string> too_many(501, a);
  EXPECT_EQ(call("POST", "/v1/batch/get", {{"kind", "networks"}, {"ids", too_many}}).status, 400);
  std::vector<std::string> just_enough(500, a);
  EXPECT_EQ(call("POST", "/v1/batch/get", {{"kind", "networks"}, {"ids", just_enough}}).status,
            200);
  EXPECT_EQ(call("POST", "/v1/batch/get", {{"kind", "planets"}, {"ids", {a}}}).status, 400);
  EXPECT_EQ(call("POST", "/v1/batch/get", {{"kind", "networks"}, {"ids", {1}}}).status, 400);
}

TEST_F(mock_api, RegionMetadata) {
  const auto r = call("GET", "/v1/regions/eu-west");
  ASSERT_EQ(r.status, 200);
  const auto j = r.body_json();
  EXPECT_EQ(j["name"], "eu-west");
  EXPECT_FALSE(j.value("display_name", "").empty());
  EXPECT_FALSE(j["zones"].empty());
  EXPECT_FALSE(j["images"].empty());
  EXPECT_FALSE(j["sizes"].empty());
  EXPECT_EQ(call("GET", "/v1/regions/us-east").status, 200);
  EXPECT_EQ(call("GET", "/v1/regions/mars-north").status, 404);
  EXPECT_EQ(counters()["routes"]["regions.get"], 3);
}

TEST_F(mock_api, IdempotencyKeyReplaysTheFirstResponse) {
  const auto net = create_network();
  const auto vol = create_volume();
  const auto body = server_body(net, vol);
  const auto first = call("POST", "/v1/servers", body, {"Idempotency-Key: k-1"});
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = call("POST", "/v1/servers", body, {"Idempotency-Key: k-1"});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);  // same id, same one-time password
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(call("GET", "/v1/servers").body_json()["items"].size(), 1u);

  auto other = body;
  other["name"] = "different";
  EXPECT_EQ(call("POST", "/v1/servers", other, {"Idempotency-Key: k-1"}).status, 422);
  const auto fresh = call("POST", "/v1/servers", body, {"Idempotency-Key: k-2"});
  EXPECT_EQ(fresh.status, 201);
  EXPECT_NE(fresh.body_json()["id"], first.body_json()["id"]);
  EXPECT_EQ(counters()["idempotent_replays"], 1);
}

TEST_F(mock_api, InjectedServerErrorsNeverMutate) {
  configure({{"error_5xx_rate", 1.0}});
  for (const auto& r : {call_fresh("POST", "/v1/networks", {{"name", "n"}, {"cidr", "10.0.0.0/8"}}),
                        call_fresh("GET", "/v1/networks")}) {
    EXPECT_TRUE(r.status == 500 || r.status == 503) << r.status;
    EXPECT_TRUE(r.body_json().contains("error"));
  }
  EXPECT_EQ(state()["networks"].size(), 0u);
  const auto c = counters();
  EXPECT_EQ(c["faults"]["error_5xx"], 2);
  EXPECT_EQ(c["routes"]["networks.create"], 1);  // counted although faulted

  configure({{"error_5xx_rate", 0.0}});
  EXPECT_EQ(call("POST", "/v1/networks", {{"name", "n"}, {"cidr", "10.0.0.0/8"}}).status, 201);
}

TEST_F(mock_api, FaultAfterApplyMutatesAndIdempotentRetryRecovers) {
  configure({{"error_5xx_rate", 1.0}, {"fault_after_apply", true}});
  const json body{{"name", "n"}, {"cidr", "10.0.0.0/8"}};
  const auto failed = call("POST", "/v1/networks", body, {"Idempotency-Key: retry-me"});
  EXPECT_GE(failed.status, 500);
  const auto after_fault = state()["networks"];
  ASSERT_EQ(after_fault.size(), 1u);  // the create happened even though the client saw 5xx

  configure({{"reset", true}});
  const auto retried = call("POST", "/v1/networks", body, {"Idempotency-Key: retry-me"});
  EXPECT_EQ(retried.status, 201);
  EXPECT_TRUE(after_fault.contains(retried.body_json().value("id", "")));
  EXPECT_EQ(state()["networks"].size(), 1u);

  // Resets after the mutation, too.
  configure({{"reset_rate", 1.0}, {"fault_after_apply", true}});
  EXPECT_NE(call_fresh("POST", "/v1/networks", body).code, CURLE_OK);
  EXPECT_EQ(state()["networks"].size(), 2u);
}

TEST_F(mock_api, RateLimitSendsRetryAfter) {
  configure({{"rate_429", 1.0}, {"retry_after_s", 2}});
  const auto r = call_fresh("POST", "/v1/networks", {{"name", "n"}, {"cidr", "10.0.0.0/8"}});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("retry-after"), "2");
  EXPECT_EQ(r.header("retry-after-ms"), "2000");
  configure({{"retry_after_ms", 1500}});
  const auto fractional = call_fresh("GET", "/v1/networks");
  EXPECT_EQ(fractional.status, 429);
  EXPECT_EQ(fractional.header("retry-after"), "2");  // whole seconds, rounded up
  EXPECT_EQ(fractional.header("retry-after-ms"), "1500");
  EXPECT_EQ(state()["networks"].size(), 0u);
  EXPECT_EQ(counters()["faults"]["rate_429"], 2);
}

TEST_F(mock_api, ResetFaultBreaksTheConnection) {
  configure({{"reset_rate", 1.0}});
  const auto r = call_fresh("POST", "/v1/networks", {{"name", "n"}, {"cidr", "10.0.0.0/8"}});
  EXPECT_NE(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(state()["networks"].size(), 0u);
  EXPECT_EQ(counters()["faults"]["reset"], 1);
}

TEST_F(mock_api, TruncateFaultCutsTheBody) {
  configure({{"truncate_rate", 1.0}});
  const auto r = call_fresh("GET", "/v1/regions/eu-west");
  EXPECT_EQ(r.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(r.code);
  EXPECT_EQ(counters()["faults"]["truncate"], 1);
}

TEST_F(mock_api, HangFaultNeverAnswers) {
  configure({{"hang_rate", 1.0}});
  const auto r = call_fresh("GET", "/v1/networks", nullptr, 300);
  EXPECT_EQ(r.code, CURLE_OPERATION_TIMEDOUT) << curl_easy_strerror(r.code);
  // curl's own timer may fire a fraction of a millisecond early; the point is that the client
  // waited for its whole timeout instead of getting an answer.
  EXPECT_GE(r.elapsed, 290ms);
  auto c = counters();
  EXPECT_EQ(c["faults"]["hang"], 1);
  EXPECT_GE(c["peak_in_flight"], 1);
  // Once the client gives up, the hung request is no longer in flight.
  EXPECT_TRUE(eventually([&] { return counters()["in_flight"] == 0; }));
  EXPECT_TRUE(counters()["status"].empty()) << "the hung request was never answered";
}

TEST_F(mock_api, SeedMakesFaultsReproducible) {
  auto run = [&] {
    configure({{"seed", 42}, {"error_5xx_rate", 0.5}});
    std::string statuses;
    for (int i = 0; i < 24; ++i)
      statuses += std::to_string(call("GET", "/v1/networks").status) + ",";
    return statuses;
  };
  const auto first = run();
  EXPECT_EQ(run(), first);
  EXPECT_NE(first.find("200"), std::string::npos);
  EXPECT_NE(first.find("50"), std::string::npos);
}

TEST_F(mock_api, ConfigIsValidated) {
  EXPECT_EQ(admin_.call("POST", "/_admin/config", R"({"error_5xx_rate": 1.5})").status, 400);
  EXPECT_EQ(
      admin_.call("POST", "/_admin/config", R"({"hang_rate": 0.6, "reset_rate": 0.6})").status,
      400);
  EXPECT_EQ(admin_.call("POST", "/_admin/config", R"({"latency_ms": -1})").status, 400);
  EXPECT_EQ(admin_.call("POST", "/_admin/config", R"({"bogus": 1})").status, 400);
  configure({{"latency_ms", 7}, {"jitter_ms", 3}});
  const auto cfg = admin_.call("GET", "/_admin/config").body_json();
  EXPECT_EQ(cfg["latency_ms"], 7);
  EXPECT_EQ(cfg["jitter_ms"], 3);
  EXPECT_EQ(cfg["hang_rate"], 0.0);  // the rejected updates left nothing behind
}

TEST_F(mock_api, LatencyIsAddedToApiCalls) {
  configure({{"latency_ms", 150}});
  const auto r = call("GET", "/v1/networks");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(r.elapsed, 150ms);
  // Latency waits on a timer: concurrent requests overlap instead of queueing on a thread.
  configure({{"latency_ms", 300}});
  std::vector<std::future<response>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(
        std::async(std::launch::async, [this] { return call_fresh("GET", "/v1/networks"); }));
  }
  for (auto& f : calls) EXPECT_EQ(f.get().status, 200);
  EXPECT_GE(counters()["peak_in_flight"], 4);
}

TEST(mock_api_options, StartupLatency) {
  const auto srv = start_server({.latency_ms = 100});
  client c{srv->port()};
  const auto r = c.call("GET", "/v1/regions/us-east");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(r.elapsed, 100ms);
}

TEST_F(mock_api, CountersTrackConnectionsAndKeepAlive) {
  ASSERT_EQ(admin_.call("POST", "/_admin/reset").status, 200);
  {
    client one{port()};
    for (int i = 0; i < 10; ++i) EXPECT_EQ(one.call("GET", "/v1/volumes").status, 200);
  }
  auto c = counters();
  EXPECT_EQ(c["routes"]["volumes.list"], 10);
  EXPECT_EQ(c["requests"]["api"], 10);
  EXPECT_EQ(c["connections"]["accepted"], 1) << "keep-alive: ten calls, one connection";
  EXPECT_EQ(c["status"]["200"], 10);

  {
    std::vector<std::unique_ptr<raw_connection>> conns;
    for (int i = 0; i < 5; ++i) {
      conns.push_back(std::make_unique<raw_connection>(port()));
      ASSERT_TRUE(conns.back()->connected());
    }
    // Five raw ones plus the admin connection.
    EXPECT_TRUE(eventually([&] { return counters()["connections"]["open"] >= 6; }));
  }
  EXPECT_TRUE(eventually([&] { return counters()["connections"]["open"] <= 2; }));
  c = counters();
  EXPECT_GE(c["connections"]["peak"], 6);
  EXPECT_GE(c["requests"]["admin"], 1);
}

TEST_F(mock_api, AdminStateDumpsEverythingWithoutSecrets) {
  const auto net = create_network();
  const auto vol = create_volume();
  const auto srv = call("POST", "/v1/servers", server_body(net, vol)).body_json();
  const auto s = state();
  ASSERT_TRUE(s.contains("networks") && s.contains("volumes") && s.contains("servers"));
  EXPECT_TRUE(s["networks"].contains(net));
  EXPECT_TRUE(s["volumes"].contains(vol));
  const auto id = srv.value("id", "");
  ASSERT_TRUE(s["servers"].contains(id));
  EXPECT_FALSE(s["servers"][id].contains("admin_password"));
  EXPECT_EQ(s["servers"][id]["network_id"], net);

  ASSERT_EQ(admin_.call("POST", "/_admin/reset").status, 200);
  const auto cleared = state();
  EXPECT_EQ(cleared["networks"].size() + cleared["volumes"].size() + cleared["servers"].size(), 0u);
  EXPECT_EQ(counters()["requests"]["api"], 0);
}

TEST_F(mock_api, MalformedHttpIsRejectedAndServingGoesOn) {
  auto exchange = [&](const std::string& bytes) {
    raw_connection conn{port()};
    EXPECT_TRUE(conn.connected());
    conn.send(bytes);
    const auto reply = conn.read_response();
    EXPECT_TRUE(conn.closed_by_peer()) << "framing is lost after a bad request";
    return reply;
  };
  auto expect_status = [](const std::string& reply, std::string_view status) {
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 " + std::string{status})) << reply.substr(0, 80);
    EXPECT_TRUE(json::parse(body_of(reply), nullptr, false).contains("error")) << reply;
  };
  expect_status(exchange("GARBAGE\r\n\r\n"), "400");
  expect_status(exchange("GET  / HTTP/1.1\r\n\r\n"), "400");
  expect_status(exchange("GET nopath HTTP/1.1\r\n\r\n"), "400");
  expect_status(exchange("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"), "400");
  expect_status(exchange("GET / HTTP/2.0\r\n\r\n"), "505");
  expect_status(
      exchange("GET /v1/networks HTTP/1.1\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n"),
      "400");
  expect_status(exchange("POST /v1/networks HTTP/1.1\r\nContent-Length: 9000000\r\n\r\n"), "400");
  expect_status(exchange("POST /v1/networks HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6"
                         "\r\n\r\nhello"),
                "400");
  expect_status(exchange("POST /v1/networks HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
                "411");
  EXPECT_EQ(counters()["requests"]["bad"], 9);
  EXPECT_EQ(call("GET", "/v1/networks").status, 200);
}

TEST_F(mock_api, RawKeepAliveConnectionCloseAndExpectContinue) {
  raw_connection conn{port()};
  ASSERT_TRUE(conn.connected());
  // Two requests in one write are answered in order on the same connection.
  conn.send(
      "GET /v1/regions/eu-west HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v1/regions/nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(conn.read_response().starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(conn.read_response().starts_with("HTTP/1.1 404"));

  const std::string body = R"({"name":"n","cidr":"10.0.0.0/8"})";
  conn.send("POST /v1/networks HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_TRUE(conn.read_response().starts_with("HTTP/1.1 100 Continue"));
  conn.send(body);
  EXPECT_TRUE(conn.read_response().starts_with("HTTP/1.1 201"));

  conn.send("GET /v1/networks HTTP/1.1\r\nConnection: close\r\n\r\n");
  const auto last = conn.read_response();
  EXPECT_TRUE(last.starts_with("HTTP/1.1 200"));
  EXPECT_NE(last.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(conn.closed_by_peer());
}

TEST_F(mock_api, AdminShutdownStopsTheServer) {
  const auto r = admin_.call("POST", "/_admin/shutdown");
  EXPECT_EQ(r.status, 200);
  auto stopped = std::async(std::launch::async, [this] { srv_->wait(); });
  EXPECT_EQ(stopped.wait_for(5s), std::future_status::ready);
}

#ifdef CLOUD_MOCK_API_EXE
// Kills and reaps the child and closes its pipe if a test assertion returns early.
struct child_process {
  pid_t pid = 0;
  int stdout_fd = -1;
  ~child_process() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (stdout_fd >= 0) ::close(stdout_fd);
  }
};

// The executable: one "listening on" line, the port file, and a clean exit on SIGTERM.
TEST(mock_api_executable, PrintsAddressWritesPortFileAndStopsOnSigterm) {
  const auto port_file = std::filesystem::temp_directory_path() /
                         ("cloud-mock-api-test-" + std::to_string(::getpid()) + ".port");
  std::filesystem::remove(port_file);
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);  // dup2 below clears the flag on the child's stdout
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  std::string exe = CLOUD_MOCK_API_EXE;
  std::string pf = port_file.string();
  std::vector<std::string> args{exe, "--port", "0", "--port-file", pf, "--threads", "2"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  child_process child{.stdout_fd = out[0]};
  const int spawned = posix_spawn(&child.pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ASSERT_EQ(spawned, 0);

  std::string line;
  pollfd pfd{out[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos && ::poll(&pfd, 1, 5000) > 0) {
    char buf[256];
    const auto n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  ASSERT_TRUE(line.starts_with("listening on 127.0.0.1:")) << line;
  const auto port = std::stoi(line.substr(line.rfind(':') + 1));
  std::ifstream pf_in{port_file};
  int written = 0;
  pf_in >> written;
  EXPECT_EQ(written, port);

  client c{static_cast<std::uint16_t>(port)};
  EXPECT_EQ(c.call("GET", "/v1/regions/eu-west").status, 200);

  std::filesystem::remove(port_file);

  ::kill(child.pid, SIGTERM);
  int status = 0;
  const auto until = steady::now() + 5s;
  pid_t done = 0;
  while ((done = ::waitpid(child.pid, &status, WNOHANG)) == 0 && steady::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(done, child.pid) << "did not stop on SIGTERM";
  child.pid = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  char rest[64];
  EXPECT_EQ(::read(out[0], rest, sizeof rest), 0) << "exactly one line on stdout";
}
#endif
