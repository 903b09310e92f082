// The provider's listening socket, opened by cppvider rather than by gRPC. Private to src/plugin.
//
// Why: once a socket listens, the kernel queues the host's connection until someone accepts it,
// so the handshake line can go out before gRPC has built its server (most of the time before the
// line, docs/benchmarks.md). gRPC then takes each accepted connection through its external
// connection acceptor, with the same credentials (and mutual TLS) as a port it had bound itself.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "cppvider/plugin/handshake.hpp"

namespace cppvider::plugin::detail {

// A bound, listening socket: a unix socket in PLUGIN_UNIX_SOCKET_DIR / TMPDIR / /tmp, or, when
// that fails or `force_tcp`, a TCP port on 127.0.0.1 within [min_port, max_port]. Closing it
// (destructor) does not remove a unix socket's file: serve() owns that, signal handlers included.
class listener {
 public:
  static std::optional<listener> open(bool force_tcp, int min_port, int max_port);

  listener(listener&& other) noexcept;
  listener& operator=(listener&&) = delete;
  listener(const listener&) = delete;
  ~listener();

  int fd() const noexcept { return fd_; }
  const listen_address& address() const noexcept { return address_; }

 private:
  listener(int fd, listen_address address) : fd_(fd), address_(std::move(address)) {}
  int fd_ = -1;
  listen_address address_;
};

// Accepts connections on a listener from a thread of its own and hands each (non-blocking,
// close-on-exec) to `on_connection`, which takes ownership of the descriptor. stop() (or the
// destructor) wakes the thread and joins it; connections still queued are left to the kernel.
// The constructor throws std::system_error when it cannot make its wake-up descriptor or thread.
class accept_loop {
 public:
  accept_loop(int listen_fd, std::function<void(int fd)> on_connection);
  accept_loop(const accept_loop&) = delete;
  accept_loop& operator=(const accept_loop&) = delete;
  ~accept_loop() { stop(); }

  void stop() noexcept;

 private:
  void run();

  int listen_fd_;
  int wake_fd_;  // an eventfd: stop() writes to it
  std::function<void(int)> on_connection_;
  std::thread thread_;
};

}  // namespace cppvider::plugin::detail
