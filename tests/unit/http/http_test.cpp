// http::client against real servers on loopback (test_server.hpp): round trips, pool limits,
// retries and idempotency, cancellation, timeouts, broken responses, redaction and logging.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cppvider/http/client.hpp"
#include "cppvider/http/json.hpp"
#include "cppvider/runtime/executor.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/log.hpp"
#include "cppvider/runtime/task.hpp"
#include "cppvider/runtime/time.hpp"
#include "scoped_env.hpp"
#include "test_server.hpp"

namespace rt = cppvider::runtime;
namespace http = cppvider::http;
namespace hlog = cppvider::log;
using namespace std::chrono_literals;
using http_test::connection;
using http_test::received;
using steady = std::chrono::steady_clock;

namespace {

// Short backoff so retry tests stay fast; generous timeouts elsewhere.
http::client_options options_for_tests() {
  http::client_options o;
  o.retry.base_delay = 10ms;
  o.retry.max_delay = 200ms;
  o.timeouts.connect = 5s;
  o.timeouts.read = 20s;
  o.timeouts.pool_wait = 20s;
  return o;
}

template <class T>
http::error expect_http_error(rt::task<T> t) {
  try {
    rt::sync_wait(std::move(t));
  } catch (const http::error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an http::error";
  return http::error(http::error_kind::protocol, http::method::get, "", 0, "none thrown");
}

std::chrono::milliseconds since(steady::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0);
}

// A bound socket that refuses connections until listen() is called.
class refusing_port {
 public:
  refusing_port() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~refusing_port() { ::close(fd_); }
  refusing_port(const refusing_port&) = delete;
  refusing_port& operator=(const refusing_port&) = delete;
  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// ---- JSON, redaction, headers ----------------------------------------------------------------

TEST(HttpJson, ParsesAndDumpsRoundTrip) {
  const std::string text =
      R"({"id":"net-1","size":20,"ratio":0.5,"big":18446744073709551615,"neg":-3,)"
      R"("ok":true,"none":null,"tags":{"a":"x\ny\"z\\"},"list":[1,"two",[],{}],"u":"é☃"})";
  const auto v = http::json::parse(text);
  EXPECT_EQ(v["id"].as_string(), "net-1");
  EXPECT_EQ(v["size"].as_int(), 20);
  EXPECT_DOUBLE_EQ(v["ratio"].as_double(), 0.5);
  EXPECT_EQ(v["big"].as_uint(), 18446744073709551615ULL);
  EXPECT_THROW((void)v["big"].as_int(), http::json_error);
  EXPECT_EQ(v["neg"].as_int(), -3);
  EXPECT_THROW((void)v["neg"].as_uint(), http::json_error);
  EXPECT_TRUE(v["ok"].as_bool());
  EXPECT_TRUE(v["none"].is_null());
  EXPECT_TRUE(v["missing"].is_null());
  EXPECT_TRUE(v["missing"]["deeper"].is_null());
  EXPECT_EQ(v["tags"]["a"].as_string(), "x\ny\"z\\");
  EXPECT_EQ(v["list"].size(), 4U);
  EXPECT_EQ(v["list"][1].as_string(), "two");
  EXPECT_EQ(v["u"].as_string(), "é☃");
  EXPECT_EQ(http::json::parse(v.dump()), v);
  EXPECT_EQ(v.dump(), text);  // member order and number spelling survive
}

TEST(HttpJson, BuildsValues) {
  auto v = http::json::object({{"name", "web"}, {"size_gb", 20}, {"tags", http::json::object()}});
  v["tags"]["env"] = "prod";
  v["ports"].push_back(80);
  v["ports"].push_back(443);
  v["ratio"] = 2.0;
  v["ctl"] = std::string("\x01");
  EXPECT_EQ(v.dump(),
            R"({"name":"web","size_gb":20,"tags":{"env":"prod"},"ports":[80,443],"ratio":2.0,)"
            R"("ctl":"\u0001"})");
  EXPECT_TRUE(v.erase("ctl"));
  EXPECT_FALSE(v.contains("ctl"));
  EXPECT_EQ(http::json(1), http::json(1.0));
  EXPECT_THROW((void)http::json(std::numeric_limits<double>::infinity()).dump(), http::json_error);
}

TEST(HttpJson, RejectsMalformedTextAndWrongKinds) {
  for (const char* bad : {"", "{", "[1,]", R"({"a" 1})", "nul", R"("unterminated)", "01", "1 2"}) {
    EXPECT_THROW((void)http::json::parse(bad), http::json_error) << bad;
  }
  const auto v = http::json::parse(R"({"n": 1.5, "s": "x"})");
  EXPECT_THROW((void)v["s"].as_int(), http::json_error);
  EXPECT_THROW((void)v["n"].as_int(), http::json_error);
  EXPECT_THROW((void)v["s"]["x"], http::json_error);
  EXPECT_THROW((void)v.at("nope"), http::json_error);
  EXPECT_THROW((void)http::json::parse("[1]")[3], http::json_error);
}

TEST(HttpRedact, HidesUserinfoAndSecretQueryValues) {
  EXPECT_EQ(http::redact_url("https://bob:hunter22@api.example.com/v1/x?page=2&api_key=abc123&"
                             "X-Amz-Signature=deadbeef&token=t0k&sig=s#frag"),
            "https://REDACTED@api.example.com/v1/x?page=2&api_key=REDACTED&"
            "X-Amz-Signature=REDACTED&token=REDACTED&sig=REDACTED#frag");
  EXPECT_EQ(http::redact_url("http://h/p?Password=x&name=y"),
            "http://h/p?Password=REDACTED&name=y");
  EXPECT_EQ(http::redact_url("http://h/p"), "http://h/p");
  EXPECT_EQ(http::redact_url("http://h/p?flag"), "http://h/p?flag");
  EXPECT_TRUE(http::is_sensitive_header("authorization"));
  EXPECT_TRUE(http::is_sensitive_header("X-API-Key"));
  EXPECT_TRUE(http::is_sensitive_header("Cookie"));
  EXPECT_TRUE(http::is_sensitive_header("X-Vault-Token"));
  EXPECT_FALSE(http::is_sensitive_header("Content-Type"));
}

TEST(HttpHeaders, LookupIsCaseInsensitive) {
  http::headers h{{"Content-Type", "application/json"}, {"X-Multi", "a"}};
  h.add("x-multi", "b");
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_EQ(h.get_all("X-MULTI").size(), 2U);
  h.set("X-Multi", "c");
  EXPECT_EQ(h.get_all("x-multi").size(), 1U);
  EXPECT_EQ(h.remove("CONTENT-TYPE"), 1U);
  EXPECT_FALSE(h.contains("content-type"));
}

// ---- Round trips -----------------------------------------------------------------------------

// Echoes each request as JSON: method, target, body, some headers.
void echo(connection& c) {
  received r;
  while (c.read_request(r)) {
    auto v = http::json::object({{"method", r.method},
                                 {"target", r.target},
                                 {"body", r.body},
                                 {"content_type", r.header("content-type")},
                                 {"user_agent", r.header("user-agent")},
                                 {"x_default", r.header("x-default")},
                                 {"x_request", r.header("x-request")}});
    c.respond(r.method == "POST" ? 201 : 200, v.dump(), {{"Content-Type", "application/json"}});
  }
}

TEST(HttpClient, RoundTripsEveryMethodWithJson) {
  http_test::server s(echo);
  auto o = options_for_tests();
  o.base_url = s.url("/api/");
  o.headers = {{"X-Default", "d"}, {"X-Request", "from-defaults"}};
  http::client c(o);

  const auto post = rt::sync_wait(
      c.post("v1/items", http::json::object({{"name", "a"}, {"n", 1}}), {{"X-Request", "r"}}));
  EXPECT_EQ(post.status, 201);
  EXPECT_TRUE(post.ok());
  EXPECT_EQ(post.http_version, "1.1");
  EXPECT_EQ(post.attempts, 1);
  auto v = post.json();
  EXPECT_EQ(v["method"].as_string(), "POST");
  EXPECT_EQ(v["target"].as_string(), "/api/v1/items");
  EXPECT_EQ(http::json::parse(v["body"].as_string()),
            http::json::object({{"name", "a"}, {"n", 1}}));
  EXPECT_EQ(v["content_type"].as_string(), "application/json");
  EXPECT_EQ(v["x_default"].as_string(), "d");
  EXPECT_EQ(v["x_request"].as_string(), "r");  // the request's own header wins
  EXPECT_EQ(v["user_agent"].as_string(), "cppvider-http/0.1");
  EXPECT_EQ(post.header("content-TYPE"), "application/json");

  v = rt::sync_wait(c.get("/v1/items/1")).json();
  EXPECT_EQ(v["method"].as_string(), "GET");
  EXPECT_EQ(v["target"].as_string(), "/api/v1/items/1");
  EXPECT_EQ(v["x_request"].as_string(), "from-defaults");

  v = rt::sync_wait(c.put("/v1/items/1", http::json::object({{"n", 2}}))).json();
  EXPECT_EQ(v["method"].as_string(), "PUT");
  EXPECT_EQ(v["body"].as_string(), R"({"n":2})");

  v = rt::sync_wait(c.patch("/v1/items/1", "raw", {{"Content-Type", "text/plain"}})).json();
  EXPECT_EQ(v["method"].as_string(), "PATCH");
  EXPECT_EQ(v["body"].as_string(), "raw");
  EXPECT_EQ(v["content_type"].as_string(), "text/plain");

  v = rt::sync_wait(c.post("/v1/raw", "no type")).json();
  EXPECT_EQ(v["content_type"].as_string(), "");  // not libcurl's form default

  v = rt::sync_wait(c.del("/v1/items/1")).json();
  EXPECT_EQ(v["method"].as_string(), "DELETE");

  http::request r;
  r.method = http::method::get;
  r.url = "/search";
  r.query = {{"q", "a b&c"}, {"page", "2"}};
  v = rt::sync_wait(c.send(r)).json();
  EXPECT_EQ(v["target"].as_string(), "/api/search?q=a%20b%26c&page=2");

  const auto head = rt::sync_wait(c.head("/v1/items/1"));
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  // Every request above shared one keep-alive connection.
  EXPECT_EQ(s.accepted(), 1);
  EXPECT_EQ(c.stats().connections_opened, 1U);
  EXPECT_EQ(c.stats().requests, 8U);
}

// Echoes method, target, body and the User-Agent, with how many User-Agent and X-Request fields
// came (a recycled handle must not keep anything of the request before).
void echo_counts(connection& c) {
  received r;
  while (c.read_request(r)) {
    const auto count = [&](const std::string& name) {
      const auto it = r.header_counts.find(name);
      return it == r.header_counts.end() ? 0 : it->second;
    };
    auto v = http::json::object({{"method", r.method},
                                 {"target", r.target},
                                 {"body", r.body},
                                 {"user_agent", r.header("user-agent")},
                                 {"user_agents", count("user-agent")},
                                 {"x_requests", count("x-request")}});
    c.respond(200, v.dump(), {{"Content-Type", "application/json"}});
  }
}

TEST(HttpClient, RecycledHandlesSendEachRequestAsItsOwn) {
  http_test::server s(echo_counts);
  auto o = options_for_tests();
  o.base_url = s.url("");
  http::client c(o);
  // One request at a time: each one reuses the easy handle (and connection) of the one before.
  const auto send = [&](http::method m, std::string url, http::headers h = {},
                        std::string body = {}) {
    http::request r;
    r.method = m;
    r.url = std::move(url);
    r.headers = std::move(h);
    r.body = std::move(body);
    const auto resp = rt::sync_wait(c.send(std::move(r)));
    return m == http::method::head ? http::json::object({}) : resp.json();
  };
  auto v = send(http::method::get, "/a");
  EXPECT_EQ(v["method"].as_string(), "GET");
  EXPECT_EQ(v["user_agent"].as_string(), "cppvider-http/0.1");
  EXPECT_EQ(v["user_agents"].as_int(), 1);
  v = send(http::method::get, "/a");  // the same URL again
  EXPECT_EQ(v["target"].as_string(), "/a");
  v = send(http::method::get, "/b", {{"X-Request", "1"}});
  EXPECT_EQ(v["target"].as_string(), "/b");
  EXPECT_EQ(v["x_requests"].as_int(), 1);
  EXPECT_EQ(v["user_agents"].as_int(), 1);
  v = send(http::method::get, "/b");  // without the header again
  EXPECT_EQ(v["x_requests"].as_int(), 0);
  v = send(http::method::get, "/c", {{"User-Agent", "mine/1"}});
  EXPECT_EQ(v["user_agent"].as_string(), "mine/1");
  EXPECT_EQ(v["user_agents"].as_int(), 1);
  v = send(http::method::post, "/d", {}, "data");
  EXPECT_EQ(v["method"].as_string(), "POST");
  EXPECT_EQ(v["body"].as_string(), "data");
  v = send(http::method::get, "/d");  // a GET after a POST sends no body
  EXPECT_EQ(v["method"].as_string(), "GET");
  EXPECT_EQ(v["body"].as_string(), "");
  send(http::method::head, "/e");
  v = send(http::method::get, "/e");
  EXPECT_EQ(v["method"].as_string(), "GET");
  EXPECT_EQ(v["target"].as_string(), "/e");
  v = send(http::method::get, "/f", {}, "get-body");
  EXPECT_EQ(v["method"].as_string(), "GET");
  EXPECT_EQ(v["body"].as_string(), "get-body");
  v = send(http::method::get, "/f");
  EXPECT_EQ(v["method"].as_string(), "GET");
  EXPECT_EQ(v["body"].as_string(), "");
  EXPECT_EQ(c.stats().connections_opened, 1U);

  // The User-Agent from the default headers, and none at all.
  auto o2 = o;
  o2.headers = {{"User-Agent", "from-defaults"}};
  http::client c2(o2);
  v = rt::sync_wait(c2.get("/g")).json();
  EXPECT_EQ(v["user_agent"].as_string(), "from-defaults");
  EXPECT_EQ(v["user_agents"].as_int(), 1);
  auto o3 = o;
  o3.user_agent.clear();
  http::client c3(o3);
  v = rt::sync_wait(c3.get("/h")).json();
  EXPECT_EQ(v["user_agents"].as_int(), 0);
  // Default headers a header line cannot carry fail every request, as a request's own do.
  auto o4 = o;
  o4.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  http::client c4(o4);
  EXPECT_EQ(expect_http_error(c4.get("/i")).kind(), http::error_kind::invalid_request);
}

// {"compressed":true,"text":"abc...abc"} (abc 40 times), gzip-compressed.
constexpr std::string_view gzip_body(
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x4a\xce\xcf\x2d\x28\x4a\x2d\x2e\x4e\x4d\x51"
    "\xb2\x2a\x29\x2a\x4d\xd5\x51\x2a\x49\xad\x28\x51\xb2\x52\x4a\x4c\x4a\x1e\x10\xa4\x54\x0b\x00"
    "\x7c\xff\x1c\x0d\x95\x00\x00\x00",
    54);

// Answers gzip-compressed when the request accepts gzip, plain otherwise; the Accept-Encoding
// fields it got come back in headers (the body may be compressed).
void gzip_when_accepted(connection& c) {
  received r;
  while (c.read_request(r)) {
    const auto it = r.header_counts.find("accept-encoding");
    const std::string seen = r.header("accept-encoding");
    std::vector<std::pair<std::string, std::string>> extra = {
        {"X-Seen-Accept-Encoding", seen.empty() ? "-" : seen},
        {"X-Seen-Count", std::to_string(it == r.header_counts.end() ? 0 : it->second)}};
    if (seen.find("gzip") != std::string::npos) {
      extra.emplace_back("Content-Encoding", "gzip");
      c.respond(200, gzip_body, extra);
    } else {
      c.respond(200, "plain", extra);
    }
  }
}

TEST(HttpClient, AsksForCompressedAnswersAndDecodesThem) {
  http_test::server s(gzip_when_accepted);
  auto o = options_for_tests();
  o.base_url = s.url("");
  const std::string decoded = R"({"compressed":true,"text":")" + [] {
    std::string t;
    for (int i = 0; i < 40; ++i) t += "abc";
    return t;
  }() + R"("})";
  const auto seen = [](const http::response& r) {
    return std::string(r.header("x-seen-accept-encoding").value_or(""));
  };
  const auto count = [](const http::response& r) {
    return std::string(r.header("x-seen-count").value_or(""));
  };

  // By default: every coding libcurl decodes is offered, once, and the answer is decoded.
  http::client c(o);
  auto r = rt::sync_wait(c.get("/a"));
  EXPECT_NE(seen(r).find("gzip"), std::string::npos) << seen(r);
  EXPECT_NE(seen(r).find("deflate"), std::string::npos) << seen(r);
  EXPECT_EQ(count(r), "1");
  EXPECT_EQ(r.header("content-encoding").value_or(""), "gzip");
  EXPECT_EQ(r.body, decoded);
  EXPECT_TRUE(r.json()["compressed"].as_bool());
  // A request with headers of its own builds its own list: the offer is in it too.
  r = rt::sync_wait(c.get("/b", {{"X-Other", "1"}}));
  EXPECT_NE(seen(r).find("gzip"), std::string::npos) << seen(r);
  EXPECT_EQ(count(r), "1");
  EXPECT_EQ(r.body, decoded);
  // A request's own Accept-Encoding replaces the offer.
  r = rt::sync_wait(c.get("/c", {{"Accept-Encoding", "identity"}}));
  EXPECT_EQ(seen(r), "identity");
  EXPECT_EQ(count(r), "1");
  EXPECT_EQ(r.body, "plain");
  // And the next request on the same handle offers compression again.
  r = rt::sync_wait(c.get("/d"));
  EXPECT_EQ(count(r), "1");
  EXPECT_EQ(r.body, decoded);

  // A default header of the client's replaces it for every request, and decoding still works.
  auto o2 = o;
  o2.headers = {{"Accept-Encoding", "gzip"}};
  http::client c2(o2);
  r = rt::sync_wait(c2.get("/e"));
  EXPECT_EQ(seen(r), "gzip");
  EXPECT_EQ(count(r), "1");
  EXPECT_EQ(r.body, decoded);

  // accept_compressed = false: nothing is offered, the body is what the server sent.
  auto o3 = o;
  o3.accept_compressed = false;
  http::client c3(o3);
  r = rt::sync_wait(c3.get("/f"));
  EXPECT_EQ(seen(r), "-");
  EXPECT_EQ(count(r), "0");
  EXPECT_EQ(r.body, "plain");
  r = rt::sync_wait(c3.get("/g", {{"X-Other", "1"}}));
  EXPECT_EQ(count(r), "0");
}

TEST(HttpClient, RejectsUnusableRequests) {
  http::client c(options_for_tests());
  EXPECT_EQ(expect_http_error(c.get("/relative")).kind(), http::error_kind::invalid_request);
  EXPECT_EQ(expect_http_error(c.get("ftp://127.0.0.1/x")).kind(),
            http::error_kind::invalid_request);
  EXPECT_EQ(expect_http_error(c.get("http://127.0.0.1/a b")).kind(),
            http::error_kind::invalid_request);
  EXPECT_EQ(
      expect_http_error(c.get("http://127.0.0.1:1/", {{"X-Evil", "a\r\nInjected: 1"}})).kind(),
      http::error_kind::invalid_request);
  EXPECT_THROW(http::client({.retry = {.max_attempts = 0}}), std::invalid_argument);
}

TEST(HttpClient, RelativePathsJoinTheBaseEvenWithAUrlInTheirQuery) {
  http_test::server s(http_test::answer(200, "ok"));
  auto o = options_for_tests();
  o.base_url = s.url("/api/");
  http::client c(o);
  // "://" in the query does not make the path absolute.
  EXPECT_EQ(rt::sync_wait(c.get("v1/go?next=https://example.com/x")).status, 200);
  EXPECT_EQ(rt::sync_wait(c.get("/v1/go")).status, 200);
  const auto log = s.log();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].target, "/api/v1/go?next=https://example.com/x");
  EXPECT_EQ(log[1].target, "/api/v1/go");
  // A scheme other than http(s) is refused whether or not a base is set.
  EXPECT_EQ(expect_http_error(c.get("ftp://127.0.0.1/x")).kind(),
            http::error_kind::invalid_request);
  EXPECT_EQ(expect_http_error(c.get("HTTP://127.0.0.1/ x")).kind(),
            http::error_kind::invalid_request);
}

// A handle keeps its URL parsed for libcurl (CURLOPT_CURLU) and is recycled: each request must
// still go where its own URL says, after a followed redirect, a URL libcurl refuses, another host.
TEST(HttpClient, EveryRequestGoesWhereItsUrlSays) {
  http_test::server s([](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (r.target == "/start") {
        c.respond(302, "", {{"Location", "/final?from=start"}});
      } else {
        c.respond(200, r.target);
      }
    }
  });
  http_test::server other(http_test::answer(200, "other"));
  auto o = options_for_tests();
  o.follow_redirects = true;
  http::client c(o);
  const auto body = [&](const std::string& url) { return rt::sync_wait(c.get(url)).body; };
  EXPECT_EQ(body(s.url("/start")), "/final?from=start");
  EXPECT_EQ(body(s.url("/start")), "/final?from=start");  // the same URL, parsed before
  EXPECT_EQ(body(s.url("/a?x=1")), "/a?x=1");
  // Refused by libcurl's parser (port out of range): reported, and the handle recovers.
  const http::error refused = expect_http_error(c.get("http://127.0.0.1:99999/x"));
  EXPECT_EQ(refused.kind(), http::error_kind::invalid_request);
  EXPECT_NE(refused.detail().find("Port number"), std::string::npos) << refused.detail();
  EXPECT_EQ(body(s.url("/b")), "/b");
  EXPECT_EQ(body(other.url("/c")), "other");
  EXPECT_EQ(body(s.url("/start")), "/final?from=start");
  EXPECT_EQ(body(s.url("/%7Euser/a%20b")), "/%7Euser/a%20b");  // sent as given
  EXPECT_EQ(c.stats().connections_opened, 2U);  // one per server: every handle was reused
}

// The status, version and header fields are those of the final response head.
TEST(HttpClient, StatusVersionAndHeadersComeFromTheFinalHead) {
  http_test::server s([](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (r.target == "/old") {
        c.respond(302, "", {{"Location", "/new"}, {"X-Hop", "first"}});
      } else if (r.target == "/continue") {
        // An interim 100 before the real answer.
        c.send("HTTP/1.1 100 Continue\r\n\r\n");
        c.respond(201, "made", {{"X-Final", "yes"}});
      } else if (r.target == "/old-server") {
        c.send("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nX-Old: 1\r\n\r\nok");
      } else {
        c.respond(200, "final", {{"X-Final", "yes"}});
      }
    }
  });
  auto o = options_for_tests();
  o.follow_redirects = true;
  http::client c(o);

  const auto moved = rt::sync_wait(c.get(s.url("/old")));
  EXPECT_EQ(moved.status, 200);
  EXPECT_EQ(moved.body, "final");
  EXPECT_EQ(moved.http_version, "1.1");
  EXPECT_EQ(moved.header("x-final").value_or(""), "yes");
  EXPECT_FALSE(moved.header("x-hop").has_value());  // the 302's fields are forgotten

  const auto interim = rt::sync_wait(c.get(s.url("/continue")));
  EXPECT_EQ(interim.status, 201);
  EXPECT_EQ(interim.body, "made");
  EXPECT_EQ(interim.header("x-final").value_or(""), "yes");

  const auto old = rt::sync_wait(c.get(s.url("/old-server")));
  EXPECT_EQ(old.status, 200);
  EXPECT_EQ(old.http_version, "1.0");
  EXPECT_EQ(old.header("x-old").value_or(""), "1");

  // Not following: the 302 itself is the response.
  http::client plain(options_for_tests());
  const auto not_followed = rt::sync_wait(plain.get(s.url("/old")));
  EXPECT_EQ(not_followed.status, 302);
  EXPECT_EQ(not_followed.header("location").value_or(""), "/new");
}

// ---- Concurrency and the pool ----------------------------------------------------------------

// Answers after `delay`, so that concurrent requests really overlap.
http_test::server::handler slow_answer(std::chrono::milliseconds delay) {
  return [delay](connection& c) {
    received r;
    while (c.read_request(r)) {
      std::this_thread::sleep_for(delay);
      c.respond(200, R"({"ok":true})");
    }
  };
}

rt::task<std::vector<int>> fetch_all(const http::client& c, std::vector<std::string> urls) {
  std::vector<rt::task<http::response>> reqs;
  reqs.reserve(urls.size());
  for (auto& u : urls) reqs.push_back(c.get(u));
  auto responses = co_await rt::gather(std::move(reqs));
  std::vector<int> statuses;
  for (const auto& r : responses) statuses.push_back(r.status);
  co_return statuses;
}

TEST(HttpPool, TwoHundredConcurrentRequestsReuseConnections) {
  http_test::server s(slow_answer(2ms));
  auto o = options_for_tests();
  o.limits.max_connections = 16;
  o.limits.max_keepalive_connections = 16;
  http::client c(o);
  const std::vector<std::string> urls(200, s.url("/item"));
  const auto statuses = rt::sync_wait(fetch_all(c, urls));
  ASSERT_EQ(statuses.size(), 200U);
  for (const int st : statuses) EXPECT_EQ(st, 200);
  EXPECT_EQ(s.requests(), 200);
  EXPECT_LE(s.peak_connections(), 16);
  EXPECT_LE(s.accepted(), 16);  // reused, not one connection per request
  EXPECT_LE(c.stats().connections_opened, 16U);
  EXPECT_EQ(c.stats().in_flight, 0U);
}

// Runs long after its response without suspending (as CPU-heavy provider code may), until the
// other request's task has run or 10 s have passed.
rt::task<void> hog_after_response(const http::client& c, std::string url,
                                  const std::atomic<bool>& other_done, bool& saw_other) {
  const http::response r = co_await c.get(std::move(url));
  EXPECT_EQ(r.status, 200);
  const auto until = steady::now() + 10s;
  while (!other_done.load() && steady::now() < until) std::this_thread::yield();
  saw_other = other_done.load();
}

rt::task<void> note_response(const http::client& c, std::string url, std::atomic<bool>& done) {
  const http::response r = co_await c.get(std::move(url));
  EXPECT_EQ(r.status, 200);
  done.store(true);
}

// Fairness: a task that keeps its executor thread busy after its response must not hold up the
// pool. The other request's response is read, and its task resumed, on another thread meanwhile
// (another event thread, or the standby thread when the event thread is the only one).
TEST(HttpPool, ASlowTaskDoesNotHoldUpThePoolsOtherRequests) {
  http_test::server s([](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (r.target == "/later") std::this_thread::sleep_for(200ms);
      c.respond(200, "ok");
    }
  });
  const http::client c(options_for_tests());
  std::atomic<bool> other_done{false};
  bool saw_other = false;
  const auto t0 = steady::now();
  auto other = note_response(c, s.url("/later"), other_done);
  auto hog = hog_after_response(c, s.url("/now"), other_done, saw_other);
  // `other` first: gather starts its tasks in order on this thread, and a response that comes
  // back before its task has even suspended continues the task right here.
  rt::sync_wait(rt::gather(std::move(other), std::move(hog)));
  EXPECT_TRUE(saw_other);
  EXPECT_LT(since(t0), 5s);
}

// Every response is read whenever it comes: answers at delays from 0 to 2 ms, one request at a
// time and several at once. A lost wake-up would show as a read timeout.
rt::task<int> sequential_gets(const http::client& c, std::string url, int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    const http::response r = co_await c.get(url);
    if (r.status == 200) ++ok;
  }
  co_return ok;
}

TEST(HttpPool, ResponsesAtVaryingDelaysAreNeverMissed) {
  std::atomic<int> served{0};
  http_test::server s([&](connection& c) {
    received r;
    while (c.read_request(r)) {
      std::this_thread::sleep_for(std::chrono::microseconds(250 * (served.fetch_add(1) % 9)));
      c.respond(200, "ok");
    }
  });
  auto o = options_for_tests();
  o.timeouts.read = 2s;  // a missed wake-up fails the request instead of slowing the test down
  const http::client c(o);
  EXPECT_EQ(rt::sync_wait(sequential_gets(c, s.url("/one"), 150)), 150);
  std::vector<rt::task<int>> lanes;
  for (int i = 0; i < 4; ++i) lanes.push_back(sequential_gets(c, s.url("/four"), 60));
  const auto counts = rt::sync_wait(rt::gather(std::move(lanes)));
  for (const int n : counts) EXPECT_EQ(n, 60);
  EXPECT_EQ(served.load(), 150 + 240);
}

// Two responses sent at the same moment on two connections: the second one arrives while the
// pool is still handling the first. It must be read then or right after, not when some later
// event happens to wake the pool (here none would: the read timeout would end the request).
TEST(HttpPool, ResponsesArrivingTogetherAreAllRead) {
  std::barrier<> together(2);
  std::atomic<int> rounds{0};
  http_test::server s([&](connection& c) {
    received r;
    while (c.read_request(r)) {
      together.arrive_and_wait();  // both requests of a round are in: answer them together,
      if (r.target == "/b") {      // the second 0-190 us after the first
        std::this_thread::sleep_for(std::chrono::microseconds(10 * (rounds.fetch_add(1) % 20)));
      }
      c.respond(200, "ok");
    }
  });
  auto o = options_for_tests();
  o.timeouts.read = 2s;
  const http::client c(o);
  for (int round = 0; round < 200; ++round) {
    std::vector<int> statuses;
    try {
      statuses = rt::sync_wait(fetch_all(c, {s.url("/a"), s.url("/b")}));
    } catch (const http::error& e) {
      FAIL() << "round " << round << ": " << e.what();
    }
    ASSERT_EQ(statuses, (std::vector<int>{200, 200})) << "round " << round;
  }
}

// A plain-HTTP proxy on loopback: it answers every request itself and records the target,
// which a client sends in absolute form ("http://host:port/path") when it goes through a proxy.
struct recording_proxy {
  std::mutex m;
  std::vector<std::string> targets;
  std::vector<std::string> agents;
  http_test::server s{[this](connection& c) {
    received r;
    while (c.read_request(r)) {
      {
        const std::lock_guard lock(m);
        targets.push_back(r.target);
        agents.push_back(r.header("user-agent"));
      }
      c.respond(200, "via proxy");
    }
  }};
  [[nodiscard]] std::string address() const {
    return "http://127.0.0.1:" + std::to_string(s.port());
  }
};

using cppvider::test_support::scoped_env;

TEST(HttpProxy, ExplicitProxyCarriesTheRequestAndItsUserAgent) {
  recording_proxy proxy;
  refusing_port target;  // reachable only through the proxy
  auto o = options_for_tests();
  o.proxy = proxy.address();
  const http::client c(o);
  const auto r = rt::sync_wait(c.get(target.url("/thing")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "via proxy");
  const std::lock_guard lock(proxy.m);
  ASSERT_EQ(proxy.targets.size(), 1U);
  EXPECT_EQ(proxy.targets[0], target.url("/thing"));
  EXPECT_EQ(proxy.agents[0], http::client_options{}.user_agent);
}

TEST(HttpProxy, ProxyFromTheEnvironmentIsUsed) {
  recording_proxy proxy;
  refusing_port target;
  const scoped_env env("http_proxy", proxy.address());
  const http::client c(options_for_tests());
  for (int i = 0; i < 2; ++i) {
    const auto r = rt::sync_wait(c.get(target.url("/env")));
    EXPECT_EQ(r.body, "via proxy");
  }
  const std::lock_guard lock(proxy.m);
  EXPECT_EQ(proxy.targets.size(), 2U);
}

TEST(HttpProxy, NoProxyInTheEnvironmentExemptsItsHosts) {
  recording_proxy proxy;
  http_test::server direct(http_test::answer(200, "direct"));
  const scoped_env env("http_proxy", proxy.address());
  const scoped_env except("no_proxy", "127.0.0.1");
  const http::client c(options_for_tests());
  EXPECT_EQ(rt::sync_wait(c.get(direct.url("/"))).body, "direct");
  const std::lock_guard lock(proxy.m);
  EXPECT_TRUE(proxy.targets.empty());
}

// Without a proxy when the client is made, its requests do not read the environment again
// (documented on client_options::proxy).
TEST(HttpProxy, ProxyVariablesAreReadWhenTheClientIsMade) {
  recording_proxy proxy;
  http_test::server direct(http_test::answer(200, "direct"));
  const http::client c(options_for_tests());
  const scoped_env env("http_proxy", proxy.address());
  EXPECT_EQ(rt::sync_wait(c.get(direct.url("/"))).body, "direct");
  const std::lock_guard lock(proxy.m);
  EXPECT_TRUE(proxy.targets.empty());
}

TEST(HttpPool, TotalLimitHoldsAcrossHosts) {
  http_test::server s(slow_answer(20ms));
  auto o = options_for_tests();
  o.limits = {.max_connections = 3, .max_connections_per_host = 2, .max_keepalive_connections = 3};
  http::client c(o);
  const std::string port = std::to_string(s.port());
  std::vector<std::string> urls;
  for (int i = 0; i < 40; ++i) {
    urls.push_back((i % 2 == 0 ? "http://127.0.0.1:" : "http://localhost:") + port + "/x");
  }
  const auto statuses = rt::sync_wait(fetch_all(c, urls));
  for (const int st : statuses) EXPECT_EQ(st, 200);
  EXPECT_EQ(s.requests(), 40);
  EXPECT_LE(s.peak_connections(), 3);
  EXPECT_GE(s.peak_connections(), 2);  // both hosts were served at once
}

TEST(HttpPool, PerHostLimitHolds) {
  http_test::server s(slow_answer(20ms));
  auto o = options_for_tests();
  o.limits = {
      .max_connections = 10, .max_connections_per_host = 2, .max_keepalive_connections = 10};
  http::client c(o);
  const auto statuses = rt::sync_wait(fetch_all(c, std::vector<std::string>(20, s.url("/x"))));
  for (const int st : statuses) EXPECT_EQ(st, 200);
  EXPECT_LE(s.peak_connections(), 2);
  EXPECT_LE(s.accepted(), 2);
}

TEST(HttpPool, NoKeepaliveMeansFreshConnections) {
  http_test::server s(http_test::answer(200, "ok"));
  auto o = options_for_tests();
  o.limits.max_keepalive_connections = 0;
  http::client c(o);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rt::sync_wait(c.get(s.url("/"))).status, 200);
  EXPECT_EQ(s.accepted(), 3);
}

TEST(HttpPool, PoolWaitTimesOut) {
  http_test::server s([](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (r.target == "/slow") std::this_thread::sleep_for(1500ms);
      c.respond(200, "done");
    }
  });
  auto o = options_for_tests();
  o.limits.max_connections = 1;
  o.timeouts.pool_wait = 200ms;
  http::client c(o);
  auto slow = [&]() -> rt::task<http::response> { co_return co_await c.get(s.url("/slow")); };
  auto starved = [&]() -> rt::task<http::response> {
    co_await rt::sleep_for(100ms);  // the slow one holds the only connection by now
    co_return co_await c.get(s.url("/fast"));
  };
  std::vector<rt::task<http::response>> both;
  both.push_back(slow());
  both.push_back(starved());
  const auto t0 = steady::now();
  auto results = rt::sync_wait(rt::gather_settled(std::move(both)));
  ASSERT_EQ(results.size(), 2U);
  EXPECT_TRUE(results[0].ok()) << results[0].error_message();
  ASSERT_FALSE(results[1].ok());
  try {
    std::rethrow_exception(results[1].error());
  } catch (const http::error& e) {
    EXPECT_EQ(e.kind(), http::error_kind::pool_timeout) << e.what();
    EXPECT_EQ(e.attempts(), 1);  // waiting longer would not help: not retried
    EXPECT_NE(std::string(e.what()).find("no connection slot"), std::string::npos);
  }
  EXPECT_GE(since(t0), 300ms);
  EXPECT_EQ(s.requests(), 1);  // the starved request never reached the server
}

// ---- Retries -----------------------------------------------------------------------------------

// Answers the first `failures` requests with `status` (+ headers), the rest with 200.
http_test::server::handler fail_first(int failures, int status,
                                      std::vector<std::pair<std::string, std::string>> extra = {}) {
  auto seen = std::make_shared<std::atomic<int>>(0);
  return [=](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (seen->fetch_add(1) < failures) {
        c.respond(status, "busy", extra);
      } else {
        c.respond(200, "fine");
      }
    }
  };
}

TEST(HttpRetry, RetriesServiceUnavailableThenSucceeds) {
  http_test::server s(fail_first(2, 503));
  http::client c(options_for_tests());
  const auto r = rt::sync_wait(c.get(s.url("/x")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "fine");
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(s.requests(), 3);
  EXPECT_EQ(c.stats().retries, 2U);
}

TEST(HttpRetry, ReturnsTheLastStatusWhenAttemptsRunOut) {
  http_test::server s(http_test::answer(503, "down"));
  http::client c(options_for_tests());
  const auto r = rt::sync_wait(c.get(s.url("/x")));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(s.requests(), 3);
  EXPECT_THROW(r.raise_for_status(), http::status_error);
}

TEST(HttpRetry, HonoursRetryAfterSeconds) {
  http_test::server s(fail_first(1, 429, {{"Retry-After", "1"}}));
  auto o = options_for_tests();
  o.retry.max_delay = 5s;
  http::client c(o);
  const auto t0 = steady::now();
  const auto r = rt::sync_wait(c.get(s.url("/x")));
  const auto waited = steady::now() - t0;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_GE(waited, 1s);
  // response::elapsed spans both attempts and the wait between them, within the caller's time.
  EXPECT_GE(r.elapsed, 1s);
  EXPECT_LE(r.elapsed, waited);
}

TEST(HttpClient, ElapsedSpansTheServersAnswerTime) {
  http_test::server s(slow_answer(60ms));
  http::client c(options_for_tests());
  const auto t0 = steady::now();
  const auto r = rt::sync_wait(c.get(s.url("/slow")));
  const auto waited = steady::now() - t0;
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(r.elapsed, 60ms);
  EXPECT_LE(r.elapsed, waited);
}

TEST(HttpRetry, HonoursRetryAfterHttpDate) {
  // Two seconds ahead, in the IMF-fixdate form; whole seconds, so at least one second remains.
  const std::time_t when = std::time(nullptr) + 2;
  std::tm tm{};
  gmtime_r(&when, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  http_test::server s(fail_first(1, 503, {{"Retry-After", date}}));
  auto o = options_for_tests();
  o.retry.max_delay = 5s;
  http::client c(o);
  const auto t0 = steady::now();
  const auto r = rt::sync_wait(c.get(s.url("/x")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_GE(since(t0), 900ms);
}

TEST(HttpRetry, CapsRetryAfterByMaxDelay) {
  http_test::server s(fail_first(1, 429, {{"Retry-After", "3600"}}));
  auto o = options_for_tests();
  o.retry.max_delay = 100ms;
  http::client c(o);
  const auto t0 = steady::now();
  const auto r = rt::sync_wait(c.get(s.url("/x")));
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(since(t0), 100ms);
  EXPECT_LT(since(t0), 60s);  // not an hour
}

TEST(HttpRetry, DoesNotRepeatAPostTheServerReceived) {
  // The server reads the request, then resets the connection without answering.
  http_test::server s([](connection& c) {
    received r;
    if (c.read_request(r)) c.reset();
  });
  http::client c(options_for_tests());
  const auto e = expect_http_error(c.post(s.url("/v1/orders?token=abc"), R"({"n":1})"));
  EXPECT_EQ(e.kind(), http::error_kind::reset) << e.what();
  EXPECT_EQ(e.attempts(), 1);
  EXPECT_EQ(s.requests(), 1);  // exactly once
}

TEST(HttpRetry, DoesNotRepeatAPostAfter503) {
  http_test::server s(http_test::answer(503, "maybe done"));
  http::client c(options_for_tests());
  const auto r = rt::sync_wait(c.post(s.url("/v1/orders"), "{}"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(s.requests(), 1);
}

TEST(HttpRetry, RepeatsAPostWithIdempotencyKey) {
  auto seen = std::make_shared<std::atomic<int>>(0);
  http_test::server s([seen](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (seen->fetch_add(1) == 0) {
        c.reset();
        return;
      }
      c.respond(201, "created");
    }
  });
  http::client c(options_for_tests());
  const auto r = rt::sync_wait(c.post(s.url("/v1/orders"), "{}", {{"Idempotency-Key", "k-1"}}));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.attempts, 2);
  const auto log = s.log();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].header("idempotency-key"), "k-1");
  EXPECT_EQ(log[1].header("idempotency-key"), "k-1");
  EXPECT_EQ(log[0].body, log[1].body);
}

TEST(HttpRetry, RepeatsAPostThatNeverConnected) {
  refusing_port port;
  std::atomic<int> answered{0};
  // Starts listening after a while; until then connections are refused.
  std::thread late([&] {
    std::this_thread::sleep_for(300ms);
    ::listen(port.fd(), 16);
    const int fd = ::accept(port.fd(), nullptr, nullptr);
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    const std::string reply = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
    ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    answered.fetch_add(1);
    ::close(fd);
  });
  auto o = options_for_tests();
  o.retry.max_attempts = 20;
  o.retry.base_delay = 50ms;
  o.retry.max_delay = 100ms;
  http::client c(o);
  const auto r = rt::sync_wait(c.post(port.url("/v1/orders"), "{}"));
  late.join();
  EXPECT_EQ(r.status, 201);
  EXPECT_GE(r.attempts, 2);
  EXPECT_EQ(answered.load(), 1);
}

TEST(HttpRetry, GivesUpOnRefusedConnections) {
  refusing_port port;
  http::client c(options_for_tests());
  const auto e = expect_http_error(c.post(port.url("/v1/x?password=hunter2hunter"), "{}"));
  EXPECT_EQ(e.kind(), http::error_kind::too_many_retries) << e.what();
  EXPECT_EQ(e.cause(), http::error_kind::connect);
  EXPECT_TRUE(e.is(http::error_kind::connect));
  EXPECT_EQ(e.attempts(), 3);
  const std::string what = e.what();
  EXPECT_NE(what.find("password=REDACTED"), std::string::npos) << what;
  EXPECT_EQ(what.find("hunter2hunter"), std::string::npos) << what;
}

TEST(HttpRetry, NoRetryWhenDisabled) {
  http_test::server s(http_test::answer(503, "down"));
  auto o = options_for_tests();
  o.retry = http::retry_policy::none();
  http::client c(o);
  EXPECT_EQ(rt::sync_wait(c.get(s.url("/"))).attempts, 1);
  EXPECT_EQ(s.requests(), 1);
}

TEST(HttpRetry, StaleKeepAliveConnectionsDoNotBreakPosts) {
  // One request per connection, closed afterwards without "Connection: close": the client
  // finds the idle connection dead and must use a new one, without sending anything twice.
  http_test::server s([](connection& c) {
    received r;
    if (c.read_request(r)) c.respond(201, "made");
  });
  http::client c(options_for_tests());
  for (int i = 0; i < 5; ++i) {
    const auto r = rt::sync_wait(c.post(s.url("/v1/orders"), "{}"));
    EXPECT_EQ(r.status, 201);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(s.requests(), 5);
}

// The first connection answers one request, then reads the next one and hangs up without a
// word: a reused keep-alive connection that dies under the request. libcurl would resend such a
// request on a new connection by itself; later connections answer everything.
http_test::server::handler dies_under_second_request() {
  auto connections = std::make_shared<std::atomic<int>>(0);
  return [connections](connection& c) {
    const bool first = connections->fetch_add(1) == 0;
    received r;
    int served = 0;
    while (c.read_request(r)) {
      if (first && served == 1) return;  // closes after reading it
      c.respond(200, "ok");
      ++served;
    }
  };
}

TEST(HttpRetry, RefusesLibcurlsSilentResendOfAPost) {
  http_test::server s(dies_under_second_request());
  http::client c(options_for_tests());
  EXPECT_EQ(rt::sync_wait(c.post(s.url("/v1/orders"), "{}")).status, 200);
  const auto e = expect_http_error(c.post(s.url("/v1/orders"), "{}"));
  EXPECT_EQ(e.kind(), http::error_kind::reset) << e.what();
  EXPECT_NE(e.detail().find("not sent a second time"), std::string::npos) << e.detail();
  EXPECT_EQ(s.requests(), 2);  // the second POST reached the server exactly once
}

TEST(HttpRetry, LetsLibcurlResendSafeRequestsOnADeadConnection) {
  http_test::server s(dies_under_second_request());
  http::client c(options_for_tests());
  EXPECT_EQ(rt::sync_wait(c.get(s.url("/a"))).status, 200);
  const auto r = rt::sync_wait(c.post(s.url("/b"), "{}", {{"Idempotency-Key", "k"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(s.requests(), 3);
  EXPECT_EQ(s.accepted(), 2);
}

// ---- Cancellation ------------------------------------------------------------------------------

// Reads one request and never answers; records whether the client hung up.
struct hanging_server {
  std::atomic<bool> client_hung_up{false};
  http_test::server s{[this](connection& c) {
    received r;
    if (!c.read_request(r)) return;
    if (c.wait_closed(20s)) client_hung_up = true;
  }};
};

TEST(HttpCancel, StopTokenAbortsARequestInFlight) {
  hanging_server hs;
  http::client c(options_for_tests());
  std::stop_source stop;
  std::mutex mu;
  std::optional<rt::settled<http::response>> result;
  steady::time_point done_at;
  rt::spawn(c.get(hs.s.url("/hang")), stop.get_token(),
            [&](rt::settled<http::response> r) noexcept {
              std::lock_guard lock(mu);
              done_at = steady::now();
              result.emplace(std::move(r));
            });
  while (hs.s.requests() == 0) std::this_thread::sleep_for(5ms);
  const auto stop_at = steady::now();
  stop.request_stop();
  for (int i = 0; i < 1000; ++i) {
    {
      std::lock_guard lock(mu);
      if (result) break;
    }
    std::this_thread::sleep_for(2ms);
  }
  std::lock_guard lock(mu);
  ASSERT_TRUE(result.has_value()) << "not cancelled within 2 s";
  EXPECT_THROW(result->value(), rt::cancelled_error);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(done_at - stop_at);
  EXPECT_LT(took, 1s) << took.count() << " ms";  // ~1 ms here; read timeout is 20 s
  for (int i = 0; i < 200 && !hs.client_hung_up; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(hs.client_hung_up.load());  // the transfer was really aborted
  EXPECT_EQ(c.stats().in_flight, 0U);
}

TEST(HttpCancel, AlreadyStoppedNeverSends) {
  http_test::server s(http_test::answer(200, "x"));
  http::client c(options_for_tests());
  std::stop_source stop;
  stop.request_stop();
  EXPECT_THROW(rt::sync_wait(c.get(s.url("/")), stop.get_token()), rt::cancelled_error);
  EXPECT_EQ(s.requests(), 0);
}

TEST(HttpCancel, FailingSiblingInGatherCancelsTheRequest) {
  hanging_server hs;
  http::client c(options_for_tests());
  auto fail_soon = []() -> rt::task<http::response> {
    co_await rt::sleep_for(100ms);
    throw std::runtime_error("sibling failed");
  };
  const auto t0 = steady::now();
  try {
    rt::sync_wait(rt::gather(c.get(hs.s.url("/hang")), fail_soon()));
    ADD_FAILURE() << "gather should throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "sibling failed");
  }
  EXPECT_LT(since(t0), 5s);  // not the 20 s read timeout
}

TEST(HttpCancel, CancelsDuringBackoff) {
  http_test::server s(http_test::answer(503, "down"));
  auto o = options_for_tests();
  o.retry.base_delay = 10s;
  o.retry.max_delay = 10s;
  o.retry.respect_retry_after = false;
  http::client c(o);
  std::stop_source stop;
  std::thread stopper([&] {
    while (s.requests() == 0) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  const auto t0 = steady::now();
  EXPECT_THROW(rt::sync_wait(c.get(s.url("/")), stop.get_token()), rt::cancelled_error);
  stopper.join();
  EXPECT_LT(since(t0), 9s);
}

// ---- Timeouts ----------------------------------------------------------------------------------

TEST(HttpTimeout, ConnectTimeout) {
  // A listener with a full accept queue drops new SYNs: the connect hangs.
  refusing_port port;
  ::listen(port.fd(), 0);
  const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(port.fd(), reinterpret_cast<sockaddr*>(&a), &len);
  ASSERT_EQ(::connect(filler, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  auto o = options_for_tests();
  o.timeouts.connect = 300ms;
  o.retry.max_attempts = 1;
  http::client c(o);
  const auto t0 = steady::now();
  const auto e = expect_http_error(c.get(port.url("/")));
  EXPECT_EQ(e.kind(), http::error_kind::connect_timeout) << e.what();
  EXPECT_TRUE(e.is_timeout());
  EXPECT_GE(since(t0), 290ms);
  ::close(filler);
}

TEST(HttpTimeout, ReadTimeoutWithoutResponse) {
  hanging_server hs;
  auto o = options_for_tests();
  o.timeouts.read = 300ms;
  http::client c(o);
  const auto t0 = steady::now();
  const auto e = expect_http_error(c.get(hs.s.url("/x?token=secret-token-value")));
  EXPECT_EQ(e.kind(), http::error_kind::read_timeout) << e.what();
  EXPECT_GE(since(t0), 300ms);
  EXPECT_EQ(hs.s.requests(), 1);  // read timeouts are not retried
  EXPECT_EQ(std::string(e.what()).find("secret-token-value"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("token=REDACTED"), std::string::npos);
}

TEST(HttpTimeout, ReadTimeoutWhileReadingTheBody) {
  http_test::server s([](connection& c) {
    received r;
    if (!c.read_request(r)) return;
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    c.wait_closed(20s);
  });
  auto o = options_for_tests();
  o.timeouts.read = 300ms;
  http::client c(o);
  const auto e = expect_http_error(c.get(s.url("/")));
  EXPECT_EQ(e.kind(), http::error_kind::read_timeout) << e.what();
  EXPECT_NE(e.detail().find("10 body bytes"), std::string::npos) << e.detail();
}

// Sends the body one byte at a time, `gap` apart.
http_test::server::handler trickle(int bytes, std::chrono::milliseconds gap) {
  return [=](connection& c) {
    received r;
    if (!c.read_request(r)) return;
    c.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(bytes) + "\r\n\r\n");
    for (int i = 0; i < bytes; ++i) {
      std::this_thread::sleep_for(gap);
      if (!c.send("x")) return;  // the client gave up
    }
    c.wait_closed(5s);
  };
}

TEST(HttpTimeout, ReadTimeoutIsAboutSilenceNotTotalTime) {
  http_test::server s(trickle(8, 100ms));
  auto o = options_for_tests();
  o.timeouts.read = 400ms;  // the whole body takes twice that
  http::client c(o);
  const auto r = rt::sync_wait(c.get(s.url("/")));
  EXPECT_EQ(r.body, "xxxxxxxx");
}

TEST(HttpTimeout, TotalTimeoutPerRequest) {
  http_test::server s(trickle(20, 100ms));
  http::client c(options_for_tests());
  http::request r;
  r.url = s.url("/");
  r.timeout = 300ms;
  const auto t0 = steady::now();
  const auto e = expect_http_error(c.send(r));
  EXPECT_EQ(e.kind(), http::error_kind::timeout) << e.what();
  EXPECT_GE(since(t0), 300ms);
}

// ---- Broken responses --------------------------------------------------------------------------

constexpr const char* secret_url_path = "/v1/x?page=1&token=s3cr3t-value";

void expect_redacted(const http::error& e) {
  const std::string what = e.what();
  EXPECT_NE(what.find("token=REDACTED"), std::string::npos) << what;
  EXPECT_EQ(what.find("s3cr3t-value"), std::string::npos) << what;
  EXPECT_EQ(e.url().find("s3cr3t-value"), std::string::npos);
  EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
}

TEST(HttpBroken, TruncatedBody) {
  http_test::server s([](connection& c) {
    received r;
    if (c.read_request(r)) c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
  });  // then closes cleanly
  http::client c(options_for_tests());
  const auto e = expect_http_error(c.get(s.url(secret_url_path)));
  EXPECT_EQ(e.kind(), http::error_kind::bad_response) << e.what();
  EXPECT_NE(e.detail().find("truncated: got 10 bytes of 100"), std::string::npos) << e.detail();
  expect_redacted(e);
}

TEST(HttpBroken, ResetMidBody) {
  http_test::server s([](connection& c) {
    received r;
    if (!c.read_request(r)) return;
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(1000, 'x'));
    std::this_thread::sleep_for(100ms);
    c.reset();
  });
  auto o = options_for_tests();
  o.retry.max_attempts = 1;
  http::client c(o);
  const auto e = expect_http_error(c.get(s.url(secret_url_path)));
  EXPECT_EQ(e.kind(), http::error_kind::reset) << e.what();
  EXPECT_NE(e.detail().find("connection lost"), std::string::npos) << e.detail();
  expect_redacted(e);
}

TEST(HttpBroken, BodyLargerThanTheCap) {
  http_test::server s([](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (r.target == "/declared") {
        c.respond(200, std::string(4096, 'a'));
      } else if (r.target == "/chunked") {
        c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 8; ++i) c.send("200\r\n" + std::string(512, 'b') + "\r\n");
        c.send("0\r\n\r\n");
      } else {
        c.respond(200, std::string(1024, 'c'));
      }
    }
  });
  auto o = options_for_tests();
  o.max_response_body = 1024;
  http::client c(o);
  auto e = expect_http_error(c.get(s.url("/declared")));
  EXPECT_EQ(e.kind(), http::error_kind::body_too_large) << e.what();
  EXPECT_NE(e.detail().find("Content-Length is 4096"), std::string::npos) << e.detail();
  e = expect_http_error(c.get(s.url("/chunked")));
  EXPECT_EQ(e.kind(), http::error_kind::body_too_large) << e.what();
  EXPECT_EQ(rt::sync_wait(c.get(s.url("/exact"))).body.size(), 1024U);
}

TEST(HttpBroken, MalformedStatusLines) {
  http_test::server s([](connection& c) {
    received r;
    if (!c.read_request(r)) return;
    if (r.target == "/garbage") {
      c.send("HELLO THERE\r\n\r\n");
    } else if (r.target == "/status") {
      c.send("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n");
    } else {
      c.send("HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\nbody");
    }
  });
  http::client c(options_for_tests());
  for (const char* path : {"/garbage", "/status", "/length"}) {
    const auto e = expect_http_error(c.get(s.url(path)));
    EXPECT_EQ(e.kind(), http::error_kind::bad_response) << path << ": " << e.what();
    EXPECT_NE(e.detail().find("malformed response"), std::string::npos) << e.detail();
    EXPECT_EQ(e.attempts(), 1) << path;
  }
}

TEST(HttpBroken, HttpsToAPlainServerIsATlsError) {
  // Answers in plain text at once, as a plain server does to a request it cannot parse.
  http_test::server s([](connection& c) {
    c.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  auto o = options_for_tests();
  o.retry.max_attempts = 1;
  http::client c(o);
  const auto e = expect_http_error(c.get("https://127.0.0.1:" + std::to_string(s.port()) + "/"));
  EXPECT_EQ(e.kind(), http::error_kind::tls) << e.what();
}

TEST(HttpBroken, BodyThatIsNotJson) {
  http_test::server s(http_test::answer(200, "<html>oops</html>"));
  http::client c(options_for_tests());
  const auto r = rt::sync_wait(c.get(s.url("/")));
  try {
    (void)r.json();
    ADD_FAILURE() << "json() should throw";
  } catch (const http::error& e) {
    EXPECT_EQ(e.kind(), http::error_kind::bad_response);
  }
}

// ---- Status errors
// -------------------------------------------------------------------------------

TEST(HttpStatus, RaiseForStatus) {
  http_test::server s([](connection& c) {
    received r;
    while (c.read_request(r)) {
      if (r.target.starts_with("/missing")) {
        c.respond(404, R"({"error":"network net-9 not found"})");
      } else {
        c.respond(200, "{}");
      }
    }
  });
  http::client c(options_for_tests());
  const auto ok = rt::sync_wait(c.get(s.url("/fine")));
  EXPECT_NO_THROW(ok.raise_for_status());
  const auto missing = rt::sync_wait(c.get(s.url("/missing?api_key=k3y-k3y-k3y")));
  EXPECT_EQ(missing.status, 404);  // a status is not an exception by default
  try {
    missing.raise_for_status();
    ADD_FAILURE() << "raise_for_status should throw";
  } catch (const http::status_error& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.kind(), http::error_kind::status);
    EXPECT_NE(e.body_excerpt().find("net-9 not found"), std::string::npos);
    const std::string what = e.what();
    EXPECT_NE(what.find("404"), std::string::npos) << what;
    EXPECT_NE(what.find("api_key=REDACTED"), std::string::npos) << what;
    EXPECT_EQ(what.find("k3y-k3y-k3y"), std::string::npos) << what;
  }
}

// ---- Logging ---------------------------------------------------------------------------------

std::mutex log_mu;
std::vector<std::string> log_lines;  // NOLINT: the sink is a plain function pointer
void capture(std::string_view line) {
  std::lock_guard lock(log_mu);
  log_lines.emplace_back(line);
}

TEST(HttpLog, DebugLineWithRedactedUrlAndHeaders) {
  http_test::server s(http_test::answer(200, "ok"));
  const auto previous = hlog::current_level();
  hlog::set_level(hlog::level::trace);
  hlog::set_sink(&capture);
  {
    std::lock_guard lock(log_mu);
    log_lines.clear();
  }
  http::client c(options_for_tests());
  const auto r = rt::sync_wait(
      c.get(s.url("/v1/x?token=tok-tok-tok"),
            {{"Authorization", "Bearer very-secret-bearer"}, {"X-Trace", "visible"}}));
  hlog::set_sink(nullptr);
  hlog::set_level(previous);
  EXPECT_EQ(r.status, 200);
  std::lock_guard lock(log_mu);
  bool request_line = false;
  bool header_line = false;
  for (const auto& line : log_lines) {
    EXPECT_EQ(line.find("tok-tok-tok"), std::string::npos) << line;
    EXPECT_EQ(line.find("very-secret-bearer"), std::string::npos) << line;
    const auto v = http::json::parse(line);
    if (v["@message"].as_string() == "http request") {
      request_line = true;
      EXPECT_EQ(v["@level"].as_string(), "debug");
      EXPECT_EQ(v["method"].as_string(), "GET");
      EXPECT_NE(v["url"].as_string().find("token=REDACTED"), std::string::npos);
      EXPECT_EQ(v["status"].as_int(), 200);
      EXPECT_EQ(v["attempt"].as_int(), 1);
      EXPECT_GE(v["duration_ms"].as_double(), 0.0);
    }
    if (v["@message"].as_string() == "http request headers") {
      header_line = true;
      EXPECT_NE(v["headers"].as_string().find("Authorization: REDACTED"), std::string::npos);
      EXPECT_NE(v["headers"].as_string().find("X-Trace: visible"), std::string::npos);
    }
  }
  EXPECT_TRUE(request_line);
  EXPECT_TRUE(header_line);
}

// ---- Lifetime ----------------------------------------------------------------------------------

TEST(HttpClient, RequestOutlivesTheClientObject) {
  http_test::server s(slow_answer(100ms));
  std::mutex mu;
  std::optional<rt::settled<http::response>> result;
  {
    http::client c(options_for_tests());
    rt::spawn(c.get(s.url("/")), {}, [&](rt::settled<http::response> r) noexcept {
      std::lock_guard lock(mu);
      result.emplace(std::move(r));
    });
  }  // the pool stays alive for the request in flight
  for (int i = 0; i < 1000; ++i) {
    {
      std::lock_guard lock(mu);
      if (result) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  std::lock_guard lock(mu);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->value().status, 200);
}

TEST(HttpClient, CopiesShareThePool) {
  http_test::server s(http_test::answer(200, "ok"));
  http::client a(options_for_tests());
  const http::client b = a;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(rt::sync_wait(a.get(s.url("/"))).status, 200);
  EXPECT_EQ(rt::sync_wait(b.get(s.url("/"))).status, 200);
  EXPECT_EQ(s.accepted(), 1);
  EXPECT_EQ(b.stats().requests, 2U);
}

}  // namespace
