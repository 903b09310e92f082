// cloud-mock-api-load: a small keep-alive load generator to check that the mock API is never the
// bottleneck. N connections each send one request at a time for a fixed duration.
//
//   cloud-mock-api-load --port P [--host 127.0.0.1] [--connections 16] [--seconds 3]
//                       [--threads 1] [--method GET] [--path /v1/regions/eu-west] [--body JSON]
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <asio.hpp>

namespace {

using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

struct totals {
  std::uint64_t ok = 0;
  std::uint64_t non_2xx = 0;
  std::uint64_t errors = 0;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(asio::io_context& ioc, const std::string& request, clock_type::time_point deadline,
             totals& t)
      : sock_{ioc}, request_{request}, deadline_{deadline}, totals_{t} {}

  void start(const tcp::endpoint& ep) {
    sock_.async_connect(ep, [self = shared_from_this()](std::error_code ec) {
      if (ec) {
        ++self->totals_.errors;
        return;
      }
      self->sock_.set_option(tcp::no_delay{true});
      self->send();
    });
  }

 private:
  void send() {
    if (clock_type::now() >= deadline_) return;
    asio::async_write(sock_, asio::buffer(request_),
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                        if (ec) {
                          ++self->totals_.errors;
                          return;
                        }
                        self->read();
                      });
  }

  void read() {
    sock_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](std::error_code ec, std::size_t n) {
                            if (ec) {
                              ++self->totals_.errors;
                              return;
                            }
                            self->in_.append(self->chunk_.data(), n);
                            self->parse();
                          });
  }

  // The mock always sends Content-Length (or nothing, for 204).
  void parse() {
    const auto head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) return read();
    const std::string_view head{in_.data(), head_end};
    int status = 0;
    if (head.size() > 12) std::from_chars(head.data() + 9, head.data() + 12, status);
    std::size_t length = 0;
    if (const auto at = head.find("Content-Length: "); at != std::string_view::npos) {
      std::from_chars(head.data() + at + 16, head.data() + head.size(), length);
    }
    if (in_.size() < head_end + 4 + length) return read();
    in_.erase(0, head_end + 4 + length);
    ++(status >= 200 && status < 300 ? totals_.ok : totals_.non_2xx);
    send();
  }

  tcp::socket sock_;
  const std::string& request_;
  clock_type::time_point deadline_;
  totals& totals_;
  std::array<char, 16384> chunk_{};
  std::string in_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  std::string port;
  std::string method = "GET";
  std::string path = "/v1/regions/eu-west";
  std::string body;
  int connections = 16;
  int threads = 1;
  double seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    const char* value = argv[i + 1];
    if (arg == "--host")
      host = value;
    else if (arg == "--port")
      port = value;
    else if (arg == "--method")
      method = value;
    else if (arg == "--path")
      path = value;
    else if (arg == "--body")
      body = value;
    else if (arg == "--connections")
      connections = std::atoi(value);
    else if (arg == "--threads")
      threads = std::atoi(value);
    else if (arg == "--seconds")
      seconds = std::atof(value);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (port.empty() || connections < 1 || threads < 1 || seconds <= 0) {
    std::fprintf(stderr,
                 "usage: cloud-mock-api-load --port P [--host H] [--connections N] [--seconds S] "
                 "[--threads T] [--method M] [--path P] [--body JSON]\n");
    return 2;
  }
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;

  // One io_context per client thread, each with its share of the connections.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<totals> per_thread(static_cast<std::size_t>(threads));
  const auto started = clock_type::now();
  const auto deadline = started + std::chrono::duration_cast<clock_type::duration>(
                                      std::chrono::duration<double>(seconds));
  for (int t = 0; t < threads; ++t) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  try {
    const auto endpoint = *tcp::resolver{*contexts[0]}.resolve(host, port).begin();
    for (int c = 0; c < connections; ++c) {
      const auto t = static_cast<std::size_t>(c % threads);
      std::make_shared<connection>(*contexts[t], request, deadline, per_thread[t])
          ->start(endpoint.endpoint());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cloud-mock-api-load: %s\n", e.what());
    return 1;
  }
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back([&, t] { contexts[t]->run(); });
  contexts[0]->run();
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(clock_type::now() - started).count();

  totals sum;
  for (const auto& t : per_thread) {
    sum.ok += t.ok;
    sum.non_2xx += t.non_2xx;
    sum.errors += t.errors;
  }
  const auto done = sum.ok + sum.non_2xx;
  std::printf(
      "%llu requests in %.2f s over %d connections: %.0f requests/s (non-2xx %llu, errors %llu)\n",
      static_cast<unsigned long long>(done), elapsed, connections,
      static_cast<double>(done) / elapsed, static_cast<unsigned long long>(sum.non_2xx),
      static_cast<unsigned long long>(sum.errors));
  return sum.errors == 0 ? 0 : 1;
}
