// Coroutine runtime: tasks, gather, cancellation, timers, blocking pool, events.
#include <gtest/gtest.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include "cppvider/runtime/blocking.hpp"
#include "cppvider/runtime/event.hpp"
#include "cppvider/runtime/executor.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"
#include "cppvider/runtime/time.hpp"

namespace rt = cppvider::runtime;
using namespace std::chrono_literals;

namespace {

rt::task<int> value_of(int v) { co_return v; }
std::string fmt_e(int i) {
  std::string s = "e";
  s += std::to_string(i);
  return s;
}
rt::task<std::string> text_after(std::chrono::milliseconds d, std::string s) {
  co_await rt::sleep_for(d);
  co_return s;
}
rt::task<void> fail_after(std::chrono::milliseconds d, std::string what) {
  co_await rt::sleep_for(d);
  throw std::runtime_error(what);
}
// Sleeps long unless stopped; records whether it saw the stop.
rt::task<int> long_sleeper(std::atomic<bool>& cancelled) {
  try {
    co_await rt::sleep_for(30s);
  } catch (const rt::cancelled_error&) {
    cancelled = true;
    throw;
  }
  co_return 1;
}

TEST(Task, RunsInlineUntilItSuspends) {
  const auto caller = std::this_thread::get_id();
  std::thread::id ran_on;
  auto t = [&]() -> rt::task<int> {
    ran_on = std::this_thread::get_id();
    co_return co_await value_of(41) + 1;
  };
  EXPECT_EQ(rt::sync_wait(t()), 42);
  EXPECT_EQ(ran_on, caller);  // no thread hop for a task that never waits
}

TEST(Task, ExceptionsPropagateThroughAwait) {
  auto t = []() -> rt::task<int> {
    co_await fail_after(1ms, "boom");
    co_return 0;
  };
  EXPECT_THROW(
      {
        try {
          rt::sync_wait(t());
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "boom");
          throw;
        }
      },
      std::runtime_error);
}

TEST(Task, SpawnReportsOutcomeOnce) {
  std::atomic<int> calls{0};
  std::atomic<int> got{0};
  rt::spawn(text_after(5ms, "x"), {}, [&](rt::settled<std::string> s) noexcept {
    got = s.ok() && s.value() == "x" ? 1 : 2;
    ++calls;
  });
  for (int i = 0; i < 500 && calls == 0; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got, 1);
}

TEST(Gather, ResultsInArgumentOrderWhateverTheFinishOrder) {
  auto [a, b, c] =
      rt::sync_wait(rt::gather(text_after(30ms, "slow"), text_after(1ms, "fast"), value_of(7)));
  EXPECT_EQ(a, "slow");
  EXPECT_EQ(b, "fast");
  EXPECT_EQ(c, 7);
}

TEST(Gather, RunsConcurrently) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<rt::task<std::string>> ts;
  for (int i = 0; i < 50; ++i) ts.push_back(text_after(100ms, std::to_string(i)));
  auto out = rt::sync_wait(rt::gather(std::move(ts)));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(out.size(), 50U);
  EXPECT_EQ(out[49], "49");
  // 50 sequential sleeps would take 5 s; concurrent ones well under 50 of them.
  EXPECT_LT(took, 50 * 100ms / 2);
}

TEST(Gather, FirstErrorCancelsTheOthersAndIsRethrown) {
  std::atomic<bool> cancelled{false};
  const auto start = std::chrono::steady_clock::now();
  try {
    rt::sync_wait(rt::gather(long_sleeper(cancelled), fail_after(5ms, "first")));
    FAIL() << "gather should throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "first");
  }
  EXPECT_TRUE(cancelled.load());  // the sleeper saw the stop before gather returned
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(Gather, VoidTasksGiveMonostate) {
  auto [a, b] = rt::sync_wait(rt::gather(rt::sleep_for(1ms), value_of(3)));
  (void)a;
  EXPECT_EQ(b, 3);
}

TEST(GatherSettled, ReturnsEveryValueAndError) {
  auto [a, b] = rt::sync_wait(rt::gather_settled(value_of(1), fail_after(1ms, "bad")));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value(), 1);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error_message(), "bad");
}

TEST(GatherSettled, VectorKeepsGoingAfterErrors) {
  std::vector<rt::task<void>> ts;
  for (int i = 0; i < 10; ++i)
    ts.push_back(i % 3 == 0 ? fail_after(1ms, fmt_e(i)) : rt::sleep_for(2ms));
  auto out = rt::sync_wait(rt::gather_settled(std::move(ts)));
  ASSERT_EQ(out.size(), 10U);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(out[i].ok(), i % 3 != 0) << i;
    if (i % 3 == 0) {
      EXPECT_EQ(out[i].error_message(), fmt_e(i));
    }
  }
}

TEST(Gather, LimitCapsTasksInFlight) {
  std::atomic<int> in_flight{0}, peak{0};
  auto job = [&]() -> rt::task<int> {
    const int now = ++in_flight;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    co_await rt::sleep_for(5ms);
    --in_flight;
    co_return now;
  };
  std::vector<rt::task<int>> ts;
  for (int i = 0; i < 40; ++i) ts.push_back(job());
  auto out = rt::sync_wait(rt::gather(std::move(ts), 4));
  EXPECT_EQ(out.size(), 40U);
  EXPECT_LE(peak.load(), 4);
  EXPECT_GE(peak.load(), 2);  // it did run concurrently
}

TEST(Gather, ManyTasksThatNeverSuspendDoNotGrowTheStack) {
  std::vector<rt::task<int>> ts;
  for (int i = 0; i < 200000; ++i) ts.push_back(value_of(i));
  auto out = rt::sync_wait(rt::gather(std::move(ts), 1));
  ASSERT_EQ(out.size(), 200000U);
  EXPECT_EQ(out.back(), 199999);
}

TEST(Cancellation, StopTokenReachesASleepingTask) {
  std::stop_source stop;
  std::atomic<bool> cancelled{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    stop.request_stop();
  });
  EXPECT_THROW(rt::sync_wait(long_sleeper(cancelled), stop.get_token()), rt::cancelled_error);
  stopper.join();
  EXPECT_TRUE(cancelled.load());
}

TEST(Cancellation, AlreadyStoppedTokenCancelsImmediately) {
  std::stop_source stop;
  stop.request_stop();
  EXPECT_THROW(rt::sync_wait(rt::sleep_for(10s), stop.get_token()), rt::cancelled_error);
  EXPECT_THROW(rt::sync_wait(rt::throw_if_cancelled(), stop.get_token()), rt::cancelled_error);
}

TEST(Cancellation, ParentStopReachesGatherChildren) {
  std::stop_source stop;
  std::atomic<bool> c1{false}, c2{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    stop.request_stop();
  });
  EXPECT_THROW(rt::sync_wait(rt::gather(long_sleeper(c1), long_sleeper(c2)), stop.get_token()),
               rt::cancelled_error);
  stopper.join();
  EXPECT_TRUE(c1 && c2);
}

TEST(Timeout, StopsTheTaskAndThrows) {
  std::atomic<bool> cancelled{false};
  EXPECT_THROW(rt::sync_wait(rt::with_timeout(20ms, long_sleeper(cancelled))), rt::timeout_error);
  EXPECT_TRUE(cancelled.load());
}

TEST(Timeout, FastTaskKeepsItsValue) {
  EXPECT_EQ(rt::sync_wait(rt::with_timeout(5s, text_after(1ms, "ok"))), "ok");
  EXPECT_EQ(rt::sync_wait(rt::with_timeout(5s, value_of(5))), 5);
}

TEST(Blocking, RunsOffTheCallingThreadAndReturns) {
  const auto caller = std::this_thread::get_id();
  auto t = [&]() -> rt::task<bool> {
    const auto id = co_await rt::run_blocking([] { return std::this_thread::get_id(); });
    co_return id != caller;
  };
  EXPECT_TRUE(rt::sync_wait(t()));
}

TEST(Blocking, ExceptionsComeBack) {
  auto t = []() -> rt::task<int> {
    co_return co_await rt::run_blocking([]() -> int { throw std::logic_error("nope"); });
  };
  EXPECT_THROW(rt::sync_wait(t()), std::logic_error);
}

TEST(Blocking, QueuedJobIsSkippedWhenStopped) {
  std::stop_source stop;
  stop.request_stop();
  std::atomic<bool> ran{false};
  auto t = [&]() -> rt::task<void> { co_await rt::run_blocking([&] { ran = true; }); };
  EXPECT_THROW(rt::sync_wait(t(), stop.get_token()), rt::cancelled_error);
  EXPECT_FALSE(ran.load());
}

TEST(Blocking, JobSeesTheStopToken) {
  std::stop_source stop;
  std::atomic<bool> started{false};
  auto t = [&]() -> rt::task<int> {
    co_return co_await rt::run_blocking([&](const std::stop_token& st) {
      started = true;
      int spins = 0;
      while (!st.stop_requested() && spins < 5000) {
        std::this_thread::sleep_for(1ms);
        ++spins;
      }
      return spins;
    });
  };
  // Stop once the job runs (a job still queued when stop comes is skipped, another test).
  std::thread stopper([&] {
    while (!started) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(5ms);
    stop.request_stop();
  });
  EXPECT_LT(rt::sync_wait(t(), stop.get_token()), 5000);
  stopper.join();
}

TEST(Event, WakesEveryWaiter) {
  rt::async_event ev;
  std::atomic<int> woke{0};
  auto waiter = [&]() -> rt::task<void> {
    co_await ev.wait();
    ++woke;
  };
  auto setter = [&]() -> rt::task<void> {
    co_await rt::sleep_for(10ms);
    ev.set();
  };
  std::vector<rt::task<void>> ts;
  for (int i = 0; i < 100; ++i) ts.push_back(waiter());
  ts.push_back(setter());
  rt::sync_wait(rt::gather(std::move(ts)));
  EXPECT_EQ(woke.load(), 100);
  EXPECT_TRUE(ev.is_set());
  rt::sync_wait(ev.wait());  // already set: returns at once
}

TEST(Event, StoppedWaiterLeaves) {
  rt::async_event ev;
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(10ms);
    stop.request_stop();
  });
  EXPECT_THROW(rt::sync_wait(ev.wait(), stop.get_token()), rt::cancelled_error);
  stopper.join();
  ev.set();  // no waiter left to wake; must not touch the finished one
}

TEST(Semaphore, LimitsConcurrencyAndReleasesOnScopeExit) {
  rt::async_semaphore sem(3);
  std::atomic<int> in{0}, peak{0};
  auto job = [&]() -> rt::task<void> {
    auto permit = co_await sem.acquire();
    const int now = ++in;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    co_await rt::sleep_for(3ms);
    --in;
  };
  std::vector<rt::task<void>> ts;
  for (int i = 0; i < 30; ++i) ts.push_back(job());
  rt::sync_wait(rt::gather(std::move(ts)));
  EXPECT_EQ(peak.load(), 3);
  EXPECT_EQ(sem.available(), 3U);
}

TEST(Executor, ResumeOnExecutorHopsThreads) {
  const auto caller = std::this_thread::get_id();
  auto t = [&]() -> rt::task<bool> {
    co_await rt::resume_on_executor();
    co_return std::this_thread::get_id() != caller;
  };
  EXPECT_TRUE(rt::sync_wait(t()));
}

TEST(Executor, DefaultSizeLeavesOneCoreToTheRestOfTheProcess) {
  if (std::getenv("CPPVIDER_THREADS") != nullptr) GTEST_SKIP() << "CPPVIDER_THREADS sets the size";
  const unsigned cores = std::thread::hardware_concurrency();
  EXPECT_EQ(rt::default_executor().thread_count(), cores > 2 ? cores - 1 : 1U);
}

std::string thread_name() {
  std::array<char, 16> buf{};
  pthread_getname_np(pthread_self(), buf.data(), buf.size());
  return buf.data();
}

rt::task<std::string> name_on_executor() {
  co_await rt::resume_on_executor();
  co_return thread_name();
}

TEST(Executor, ThreadsAreNamedForTopAndDebuggers) {
  // A name per role, so `top -H`, gdb and perf tell the provider's threads from gRPC's.
  EXPECT_EQ(rt::sync_wait(name_on_executor()), "cppv-event");
  EXPECT_EQ(rt::sync_wait(rt::run_blocking([] { return thread_name(); })), "cppv-blocking");
}

// Runs on the executor until `release` is set (or 10 s pass: a hang guard, not a measurement),
// then records whether it was released.
struct holder {
  std::atomic<bool>& release;
  std::atomic<int>& released;
  void operator()() const {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!release.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    if (release.load()) released.fetch_add(1);
  }
};

// The standby thread: a handler that holds the only event thread does not hold up the handlers
// queued behind it.
TEST(Executor, AHandlerHoldingTheOnlyEventThreadDoesNotStallTheOthers) {
  std::atomic<bool> release{false};
  std::atomic<int> released{0};
  std::atomic<bool> done{false};
  {
    rt::executor ex(1);
    ASSERT_EQ(ex.thread_count(), 1U);
    ex.post(holder{release, released});
    ex.post([&release] { release.store(true); });
    ex.post([&done] { done.store(true); });
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (!done.load() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(released.load(), 1);
  EXPECT_TRUE(done.load());
}

// Two holders on one event thread: the standby frees the first by serving the loop, then the
// event thread serves it again; every handler runs.
TEST(Executor, TheStandbyHelpsAgainWhenTheEventThreadIsHeldASecondTime) {
  std::atomic<bool> first{false};
  std::atomic<bool> second{false};
  std::atomic<int> released{0};
  std::atomic<int> ran{0};
  {
    rt::executor ex(1);
    ex.post(holder{first, released});
    ex.post([&first] { first.store(true); });
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (released.load() < 1 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
    ex.post(holder{second, released});
    ex.post([&second] { second.store(true); });
    for (int i = 0; i < 100; ++i) ex.post([&ran] { ran.fetch_add(1); });
    while ((released.load() < 2 || ran.load() < 100) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
  }
  EXPECT_EQ(released.load(), 2);
  EXPECT_EQ(ran.load(), 100);
}

// Everyday work stays on the event thread: the standby takes part only when it is held. (A
// generous share, as a preempted event thread may legitimately be helped now and then.)
TEST(Executor, ShortHandlersRunOnTheEventThread) {
  std::atomic<int> on_first{0};
  std::atomic<int> total{0};
  std::thread::id first_thread;
  std::atomic<bool> known{false};
  {
    rt::executor ex(1);
    ex.post([&] {
      first_thread = std::this_thread::get_id();
      known.store(true);
    });
    while (!known.load()) std::this_thread::sleep_for(1ms);
    for (int round = 0; round < 20; ++round) {
      for (int i = 0; i < 50; ++i) {
        ex.post([&] {
          if (std::this_thread::get_id() == first_thread) on_first.fetch_add(1);
          total.fetch_add(1);
        });
      }
      std::this_thread::sleep_for(2ms);
    }
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (total.load() < 1000 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(1ms);
    }
  }
  EXPECT_EQ(total.load(), 1000);
  EXPECT_GE(on_first.load(), 900);
}

}  // namespace
