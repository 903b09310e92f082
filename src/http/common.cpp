// Headers, methods, URLs, redaction, Retry-After and the error types.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

#include "cppvider/http/client.hpp"
#include "internal.hpp"

namespace cppvider::http {

namespace detail {

namespace {

// ASCII only, as header names, schemes and parameter names are; no locale lookup per character.
char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool icontains(std::string_view hay, std::string_view needle) noexcept {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool sensitive_param(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 9> parts{
      "token", "secret", "passw", "pwd", "signature", "credential", "auth", "session", "key"};
  static constexpr std::array<std::string_view, 3> exact{"sig", "code", "jwt"};
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return icontains(name, p); }) ||
         std::any_of(exact.begin(), exact.end(),
                     [&](std::string_view p) { return iequals(name, p); });
}

void percent_encode(std::string& out, std::string_view s) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4U]);
      out.push_back(hex[c & 0xFU]);
    }
  }
}

bool has_http_scheme(std::string_view url) noexcept {
  return (url.size() > 7 && iequals(url.substr(0, 7), "http://")) ||
         (url.size() > 8 && iequals(url.substr(0, 8), "https://"));
}

// "scheme://..." (RFC 3986: a letter, then letters, digits, "+", "-", "."); a relative path
// whose query holds "://" is not one.
bool has_scheme(std::string_view url) noexcept {
  const auto end = url.find("://");
  if (end == std::string_view::npos || end == 0) return false;
  const auto scheme = url.substr(0, end);
  if (std::isalpha(static_cast<unsigned char>(scheme.front())) == 0) return false;
  return std::all_of(scheme.begin(), scheme.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) != 0 || c == '+' || c == '-' || c == '.';
  });
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string join_url(std::string_view base, std::string url, http::method m) {
  std::string out;
  if (has_http_scheme(url)) {
    out = std::move(url);  // the common case: an absolute http(s) URL
  } else if (has_scheme(url)) {
    throw error(error_kind::invalid_request, m, http::redact_url(url), 0,
                "only http:// and https:// URLs are supported");
  } else if (base.empty()) {
    throw error(error_kind::invalid_request, m, http::redact_url(url), 0,
                "relative URL and no client_options::base_url");
  } else {
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    out.reserve(base.size() + url.size() + 1);
    out = base;
    if (!url.empty() && url.front() != '/' && url.front() != '?') out.push_back('/');
    out += url;
    if (!has_http_scheme(out)) {
      throw error(error_kind::invalid_request, m, http::redact_url(out), 0,
                  "only http:// and https:// URLs are supported");
    }
  }
  // One pass without early exit (the compiler vectorises it); URLs are short.
  unsigned bad = 0;
  for (const char ch : out) {
    const auto c = static_cast<unsigned char>(ch);
    bad |= static_cast<unsigned>(c <= 0x20) | static_cast<unsigned>(c == 0x7F);
  }
  if (bad != 0) {
    throw error(error_kind::invalid_request, m, http::redact_url(out), 0,
                "URL contains spaces or control characters (percent-encode them)");
  }
  return out;
}

void append_query(std::string& url, const std::vector<std::pair<std::string, std::string>>& q) {
  if (q.empty()) return;
  const auto hash = url.find('#');
  std::string fragment;
  if (hash != std::string::npos) {
    fragment = url.substr(hash);
    url.resize(hash);
  }
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : q) {
    url.push_back(sep);
    sep = '&';
    percent_encode(url, k);
    url.push_back('=');
    percent_encode(url, v);
  }
  url += fragment;
}

std::string redact_url(std::string_view url, std::vector<std::string>* secrets) {
  std::string out;
  out.reserve(url.size());
  std::size_t pos = 0;
  const auto scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    pos = scheme_end + 3;
    const auto authority_end = std::min(url.find_first_of("/?#", pos), url.size());
    const auto at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
    out.append(url.substr(0, pos));
    if (at != std::string_view::npos && at >= pos && at < authority_end) {
      if (secrets != nullptr) {
        const auto userinfo = url.substr(pos, at - pos);
        const auto colon = userinfo.find(':');
        secrets->emplace_back(userinfo.substr(0, colon));
        if (colon != std::string_view::npos) secrets->emplace_back(userinfo.substr(colon + 1));
      }
      out += "REDACTED";
      pos = at;  // keeps '@'
    }
  }
  const auto q = url.find('?', pos);
  if (q == std::string_view::npos) {
    out.append(url.substr(pos));
    return out;
  }
  out.append(url.substr(pos, q + 1 - pos));
  const auto hash = std::min(url.find('#', q), url.size());
  std::string_view query = url.substr(q + 1, hash - q - 1);
  while (true) {
    const auto amp = query.find('&');
    const auto param = query.substr(0, amp);
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && sensitive_param(param.substr(0, eq))) {
      out.append(param.substr(0, eq + 1));
      out += "REDACTED";
      if (secrets != nullptr) secrets->emplace_back(param.substr(eq + 1));
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    query.remove_prefix(amp + 1);
  }
  out.append(url.substr(hash));
  return out;
}

void scrub(std::string& text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.size() < 4) continue;  // shorter ones would shred ordinary words
    for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 8)) {
      text.replace(at, s.size(), "REDACTED");
    }
  }
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    std::uint64_t secs = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (r.ec != std::errc() || secs > 1'000'000'000) secs = 1'000'000'000;  // capped later
    return std::chrono::seconds(secs);
  }
  const std::string text(value);
  const std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto delta = std::chrono::system_clock::from_time_t(when) - now;
  if (delta <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(delta);
}

}  // namespace detail

// ---- Public helpers ------------------------------------------------------------------------

std::string_view to_string(method m) noexcept {
  switch (m) {
    case method::get:
      return "GET";
    case method::head:
      return "HEAD";
    case method::post:
      return "POST";
    case method::put:
      return "PUT";
    case method::patch:
      return "PATCH";
    case method::del:
      return "DELETE";
    case method::options:
      return "OPTIONS";
  }
  return "GET";
}

bool is_idempotent(method m) noexcept { return m != method::post && m != method::patch; }

std::string redact_url(std::string_view url) { return detail::redact_url(url, nullptr); }

bool is_sensitive_header(std::string_view name) noexcept {
  using detail::iequals;
  if (iequals(name, "authorization") || iequals(name, "proxy-authorization") ||
      iequals(name, "cookie") || iequals(name, "set-cookie") || iequals(name, "x-api-key")) {
    return true;
  }
  for (const std::string_view part : {"token", "secret", "password", "api-key", "apikey"}) {
    if (detail::icontains(name, part)) return true;
  }
  return false;
}

void headers::set(std::string_view name, std::string value) {
  remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

void headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::size_t headers::remove(std::string_view name) {
  return std::erase_if(fields_, [&](const entry& e) { return detail::iequals(e.first, name); });
}

std::optional<std::string_view> headers::get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (detail::iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> headers::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : fields_) {
    if (detail::iequals(k, name)) out.emplace_back(v);
  }
  return out;
}

request& request::json(const http::json& v) {
  body = v.dump();
  headers.set("Content-Type", "application/json");
  return *this;
}

// ---- Errors --------------------------------------------------------------------------------

std::string_view to_string(error_kind k) noexcept {
  switch (k) {
    case error_kind::connect:
      return "connect";
    case error_kind::connect_timeout:
      return "connect_timeout";
    case error_kind::read_timeout:
      return "read_timeout";
    case error_kind::timeout:
      return "timeout";
    case error_kind::pool_timeout:
      return "pool_timeout";
    case error_kind::reset:
      return "reset";
    case error_kind::tls:
      return "tls";
    case error_kind::protocol:
      return "protocol";
    case error_kind::bad_response:
      return "bad_response";
    case error_kind::body_too_large:
      return "body_too_large";
    case error_kind::invalid_request:
      return "invalid_request";
    case error_kind::too_many_retries:
      return "too_many_retries";
    case error_kind::status:
      return "status";
  }
  return "unknown";
}

namespace {
std::string error_message(http::method m, const std::string& url, int attempts,
                          const std::string& detail) {
  std::string s(to_string(m));
  s += ' ';
  s += url;
  s += ": ";
  s += detail;
  if (attempts > 1) {
    s += " (attempt ";
    s += std::to_string(attempts);
    s += ')';
  }
  return s;
}
}  // namespace

error::error(error_kind kind, http::method m, std::string redacted_url, int attempts,
             std::string detail, std::optional<error_kind> cause)
    : std::runtime_error(error_message(m, redacted_url, attempts, detail)),
      kind_(kind),
      cause_(cause.value_or(kind)),
      method_(m),
      url_(std::move(redacted_url)),
      attempts_(attempts),
      detail_(std::move(detail)) {}

bool error::is_timeout() const noexcept {
  const auto t = [](error_kind k) {
    return k == error_kind::connect_timeout || k == error_kind::read_timeout ||
           k == error_kind::timeout || k == error_kind::pool_timeout;
  };
  return t(kind_) || t(cause_);
}

namespace {
std::string status_detail(int status, const std::string& excerpt) {
  std::string s = "HTTP status " + std::to_string(status);
  if (!excerpt.empty()) {
    s += ": ";
    s += excerpt;
  }
  return s;
}
}  // namespace

status_error::status_error(const response& r, std::string redacted_url, std::string body_excerpt)
    : error(error_kind::status, r.method, std::move(redacted_url), r.attempts,
            status_detail(r.status, body_excerpt)),
      status_(r.status),
      excerpt_(std::move(body_excerpt)) {}

const response& response::raise_for_status() const {
  if (status < 400) return *this;
  constexpr std::size_t max_excerpt = 512;
  std::string excerpt;
  for (const char c : std::string_view(body).substr(0, max_excerpt)) {
    const auto u = static_cast<unsigned char>(c);
    excerpt.push_back(u < 0x20 || u == 0x7F ? ' ' : c);
  }
  if (body.size() > max_excerpt) excerpt += "...";
  std::vector<std::string> secrets;
  std::string redacted = detail::redact_url(url, &secrets);
  detail::scrub(excerpt, secrets);
  throw status_error(*this, std::move(redacted), std::move(excerpt));
}

http::json response::json() const {
  try {
    // Bodies read by the client keep SIMDJSON_PADDING spare bytes (see pool.cpp).
    return detail::parse_json(body, body.capacity() - body.size() >= 64);
  } catch (const json_error& e) {
    throw error(error_kind::bad_response, method, redact_url(url), attempts,
                std::string("response body is not JSON: ") + e.what());
  }
}

}  // namespace cppvider::http
