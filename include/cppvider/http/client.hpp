// cppvider/http/client.hpp: a pooled, retrying, cancellable HTTP client for provider code.
//
//   http::client api({.base_url = "https://api.example.com",
//                     .headers = {{"Authorization", "Bearer " + token}},
//                     .limits = http::limits::high_traffic()});
//
//   runtime::task<std::string> create_network(http::client& api, std::string name) {
//     auto r = co_await api.post("/v1/networks", http::json::object({{"name", name}}));
//     r.raise_for_status();                    // http::status_error for 4xx/5xx
//     co_return r.json()["id"].as_string();
//   }
//
// One client holds one connection pool (libcurl multi, HTTP/1.1 keep-alive or HTTP/2 multiplexed
// over TLS) driven by the runtime's executor threads: no thread per request, and any number of
// tasks may share a client (copies share the pool). A request that fails to connect, or meets
// 429/503, is retried with capped exponential backoff and full jitter when that is safe (see
// retry_policy and docs/http.md). Transport failures throw http::error; an HTTP status, even 500,
// is a response (raise_for_status() turns >= 400 into http::status_error). Stopping the task
// (StopProvider, a failing sibling in gather) aborts the transfer and throws
// runtime::cancelled_error.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cppvider/http/json.hpp"
#include "cppvider/runtime/block_cache.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::http {

enum class method : std::uint8_t { get, head, post, put, patch, del, options };

std::string_view to_string(method m) noexcept;
// GET, HEAD, PUT, DELETE and OPTIONS: sending them twice has the effect of sending them once.
bool is_idempotent(method m) noexcept;

// Header fields in order; names compare case-insensitively.
class headers {
 public:
  using entry = std::pair<std::string, std::string>;

  headers() = default;
  headers(std::initializer_list<entry> fields) : fields_(fields) {}

  // Replaces every field of that name.
  void set(std::string_view name, std::string value);
  void add(std::string name, std::string value);
  std::size_t remove(std::string_view name);
  void clear() noexcept { fields_.clear(); }
  void reserve(std::size_t n) { fields_.reserve(n); }

  // The first value of that name.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return get(name).has_value(); }

  [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
  [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
  [[nodiscard]] auto begin() const noexcept { return fields_.begin(); }
  [[nodiscard]] auto end() const noexcept { return fields_.end(); }

 private:
  // Every response makes one and the caller drops it: its buffer comes from the thread's block
  // cache (runtime/block_cache.hpp).
  std::vector<entry, runtime::cached_allocator<entry>> fields_;
};

struct request {
  http::method method = http::method::get;
  // Absolute ("https://host/path"), or relative to client_options::base_url ("/v1/items").
  std::string url;
  http::headers headers;  // override the client's default headers of the same name
  std::string body;
  // Appended to the URL, percent-encoded: {{"page", "2"}, {"filter", "a b"}}.
  std::vector<std::pair<std::string, std::string>> query;
  // Overrides timeouts::total and retry_policy::max_attempts for this request.
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<int> max_attempts;

  // Sets the body to v's JSON text and Content-Type to application/json.
  request& json(const http::json& v);
};

struct response {
  int status = 0;
  http::headers headers;
  std::string body;
  http::method method = http::method::get;
  std::string url;                      // as requested (not redacted: it is the caller's own data)
  std::string http_version;             // "1.1", "2"
  int attempts = 0;                     // 1 unless retried
  std::chrono::nanoseconds elapsed{0};  // all attempts and backoff

  [[nodiscard]] bool ok() const noexcept { return status >= 200 && status < 300; }
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
    return headers.get(name);
  }
  // The body parsed as JSON; throws http::error (bad_response) when it is not JSON.
  [[nodiscard]] http::json json() const;
  // Throws http::status_error for a status >= 400; returns *this otherwise.
  const response& raise_for_status() const;
};

// ---- Errors --------------------------------------------------------------------------------

enum class error_kind : std::uint8_t {
  connect,           // refused, unreachable, name not resolved: the request was never sent
  connect_timeout,   // timeouts::connect passed (TCP and TLS handshake)
  read_timeout,      // timeouts::read passed without a byte from the server
  timeout,           // timeouts::total (or request::timeout) passed
  pool_timeout,      // no connection slot within timeouts::pool_wait
  reset,             // the connection broke (reset or closed) before the response was complete
  tls,               // handshake or certificate verification failed
  protocol,          // HTTP/2 framing, too many redirects and other protocol violations
  bad_response,      // malformed status line or headers, truncated body, body is not JSON
  body_too_large,    // the body exceeds client_options::max_response_body
  invalid_request,   // unusable URL or scheme
  too_many_retries,  // every attempt failed with a retryable error; cause() tells which
  status,            // http::status_error (raise_for_status)
};
std::string_view to_string(error_kind k) noexcept;

// What went wrong, for which request (URL with secrets redacted), after how many attempts.
class error : public std::runtime_error {
 public:
  error(error_kind kind, http::method m, std::string redacted_url, int attempts, std::string detail,
        std::optional<error_kind> cause = std::nullopt);

  [[nodiscard]] error_kind kind() const noexcept { return kind_; }
  // The failure of the last attempt: kind() itself except for too_many_retries.
  [[nodiscard]] error_kind cause() const noexcept { return cause_; }
  // kind() or cause() is k: `e.is(error_kind::connect)` also after retries ran out.
  [[nodiscard]] bool is(error_kind k) const noexcept { return kind_ == k || cause_ == k; }
  [[nodiscard]] bool is_timeout() const noexcept;
  [[nodiscard]] http::method method() const noexcept { return method_; }
  [[nodiscard]] const std::string& url() const noexcept { return url_; }
  [[nodiscard]] int attempts() const noexcept { return attempts_; }
  [[nodiscard]] const std::string& detail() const noexcept { return detail_; }

 private:
  error_kind kind_;
  error_kind cause_;
  http::method method_;
  std::string url_;
  int attempts_;
  std::string detail_;
};

// A response with status >= 400, from response::raise_for_status().
class status_error : public error {
 public:
  status_error(const response& r, std::string redacted_url, std::string body_excerpt);
  [[nodiscard]] int status() const noexcept { return status_; }
  // Up to 512 bytes of the body, control characters replaced.
  [[nodiscard]] const std::string& body_excerpt() const noexcept { return excerpt_; }

 private:
  int status_;
  std::string excerpt_;
};

// ---- Options -------------------------------------------------------------------------------

// Connection pool bounds. Defaults: 100 connections, any of them to one host, 20 kept idle for
// 5 s (httpx's). HTTP/2 carries many requests on one connection, so they bound connections, not
// requests in flight.
struct limits {
  std::size_t max_connections = 100;           // open at once, all hosts
  std::size_t max_connections_per_host = 0;    // 0: max_connections
  std::size_t max_keepalive_connections = 20;  // idle ones kept for reuse
  std::chrono::seconds keepalive_expiry{5};    // idle longer than this: not reused (>= 1 s)

  // A provider managing a handful of objects: few connections, short-lived.
  static limits low_traffic() noexcept { return {10, 10, 2, std::chrono::seconds(5)}; }
  // Thousands of objects per run (Terraform's -parallelism plus reads, batch refreshes).
  static limits high_traffic() noexcept { return {256, 64, 64, std::chrono::seconds(30)}; }
};

// Zero disables a timeout (connect then falls back to libcurl's 300 s).
struct timeouts {
  std::chrono::milliseconds connect{10'000};    // TCP connect plus TLS handshake
  std::chrono::milliseconds read{30'000};       // longest silence from the server once sent
  std::chrono::milliseconds total{0};           // one attempt, from submission to last byte
  std::chrono::milliseconds pool_wait{30'000};  // waiting for a connection slot
};

// Which failures are retried and how long to wait between attempts (docs/http.md).
// GET, HEAD, PUT, DELETE, OPTIONS and any request with an Idempotency-Key header are "safe":
// they are retried after connection errors (never connected, or reset before any response
// byte) and for every status in retry_statuses. POST and PATCH without a key are retried only
// when the request provably never left (connection refused, connect timeout, name not
// resolved), and for 429 (the server refused it unprocessed); a 503 or a connection lost after
// sending is returned or thrown as is.
struct retry_policy {
  int max_attempts = 3;  // 1: never retry
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10'000};  // caps backoff and Retry-After
  bool retry_connection_errors = true;
  std::vector<int> retry_statuses{429, 503};
  bool respect_retry_after = true;  // Retry-After (seconds or HTTP date), Retry-After-Ms

  static retry_policy none() {
    retry_policy p;
    p.max_attempts = 1;
    return p;
  }
};

struct tls_options {
  bool verify = true;  // peer certificate and host name; false only for tests and lab setups
  // Trust these CAs (PEM). They replace libcurl's default bundle file; the system CA directory
  // (Debian: /etc/ssl/certs) stays trusted when libcurl was built with one.
  std::string ca_file;
  std::string ca_pem;            // same, in memory
  std::string client_cert_file;  // mutual TLS (PEM)
  std::string client_key_file;
};

struct client_options {
  std::string base_url;   // joined with relative request URLs
  http::headers headers;  // sent with every request
  std::string user_agent = "cppvider-http/0.1";
  http::limits limits;
  http::timeouts timeouts;
  http::retry_policy retry;
  http::tls_options tls;
  bool http2 = true;              // negotiate h2 over TLS (ALPN); plain http is HTTP/1.1
  bool follow_redirects = false;  // http(s) only, Authorization not sent to other hosts
  int max_redirects = 5;
  bool accept_compressed = true;  // Accept-Encoding gzip/deflate/br/zstd, decoded for you
  std::size_t max_response_body = std::size_t{64} << 20U;  // decoded bytes
  // Explicit proxy URL; empty: libcurl's environment variables (HTTPS_PROXY, NO_PROXY...).
  // Whether any proxy variable is set is checked when the client is made: without one, no
  // request looks at the environment again.
  std::string proxy;
};

// Counters since the client was made (all copies together).
struct client_stats {
  std::uint64_t requests = 0;  // send() calls that reached the pool
  std::uint64_t attempts = 0;  // transfers started, retries included
  std::uint64_t retries = 0;
  std::uint64_t connections_opened = 0;  // new TCP connections (the rest reused one)
  std::size_t in_flight = 0;             // transfers running now
};

namespace detail {
class pool;
}

class client {
 public:
  // Throws std::invalid_argument for contradictory options (max_attempts < 1, ...).
  explicit client(client_options options = {});
  ~client();
  // Copies share the connection pool; a pool lives until its last copy and its last request.
  client(const client&) noexcept;
  client& operator=(const client&) noexcept;
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  // Runs the request with retries. Throws http::error, or runtime::cancelled_error when the
  // task is stopped; a status >= 400 is returned, not thrown.
  runtime::task<response> send(request r) const;

  runtime::task<response> get(std::string url, http::headers h = {}) const;
  runtime::task<response> head(std::string url, http::headers h = {}) const;
  runtime::task<response> del(std::string url, http::headers h = {}) const;
  // Raw bodies: set Content-Type in `h` (none is sent otherwise).
  runtime::task<response> post(std::string url, std::string body, http::headers h = {}) const;
  runtime::task<response> put(std::string url, std::string body, http::headers h = {}) const;
  runtime::task<response> patch(std::string url, std::string body, http::headers h = {}) const;
  // JSON bodies: serialised, with Content-Type: application/json.
  runtime::task<response> post(std::string url, const http::json& body, http::headers h = {}) const;
  runtime::task<response> put(std::string url, const http::json& body, http::headers h = {}) const;
  runtime::task<response> patch(std::string url, const http::json& body,
                                http::headers h = {}) const;
  // A string literal is a raw body (without these it would be ambiguous with json).
  runtime::task<response> post(std::string url, const char* body, http::headers h = {}) const {
    return post(std::move(url), std::string(body), std::move(h));
  }
  runtime::task<response> put(std::string url, const char* body, http::headers h = {}) const {
    return put(std::move(url), std::string(body), std::move(h));
  }
  runtime::task<response> patch(std::string url, const char* body, http::headers h = {}) const {
    return patch(std::move(url), std::string(body), std::move(h));
  }

  [[nodiscard]] const client_options& options() const noexcept;
  [[nodiscard]] client_stats stats() const noexcept;

 private:
  std::shared_ptr<detail::pool> pool_;
};

// ---- Redaction (also used for the client's errors and logs) ----------------------------------

// The URL with userinfo and the values of secret-looking query parameters (names containing
// token, key, secret, password, passwd, pwd, signature, sig, credential, auth, session) replaced
// by REDACTED: "https://REDACTED@host/p?api_key=REDACTED&page=2".
std::string redact_url(std::string_view url);
// Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key and names containing token,
// secret, password or api-key.
bool is_sensitive_header(std::string_view name) noexcept;

}  // namespace cppvider::http
