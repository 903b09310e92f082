#include "http.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace cloud_mock::http {
namespace {

// RFC 9110 token characters (method and header names).
constexpr bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower(x) == to_lower(y);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(token) for each comma-separated, trimmed, non-empty element.
template <typename F>
void for_each_token(std::string_view list, F&& f) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = trim(list.substr(0, comma));
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

void append_status_line(std::string& out, int status) {
  out += "HTTP/1.1 ";
  append_number(out, static_cast<std::uint64_t>(status));
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nServer: cloud-mock-api\r\n";
}

}  // namespace

std::string_view request::path() const {
  const std::string_view t{target};
  return t.substr(0, t.find('?'));
}

const std::string* request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

void request_parser::reset() {
  req_ = request{};
  skipped_ = scanned_ = head_len_ = content_length_ = 0;
  head_done_ = false;
  error_status_ = 0;
  error_message_.clear();
}

parse_status request_parser::fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  return parse_status::error;
}

parse_status request_parser::parse(std::string_view buf) {
  if (!head_done_) {
    // Tolerate empty lines before the request line (RFC 9112 section 2.2).
    if (scanned_ == skipped_) {
      while (skipped_ < buf.size() && (buf[skipped_] == '\r' || buf[skipped_] == '\n')) ++skipped_;
      scanned_ = skipped_;
    }
    std::size_t end = 0;
    std::size_t pos = scanned_;
    while (end == 0) {
      const auto nl = buf.find('\n', pos);
      if (nl == std::string_view::npos) {
        scanned_ = buf.size();
        break;
      }
      const auto next = nl + 1;
      if (next < buf.size() && buf[next] == '\n') {
        end = next + 1;
      } else if (next + 1 < buf.size() && buf[next] == '\r' && buf[next + 1] == '\n') {
        end = next + 2;
      } else if (next >= buf.size() || (buf[next] == '\r' && next + 1 >= buf.size())) {
        scanned_ = nl;  // the blank line may still be on its way: look at this newline again
        break;
      } else {
        pos = next;
      }
    }
    if (end == 0) {
      if (buf.size() - skipped_ > max_header_bytes) {
        return fail(400, "request head exceeds 64 KiB");
      }
      return parse_status::incomplete;
    }
    if (end - skipped_ > max_header_bytes) return fail(400, "request head exceeds 64 KiB");
    if (const auto st = parse_head(buf.substr(skipped_, end - skipped_));
        st == parse_status::error) {
      return st;
    }
    head_len_ = end;
    head_done_ = true;
  }
  if (buf.size() - head_len_ < content_length_) return parse_status::incomplete;
  req_.body.assign(buf.substr(head_len_, content_length_));
  return parse_status::complete;
}

parse_status request_parser::parse_head(std::string_view head) {
  auto next_line = [&head]() {
    const auto nl = head.find('\n');
    auto line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };

  // Request line: method SP request-target SP HTTP-version, nothing else.
  const auto line = next_line();
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(400, "malformed request line");
  }
  const auto method = line.substr(0, sp1);
  const auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = line.substr(sp2 + 1);
  if (method.empty() || method.size() > 32 ||
      !std::all_of(method.begin(), method.end(), is_tchar)) {
    return fail(400, "malformed request method");
  }
  if (target.empty() || target.front() != '/' ||
      !std::all_of(target.begin(), target.end(),
                   [](char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f; })) {
    return fail(400, "malformed request target (expected an absolute path)");
  }
  if (version == "HTTP/1.1") {
    req_.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    req_.minor_version = 0;
  } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[6] == '.') {
    return fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  } else {
    return fail(400, "malformed HTTP version");
  }
  req_.method.assign(method);
  req_.target.assign(target);

  bool have_length = false;
  bool close = false;
  bool keep_alive = false;
  while (!head.empty()) {
    const auto h = next_line();
    if (h.empty()) break;  // the blank line ending the head
    if (h.front() == ' ' || h.front() == '\t') return fail(400, "obsolete header line folding");
    const auto colon = h.find(':');
    if (colon == 0 || colon == std::string_view::npos) return fail(400, "malformed header line");
    const auto name = h.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return fail(400, "malformed header name");
    const auto value = trim(h.substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(), [](char c) {
          return c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
        })) {
      return fail(400, "control character in header value");
    }
    if (req_.headers.size() == max_header_count) return fail(400, "too many header fields");
    std::string lower(name.size(), '\0');
    std::transform(name.begin(), name.end(), lower.begin(), to_lower);

    if (lower == "content-length") {
      std::uint64_t n = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc{} || ptr != value.data() + value.size()) {
        return fail(400, "malformed Content-Length");
      }
      if (have_length && n != content_length_) return fail(400, "conflicting Content-Length");
      if (n > max_body_bytes) return fail(400, "request body exceeds 8 MiB");
      content_length_ = static_cast<std::size_t>(n);
      have_length = true;
    } else if (lower == "transfer-encoding") {
      return fail(411, "chunked request bodies are not supported: send Content-Length");
    } else if (lower == "connection") {
      for_each_token(value, [&](std::string_view t) {
        if (iequals(t, "close")) close = true;
        if (iequals(t, "keep-alive")) keep_alive = true;
      });
    } else if (lower == "expect") {
      req_.expect_continue = iequals(value, "100-continue");
    }
    req_.headers.emplace_back(std::move(lower), std::string{value});
  }
  req_.keep_alive = !close && (req_.minor_version == 1 || keep_alive);
  return parse_status::complete;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string serialize_response(int status, std::string_view body, bool keep_alive,
                               std::string_view extra_headers) {
  std::string out;
  out.reserve(160 + extra_headers.size() + body.size());
  append_status_line(out, status);
  if (status != 204) {
    out += "Content-Type: application/json\r\nContent-Length: ";
    append_number(out, body.size());
    out += "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += extra_headers;
  out += "\r\n";
  if (status != 204) out += body;
  return out;
}

std::string serialize_head(int status, std::size_t content_length, bool keep_alive,
                           std::string_view extra_headers) {
  std::string out;
  append_status_line(out, status);
  out += "Content-Type: application/json\r\nContent-Length: ";
  append_number(out, content_length);
  out += keep_alive ? "\r\nConnection: keep-alive\r\n" : "\r\nConnection: close\r\n";
  out += extra_headers;
  out += "\r\n";
  return out;
}

}  // namespace cloud_mock::http
