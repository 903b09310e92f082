// A scriptable HTTP/1.1 server on 127.0.0.1 for the client's tests: blocking sockets, one thread
// per connection, and a handler that decides what each connection does (answer, stall, reset,
// send garbage). It counts connections (open, peak) and requests, which the pool tests assert on.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace http_test {

struct received {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::map<std::string, int> header_counts;    // how often each (lower-case) name came
  std::string body;
  [[nodiscard]] std::string header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class server;

class connection {
 public:
  connection(server& s, int fd) : server_(s), fd_(fd) {}

  // Reads one request; false when the client closed the connection (or it broke).
  bool read_request(received& r);
  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  void respond(int status, std::string_view body,
               const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    std::string head = "HTTP/1.1 " + std::to_string(status) +
                       " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& [k, v] : extra) head += k + ": " + v + "\r\n";
    head += "\r\n";
    send(head + std::string(body));
  }
  // Closes with RST (SO_LINGER 0): the client sees "connection reset by peer".
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::shutdown(fd_, SHUT_RD);
    closed_ = true;
  }
  // Waits until the client closes its end (read returns 0 or an error).
  bool wait_closed(std::chrono::milliseconds limit) {
    timeval tv{static_cast<time_t>(limit.count() / 1000),
               static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c = 0;
    for (;;) {
      const ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    }
  }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }

 private:
  server& server_;
  int fd_;
  std::string buffer_;
  bool closed_ = false;
};

class server {
 public:
  using handler = std::function<void(connection&)>;

  explicit server(handler h) : handler_(std::move(h)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 512) != 0) {
      throw std::runtime_error("test server: bind/listen failed");
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~server() { stop(); }
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  void stop() {
    if (stopped_.exchange(true)) return;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  [[nodiscard]] int accepted() const noexcept { return accepted_.load(); }
  [[nodiscard]] int open_connections() const noexcept { return open_.load(); }
  [[nodiscard]] int peak_connections() const noexcept { return peak_.load(); }
  [[nodiscard]] int requests() const noexcept { return requests_.load(); }
  // Requests being handled right now (between read_request and the next read_request).
  void count_request() noexcept { requests_.fetch_add(1); }

  std::vector<received> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  void record(const received& r) {
    std::lock_guard lock(mu_);
    log_.push_back(r);
  }

 private:
  void accept_loop() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopped_.load()) return;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      accepted_.fetch_add(1);
      open_.fetch_add(1);
      std::lock_guard lock(mu_);
      // Open = not yet closed by the client. A client that closes one connection and opens
      // another has sent the FIN first, but our worker may not have read it yet: ask the kernel.
      int now = 1;
      for (const int other : open_fds_) {
        pollfd p{other, POLLRDHUP, 0};
        if (::poll(&p, 1, 0) == 0 || (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) == 0) ++now;
      }
      int peak = peak_.load();
      while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
      }
      open_fds_.insert(fd);
      workers_.emplace_back([this, fd] {
        {
          connection c(*this, fd);
          handler_(c);
        }
        {
          std::lock_guard l(mu_);
          open_fds_.erase(fd);
        }
        // Counted as closed before the fd goes, so the client can never see more.
        open_.fetch_sub(1);
        ::close(fd);
      });
    }
  }

  handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  std::atomic<bool> stopped_{false};
  mutable std::mutex mu_;
  std::set<int> open_fds_;
  std::vector<std::thread> workers_;
  std::vector<received> log_;
  std::atomic<int> accepted_{0};
  std::atomic<int> open_{0};
  std::atomic<int> peak_{0};
  std::atomic<int> requests_{0};
};

inline bool connection::read_request(received& r) {
  if (closed_) return false;
  r = received{};
  std::size_t head_end = std::string::npos;
  char chunk[4096];
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  const std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);
  std::size_t line_end = head.find("\r\n");
  const std::string first = head.substr(0, line_end);
  const auto sp1 = first.find(' ');
  const auto sp2 = first.find(' ', sp1 + 1);
  r.method = first.substr(0, sp1);
  r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string::npos) {
    const auto next = head.find("\r\n", line_end + 2);
    const std::string line = head.substr(
        line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[name] = value;
      ++r.header_counts[name];
    }
    line_end = next;
  }
  const std::size_t length =
      r.headers.count("content-length") != 0 ? std::stoul(r.headers["content-length"]) : 0;
  while (buffer_.size() < length) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  r.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  server_.count_request();
  server_.record(r);
  return true;
}

// Answers every request on the connection with `status` and `body` (keep-alive).
inline server::handler answer(int status, std::string body,
                              std::vector<std::pair<std::string, std::string>> extra = {}) {
  return [status, body = std::move(body), extra = std::move(extra)](connection& c) {
    received r;
    while (c.read_request(r)) c.respond(status, body, extra);
  };
}

}  // namespace http_test
