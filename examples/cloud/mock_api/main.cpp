// cloud-mock-api: the mock cloud API for the cloud example provider's tests, demo and benchmarks.
//
//   cloud-mock-api [--host 127.0.0.1] [--port 0] [--port-file PATH] [--threads N] [--latency-ms N]
//
// Prints exactly one line, "listening on HOST:PORT", once it accepts connections.
#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "server.hpp"

namespace {

constexpr std::string_view usage =
    "usage: cloud-mock-api [--host 127.0.0.1] [--port 0] [--port-file PATH] [--threads N] "
    "[--latency-ms N]\n";

template <typename T>
std::optional<T> parse_number(std::string_view s, T max) {
  T v{};
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

// Written to a temporary name first so a reader polling for the file never sees it half-done.
bool write_port_file(const std::filesystem::path& path, std::uint16_t port) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << port << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  cloud_mock::server_options opts;
  opts.handle_signals = true;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage.data(), stdout);
      return 0;
    }
    // Both "--name value" and "--name=value".
    std::string_view value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::fprintf(stderr, "cloud-mock-api: %s needs a value\n%s", argv[i], usage.data());
      return 2;
    }
    bool ok = true;
    if (arg == "--host") {
      opts.host = value;
    } else if (arg == "--port") {
      const auto v = parse_number<std::uint16_t>(value, std::numeric_limits<std::uint16_t>::max());
      ok = v.has_value();
      opts.port = v.value_or(0);
    } else if (arg == "--port-file") {
      port_file = value;
    } else if (arg == "--threads") {
      const auto v = parse_number<unsigned>(value, 64);
      ok = v.has_value() && *v > 0;
      opts.threads = v.value_or(1);
    } else if (arg == "--latency-ms") {
      const auto v = parse_number<unsigned>(value, 600'000);
      ok = v.has_value();
      opts.latency_ms = v.value_or(0);
    } else {
      std::fprintf(stderr, "cloud-mock-api: unknown option %.*s\n%s", static_cast<int>(arg.size()),
                   arg.data(), usage.data());
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "cloud-mock-api: bad value for %.*s: %.*s\n",
                   static_cast<int>(arg.size()), arg.data(), static_cast<int>(value.size()),
                   value.data());
      return 2;
    }
  }

  try {
    cloud_mock::server srv{opts};
    srv.start();
    if (!port_file.empty() && !write_port_file(port_file, srv.port())) {
      std::fprintf(stderr, "cloud-mock-api: cannot write %s\n", port_file.c_str());
      return 1;
    }
    std::printf("listening on %s\n", srv.address().c_str());
    std::fflush(stdout);
    srv.wait();  // until SIGINT/SIGTERM or POST /_admin/shutdown
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cloud-mock-api: %s\n", e.what());
    return 1;
  }
  return 0;
}
