#include "cppvider/testing/throughput.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>

namespace cppvider::testing {

namespace {

std::string ms(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(d.count()) / 1e6);
  return buf;
}

std::string first_error_of(const fw::diagnostics& d) {
  for (const auto& x : d) {
    if (x.severity == fw::severity::error) return x.summary + ": " + x.detail;
  }
  return {};
}

}  // namespace

std::string throughput_report::summary() const {
  char head[160];
  std::snprintf(head, sizeof head, "%zu ops, %zu at a time: %.0f ops/s in %s; latency ", operations,
                concurrency, ops_per_second, ms(wall).c_str());
  std::string out = head;
  out += "p50 " + ms(p50) + ", p90 " + ms(p90) + ", p99 " + ms(p99) + ", max " + ms(max);
  if (failed > 0) out += "; " + std::to_string(failed) + " failed (first: " + first_error + ")";
  return out;
}

throughput_report run_throughput(const throughput_options& o, const start_operation& start) {
  using clock = std::chrono::steady_clock;
  throughput_report r;
  r.operations = o.operations;
  r.concurrency = std::max<std::size_t>(1, o.concurrency);
  std::vector<std::chrono::nanoseconds> latency(o.operations);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t finished = 0;
  std::size_t in_flight = 0;
  // Operations are started from this thread only, so a hook that answers at once does not make
  // the next start nest inside it.
  const auto t0 = clock::now();
  std::unique_lock lock(mu);
  for (std::size_t next = 0; next < o.operations;) {
    cv.wait(lock, [&] { return in_flight < r.concurrency; });
    const std::size_t i = next++;
    ++in_flight;
    lock.unlock();
    const auto started = clock::now();
    start(i, [&, i, started](std::string error) {
      const auto took = clock::now() - started;
      std::lock_guard g(mu);
      latency[i] = took;
      if (!error.empty() && r.failed++ == 0) r.first_error = std::move(error);
      --in_flight;
      ++finished;
      cv.notify_all();
    });
    lock.lock();
  }
  cv.wait(lock, [&] { return finished == o.operations; });
  r.wall = clock::now() - t0;
  r.ops_per_second =
      r.wall.count() > 0 ? static_cast<double>(o.operations) * 1e9 / r.wall.count() : 0;
  std::sort(latency.begin(), latency.end());
  const auto at = [&](double q) {
    if (latency.empty()) return std::chrono::nanoseconds(0);
    return latency[std::min(latency.size() - 1, static_cast<std::size_t>(q * latency.size()))];
  };
  r.p50 = at(0.50);
  r.p90 = at(0.90);
  r.p99 = at(0.99);
  r.max = latency.empty() ? std::chrono::nanoseconds(0) : latency.back();
  return r;
}

throughput_report measure_creates(harness_base& h, std::string_view type,
                                  const std::function<cty::value(std::size_t)>& config,
                                  const throughput_options& o) {
  std::vector<plan_values> plans;
  plans.reserve(o.operations);
  for (std::size_t i = 0; i < o.operations; ++i) {
    const auto& schema = *h.provider().resource_schema(type);
    plans.push_back(h.plan(type, config(i), cty::value::null(schema.type())));
    if (plans.back().diagnostics.has_error()) {
      throughput_report failed;
      failed.operations = o.operations;
      failed.failed = o.operations;
      failed.first_error = "plan: " + first_error_of(plans.back().diagnostics);
      return failed;
    }
  }
  return run_throughput(o, [&](std::size_t i, std::function<void(std::string)> done) {
    h.start_apply(plans[i], [done = std::move(done)](state_values v) {
      done(first_error_of(v.diagnostics));
    });
  });
}

throughput_report measure_reads(harness_base& h, std::string_view type,
                                const std::vector<state_values>& states,
                                const throughput_options& o) {
  return run_throughput(o, [&](std::size_t i, std::function<void(std::string)> done) {
    const auto& s = states[i % states.size()];
    h.start_read(type, s.state, s.private_state,
                 [done = std::move(done)](state_values v) { done(first_error_of(v.diagnostics)); });
  });
}

}  // namespace cppvider::testing
