// The executor (io_context + threads), timers and the blocking pool.
#include "cppvider/runtime/executor.hpp"

#include <pthread.h>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cppvider/runtime/asio.hpp"
#include "cppvider/runtime/blocking.hpp"
#include "cppvider/runtime/time.hpp"

namespace cppvider::runtime {

namespace {

unsigned env_count(const char* name, unsigned fallback) {
  if (const char* v = std::getenv(name)) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(v, &end, 10);
    if (end != v && *end == '\0' && n > 0 && n <= 1024) return static_cast<unsigned>(n);
  }
  return fallback;
}

}  // namespace

struct executor::impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  // Handlers the event threads have completed; the standby thread watches it.
  std::atomic<std::uint64_t> completed{0};
  std::vector<std::thread> threads;
  std::thread standby;
  std::mutex standby_mutex;
  std::condition_variable standby_wake;
  bool stopping = false;  // guarded by standby_mutex

  void run_events();
  void run_standby();
};

// Names show in top -H, ps -L, gdb and perf, so a provider's threads can be told apart from
// gRPC's. At most 15 characters (Linux); a name that does not fit is simply not set.
namespace {
void name_this_thread(const char* name) noexcept { pthread_setname_np(pthread_self(), name); }
}  // namespace

// An event thread: asio's loop, counting the handlers it completes.
void executor::impl::run_events() {
  name_this_thread("cppv-event");
  // A handler that throws is a bug in the runtime; keep the thread serving.
  for (;;) {
    try {
      while (io.run_one() != 0) completed.fetch_add(1, std::memory_order_relaxed);
      return;
    } catch (...) {
    }
  }
}

// The standby thread keeps the executor fair without taking part in its everyday work. A thread
// that always shares the loop makes the wake-ups alternate between threads, which cost an
// HTTP-bound provider about 8 % of its throughput on two cores (docs/benchmarks.md); ticking
// often costs too (a 1 ms tick cost 20 % there, 10 ms about 4 %). So it looks every 50 ms: when
// the event threads have completed no handler since the last look and work is ready, they are
// all held (a task computing, or blocking where it should use run_blocking), and the standby
// serves the loop until one of them completes its handler. Idle for a while, it looks less often.
void executor::impl::run_standby() {
  name_this_thread("cppv-standby");
  using std::chrono::milliseconds;
  constexpr milliseconds busy_tick{50};
  constexpr milliseconds idle_tick{200};
  constexpr unsigned quiet_ticks_before_idle = 100;
  milliseconds tick = busy_tick;
  unsigned quiet = 0;
  std::uint64_t seen = completed.load(std::memory_order_relaxed);
  std::unique_lock lock(standby_mutex);
  while (!stopping) {
    standby_wake.wait_for(lock, tick);
    if (stopping) break;
    const std::uint64_t now = completed.load(std::memory_order_relaxed);
    if (now != seen) {
      seen = now;
      quiet = 0;
      tick = busy_tick;
      continue;
    }
    lock.unlock();
    try {
      // The event threads are waiting for events (nothing is ready: this returns at once) or
      // are all inside handlers.
      if (io.poll_one() != 0) {
        while (completed.load(std::memory_order_relaxed) == now && !io.stopped()) {
          io.run_one_for(busy_tick);
        }
        quiet = 0;
        tick = busy_tick;
      } else if (++quiet >= quiet_ticks_before_idle) {
        tick = idle_tick;
      }
    } catch (...) {
    }
    seen = completed.load(std::memory_order_relaxed);
    lock.lock();
  }
}

executor::executor(unsigned threads) : impl_(std::make_unique<impl>()) {
  if (threads == 0) threads = 1;
  impl_->threads.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([i = impl_.get()] { i->run_events(); });
  }
  impl_->standby = std::thread([i = impl_.get()] { i->run_standby(); });
}

executor::~executor() {
  {
    const std::lock_guard lock(impl_->standby_mutex);
    impl_->stopping = true;
  }
  impl_->standby_wake.notify_one();
  impl_->standby.join();
  // Let work that is already finishing (a cancelled timer's handler, say) run, so its task frees
  // its frame; then stop whatever still waits (abandoned at exit).
  impl_->work.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  while (!impl_->io.stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
}

void executor::post(std::function<void()> f) { asio::post(impl_->io, std::move(f)); }

unsigned executor::thread_count() const noexcept {
  return static_cast<unsigned>(impl_->threads.size());
}

executor& default_executor() {
  // One core is left to gRPC's threads and the rest of the process; the standby thread keeps
  // the executor fair, so one event thread is enough on a two-core machine.
  const unsigned cores = std::thread::hardware_concurrency();
  static executor e(env_count("CPPVIDER_THREADS", cores > 2 ? cores - 1 : 1));
  return e;
}

asio::io_context& io_context(executor& e) noexcept { return e.native().io; }

// ---- Timers --------------------------------------------------------------------------------

namespace detail {

namespace {
struct timer_op : std::enable_shared_from_this<timer_op> {
  explicit timer_op(asio::io_context& io) : strand(asio::make_strand(io)), timer(strand) {}
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  std::optional<resumer<bool>> r;
  struct cancel {
    std::weak_ptr<timer_op> op;
    void operator()() const noexcept {
      if (auto o = op.lock()) asio::post(o->strand, [o] { o->timer.cancel(); });
    }
  };
  std::optional<std::stop_callback<cancel>> on_stop;
};
}  // namespace

void start_timer(std::chrono::nanoseconds d, std::stop_token st, resumer<bool> r) {
  if (st.stop_requested()) {
    r.set_value(false);
    return;
  }
  auto op = std::make_shared<timer_op>(io_context(default_executor()));
  op->r.emplace(r);
  asio::post(op->strand, [op, d, st = std::move(st)]() mutable {
    op->timer.expires_after(d);
    op->timer.async_wait([op](const std::error_code& ec) {
      op->on_stop.reset();  // waits for a stop callback that is running elsewhere
      op->r->set_value(!ec);
    });
    // Registered after async_wait so a stop that already happened cancels the wait.
    op->on_stop.emplace(st, timer_op::cancel{op});
  });
}

std::string describe_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d >= seconds(1) && d % milliseconds(1) == nanoseconds(0)) {
    const auto ms = duration_cast<milliseconds>(d).count();
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
  }
  if (d >= milliseconds(1)) return std::to_string(duration_cast<milliseconds>(d).count()) + " ms";
  return std::to_string(duration_cast<microseconds>(d).count()) + " us";
}

// ---- Blocking pool -------------------------------------------------------------------------

void post_blocking(std::stop_token st, std::function<void(const std::stop_token&)> job,
                   std::function<void()> resume, std::function<void()> cancelled) {
  // The executor exists before the pool, so it is destroyed after it: at exit the pool joins
  // its threads while the executor they post their results to is still alive.
  static executor& resume_on = default_executor();
  static asio::thread_pool pool(env_count("CPPVIDER_BLOCKING_THREADS", 8));
  asio::post(pool, [st = std::move(st), job = std::move(job), resume = std::move(resume),
                    cancelled = std::move(cancelled)]() mutable {
    thread_local const bool named = (name_this_thread("cppv-blocking"), true);
    (void)named;
    if (st.stop_requested()) {
      resume_on.post(std::move(cancelled));
      return;
    }
    job(st);
    resume_on.post(std::move(resume));
  });
}

std::string describe(const std::exception_ptr& e) {
  if (!e) return {};
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace detail

}  // namespace cppvider::runtime
