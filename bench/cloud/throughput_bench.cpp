// The cloud example under load, in process, against the mock API with 20 ms per call:
//   1. creates through the provider's hooks (testing::measure_creates) for N = 100 and 1000 at
//      Terraform's default parallelism, against the ideal N x latency / concurrency;
//   2. reading 1000 objects sequentially, gathered, and batched (wall time and API calls).
// Prints a table and, with --csv FILE, writes the numbers for bench/cloud/plot.py.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cloud.hpp"
#include "cppvider/batch/batcher.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/testing/throughput.hpp"
#include "server.hpp"

namespace {

namespace rt = cppvider::runtime;
namespace http = cppvider::http;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr int latency_ms = 20;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

long api_calls(const http::client& c) {
  auto counters = rt::sync_wait(c.get("/_admin/counters")).json();
  return static_cast<long>(counters["requests"]["api"].as_int());
}

rt::task<void> read_sequentially(const http::client& c, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    const auto r = co_await c.get("/v1/servers/" + id);
    r.raise_for_status();
  }
}

rt::task<void> read_gathered(const http::client& c, const std::vector<std::string>& ids) {
  std::vector<rt::task<http::response>> reads;
  for (const auto& id : ids) reads.push_back(c.get("/v1/servers/" + id));
  for (const auto& r : co_await rt::gather(std::move(reads))) r.raise_for_status();
}

rt::task<cppvider::batch::results<std::string, http::json>> fetch_batch(
    const http::client* c, std::vector<std::string> ids) {
  auto body = http::json::object({{"kind", "servers"}, {"ids", http::json::array()}});
  for (const auto& id : ids) body["ids"].push_back(id);
  const auto resp = co_await c->post("/v1/batch/get", body);
  const auto doc = resp.raise_for_status().json();
  cppvider::batch::results<std::string, http::json> out;
  for (const auto& [id, obj] : doc["items"].as_object()) out.set(id, obj);
  co_return out;
}

rt::task<void> read_batched(const http::client& c, const std::vector<std::string>& ids) {
  cppvider::batch::batcher<std::string, http::json> loader(
      [&c](std::vector<std::string> keys) { return fetch_batch(&c, std::move(keys)); },
      {.window = 2ms, .max_batch_size = 500});
  std::vector<rt::task<http::json>> loads;
  for (const auto& id : ids) loads.push_back(loader.load(id));
  co_await rt::gather(std::move(loads));
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv_path;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--csv") csv_path = argv[i + 1];
  }
  cloud_mock::server api({.port = 0, .threads = 1, .latency_ms = latency_ms});
  api.start();
  const std::string endpoint = "http://" + api.address();

  cppvider::framework::provider<cloud::config, cloud::api> p{"cloud"};
  cloud::define(p);
  cppvider::testing::harness h{p};
  if (h.configure({.endpoint = endpoint}).has_error()) return 1;
  const auto codec = cloud::server::schema().make_codec();

  std::ofstream csv;
  if (!csv_path.empty()) {
    csv.open(csv_path);
    csv << "section,label,n,concurrency,seconds,ideal_seconds,api_calls\n";
  }
  std::printf("mock API latency %d ms; each create is 2 sequential API round trips\n\n",
              latency_ms);
  std::printf("%-28s %8s %8s %10s %10s %7s\n", "creates", "N", "conc", "wall s", "ideal s",
              "ratio");
  for (const std::size_t n : {100, 1000}) {
    const std::size_t conc = 10;
    const auto r = cppvider::testing::measure_creates(
        h, "cloud_server",
        [&](std::size_t i) {
          return codec->encode({.name = "srv-" + std::to_string(n) + "-" + std::to_string(i),
                                .image = "debian-12",
                                .network_cidr = "10.1." + std::to_string(i % 250) + ".0/24"});
        },
        {.operations = n, .concurrency = conc});
    const double wall = std::chrono::duration<double>(r.wall).count();
    const double ideal = static_cast<double>(n) * 2 * latency_ms / 1000.0 / conc;
    std::printf("%-28s %8zu %8zu %10.3f %10.3f %7.2f\n", "measure_creates (hooks)", n, conc, wall,
                ideal, wall / ideal);
    std::printf("  %s\n", r.summary().c_str());
    if (csv)
      csv << "creates,N=" << n << "," << n << "," << conc << "," << wall << "," << ideal << ",\n";
    if (r.failed > 0) return 1;
  }

  // 1000 existing servers, read three ways with the same HTTP client.
  http::client_options o;
  o.base_url = endpoint;
  o.limits = http::limits::high_traffic();
  http::client c(o);
  auto listing = rt::sync_wait(c.get("/v1/servers")).json();
  std::vector<std::string> ids;
  for (const auto& s : listing["items"].as_array()) {
    if (ids.size() < 1000) ids.push_back(s["id"].as_string());
  }
  std::printf("\n%-28s %8s %10s %10s\n", "reading servers", "N", "wall s", "API calls");
  const auto run = [&](const char* label, auto&& fn) {
    const long before = api_calls(c);
    const auto t0 = clock_type::now();
    rt::sync_wait(fn());
    const double wall = seconds_since(t0);
    const long calls = api_calls(c) - before;  // /v1 calls only; admin requests are not counted
    std::printf("%-28s %8zu %10.3f %10ld\n", label, ids.size(), wall, calls);
    if (csv) csv << "reads," << label << "," << ids.size() << ",," << wall << ",," << calls << "\n";
  };
  run("sequential", [&] { return read_sequentially(c, ids); });
  run("gathered (pool 64/host)", [&] { return read_gathered(c, ids); });
  run("batched (batcher 2 ms)", [&] { return read_batched(c, ids); });
  api.stop();
  return 0;
}
