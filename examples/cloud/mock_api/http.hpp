// Minimal HTTP/1.1 for the mock cloud API: an incremental request parser (request line, headers,
// Content-Length bodies) and response serialisation. No chunked request bodies, no pipelining
// guarantees beyond processing buffered requests in order.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cloud_mock::http {

inline constexpr std::size_t max_header_bytes = 64 * 1024;
inline constexpr std::size_t max_body_bytes = 8 * 1024 * 1024;
inline constexpr std::size_t max_header_count = 200;

struct request {
  std::string method;
  std::string target;  // as sent: path plus optional query
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;
  bool expect_continue = false;

  // The target without its query string.
  [[nodiscard]] std::string_view path() const;
  // The first header called `lower_name`, or nullptr.
  [[nodiscard]] const std::string* header(std::string_view lower_name) const;
};

enum class parse_status { incomplete, complete, error };

// Parses one request from the front of a growing buffer. Call parse() again with the whole buffer
// whenever more bytes arrive; the head is scanned only once.
class request_parser {
 public:
  parse_status parse(std::string_view buf);

  // After `complete`: the request and how many bytes of the buffer it used.
  [[nodiscard]] request take() { return std::move(req_); }
  [[nodiscard]] std::size_t consumed() const { return head_len_ + content_length_; }
  // After `incomplete`: the head is in and the client waits for "100 Continue".
  [[nodiscard]] bool awaiting_body() const { return head_done_; }
  [[nodiscard]] const request& head() const { return req_; }
  // After `error`: the status to answer with and why.
  [[nodiscard]] int error_status() const { return error_status_; }
  [[nodiscard]] const std::string& error_message() const { return error_message_; }

  void reset();

 private:
  parse_status fail(int status, std::string message);
  parse_status parse_head(std::string_view head);

  request req_;
  std::size_t skipped_ = 0;   // leading empty lines (tolerated before the request line)
  std::size_t scanned_ = 0;   // how far the search for the end of the head got
  std::size_t head_len_ = 0;  // including the blank line and skipped_
  std::size_t content_length_ = 0;
  bool head_done_ = false;
  int error_status_ = 0;
  std::string error_message_;
};

[[nodiscard]] std::string_view reason_phrase(int status);

// A complete response. 204 gets neither body nor Content-Length. `extra_headers` are preformatted
// lines, each ending in CRLF.
[[nodiscard]] std::string serialize_response(int status, std::string_view body, bool keep_alive,
                                             std::string_view extra_headers = {});

// Only the head, announcing `content_length` bytes (which the truncation fault never sends).
[[nodiscard]] std::string serialize_head(int status, std::size_t content_length, bool keep_alive,
                                         std::string_view extra_headers = {});

}  // namespace cloud_mock::http
