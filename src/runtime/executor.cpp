// The executor (io_context + threads), timers and the blocking pool.
#include "cppvider/runtime/executor.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/thread_pool.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
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
  std::vector<std::thread> threads;
};

executor::executor(unsigned threads) : impl_(std::make_unique<impl>()) {
  if (threads == 0) threads = 1;
  impl_->threads.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([io = &impl_->io] {
      // A handler that throws is a bug in the runtime; keep the thread serving.
      for (;;) {
        try {
          io->run();
          return;
        } catch (...) {
        }
      }
    });
  }
}

executor::~executor() {
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
  static executor e(
      env_count("CPPVIDER_THREADS", std::max(2U, std::thread::hardware_concurrency())));
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
