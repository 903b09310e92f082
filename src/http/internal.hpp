// Helpers shared by the HTTP sources; no curl or asio here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cppvider/http/client.hpp"
#include "cppvider/http/json.hpp"

namespace cppvider::http::detail {

// `padded`: text.data() is readable for SIMDJSON_PADDING bytes past its end, so the parser
// need not copy it (response bodies are read into such buffers).
json parse_json(std::string_view text, bool padded);

bool iequals(std::string_view a, std::string_view b) noexcept;

// base + relative path ("https://h/api" + "/v1/x" -> "https://h/api/v1/x"); an absolute url
// is returned as is. Throws http::error(invalid_request) when the result has no http(s) scheme.
std::string join_url(std::string_view base, std::string url, http::method m);
void append_query(std::string& url, const std::vector<std::pair<std::string, std::string>>& q);

// redact_url, also returning the raw secrets it hid (to scrub them from libcurl's messages).
std::string redact_url(std::string_view url, std::vector<std::string>* secrets);
// Replaces every occurrence of each secret (of 4 or more characters) by REDACTED.
void scrub(std::string& text, const std::vector<std::string>& secrets);

// Retry-After as seconds or an HTTP date, relative to `now` (never negative).
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

std::string describe_duration(std::chrono::nanoseconds d);

}  // namespace cppvider::http::detail
