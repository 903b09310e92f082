#include "listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <utility>

#include "cppvider/runtime/log.hpp"

namespace cppvider::plugin::detail {
namespace {

int listen_unix(const std::string& path) {
  sockaddr_un a{};
  if (path.size() >= sizeof a.sun_path) return -1;
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd, SOMAXCONN) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Binding is the test of a free port, so no other process can take it between check and use.
int listen_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // accepted sockets inherit it
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd, SOMAXCONN) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::optional<listener> listener::open(bool force_tcp, int min_port, int max_port) {
  if (!force_tcp) {
    // A fresh name can still collide with a file made in between; a second name settles that.
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto path = reserve_socket_path();
      if (!path) break;
      const int fd = listen_unix(*path);
      if (fd >= 0) return listener(fd, {network::unix_socket, std::move(*path)});
    }
  }
  for (int port = min_port; port <= max_port && port > 0 && port < 65536; ++port) {
    const int fd = listen_loopback(port);
    if (fd >= 0) return listener(fd, {network::tcp, "127.0.0.1:" + std::to_string(port)});
  }
  return std::nullopt;
}

listener::listener(listener&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), address_(std::move(other.address_)) {}

listener::~listener() {
  if (fd_ >= 0) ::close(fd_);
}

accept_loop::accept_loop(int listen_fd, std::function<void(int fd)> on_connection)
    : listen_fd_(listen_fd),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      on_connection_(std::move(on_connection)) {
  // Without the eventfd, stop() could not wake the thread.
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = std::thread([this] { run(); });
}

void accept_loop::stop() noexcept {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
  wake_fd_ = -1;
}

void accept_loop::run() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::error("accept loop: poll failed", {{"errno", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      on_connection_(fd);
      continue;
    }
    switch (errno) {
      case EINTR:
      case EAGAIN:
      case ECONNABORTED:
        continue;
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        // Out of descriptors or memory: wait a little instead of spinning on the same error.
        log::warn("accept failed; retrying", {{"errno", std::strerror(errno)}});
        ::poll(nullptr, 0, 10);
        continue;
      default:
        log::error("accept failed", {{"errno", std::strerror(errno)}});
        return;
    }
  }
}

}  // namespace cppvider::plugin::detail
