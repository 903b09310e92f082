// Batcher: window collection and de-duplication, size splits, per-key / missing-key /
// whole-batch errors, waiter cancellation, concurrency limits, several threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cppvider/batch/batcher.hpp"
#include "cppvider/runtime/event.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"
#include "cppvider/runtime/time.hpp"
#include "spawn_outcome.hpp"

namespace rt = cppvider::runtime;
namespace batch = cppvider::batch;
using namespace std::chrono_literals;

namespace {

// prefix + number; built by appending (GCC 12 warns falsely on `"k" + std::to_string(i)`).
std::string numbered(const char* prefix, long n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

using string_batcher = batch::batcher<std::string, std::string>;
using string_results = batch::results<std::string, std::string>;
using calls_t = std::vector<std::vector<std::string>>;

// Records every batch the function is called with.
struct recorder {
  std::mutex mu;
  calls_t calls;
  void add(const std::vector<std::string>& keys) {
    std::lock_guard lock(mu);
    calls.push_back(keys);
  }
  calls_t snapshot() {
    std::lock_guard lock(mu);
    return calls;
  }
};

// Answers key + "!", fails keys starting with "bad", leaves out keys starting with "missing".
string_results answer(const std::vector<std::string>& keys) {
  string_results out;
  for (const auto& k : keys) {
    if (k.starts_with("bad")) {
      out.fail(k, std::runtime_error("bad key " + k));
    } else if (!k.starts_with("missing")) {
      out.set(k, k + "!");
    }
  }
  return out;
}

auto recording_fn(recorder& rec) {
  return [&rec](std::vector<std::string> keys) -> rt::task<string_results> {
    rec.add(keys);
    co_return answer(keys);
  };
}

using outcome = cppvider::test_support::spawn_outcome<std::string>;

TEST(Batcher, LoadsInOneWindowShareOneDeDuplicatedBatch) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 200ms});
  const std::vector<std::string> keys = {"a", "b", "a", "c", "b", "a", "c", "a", "b", "a"};
  std::vector<rt::task<std::string>> ts;
  for (const auto& k : keys) ts.push_back(b.load(k));
  auto out = rt::sync_wait(rt::gather(std::move(ts)));
  ASSERT_EQ(out.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(out[i], keys[i] + "!");
  EXPECT_EQ(rec.snapshot(), (calls_t{{"a", "b", "c"}}));  // first-asked order
  const auto s = b.stats();
  EXPECT_EQ(s.batches_sent, 1U);
  EXPECT_EQ(s.keys_requested, 10U);
  EXPECT_EQ(s.keys_sent, 3U);
  EXPECT_EQ(s.largest_batch, 3U);
}

TEST(Batcher, MaxBatchSizeSplitsAndAFullBatchLeavesAtOnce) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 20ms, .max_batch_size = 10});
  std::vector<std::string> keys;
  for (int i = 0; i < 25; ++i) keys.push_back(numbered("k", i));
  std::vector<rt::task<std::string>> ts;
  for (const auto& k : keys) ts.push_back(b.load(k));
  // The first two batches were full: sent (and answered) while the loads were being started.
  auto out = rt::sync_wait(rt::gather(std::move(ts)));
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(out[i], keys[i] + "!");
  const auto calls = rec.snapshot();
  ASSERT_EQ(calls.size(), 3U);
  EXPECT_EQ(calls[0].size(), 10U);
  EXPECT_EQ(calls[1].size(), 10U);
  EXPECT_EQ(calls[2].size(), 5U);
  EXPECT_EQ(calls[0].front(), "k0");
  EXPECT_EQ(calls[2].back(), "k24");
  EXPECT_EQ(b.stats().largest_batch, 10U);
}

TEST(Batcher, FullBatchDoesNotWaitForTheWindow) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 1h, .max_batch_size = 3});
  std::vector<rt::task<std::string>> ts;
  for (const char* k : {"x", "y", "z"}) ts.push_back(b.load(k));
  auto out = rt::sync_wait(rt::gather(std::move(ts)));  // would hang for an hour otherwise
  EXPECT_EQ(out, (std::vector<std::string>{"x!", "y!", "z!"}));
  EXPECT_EQ(rec.snapshot().size(), 1U);
}

TEST(Batcher, SingleKeyIsSentWhenTheWindowCloses) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 5ms});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rt::sync_wait(b.load("solo")), "solo!");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 5ms);
  EXPECT_EQ(rec.snapshot(), (calls_t{{"solo"}}));
  // A later load opens a new window and a new batch.
  EXPECT_EQ(rt::sync_wait(b.load("solo")), "solo!");
  EXPECT_EQ(b.stats().batches_sent, 2U);
}

TEST(Batcher, PerKeyErrorReachesOnlyItsKey) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 50ms});
  auto out = rt::sync_wait(b.load_many_settled({"a", "bad-1", "b"}));
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(out[0].value(), "a!");
  ASSERT_FALSE(out[1].ok());
  EXPECT_EQ(out[1].error_message(), "bad key bad-1");
  EXPECT_EQ(out[2].value(), "b!");
  EXPECT_EQ(rec.snapshot().size(), 1U);
}

TEST(Batcher, KeyLeftOutOfTheAnswerGetsMissingKeyError) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 1ms});
  try {
    rt::sync_wait(b.load("missing-7"));
    FAIL() << "expected missing_key_error";
  } catch (const batch::missing_key_error& e) {
    EXPECT_EQ(e.key(), "\"missing-7\"");
    EXPECT_NE(std::string(e.what()).find("missing-7"), std::string::npos) << e.what();
  }
  // load_many throws the first failure.
  EXPECT_THROW(rt::sync_wait(b.load_many({"ok", "missing-8"})), batch::missing_key_error);
}

TEST(Batcher, MissingKeyErrorPrintsNonStringKeys) {
  batch::batcher<int, std::string> b(
      [](std::vector<int> keys) -> rt::task<batch::results<int, std::string>> {
        batch::results<int, std::string> out;
        for (int k : keys) {
          if (k != 42) out.set(k, std::to_string(k));
        }
        co_return out;
      },
      {.window = 1ms});
  EXPECT_EQ(rt::sync_wait(b.load(7)), "7");
  try {
    rt::sync_wait(b.load(42));
    FAIL() << "expected missing_key_error";
  } catch (const batch::missing_key_error& e) {
    EXPECT_EQ(e.key(), "42");
  }
}

TEST(Batcher, WholeBatchFailureReachesEveryWaiter) {
  std::atomic<int> calls{0};
  string_batcher b(
      [&](std::vector<std::string>) -> rt::task<string_results> {
        ++calls;
        co_await rt::sleep_for(1ms);
        throw std::runtime_error("batch down");
      },
      {.window = 50ms});
  auto out = rt::sync_wait(b.load_many_settled({"a", "b", "a", "c"}));
  ASSERT_EQ(out.size(), 4U);
  for (auto& s : out) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error_message(), "batch down");
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(Batcher, PlainMapFunction) {
  batch::batcher<std::string, int> b(
      [](std::vector<std::string> keys) -> rt::task<std::unordered_map<std::string, int>> {
        std::unordered_map<std::string, int> m;
        for (const auto& k : keys) {
          if (k != "gone") m[k] = static_cast<int>(k.size());
        }
        co_return m;
      },
      {.window = 1ms});
  EXPECT_EQ(rt::sync_wait(b.load_many({"a", "bbb", "a"})), (std::vector<int>{1, 3, 1}));
  EXPECT_THROW(rt::sync_wait(b.load("gone")), batch::missing_key_error);
}

TEST(Batcher, CancelledWaiterLeavesAndItsKeyIsDropped) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 1h});
  std::stop_source stop_x;
  outcome x, y;
  rt::spawn(b.load("x"), stop_x.get_token(), x.sink());
  rt::spawn(b.load("y"), {}, y.sink());
  stop_x.request_stop();
  ASSERT_TRUE(x.done());  // left at once, before the batch was sent
  EXPECT_TRUE(x.cancelled());
  EXPECT_FALSE(y.done());
  b.flush();  // the answer is immediate: y is served on this thread
  EXPECT_EQ(y.value(), "y!");
  EXPECT_EQ(rec.snapshot(), (calls_t{{"y"}}));
}

TEST(Batcher, CancelledWaitersKeyIsStillFetchedForOthers) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 1h});
  std::stop_source stop_first;
  outcome first, second;
  rt::spawn(b.load("x"), stop_first.get_token(), first.sink());
  rt::spawn(b.load("x"), {}, second.sink());
  stop_first.request_stop();
  EXPECT_TRUE(first.cancelled());
  b.flush();
  EXPECT_EQ(second.value(), "x!");
  EXPECT_EQ(rec.snapshot(), (calls_t{{"x"}}));
}

TEST(Batcher, BatchWhoseWaitersAllLeftBeforeSendingIsDropped) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 1h});
  std::stop_source stop;
  outcome gone;
  rt::spawn(b.load("x"), stop.get_token(), gone.sink());
  stop.request_stop();
  EXPECT_TRUE(gone.cancelled());
  b.flush();  // nothing pending any more
  EXPECT_TRUE(rec.snapshot().empty());
  outcome later;
  rt::spawn(b.load("y"), {}, later.sink());
  b.flush();
  EXPECT_EQ(later.value(), "y!");
  EXPECT_EQ(rec.snapshot(), (calls_t{{"y"}}));
  EXPECT_EQ(b.stats().batches_sent, 1U);
}

TEST(Batcher, WhenEveryWaiterOfASentBatchLeavesItsCallIsStopped) {
  rt::async_event gate;
  std::atomic<bool> saw_stop{false};
  string_batcher b(
      [&](std::vector<std::string> keys) -> rt::task<string_results> {
        try {
          co_await gate.wait();  // the batch call's own stop token
        } catch (const rt::cancelled_error&) {
          saw_stop = true;
          throw;
        }
        co_return answer(keys);
      },
      {.window = 1h});
  std::stop_source stop_a, stop_b;
  outcome a, c;
  rt::spawn(b.load("a"), stop_a.get_token(), a.sink());
  rt::spawn(b.load("b"), stop_b.get_token(), c.sink());
  b.flush();
  stop_a.request_stop();
  EXPECT_TRUE(a.cancelled());
  EXPECT_FALSE(saw_stop.load());  // "b" is still wanted
  stop_b.request_stop();
  EXPECT_TRUE(c.cancelled());
  EXPECT_TRUE(saw_stop.load());
}

TEST(Batcher, CallerAlreadyStoppedDoesNotEnlist) {
  recorder rec;
  string_batcher b(recording_fn(rec), {.window = 1ms});
  std::stop_source stop;
  stop.request_stop();
  EXPECT_THROW(rt::sync_wait(b.load("x"), stop.get_token()), rt::cancelled_error);
  EXPECT_EQ(b.stats().keys_requested, 0U);
}

TEST(Batcher, DestroyingTheBatcherFailsLoadsOfTheUnsentBatch) {
  recorder rec;
  auto b = std::make_unique<string_batcher>(recording_fn(rec), batch::options{.window = 1h});
  outcome waiter;
  rt::spawn(b->load("x"), {}, waiter.sink());
  b.reset();
  ASSERT_TRUE(waiter.done());
  EXPECT_TRUE(waiter.cancelled());
  EXPECT_TRUE(rec.snapshot().empty());
}

TEST(Batcher, MaxConcurrentBatchesQueuesTheRest) {
  std::atomic<int> in_flight{0}, peak{0};
  string_batcher b(
      [&](std::vector<std::string> keys) -> rt::task<string_results> {
        const int now = ++in_flight;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        co_await rt::sleep_for(3ms);
        --in_flight;
        co_return answer(keys);
      },
      {.window = 1ms, .max_batch_size = 1, .max_concurrent_batches = 1});
  std::vector<rt::task<std::string>> ts;
  for (int i = 0; i < 6; ++i) ts.push_back(b.load(numbered("k", i)));
  auto out = rt::sync_wait(rt::gather(std::move(ts)));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[i], numbered("k", i) + "!");
  EXPECT_EQ(peak.load(), 1);
  EXPECT_EQ(b.stats().batches_sent, 6U);
}

TEST(Batcher, LoadsFromSeveralThreads) {
  recorder rec;
  string_batcher b(
      [&rec](std::vector<std::string> keys) -> rt::task<string_results> {
        rec.add(keys);
        co_await rt::sleep_for(200us);  // answers arrive on executor threads
        co_return answer(keys);
      },
      {.window = 1ms, .max_batch_size = 16});
  constexpr int threads = 4;
  constexpr int per_thread = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<std::string> keys;
      // Each key twice in a row: the pair shares a batch unless the first one filled it.
      for (int i = 0; i < per_thread; ++i) {
        keys.push_back(numbered("k", (i / 2 * 3 + t) % 50));
      }
      auto out = rt::sync_wait(b.load_many(keys));
      for (int i = 0; i < per_thread; ++i) {
        if (out[i] != keys[i] + "!") ++wrong;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(wrong.load(), 0);
  const auto calls = rec.snapshot();
  std::set<std::string> seen;
  std::size_t sent = 0;
  for (const auto& c : calls) {
    EXPECT_LE(c.size(), 16U);
    const std::set<std::string> distinct(c.begin(), c.end());
    EXPECT_EQ(distinct.size(), c.size());  // no key twice in one batch
    seen.insert(c.begin(), c.end());
    sent += c.size();
  }
  EXPECT_EQ(seen.size(), 50U);
  const auto s = b.stats();
  EXPECT_EQ(s.keys_requested, static_cast<std::uint64_t>(threads * per_thread));
  EXPECT_EQ(s.keys_sent, sent);
  EXPECT_EQ(s.batches_sent, calls.size());
  EXPECT_LT(s.keys_sent, s.keys_requested);  // de-duplication did happen
  EXPECT_LE(s.largest_batch, 16U);
}

}  // namespace
