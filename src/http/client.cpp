// http::client: retries, backoff, logging and the public request helpers over detail::pool.
#include "cppvider/http/client.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <stdexcept>

#include "cppvider/runtime/log.hpp"
#include "cppvider/runtime/time.hpp"
#include "internal.hpp"
#include "pool.hpp"

namespace cppvider::http {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

struct decision {
  bool retry = false;
  bool exhausted = false;  // retryable, but no attempt left
  nanoseconds delay{0};
};

// Full jitter: uniform in [0, min(max_delay, base * 2^(attempt-1))] (AWS architecture blog,
// "Exponential Backoff And Jitter"): spreads clients out instead of synchronising them.
nanoseconds backoff(const retry_policy& p, int attempt) {
  const double cap_ms = std::min(
      static_cast<double>(p.max_delay.count()),
      static_cast<double>(p.base_delay.count()) * std::pow(2.0, std::min(attempt - 1, 62)));
  if (cap_ms <= 0) return nanoseconds(0);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> pick(0.0, cap_ms);
  return duration_cast<nanoseconds>(std::chrono::duration<double, std::milli>(pick(rng)));
}

std::optional<milliseconds> server_delay(const retry_policy& p, const detail::outcome& out) {
  if (!p.respect_retry_after) return std::nullopt;
  // Retry-After-Ms (Azure and others) is more precise when a server sends both.
  if (const auto ms = out.headers.get("retry-after-ms")) {
    std::uint64_t v = 0;
    const auto r = std::from_chars(ms->data(), ms->data() + ms->size(), v);
    if (r.ec == std::errc() && r.ptr == ms->data() + ms->size()) {
      return milliseconds(std::min<std::uint64_t>(v, 1'000'000'000'000ULL));
    }
  }
  if (const auto ra = out.headers.get("retry-after")) {
    return detail::parse_retry_after(*ra, std::chrono::system_clock::now());
  }
  return std::nullopt;
}

decision decide(const client_options& o, const detail::prepared& req, const detail::outcome& out,
                int attempt) {
  decision d;
  const auto& p = o.retry;
  if (out.cancelled) return d;
  if (out.failure) {
    const auto k = *out.failure;
    // Never left this machine: safe for every method.
    const bool never_sent =
        (k == error_kind::connect || k == error_kind::connect_timeout) && !out.sent;
    // Sent, but the connection died before a single response byte: only safe to repeat when
    // repeating cannot do the work twice.
    const bool lost_early = k == error_kind::reset && !out.response_started && req.retry_safe;
    if (!p.retry_connection_errors || !(never_sent || lost_early)) return d;
    d.delay = backoff(p, attempt);
  } else {
    if (std::find(p.retry_statuses.begin(), p.retry_statuses.end(), out.status) ==
        p.retry_statuses.end()) {
      return d;
    }
    // 429 says the request was refused unprocessed; any other status (503...) may come after
    // the work was done, so only safe requests repeat it.
    if (out.status != 429 && !req.retry_safe) return d;
    const auto wait = server_delay(p, out);
    d.delay = wait ? duration_cast<nanoseconds>(std::min(*wait, p.max_delay)) : backoff(p, attempt);
  }
  if (attempt >= req.max_attempts) {
    d.exhausted = req.max_attempts > 1;
    return d;
  }
  d.retry = true;
  return d;
}

double to_ms(nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

void log_attempt(const detail::prepared& req, const detail::outcome& out, int attempt,
                 const decision& d) {
  if (!log::enabled(log::level::debug)) return;
  const std::string_view m = to_string(req.method);
  if (out.cancelled) {
    log::debug("http request cancelled", {{"method", m},
                                          {"url", req.redacted_url()},
                                          {"attempt", attempt},
                                          {"duration_ms", to_ms(out.duration())}});
  } else if (out.failure) {
    log::debug("http request failed", {{"method", m},
                                       {"url", req.redacted_url()},
                                       {"attempt", attempt},
                                       {"duration_ms", to_ms(out.duration())},
                                       {"error_kind", to_string(*out.failure)},
                                       {"error", out.detail}});
  } else {
    log::debug("http request", {{"method", m},
                                {"url", req.redacted_url()},
                                {"status", out.status},
                                {"attempt", attempt},
                                {"duration_ms", to_ms(out.duration())},
                                {"http_version", out.http_version},
                                {"response_bytes", out.body.size()}});
  }
  if (d.retry) {
    log::debug("http retry scheduled", {{"method", m},
                                        {"url", req.redacted_url()},
                                        {"next_attempt", attempt + 1},
                                        {"delay_ms", to_ms(d.delay)}});
  }
}

response make_response(detail::prepared&& req, detail::outcome&& out, int attempts,
                       nanoseconds elapsed) {
  response r;
  r.status = out.status;
  r.headers = std::move(out.headers);
  r.body = std::move(out.body);
  r.method = req.method;
  r.url = std::move(req.url);
  r.http_version = std::move(out.http_version);
  r.attempts = attempts;
  r.elapsed = elapsed;
  return r;
}

[[noreturn]] void fail(const detail::prepared& req, const detail::outcome& out, int attempts,
                       bool exhausted) {
  if (out.cancelled) {
    throw runtime::cancelled_error(std::string(to_string(req.method)) + " " + req.redacted_url() +
                                   ": cancelled");
  }
  const error_kind k = *out.failure;
  if (exhausted) {
    throw error(error_kind::too_many_retries, req.method, req.redacted_url(), attempts,
                "gave up after " + std::to_string(attempts) + " attempts; last: " + out.detail, k);
  }
  throw error(k, req.method, req.redacted_url(), attempts, out.detail);
}

// The awaitable for one attempt, which fills `out` in place. (The pool and request are passed
// by reference: GCC 12 mishandles coroutine parameters moved into lambda captures.)
auto attempt_once(detail::pool& p, const detail::prepared& req, detail::outcome& out) {
  return runtime::suspend_with<void>(
      [&p, &req, &out](runtime::resumer<void> r, const std::stop_token& st) {
        p.start(req, out, r, st);
      });
}

// Locals live at function scope and no co_await sits in a condition or an initialiser: GCC 12
// miscompiles those in coroutines (see runtime/task.hpp).
runtime::task<response> run(std::shared_ptr<detail::pool> p, request r) {
  clock::time_point started{};  // the first attempt's start, as the pool saw it
  detail::prepared req = p->prepare(std::move(r));
  detail::outcome out;
  decision d;
  int attempt = 0;
  p->count_request();
  if (log::enabled(log::level::trace)) {
    log::trace("http request headers", {{"method", to_string(req.method)},
                                        {"url", req.redacted_url()},
                                        {"headers", req.trace_headers}});
  }
  for (;;) {
    ++attempt;
    if (attempt > 1) out = detail::outcome{};  // forget the previous attempt
    co_await attempt_once(*p, req, out);
    if (attempt == 1) started = out.started_at;
    d = decide(p->options(), req, out, attempt);
    log_attempt(req, out, attempt, d);
    if (!d.retry) break;
    p->count_retry();
    co_await runtime::sleep_for(d.delay);
  }
  if (out.cancelled || out.failure) fail(req, out, attempt, d.exhausted);
  co_return make_response(std::move(req), std::move(out), attempt, out.ended_at - started);
}

void validate(const client_options& o) {
  if (o.retry.max_attempts < 1) throw std::invalid_argument("retry.max_attempts must be >= 1");
  if (o.retry.base_delay.count() < 0 || o.retry.max_delay.count() < 0) {
    throw std::invalid_argument("retry delays must not be negative");
  }
  if (o.limits.max_connections == 0) {
    throw std::invalid_argument("limits.max_connections must be >= 1");
  }
  if (o.max_response_body == 0) throw std::invalid_argument("max_response_body must be >= 1");
  if (o.max_redirects < 0) throw std::invalid_argument("max_redirects must be >= 0");
}

request make(method m, std::string url, std::string body, http::headers h) {
  request r;
  r.method = m;
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers = std::move(h);
  return r;
}

request make_json(method m, std::string url, const http::json& body, http::headers h) {
  request r = make(m, std::move(url), {}, std::move(h));
  if (!r.headers.contains("content-type")) r.headers.add("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

}  // namespace

client::client(client_options options) {
  validate(options);
  pool_ = std::make_shared<detail::pool>(std::move(options));
}
client::~client() = default;
client::client(const client&) noexcept = default;
client& client::operator=(const client&) noexcept = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

runtime::task<response> client::send(request r) const {
  if (!pool_) throw std::logic_error("http::client used after being moved from");
  return run(pool_, std::move(r));
}

runtime::task<response> client::get(std::string url, http::headers h) const {
  return send(make(method::get, std::move(url), {}, std::move(h)));
}
runtime::task<response> client::head(std::string url, http::headers h) const {
  return send(make(method::head, std::move(url), {}, std::move(h)));
}
runtime::task<response> client::del(std::string url, http::headers h) const {
  return send(make(method::del, std::move(url), {}, std::move(h)));
}
runtime::task<response> client::post(std::string url, std::string body, http::headers h) const {
  return send(make(method::post, std::move(url), std::move(body), std::move(h)));
}
runtime::task<response> client::put(std::string url, std::string body, http::headers h) const {
  return send(make(method::put, std::move(url), std::move(body), std::move(h)));
}
runtime::task<response> client::patch(std::string url, std::string body, http::headers h) const {
  return send(make(method::patch, std::move(url), std::move(body), std::move(h)));
}
runtime::task<response> client::post(std::string url, const http::json& body,
                                     http::headers h) const {
  return send(make_json(method::post, std::move(url), body, std::move(h)));
}
runtime::task<response> client::put(std::string url, const http::json& body,
                                    http::headers h) const {
  return send(make_json(method::put, std::move(url), body, std::move(h)));
}
runtime::task<response> client::patch(std::string url, const http::json& body,
                                      http::headers h) const {
  return send(make_json(method::patch, std::move(url), body, std::move(h)));
}

const client_options& client::options() const noexcept { return pool_->options(); }
client_stats client::stats() const noexcept { return pool_ ? pool_->stats() : client_stats{}; }

}  // namespace cppvider::http
