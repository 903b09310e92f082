// The mock cloud API server: HTTP/1.1 with keep-alive on one asio io_context, latency and fault
// injection for /v1, admin endpoints under /_admin (README.md). Asio stays out of this header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace cloud_mock {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port, see server::port()
  unsigned threads = 1;    // one thread outruns typical loopback clients (README.md)
  unsigned latency_ms = 0;
  bool handle_signals = false;  // stop on SIGINT/SIGTERM (the executable, not tests)
};

namespace detail {
struct server_core;
}

class server {
 public:
  explicit server(server_options options = {});
  ~server();  // stop() and wait()
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds, listens and starts the threads; throws std::system_error (e.g. port in use).
  void start();
  [[nodiscard]] std::uint16_t port() const;
  // "127.0.0.1:8080" or "[::1]:8080".
  [[nodiscard]] std::string address() const;

  // Thread-safe and non-blocking, also from a handler (POST /_admin/shutdown uses it).
  void request_stop();
  // Blocks until the server stopped and its threads ended; never call it from a handler.
  void wait();
  void stop() {
    request_stop();
    wait();
  }

 private:
  std::unique_ptr<detail::server_core> core_;
};

}  // namespace cloud_mock
