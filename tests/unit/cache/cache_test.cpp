// TTL cache: single flight, expiry, failures, invalidation (key, prefix, glob), LRU, races
// between invalidation and fetches, waiter cancellation, stats.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cppvider/cache/glob.hpp"
#include "cppvider/cache/ttl_cache.hpp"
#include "cppvider/runtime/event.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"
#include "cppvider/runtime/time.hpp"
#include "spawn_outcome.hpp"

namespace rt = cppvider::runtime;
namespace cache = cppvider::cache;
using namespace std::chrono_literals;

namespace {

// prefix + number; built by appending (GCC 12 warns falsely on `"k" + std::to_string(i)`).
std::string numbered(const char* prefix, long n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

using string_cache = cache::ttl_cache<std::string, std::string>;

// Time that moves only when a test says so.
struct manual_clock {
  std::atomic<std::int64_t> ns{0};
  void advance(std::chrono::nanoseconds d) { ns += d.count(); }
  std::function<cache::time_point()> fn() {
    return [this] { return cache::time_point(std::chrono::nanoseconds(ns.load())); };
  }
};

using outcome = cppvider::test_support::spawn_outcome<std::string>;

// A fetch that waits for `gate` (with the fetch's own stop token), then answers `value`.
struct gated_fetch {
  rt::async_event* gate;
  std::atomic<int>* calls;
  std::atomic<bool>* saw_stop;
  std::string value;
  rt::task<std::string> operator()() const {
    ++*calls;
    try {
      co_await gate->wait();
    } catch (const rt::cancelled_error&) {
      *saw_stop = true;
      throw;
    }
    co_return value;
  }
};

rt::task<std::string> immediate(std::string v) { co_return v; }

template <class C>
concept has_pattern_invalidation = requires(C& c) {
  c.invalidate_prefix("x");
  c.invalidate_matching("x*");
};

TEST(Cache, HitReturnsAtOnceWithoutFetching) {
  string_cache c;
  c.put("a", "1");
  std::atomic<int> calls{0};
  const auto caller = std::this_thread::get_id();
  std::thread::id after;
  auto t = [&]() -> rt::task<std::string> {
    std::string v = co_await c.get_or_fetch("a", [&] {
      ++calls;
      return immediate("fetched");
    });
    after = std::this_thread::get_id();
    co_return v;
  };
  EXPECT_EQ(rt::sync_wait(t()), "1");
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(after, caller);  // no suspension, no thread hop
  EXPECT_EQ(c.stats().hits, 1U);
}

TEST(Cache, FetchThatFinishesInlineIsStoredAndNeverSuspends) {
  string_cache c;
  const auto caller = std::this_thread::get_id();
  std::thread::id after;
  auto t = [&]() -> rt::task<std::string> {
    std::string v = co_await c.get_or_fetch("k", [] { return immediate("v"); });
    after = std::this_thread::get_id();
    co_return v;
  };
  EXPECT_EQ(rt::sync_wait(t()), "v");
  EXPECT_EQ(after, caller);
  EXPECT_EQ(c.get("k"), "v");
}

TEST(Cache, HundredConcurrentMissesRunOneFetch) {
  string_cache c;
  std::atomic<int> calls{0};
  auto fetch = [&]() -> rt::task<std::string> {
    ++calls;
    co_await rt::sleep_for(20ms);
    co_return "value";
  };
  std::vector<rt::task<std::string>> ts;
  for (int i = 0; i < 100; ++i) ts.push_back(c.get_or_fetch("k", fetch));
  auto out = rt::sync_wait(rt::gather(std::move(ts)));
  ASSERT_EQ(out.size(), 100U);
  for (const auto& v : out) EXPECT_EQ(v, "value");
  EXPECT_EQ(calls.load(), 1);
  auto s = c.stats();
  EXPECT_EQ(s.fetches, 1U);
  EXPECT_EQ(s.misses, 100U);
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("k", fetch)), "value");  // now a hit
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(c.stats().hits, 1U);
}

TEST(Cache, EveryWaiterGetsTheSharedFailureAndItIsNotCached) {
  string_cache c;
  std::atomic<int> calls{0};
  auto fetch = [&]() -> rt::task<std::string> {
    ++calls;
    co_await rt::sleep_for(5ms);
    throw std::runtime_error("backend down");
  };
  std::vector<rt::task<std::string>> ts;
  for (int i = 0; i < 10; ++i) ts.push_back(c.get_or_fetch("k", fetch));
  auto out = rt::sync_wait(rt::gather_settled(std::move(ts)));
  for (auto& s : out) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error_message(), "backend down");
  }
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(c.size(), 0U);
  EXPECT_THROW(rt::sync_wait(c.get_or_fetch("k", fetch)), std::runtime_error);
  EXPECT_EQ(calls.load(), 2);  // fetched again
}

TEST(Cache, FailuresAreCachedForFailureTtlWhenAsked) {
  manual_clock clock;
  string_cache c({.cache_failures = true, .failure_ttl = 3s, .clock = clock.fn()});
  std::atomic<int> calls{0};
  auto fetch = [&]() -> rt::task<std::string> {
    ++calls;
    throw std::runtime_error("nope");
    co_return "";
  };
  EXPECT_THROW(rt::sync_wait(c.get_or_fetch("k", fetch)), std::runtime_error);
  EXPECT_THROW(rt::sync_wait(c.get_or_fetch("k", fetch)), std::runtime_error);
  EXPECT_EQ(calls.load(), 1);           // the second one was the cached failure
  EXPECT_EQ(c.get("k"), std::nullopt);  // get() serves only values
  clock.advance(4s);
  EXPECT_THROW(rt::sync_wait(c.get_or_fetch("k", fetch)), std::runtime_error);
  EXPECT_EQ(calls.load(), 2);
}

TEST(Cache, CancellationIsNeverCachedAsAFailure) {
  string_cache c({.cache_failures = true, .failure_ttl = 1h});
  std::atomic<int> calls{0};
  auto fetch = [&]() -> rt::task<std::string> {
    ++calls;
    throw rt::cancelled_error();
    co_return "";
  };
  EXPECT_THROW(rt::sync_wait(c.get_or_fetch("k", fetch)), rt::cancelled_error);
  EXPECT_THROW(rt::sync_wait(c.get_or_fetch("k", fetch)), rt::cancelled_error);
  EXPECT_EQ(calls.load(), 2);
}

TEST(Cache, EntriesExpireWithTheInjectedClock) {
  manual_clock clock;
  string_cache c({.default_ttl = 60s, .clock = clock.fn()});
  c.put("a", "1", 10s);
  c.put("b", "2");  // default TTL
  c.put("c", "3", cache::forever);
  clock.advance(9s);
  EXPECT_EQ(c.get("a"), "1");
  clock.advance(1s);  // exactly at expiry: gone
  EXPECT_EQ(c.get("a"), std::nullopt);
  EXPECT_EQ(c.get("b"), "2");
  clock.advance(100s);
  EXPECT_EQ(c.get("b"), std::nullopt);
  clock.advance(24h * 365 * 100);
  EXPECT_EQ(c.get("c"), "3");
  auto s = c.stats();
  EXPECT_EQ(s.expirations, 2U);
  EXPECT_EQ(s.size, 1U);
}

TEST(Cache, GetOrFetchTtlAppliesToTheStoredValue) {
  manual_clock clock;
  string_cache c({.default_ttl = 1h, .clock = clock.fn()});
  std::atomic<int> calls{0};
  auto fetch = [&]() -> rt::task<std::string> {
    ++calls;
    co_return numbered("v", calls.load());
  };
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("k", fetch, 5s)), "v1");
  clock.advance(4s);
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("k", fetch, 5s)), "v1");
  clock.advance(2s);
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("k", fetch, 5s)), "v2");
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(c.stats().expirations, 1U);
}

TEST(Cache, PurgeExpiredSweepsEverything) {
  manual_clock clock;
  string_cache c({.clock = clock.fn()});
  for (int i = 0; i < 10; ++i) c.put(numbered("k", i), "v", i < 6 ? 1s : 1h);
  clock.advance(2s);
  EXPECT_EQ(c.size(), 10U);  // not noticed yet
  EXPECT_EQ(c.purge_expired(), 6U);
  EXPECT_EQ(c.size(), 4U);
  EXPECT_EQ(c.stats().expirations, 6U);
}

TEST(Cache, PutWithZeroTtlDropsTheKey) {
  string_cache c;
  c.put("a", "1");
  c.put("a", "2", 0s);
  EXPECT_EQ(c.get("a"), std::nullopt);
  EXPECT_EQ(c.size(), 0U);
}

TEST(Cache, InvalidateOneKey) {
  string_cache c;
  c.put("a", "1");
  c.put("b", "2");
  EXPECT_TRUE(c.invalidate("a"));
  EXPECT_FALSE(c.invalidate("a"));
  EXPECT_EQ(c.get("a"), std::nullopt);
  EXPECT_EQ(c.get("b"), "2");
  EXPECT_EQ(c.stats().invalidations, 1U);
}

TEST(Cache, InvalidatePrefix) {
  string_cache c({.max_entries = 0, .shards = 4});  // several stripes: the scan covers all
  for (const char* k : {"server/1", "server/2", "server/10", "serverless", "network/1"})
    c.put(k, k);
  EXPECT_EQ(c.invalidate_prefix("server/"), 3U);
  EXPECT_EQ(c.get("serverless"), "serverless");
  EXPECT_EQ(c.get("network/1"), "network/1");
  EXPECT_EQ(c.get("server/10"), std::nullopt);
  EXPECT_EQ(c.size(), 2U);
  EXPECT_EQ(c.stats().invalidations, 3U);
}

TEST(Cache, InvalidateMatchingGlob) {
  string_cache c;
  for (const char* k : {"zone/eu-1/a", "zone/eu-2/a", "zone/us-1/a", "zone/eu-1/b", "zonex"}) {
    c.put(k, k);
  }
  EXPECT_EQ(c.invalidate_matching("zone/eu-?/a"), 2U);
  EXPECT_EQ(c.get("zone/us-1/a"), "zone/us-1/a");
  EXPECT_EQ(c.get("zone/eu-1/b"), "zone/eu-1/b");
  EXPECT_EQ(c.invalidate_matching("zone/[ue][us]-*"), 2U);
  EXPECT_EQ(c.size(), 1U);
  EXPECT_EQ(c.get("zonex"), "zonex");
}

TEST(Cache, ClearDropsEverything) {
  string_cache c;
  for (int i = 0; i < 50; ++i) c.put(std::to_string(i), "v");
  c.clear();
  EXPECT_EQ(c.size(), 0U);
  EXPECT_EQ(c.get("7"), std::nullopt);
  EXPECT_EQ(c.stats().invalidations, 50U);
}

struct glob_case {
  const char* pattern;
  const char* text;
  bool match;
};

TEST(Glob, Table) {
  const glob_case cases[] = {
      {"", "", true},
      {"", "a", false},
      {"abc", "abc", true},
      {"abc", "abd", false},
      {"abc", "ab", false},
      {"*", "", true},
      {"*", "anything/at/all", true},
      {"a*", "a", true},
      {"a*", "abc", true},
      {"a*", "ba", false},
      {"*c", "abc", true},
      {"*c", "abcd", false},
      {"a*b*c", "axxbyyc", true},
      {"a*b*c", "axxbyy", false},
      {"a*b*c", "abcbc", true},
      {"**a**", "xxaxx", true},
      {"*a*a*a", "aaaa", true},
      {"*a*a*a", "aa", false},
      {"?", "a", true},
      {"?", "", false},
      {"?", "ab", false},
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"??*", "a", false},
      {"??*", "ab", true},
      {"[abc]", "b", true},
      {"[abc]", "d", false},
      {"[a-c]x", "bx", true},
      {"[a-c]x", "dx", false},
      {"[!a-c]x", "dx", true},
      {"[!a-c]x", "ax", false},
      {"[^0-9]", "x", true},
      {"[^0-9]", "5", false},
      {"[]]", "]", true},
      {"[!]]", "]", false},
      {"[!]]", "a", true},
      {"[a-]", "-", true},
      {"[a-]", "b", false},
      {"[\\]]", "]", true},
      {"[", "[", true},
      {"[ab", "[ab", true},
      {"[ab", "a", false},
      {"\\*", "*", true},
      {"\\*", "x", false},
      {"\\?\\[", "?[", true},
      {"a\\", "a\\", true},
      {"res/*/[0-9][0-9]", "res/vm/42", true},
      {"res/*/[0-9][0-9]", "res/vm/4x", false},
      {"*/*", "no-slash", false},
      {"*x", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy", false},
  };
  for (const auto& tc : cases) {
    EXPECT_EQ(cache::glob_match(tc.pattern, tc.text), tc.match)
        << "pattern '" << tc.pattern << "' text '" << tc.text << "'";
  }
}

TEST(Cache, LruBoundEvictsTheLeastRecentlyUsed) {
  string_cache c({.max_entries = 3});
  c.put("a", "1");
  c.put("b", "2");
  c.put("c", "3");
  EXPECT_EQ(c.get("a"), "1");  // a is now the most recent; b the least
  c.put("d", "4");
  EXPECT_EQ(c.size(), 3U);
  EXPECT_EQ(c.get("b"), std::nullopt);
  EXPECT_EQ(c.get("a"), "1");
  EXPECT_EQ(c.get("c"), "3");
  EXPECT_EQ(c.get("d"), "4");
  c.put("e", "5");  // a, c, d were read in that order: a goes
  EXPECT_EQ(c.get("a"), std::nullopt);
  auto s = c.stats();
  EXPECT_EQ(s.evictions, 2U);
  EXPECT_EQ(s.size, 3U);
}

TEST(Cache, ExpiredVictimCountsAsExpirationNotEviction) {
  manual_clock clock;
  string_cache c({.max_entries = 2, .clock = clock.fn()});
  c.put("a", "1", 1s);
  c.put("b", "2", 1h);
  clock.advance(2s);
  c.put("c", "3");
  auto s = c.stats();
  EXPECT_EQ(s.evictions, 0U);
  EXPECT_EQ(s.expirations, 1U);
  EXPECT_EQ(c.get("b"), "2");
}

TEST(Cache, StripedCacheKeepsItsBound) {
  string_cache c({.max_entries = 1024, .shards = 8});
  for (int i = 0; i < 5000; ++i) c.put(numbered("key-", i), "v");
  const auto s = c.stats();
  EXPECT_LE(s.size, 1024U);
  EXPECT_GT(s.size, 900U);  // stripes fill about evenly
  EXPECT_EQ(s.evictions, 5000U - s.size);
  EXPECT_EQ(c.get("key-4999"), "v");  // the newest survives
}

TEST(Cache, InvalidateDuringFetchKeepsTheStaleResultOut) {
  string_cache c;
  rt::async_event gate;
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stop{false};
  outcome waiter;
  rt::spawn(c.get_or_fetch("k", gated_fetch{&gate, &calls, &saw_stop, "old"}), {}, waiter.sink());
  EXPECT_FALSE(waiter.done());
  EXPECT_TRUE(c.invalidate("k"));
  gate.set();  // the fetch finishes on this thread
  ASSERT_TRUE(waiter.done());
  EXPECT_EQ(waiter.value(), "old");     // its waiter still gets it ...
  EXPECT_EQ(c.get("k"), std::nullopt);  // ... but it was not stored
  EXPECT_FALSE(saw_stop.load());
}

TEST(Cache, AfterInvalidateANewFetchStartsAndOnlyItsResultIsStored) {
  string_cache c;
  rt::async_event old_gate, new_gate;
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stop{false};
  outcome first, second;
  rt::spawn(c.get_or_fetch("k", gated_fetch{&old_gate, &calls, &saw_stop, "old"}), {},
            first.sink());
  c.invalidate("k");
  rt::spawn(c.get_or_fetch("k", gated_fetch{&new_gate, &calls, &saw_stop, "new"}), {},
            second.sink());
  EXPECT_EQ(calls.load(), 2);  // the newcomer did not join the disowned fetch
  new_gate.set();
  EXPECT_EQ(second.value(), "new");
  old_gate.set();  // the stale fetch finishes last and must not overwrite
  EXPECT_EQ(first.value(), "old");
  EXPECT_EQ(c.get("k"), "new");
  EXPECT_EQ(c.stats().fetches, 2U);
}

TEST(Cache, PutDuringFetchWinsOverTheFetchResult) {
  string_cache c;
  rt::async_event gate;
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stop{false};
  outcome waiter;
  rt::spawn(c.get_or_fetch("k", gated_fetch{&gate, &calls, &saw_stop, "fetched"}), {},
            waiter.sink());
  c.put("k", "put");
  gate.set();
  EXPECT_EQ(waiter.value(), "fetched");
  EXPECT_EQ(c.get("k"), "put");
}

TEST(Cache, PrefixAndGlobInvalidationAlsoDisownFetches) {
  string_cache c;
  rt::async_event gate;
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stop{false};
  outcome a, b;
  rt::spawn(c.get_or_fetch("vm/1", gated_fetch{&gate, &calls, &saw_stop, "x"}), {}, a.sink());
  rt::spawn(c.get_or_fetch("disk/1", gated_fetch{&gate, &calls, &saw_stop, "y"}), {}, b.sink());
  EXPECT_EQ(c.invalidate_prefix("vm/"), 1U);
  EXPECT_EQ(c.invalidate_matching("d?sk/*"), 1U);
  gate.set();
  EXPECT_EQ(a.value(), "x");
  EXPECT_EQ(b.value(), "y");
  EXPECT_EQ(c.size(), 0U);
}

TEST(Cache, CancelledWaiterLeavesWhileTheFetchGoesOnForOthers) {
  string_cache c;
  rt::async_event gate;
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stop{false};
  std::stop_source stop_a;
  outcome a, b;
  rt::spawn(c.get_or_fetch("k", gated_fetch{&gate, &calls, &saw_stop, "v"}), stop_a.get_token(),
            a.sink());
  rt::spawn(c.get_or_fetch("k", gated_fetch{&gate, &calls, &saw_stop, "unused"}), {}, b.sink());
  stop_a.request_stop();
  ASSERT_TRUE(a.done());  // left at once
  EXPECT_TRUE(a.cancelled());
  EXPECT_FALSE(b.done());
  EXPECT_FALSE(saw_stop.load());  // the shared fetch was not stopped
  gate.set();
  EXPECT_EQ(b.value(), "v");
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(c.get("k"), "v");
}

TEST(Cache, WhenEveryWaiterLeavesTheFetchIsStoppedAndNothingStored) {
  string_cache c;
  rt::async_event gate;
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stop{false};
  std::stop_source stop_a, stop_b;
  outcome a, b;
  rt::spawn(c.get_or_fetch("k", gated_fetch{&gate, &calls, &saw_stop, "v"}), stop_a.get_token(),
            a.sink());
  rt::spawn(c.get_or_fetch("k", gated_fetch{&gate, &calls, &saw_stop, "v"}), stop_b.get_token(),
            b.sink());
  stop_a.request_stop();
  EXPECT_FALSE(saw_stop.load());
  stop_b.request_stop();
  EXPECT_TRUE(saw_stop.load());  // the last one leaving stopped the fetch
  EXPECT_TRUE(a.cancelled());
  EXPECT_TRUE(b.cancelled());
  EXPECT_EQ(c.size(), 0U);
  // The next caller starts afresh instead of joining the stopped fetch.
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("k", [] { return immediate("fresh"); })), "fresh");
  EXPECT_EQ(c.stats().fetches, 2U);
}

TEST(Cache, CallerAlreadyStoppedDoesNotStartAFetch) {
  string_cache c;
  std::stop_source stop;
  stop.request_stop();
  std::atomic<int> calls{0};
  auto fetch = [&] {
    ++calls;
    return immediate("v");
  };
  EXPECT_THROW(rt::sync_wait(c.get_or_fetch("k", fetch), stop.get_token()), rt::cancelled_error);
  EXPECT_EQ(calls.load(), 0);
  c.put("k", "cached");  // a hit is served even to a stopped caller: nothing to cancel
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("k", fetch), stop.get_token()), "cached");
}

TEST(Cache, DestroyingTheCacheStopsItsFetches) {
  auto c = std::make_unique<string_cache>();
  rt::async_event gate;
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stop{false};
  outcome waiter;
  rt::spawn(c->get_or_fetch("k", gated_fetch{&gate, &calls, &saw_stop, "v"}), {}, waiter.sink());
  c.reset();
  EXPECT_TRUE(saw_stop.load());
  ASSERT_TRUE(waiter.done());
  EXPECT_TRUE(waiter.cancelled());
}

TEST(Cache, StatsCountEveryKind) {
  manual_clock clock;
  string_cache c({.max_entries = 2, .clock = clock.fn()});
  auto fetch = [] { return immediate("v"); };
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("a", fetch)), "v");  // miss + fetch
  EXPECT_EQ(rt::sync_wait(c.get_or_fetch("a", fetch)), "v");  // hit
  EXPECT_EQ(c.get("zz"), std::nullopt);                       // miss
  c.put("b", "2");
  c.put("c", "3");  // evicts a
  c.put("d", "4", 1s);
  clock.advance(2s);
  EXPECT_EQ(c.get("d"), std::nullopt);  // expired: miss + expiration
  c.invalidate("c");
  const auto s = c.stats();
  EXPECT_EQ(s.hits, 1U);
  EXPECT_EQ(s.misses, 3U);
  EXPECT_EQ(s.fetches, 1U);
  EXPECT_EQ(s.evictions, 2U);  // a (by c), b (by d)
  EXPECT_EQ(s.expirations, 1U);
  EXPECT_EQ(s.invalidations, 1U);
  EXPECT_EQ(s.size, 0U);
}

TEST(Cache, WorksWithAnyHashableKey) {
  cache::ttl_cache<int, std::shared_ptr<const std::vector<int>>> c;
  auto big = std::make_shared<const std::vector<int>>(1000, 7);
  c.put(1, big);
  auto got = c.get(1);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->get(), big.get());  // a shared value, not a deep copy
  // Prefix and glob invalidation need string keys.
  static_assert(!has_pattern_invalidation<cache::ttl_cache<int, int>>);
  static_assert(has_pattern_invalidation<string_cache>);
}

TEST(Cache, ManyThreadsAgreeOnValues) {
  string_cache c({.max_entries = 256, .default_ttl = 1h, .shards = 4});  // 4 stripes
  std::atomic<int> fetches{0};
  std::atomic<int> wrong{0};
  auto worker = [&](int seed) {
    auto body = [&]() -> rt::task<void> {
      for (int i = 0; i < 300; ++i) {
        const std::string key = numbered("k", (i * 7 + seed) % 40);
        // A named fetcher: GCC 12 destroys a capturing lambda temporary inside a co_await
        // expression twice.
        auto fetch = [&fetches, key]() -> rt::task<std::string> {
          ++fetches;
          if (key.back() == '3') co_await rt::sleep_for(100us);  // some fetches suspend
          co_return key + "!";
        };
        const std::string v = co_await c.get_or_fetch(key, fetch);
        if (v != key + "!") ++wrong;
        if (i % 50 == seed) c.invalidate_prefix("k1");
        if (i % 97 == 0) c.put(key, key + "!");
        auto peek = c.get(key);
        if (peek && *peek != key + "!") ++wrong;
      }
    };
    rt::sync_wait(body());
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  const auto s = c.stats();
  EXPECT_EQ(s.fetches, static_cast<std::uint64_t>(fetches.load()));
  EXPECT_LE(s.size, 40U);
  EXPECT_EQ(s.hits + s.misses, 4U * 300U * 2U);
}

}  // namespace
