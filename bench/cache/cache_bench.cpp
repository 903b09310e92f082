// The cost of a cache hit: get() on a string key (1 and 2 threads; striped and single-lock;
// coarse vs steady clock) and get_or_fetch() awaited inside a task.
//
//   cmake --preset release -B build/release && cmake --build build/release --target cache_bench
//   build/release/bench/cache/cache_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <vector>

#include "cppvider/cache/ttl_cache.hpp"
#include "cppvider/runtime/task.hpp"

namespace {

namespace cache = cppvider::cache;
namespace rt = cppvider::runtime;
using string_cache = cache::ttl_cache<std::string, std::string>;

constexpr std::size_t key_count = 1024;

// Keys shaped like provider ids (22 characters: past the small-string buffer); short values.
const std::vector<std::string>& keys() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < key_count; ++i) {
      std::string s = "zone/eu-central-1/";
      s += std::to_string(1000 + i);
      out.push_back(std::move(s));
    }
    return out;
  }();
  return k;
}

void fill(string_cache& c) {
  for (const auto& k : keys()) c.put(k, "value");
}

// One cache per configuration, shared by the benchmark's threads.
string_cache& striped() {
  static string_cache c = [] {
    string_cache x(cache::options{});
    fill(x);
    return x;
  }();
  return c;
}
string_cache& single_lock() {
  static string_cache c = [] {
    string_cache x(cache::options{.shards = 1});
    fill(x);
    return x;
  }();
  return c;
}
string_cache& steady_clock_cache() {
  static string_cache c = [] {
    string_cache x(cache::options{.clock = [] { return cache::clock_type::now(); }});
    fill(x);
    return x;
  }();
  return c;
}

void run_gets(benchmark::State& state, string_cache& c) {
  const auto& k = keys();
  // Threads start at different keys so they do not walk the same stripe in lockstep.
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 397;
  for (auto _ : state) {
    auto v = c.get(k[i++ % key_count]);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_get_hit(benchmark::State& state) { run_gets(state, striped()); }
BENCHMARK(BM_get_hit)->Threads(1)->Threads(2)->UseRealTime();

void BM_get_hit_single_lock(benchmark::State& state) { run_gets(state, single_lock()); }
BENCHMARK(BM_get_hit_single_lock)->Threads(1)->Threads(2)->UseRealTime();

void BM_get_hit_steady_clock(benchmark::State& state) { run_gets(state, steady_clock_cache()); }
BENCHMARK(BM_get_hit_steady_clock)->Threads(1)->UseRealTime();

rt::task<std::string> never_called() { co_return "fetched"; }

// get_or_fetch on a hit, awaited from a running task: one coroutine frame per call, no
// suspension.
void BM_get_or_fetch_hit(benchmark::State& state) {
  string_cache& c = striped();
  const auto& k = keys();
  auto loop = [&]() -> rt::task<void> {
    std::size_t i = 0;
    for (auto _ : state) {
      std::string v = co_await c.get_or_fetch(k[i++ % key_count], never_called);
      benchmark::DoNotOptimize(v);
    }
  };
  rt::sync_wait(loop());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_get_or_fetch_hit)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
