// The connection pool behind http::client: one libcurl multi handle driven on the executor's
// io_context through one strand (libcurl's multi interface is not thread-safe).
#pragma once

// A libstdc++ header before asio: asio picks its aligned allocator from libstdc++'s config, and
// every translation unit must pick the same one (operator new vs aligned_alloc).
#include <curl/curl.h>
#include <cstddef>

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cppvider/http/client.hpp"
#include "cppvider/runtime/block_cache.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::http::detail {

struct easy_deleter {
  void operator()(CURL* e) const noexcept { curl_easy_cleanup(e); }
};
using easy_ptr = std::unique_ptr<CURL, easy_deleter>;
struct multi_deleter {
  void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
};
using multi_ptr = std::unique_ptr<CURLM, multi_deleter>;
struct url_deleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
using url_ptr = std::unique_ptr<CURLU, url_deleter>;
struct slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using slist_ptr = std::unique_ptr<curl_slist, slist_deleter>;

// A request checked and converted once; every attempt reads it.
struct prepared {
  http::method method = http::method::get;
  std::string url;
  // The header list libcurl sends: owned_headers, or the pool's shared list of the default
  // headers (requests without headers of their own), or none.
  curl_slist* headers = nullptr;
  slist_ptr owned_headers;
  std::string body;
  bool retry_safe = false;  // idempotent method or Idempotency-Key
  int max_attempts = 1;
  std::chrono::milliseconds total_timeout{0};
  std::string trace_headers;  // redacted, only when trace logging is on

  // The URL with secrets redacted, and the raw values it hid (scrubbed from libcurl's
  // messages). Built on first use (errors and logs): most requests never need them. Used by
  // whoever owns the request at the time, never concurrently: the pool only while the task
  // waits for an attempt, the task otherwise.
  [[nodiscard]] const std::string& redacted_url() const { return redacted().url; }
  [[nodiscard]] const std::vector<std::string>& secrets() const { return redacted().secrets; }

 private:
  struct redaction {
    std::string url;
    std::vector<std::string> secrets;
  };
  const redaction& redacted() const;
  mutable std::unique_ptr<redaction> redacted_;
};

// What one attempt produced.
struct outcome {
  bool cancelled = false;
  std::optional<error_kind> failure;
  std::string detail;             // what happened, for error messages
  bool sent = false;              // a connection was ready and the request went out
  bool response_started = false;  // a byte of the response arrived
  int status = 0;
  http::headers headers;
  std::string body;
  std::string http_version;
  // When the pool took the attempt and when it ended (the pool's pass times, see now_ below);
  // both stay unset for an attempt stopped before it was started.
  std::chrono::steady_clock::time_point started_at{};
  std::chrono::steady_clock::time_point ended_at{};
  [[nodiscard]] std::chrono::nanoseconds duration() const noexcept { return ended_at - started_at; }
};

class pool : public std::enable_shared_from_this<pool> {
 public:
  explicit pool(client_options options);
  ~pool();
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  [[nodiscard]] const client_options& options() const noexcept { return options_; }
  // Throws http::error(invalid_request).
  [[nodiscard]] prepared prepare(request r) const;
  // Starts one attempt, which fills `out` (the caller leaves it alone until `done` is resumed,
  // on an executor thread). The stop token
  // aborts the transfer.
  void start(const prepared& req, outcome& out, runtime::resumer<void> done,
             const std::stop_token& st);

  [[nodiscard]] client_stats stats() const noexcept;
  void count_request() noexcept { requests_.fetch_add(1, std::memory_order_relaxed); }
  void count_retry() noexcept { retries_.fetch_add(1, std::memory_order_relaxed); }

 private:
  struct transfer;
  struct easy_slot;
  using slot_ptr = std::unique_ptr<easy_slot>;
  struct socket_state {
    bool known = false;            // an entry of the table (below)
    bool own = false;              // opened through our callback: closed through ours too
    bool wanted = false;           // libcurl waits for it now (otherwise an idle connection)
    std::uint32_t registered = 0;  // epoll events in our set; 0: not in it
  };
  enum class abort_reason : std::uint8_t { none, cancelled, pool_timeout, read_timeout, total };
  using strand_type = asio::strand<asio::io_context::executor_type>;

  // Strand only, from here on.
  void add_incoming();
  void add(const std::shared_ptr<transfer>& t);
  void resume_finished();
  [[nodiscard]] slot_ptr new_easy();
  void configure(transfer& t, easy_slot& s);
  void build_shared_headers();
  void abort(transfer& t, abort_reason why);
  void complete(transfer& t, CURLcode code);
  void classify(transfer& t, CURLcode code) const;
  [[nodiscard]] std::chrono::steady_clock::time_point next_deadline(const transfer& t) const;
  void schedule(const transfer& t);
  void on_deadline();
  void socket_action(curl_socket_t s, int events);
  void collect_done();
  void update_max_connects();
  void set_curl_timer(long ms);
  void arm_curl_timer();
  void on_curl_timer();

  void adopt_socket(curl_socket_t fd);
  void close_socket(curl_socket_t fd);
  void watch_socket(curl_socket_t s, int what);
  void unwatch_socket(curl_socket_t s);
  int epfd() noexcept;
  void arm_epoll();
  void on_epoll(const std::error_code& ec);

  static int on_socket(CURL* e, curl_socket_t s, int what, void* userp, void* socketp);
  static int on_timer(CURLM* m, long timeout_ms, void* userp);
  static int on_close_socket(void* userp, curl_socket_t fd);

  const client_options options_;
  // No proxy anywhere (options or environment, as the client was made): every handle is told
  // so, which spares libcurl its getenv calls for every request (a provider inherits the whole
  // environment of Terraform's user).
  const bool no_proxy_at_all_;
  // The User-Agent goes out as a header of the request's own list, formatted once here, instead
  // of CURLOPT_USERAGENT, which libcurl formats anew for every request (see build_shared_headers).
  bool ua_header_ = false;
  std::string ua_line_;  // "User-Agent: ..."
  // "Accept-Encoding: deflate, gzip, br, zstd" (what this libcurl decodes) when the client asks
  // for compressed answers. libcurl would format that line itself for every request, byte by
  // byte, twice (into the line, then into the request); as a line of our list it is copied
  // once. CURLOPT_ACCEPT_ENCODING stays set: it is what turns decoding on.
  std::string ae_line_;
  // The default headers and the User-Agent, for requests that bring no headers of their own;
  // null when there are none, or when they need checking per request (invalid text).
  slist_ptr shared_headers_;
  bool shared_headers_usable_ = false;
  asio::io_context& io_;
  strand_type strand_;
  asio::steady_timer curl_timer_;
  std::chrono::steady_clock::time_point curl_deadline_ =
      std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point curl_armed_ = std::chrono::steady_clock::time_point::max();
  bool zero_timer_posted_ = false;
  // The time at the start of the current strand handler, which every transfer it touches uses
  // (activity for the read timeout, start and end of an attempt) instead of reading the clock
  // for each: a pass takes microseconds, and libcurl reads the clock often enough already.
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  void begin_pass() noexcept { now_ = std::chrono::steady_clock::now(); }
  bool adding_ = false;
  // Pool wait, read and total timeouts of every transfer (see pool.cpp).
  asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_armed_ =
      std::chrono::steady_clock::time_point::max();
  transfer* running_list_ = nullptr;
  multi_ptr multi_;
  // libcurl's sockets in our epoll set, which asio watches as one descriptor (see pool.cpp).
  asio::posix::stream_descriptor epoll_sd_;
  bool epoll_waiting_ = false;
  // Indexed by descriptor number (small, dense integers): a lookup per socket event is an index.
  class socket_table {
   public:
    // The entry of fd, made when absent.
    socket_state& operator[](curl_socket_t fd) {
      const auto i = static_cast<std::size_t>(fd);
      if (i >= slots_.size()) slots_.resize(std::max(i + 1, slots_.size() * 2));
      socket_state& s = slots_[i];
      if (!s.known) {
        s = socket_state{.known = true};
        ++count_;
      }
      return s;
    }
    // The entry of fd, or null.
    socket_state* find(curl_socket_t fd) noexcept {
      const auto i = static_cast<std::size_t>(fd);
      return fd >= 0 && i < slots_.size() && slots_[i].known ? &slots_[i] : nullptr;
    }
    void erase(curl_socket_t fd) noexcept {
      if (socket_state* s = find(fd)) {
        *s = socket_state{};
        --count_;
      }
    }
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    template <class F>
    void for_each(F f) const {
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].known) f(static_cast<curl_socket_t>(i), slots_[i]);
      }
    }

   private:
    std::vector<socket_state> slots_;
    std::size_t count_ = 0;
  };
  socket_table sockets_;
  std::vector<slot_ptr> idle_slots_;
  std::size_t running_ = 0;     // transfers in the multi handle
  long max_connects_set_ = -1;  // CURLMOPT_MAXCONNECTS as last set
  // Batches move between threads (tasks start transfers anywhere, finished ones resume off the
  // strand), so their buffers come from the block cache instead of growing anew each time.
  using transfer_list =
      std::vector<std::shared_ptr<transfer>, runtime::cached_allocator<std::shared_ptr<transfer>>>;
  // Finished transfers whose tasks are resumed together when the strand handler ends.
  transfer_list finished_;

  // Transfers started by tasks, added to the multi handle in batches by one strand handler.
  std::mutex incoming_mutex_;
  transfer_list incoming_;
  transfer_list spare_incoming_;  // strand only: the list the previous batch emptied
  bool incoming_posted_ = false;

  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> attempts_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace cppvider::http::detail
