// Requests per second through http::client against a hand-written libcurl multi loop, same
// concurrency (64 in flight), same keep-alive server on loopback. The client adds coroutines,
// a strand, asio's reactor and retry bookkeeping on top of libcurl; the target is >= 0.9x.
//
//   build/release/bench/http/http_bench                       # both servers
//   build/release/bench/http/http_bench --benchmark_filter=tiny
//   build/release/bench/http/http_bench --benchmark_repetitions=6
//       --benchmark_enable_random_interleaving=true   # (one line) what docs/benchmarks.md reports
//
// "tiny": a minimal asio server in this process (one thread, fixed 2-byte answer), so the
// client's own cost shows. "mock": the mock cloud API's GET /v1/regions/eu-west (JSON), a more
// realistic server. Both loops send the same request (the client's default User-Agent
// included). The "-varied" pairs give every request a URL of its own ("?n=1234"), as a
// provider reading many objects does: no handle finds its previous URL again.
#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <asio/buffer.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cppvider/http/client.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"

#ifdef HTTP_BENCH_MOCK_API
#include "server.hpp"
#endif

namespace rt = cppvider::runtime;
namespace http = cppvider::http;

namespace {

constexpr int in_flight = 64;
constexpr int requests_per_run = 10'000;
// Both send it, so that both send the same request (the client's default User-Agent).
const std::string user_agent = http::client_options{}.user_agent;

// ---- A minimal keep-alive server ---------------------------------------------------------

class tiny_server {
 public:
  tiny_server() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "tiny-server");  // told apart in perf and top -H
      io_.run();
    });
  }
  ~tiny_server() {
    io_.stop();
    thread_.join();
  }
  tiny_server(const tiny_server&) = delete;
  tiny_server& operator=(const tiny_server&) = delete;
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/ping";
  }

 private:
  struct session : std::enable_shared_from_this<session> {
    explicit session(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    void read() {
      asio::async_read_until(socket, asio::dynamic_buffer(in), "\r\n\r\n",
                             [self = shared_from_this()](std::error_code ec, std::size_t n) {
                               if (ec) return;
                               self->in.erase(0, n);  // GETs only: no body follows the head
                               self->write();
                             });
    }
    void write() {
      static constexpr std::string_view reply =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
      asio::async_write(socket, asio::buffer(reply),
                        [self = shared_from_this()](std::error_code ec, std::size_t) {
                          if (!ec) self->read();
                        });
    }
    asio::ip::tcp::socket socket;
    std::string in;
  };
  void accept() {
    acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket s) {
      if (!ec) {
        s.set_option(asio::ip::tcp::no_delay(true));
        std::make_shared<session>(std::move(s))->read();
      }
      accept();
    });
  }
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

#ifdef HTTP_BENCH_MOCK_API
struct mock_server {
  mock_server() { s.start(); }
  ~mock_server() { s.stop(); }
  [[nodiscard]] std::string url() const { return "http://" + s.address() + "/v1/regions/eu-west"; }
  cloud_mock::server s{{.port = 0}};
};
#endif

std::string server_url(const std::string& which) {
  static tiny_server tiny;
#ifdef HTTP_BENCH_MOCK_API
  static mock_server mock;
  if (which.starts_with("mock")) return mock.url();
#endif
  if (which.starts_with("tiny")) return tiny.url();
  throw std::invalid_argument("unknown server " + which);
}

// The URL of every request of a run: the same one, or one per request for the "-varied" pairs.
std::vector<std::string> request_urls(const std::string& which) {
  const std::string url = server_url(which);
  if (!which.ends_with("-varied")) return std::vector<std::string>(requests_per_run, url);
  std::vector<std::string> urls;
  urls.reserve(requests_per_run);
  for (int i = 0; i < requests_per_run; ++i) urls.push_back(url + "?n=" + std::to_string(i));
  return urls;
}

// Every repetition's figures per benchmark; the summary uses their medians.
std::map<std::string, std::vector<double>>& rates() {
  static std::map<std::string, std::vector<double>> r;
  return r;
}
std::map<std::string, std::vector<double>>& cpu_per_request() {
  static std::map<std::string, std::vector<double>> r;
  return r;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// CPU time of the whole process (every thread, the in-process server included): on a shared
// machine it varies far less than the wall-clock rate.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

void report_cpu(benchmark::State& state, double cpu_before) {
  const double requests = static_cast<double>(state.iterations()) * requests_per_run;
  state.counters["cpu_us_per_req"] = (process_cpu_seconds() - cpu_before) / requests * 1e6;
}

// ---- The plain libcurl loop: what one would write without the framework ------------------

size_t sink(char* /*data*/, size_t size, size_t n, void* /*ud*/) { return size * n; }

void plain_curl_multi(benchmark::State& state, const std::string& which) {
  const std::vector<std::string> urls = request_urls(which);
  const bool varied = which.ends_with("-varied");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, long{in_flight});
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, long{in_flight});
  std::vector<CURL*> easies;
  const auto setup = [&](CURL* e) {
    curl_easy_setopt(e, CURLOPT_URL, urls[0].c_str());  // all of them, unless varied
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &sink);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2TLS});
  };
  for (int i = 0; i < in_flight; ++i) {
    easies.push_back(curl_easy_init());
    setup(easies.back());
  }
  std::int64_t failures = 0;
  const double cpu_before = process_cpu_seconds();
  for (auto _ : state) {
    int started = 0;
    int finished = 0;
    for (CURL* e : easies) {
      if (varied) curl_easy_setopt(e, CURLOPT_URL, urls[started].c_str());
      curl_multi_add_handle(multi, e);
      ++started;
    }
    while (finished < requests_per_run) {
      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
        if (m->msg != CURLMSG_DONE) continue;
        CURL* e = m->easy_handle;
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        if (m->data.result != CURLE_OK || status != 200) ++failures;
        curl_multi_remove_handle(multi, e);
        ++finished;
        if (started < requests_per_run) {
          if (varied) curl_easy_setopt(e, CURLOPT_URL, urls[started].c_str());
          curl_multi_add_handle(multi, e);
          ++started;
        }
      }
      if (finished < requests_per_run) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
  }
  report_cpu(state, cpu_before);
  for (CURL* e : easies) curl_easy_cleanup(e);
  curl_multi_cleanup(multi);
  state.counters["failures"] = static_cast<double>(failures);
  state.SetItemsProcessed(state.iterations() * requests_per_run);
}

// ---- The same through http::client --------------------------------------------------------

rt::task<void> worker(const http::client& c, const std::vector<std::string>& urls,
                      std::atomic<int>& next, std::atomic<int>& failures) {
  int n = 0;
  while ((n = next.fetch_add(1, std::memory_order_relaxed)) < requests_per_run) {
    const http::response r = co_await c.get(urls[n]);
    if (r.status != 200) failures.fetch_add(1, std::memory_order_relaxed);
  }
}

rt::task<void> run_all(const http::client& c, const std::vector<std::string>& urls,
                       std::atomic<int>& next, std::atomic<int>& failures) {
  std::vector<rt::task<void>> workers;
  workers.reserve(in_flight);
  for (int i = 0; i < in_flight; ++i) workers.push_back(worker(c, urls, next, failures));
  co_await rt::gather(std::move(workers));
}

void cppvider_client(benchmark::State& state, const std::string& which) {
  const std::vector<std::string> urls = request_urls(which);
  http::client_options o;
  o.user_agent = user_agent;
  o.limits.max_connections = in_flight;
  o.limits.max_keepalive_connections = in_flight;
  o.limits.keepalive_expiry = std::chrono::seconds(60);
  const http::client c(o);
  std::atomic<int> failures{0};
  const double cpu_before = process_cpu_seconds();
  for (auto _ : state) {
    std::atomic<int> next{0};
    try {
      rt::sync_wait(run_all(c, urls, next, failures));
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
  }
  report_cpu(state, cpu_before);
  state.counters["failures"] = failures.load();
  state.counters["connections"] = static_cast<double>(c.stats().connections_opened);
  state.SetItemsProcessed(state.iterations() * requests_per_run);
}

void register_pair(const std::string& which) {
  benchmark::RegisterBenchmark(("plain_curl_multi/" + which).c_str(),
                               [which](benchmark::State& s) { plain_curl_multi(s, which); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(2.0);
  benchmark::RegisterBenchmark(("cppvider_http/" + which).c_str(),
                               [which](benchmark::State& s) { cppvider_client(s, which); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(2.0);
}

// Prints each benchmark as usual and remembers the request rates for the ratio line.
class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      const auto it = r.counters.find("items_per_second");  // already a rate here
      if (it != r.counters.end()) rates()[r.run_name.function_name].push_back(it->second.value);
      const auto cpu = r.counters.find("cpu_us_per_req");
      if (cpu != r.counters.end()) {
        cpu_per_request()[r.run_name.function_name].push_back(cpu->second.value);
      }
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  register_pair("tiny");
  register_pair("tiny-varied");
#ifdef HTTP_BENCH_MOCK_API
  register_pair("mock");
  register_pair("mock-varied");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ratio_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  for (const char* which : {"tiny", "tiny-varied", "mock", "mock-varied"}) {
    const auto plain = rates().find(std::string("plain_curl_multi/") + which);
    const auto ours = rates().find(std::string("cppvider_http/") + which);
    if (plain == rates().end() || ours == rates().end()) continue;
    const double plain_rate = median(plain->second);
    const double our_rate = median(ours->second);
    const double plain_cpu = median(cpu_per_request()[plain->first]);
    const double our_cpu = median(cpu_per_request()[ours->first]);
    std::printf(
        "%s (median of %zu): plain libcurl %.0f req/s (%.1f us CPU/req), cppvider::http %.0f "
        "req/s (%.1f us CPU/req); throughput ratio %.2f, CPU-efficiency ratio %.2f\n",
        which, ours->second.size(), plain_rate, plain_cpu, our_rate, our_cpu, our_rate / plain_rate,
        plain_cpu / our_cpu);
  }
  benchmark::Shutdown();
  return 0;
}
