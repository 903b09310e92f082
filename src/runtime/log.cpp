#include "cppvider/runtime/log.hpp"

#include "cppvider/detail/json_escape.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace cppvider::log {
namespace {

level level_from_env() {
  for (const char* var : {"TF_LOG_PROVIDER", "TF_LOG"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
      return parse_level(v, level::off);
    }
  }
  return level::off;
}

std::atomic<level>& level_ref() {
  static std::atomic<level> l{level_from_env()};
  return l;
}

std::atomic<sink_fn> g_sink{nullptr};
std::mutex g_write_mutex;
std::string& default_module() {
  static std::string m = "provider";
  return m;
}

// Scope fields are stored as owned strings: a scope may outlive the buffers it was built from.
thread_local std::vector<std::pair<std::string, std::string>> t_scope_fields;

void append_escaped(std::string& out, std::string_view s) {
  cppvider::detail::append_json_string(out, s);
}

void append_value(std::string& out, const field::value_type& v) {
  std::visit(
      [&out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          append_escaped(out, x);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else {
          char buf[32];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
          if (ec != std::errc{}) end = buf;
          out.append(buf, end);
        }
      },
      v);
}

constexpr std::string_view level_name(level l) {
  switch (l) {
    case level::trace:
      return "trace";
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
    case level::off:
      break;
  }
  return "off";
}

// hclog's layout: 2006-01-02T15:04:05.000000Z07:00 (six fractional digits, UTC as Z).
void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(us.count() / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\"", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long>(us.count() % 1000000));
  out += buf;
}

}  // namespace

level parse_level(std::string_view name, level fallback) {
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "trace" || lower == "json") return level::trace;
  if (lower == "debug") return level::debug;
  if (lower == "info") return level::info;
  if (lower == "warn") return level::warn;
  if (lower == "error") return level::error;
  if (lower == "off") return level::off;
  return fallback;
}

level current_level() noexcept { return level_ref().load(std::memory_order_relaxed); }
void set_level(level l) noexcept { level_ref().store(l, std::memory_order_relaxed); }
void set_default_module(std::string_view module) {
  std::lock_guard lock(g_write_mutex);
  default_module() = module;
}
void set_sink(sink_fn sink) noexcept { g_sink.store(sink); }

std::string format_line(level l, std::string_view message, std::initializer_list<field> fields,
                        std::string_view module) {
  std::string out;
  out.reserve(160 + message.size());
  out += "{\"@level\":\"";
  out += level_name(l);
  out += "\",\"@message\":";
  append_escaped(out, message);
  out += ",\"@module\":";
  append_escaped(out, module);
  out += ",\"@timestamp\":";
  append_timestamp(out);
  for (const auto& [k, v] : t_scope_fields) {
    out.push_back(',');
    append_escaped(out, k);
    out.push_back(':');
    append_escaped(out, v);
  }
  for (const auto& f : fields) {
    out.push_back(',');
    append_escaped(out, f.key);
    out.push_back(':');
    append_value(out, f.value);
  }
  out += "}\n";
  return out;
}

void write(level l, std::string_view message, std::initializer_list<field> fields,
           std::string_view module) {
  if (!enabled(l)) return;
  std::string line;
  {
    std::lock_guard lock(g_write_mutex);
    line = format_line(l, message, fields, module.empty() ? default_module() : module);
  }
  if (auto sink = g_sink.load()) {
    sink(line);
    return;
  }
  // One write per line keeps lines whole when several threads log at once.
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n <= 0) break;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

scope::scope(std::initializer_list<std::string_view> keys_and_values)
    : previous_size_(t_scope_fields.size()) {
  for (auto it = keys_and_values.begin();
       it != keys_and_values.end() && std::next(it) != keys_and_values.end(); it += 2) {
    t_scope_fields.emplace_back(std::string(*it), std::string(*std::next(it)));
  }
}

scope::~scope() { t_scope_fields.resize(previous_size_); }

}  // namespace cppvider::log
