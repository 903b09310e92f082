// cppvider/runtime/log.hpp: structured logging that Terraform and OpenTofu understand.
//
// Every line is one hclog JSON object on stderr (`@level`, `@message`, `@timestamp`, `@module`
// plus fields). go-plugin on the host side re-emits such lines into Terraform's own log at their
// level, so `TF_LOG=debug terraform plan` shows them next to Terraform's lines. stdout is never
// used: it belongs to the handshake.
//
// The level comes from TF_LOG_PROVIDER, else TF_LOG (trace, debug, info, warn, error, off; "json"
// means trace as in Terraform). Below the level a call costs one comparison.
//
//   cppvider::log::info("created bucket", {{"name", name}, {"size_gb", size}});
//   cppvider::log::scope rpc{"tf_rpc", "PlanResourceChange", "tf_req_id", id};  // both fields on
//                                                                             // every line until
//                                                                             it ends
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace cppvider::log {

enum class level : std::uint8_t { trace, debug, info, warn, error, off };

// One key/value pair of a log line. Strings are copied only when the line is written.
struct field {
  using value_type = std::variant<std::string_view, std::int64_t, double, bool>;
  std::string_view key;
  value_type value;

  field(std::string_view k, std::string_view v) : key(k), value(v) {}
  field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  field(std::string_view k, bool v) : key(k), value(v) {}
  field(std::string_view k, double v) : key(k), value(v) {}
  template <class Int>
  requires(std::is_integral_v<Int> && !std::is_same_v<Int, bool>) field(std::string_view k, Int v)
      : key(k), value(static_cast<std::int64_t>(v)) {}
};

// Parses a TF_LOG-style level name; unknown names give `fallback`.
level parse_level(std::string_view name, level fallback = level::off);

// The level in force. Initialised once from TF_LOG_PROVIDER / TF_LOG.
level current_level() noexcept;
void set_level(level l) noexcept;
inline bool enabled(level l) noexcept { return l >= current_level() && l != level::off; }

// The `@module` of lines that name none; "provider" unless the server sets the provider's name.
void set_default_module(std::string_view module);

// Writes a line (if `l` is enabled) with the fields of every active scope on this thread.
void write(level l, std::string_view message, std::initializer_list<field> fields = {},
           std::string_view module = {});

inline void trace(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::trace)) write(level::trace, m, f);
}
inline void debug(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::debug)) write(level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::info)) write(level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::warn)) write(level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::error)) write(level::error, m, f);
}

// Adds fields to every line written on this thread while it lives (RAII; scopes nest). The
// plugin layer opens one per RPC with tf_rpc and tf_req_id, the keys terraform-plugin-go uses.
class scope {
 public:
  // Keys and values alternate: scope s{"tf_rpc", rpc, "tf_req_id", id}. (A flat list, because
  // nested braces of two string literals would silently pick string_view's iterator-pair
  // constructor.) A trailing key without a value is ignored.
  explicit scope(std::initializer_list<std::string_view> keys_and_values);
  ~scope();
  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;

 private:
  std::size_t previous_size_;
};

// Formats one hclog line without writing it (exposed for tests and custom sinks).
std::string format_line(level l, std::string_view message, std::initializer_list<field> fields,
                        std::string_view module);

// Sends lines somewhere other than stderr (tests). Passing nullptr restores stderr.
using sink_fn = void (*)(std::string_view line);
void set_sink(sink_fn sink) noexcept;

}  // namespace cppvider::log
