// cppvider/batch/batcher.hpp: the DataLoader pattern: many single-key loads, one batch call.
//
//   batch::batcher<std::string, user> users(
//       [&](std::vector<std::string> ids) -> runtime::task<batch::results<std::string, user>> {
//         batch::results<std::string, user> out;
//         for (auto& u : co_await api.get_users(ids)) out.set(u.id, u);  // absent: missing_key
//         co_return out;
//       });
//   user u = co_await users.load(id);   // from many concurrent tasks
//
// The first load of a batch opens a window (options.window, default 2 ms); loads arriving
// before it closes join the batch, the same key once. The batch is sent when the window closes
// or as soon as it holds max_batch_size keys. Each waiter gets its key's value or error: a
// per-key failure (results::fail), missing_key_error for a key the answer left out, or the
// batch function's exception for every key of the batch.
//
// Cancellation: a waiter whose stop token fires leaves with cancelled_error at once; its key is
// still fetched if other waiters want it, and dropped from a batch not yet sent otherwise. The
// batch call runs with a stop token of its own, which fires only when every waiter of the batch
// has left (or the batch was never sent: the batcher went away).
// docs/cache-and-batch.md has the whole story.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "cppvider/cache/shared_result.hpp"
#include "cppvider/runtime/event.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"
#include "cppvider/runtime/time.hpp"

namespace cppvider::batch {

struct options {
  // How long the first load of a batch waits for company before the batch is sent.
  std::chrono::nanoseconds window = std::chrono::milliseconds(2);
  // A batch with this many distinct keys is sent at once (values below 1 count as 1).
  std::size_t max_batch_size = 100;
  // Batch calls running at the same time, at most; later batches queue (in order). None: no
  // limit.
  std::optional<std::size_t> max_concurrent_batches;
};

struct batch_stats {
  std::uint64_t batches_sent = 0;    // batch function calls
  std::uint64_t keys_requested = 0;  // load() calls (load_many counts each key)
  std::uint64_t keys_sent = 0;       // keys passed to the batch function, after de-duplication
  std::size_t largest_batch = 0;     // most keys in one call
};

// The batch function's answer left out a key that was asked for.
class missing_key_error : public std::runtime_error {
 public:
  // `key_text`: the key as text, "" when its type cannot be printed.
  explicit missing_key_error(std::string key_text)
      : std::runtime_error(key_text.empty()
                               ? std::string("batch result has no entry for a requested key")
                               : "batch result has no entry for key " + key_text),
        key_(std::move(key_text)) {}
  [[nodiscard]] const std::string& key() const noexcept { return key_; }

 private:
  std::string key_;
};

namespace detail {

// The key as text for error messages: quoted for strings, via operator<< otherwise.
template <class Key>
std::string describe_key(const Key& key) {
  if constexpr (std::is_convertible_v<const Key&, std::string_view>) {
    std::string out = "\"";
    out += std::string_view(key);
    out += '"';
    return out;
  } else if constexpr (requires(std::ostream & os) { os << key; }) {
    std::ostringstream os;
    os << key;
    return os.str();
  } else {
    return {};
  }
}

}  // namespace detail

// What a batch function answers: a value or an error per key. Keys it does not mention get
// missing_key_error; keys nobody asked for are ignored.
template <class Key, class Value, class Hash = std::hash<Key>, class KeyEqual = std::equal_to<Key>>
class results {
 public:
  using entry = std::variant<Value, std::exception_ptr>;

  results() = default;
  // A plain map: every key in it succeeded.
  results(std::unordered_map<Key, Value, Hash, KeyEqual> values) {  // NOLINT: implicit on purpose
    entries_.reserve(values.size());
    for (auto& [k, v] : values) entries_.emplace(k, entry(std::in_place_index<0>, std::move(v)));
  }

  results& set(Key key, Value value) {
    entries_.insert_or_assign(std::move(key), entry(std::in_place_index<0>, std::move(value)));
    return *this;
  }
  results& fail(Key key, std::exception_ptr error) {
    if (!error) {
      error = std::make_exception_ptr(std::logic_error("batch: fail() given a null exception"));
    }
    entries_.insert_or_assign(std::move(key), entry(std::in_place_index<1>, std::move(error)));
    return *this;
  }
  // fail(key, not_found_error("no such user"))
  template <class E>
  requires std::derived_from<std::decay_t<E>, std::exception> results& fail(Key key, E&& error) {
    return fail(std::move(key), std::make_exception_ptr(std::forward<E>(error)));
  }

  [[nodiscard]] bool contains(const Key& key) const { return entries_.contains(key); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  // The answer for `key`, or nullptr.
  [[nodiscard]] entry* find(const Key& key) {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<Key, entry, Hash, KeyEqual> entries_;
};

// F answers a batch of keys with R.
template <class F, class Key, class R>
concept batch_function = std::invocable<F&, std::vector<Key>> &&
    std::same_as<std::invoke_result_t<F&, std::vector<Key>>, runtime::task<R>>;

template <class Key, class Value, class Hash = std::hash<Key>, class KeyEqual = std::equal_to<Key>>
class batcher {
  static_assert(std::is_copy_constructible_v<Value>, "each waiter of a key gets a copy");

 public:
  using key_type = Key;
  using value_type = Value;
  using results_type = results<Key, Value, Hash, KeyEqual>;
  using map_type = std::unordered_map<Key, Value, Hash, KeyEqual>;

  // `fn(keys)` answers with results_type (per-key errors) or a plain map_type (successes only).
  // It gets distinct keys in the order they were first asked for, and is kept (alive) until
  // the batcher and every batch it sent are gone.
  template <class F>
  requires batch_function<F, Key, results_type> || batch_function<F, Key, map_type>
  explicit batcher(F fn, options opts = {})
      : core_(std::make_shared<core>(wrap(std::move(fn)), opts)) {}

  // Fails loads still waiting for an unsent batch with cancelled_error (their window timer is
  // stopped); batches already sent run to completion.
  ~batcher() {
    if (core_) core_->shutdown();
  }
  batcher(batcher&&) noexcept = default;  // a moved-from batcher may only be destroyed
  batcher& operator=(batcher&&) = delete;
  batcher(const batcher&) = delete;
  batcher& operator=(const batcher&) = delete;

  // The value of `key`, fetched together with the other keys loaded meanwhile.
  runtime::task<Value> load(Key key) {
    const std::stop_token st = co_await runtime::current_stop_token();
    if (st.stop_requested()) throw runtime::cancelled_error();
    enlisted e = core_->enlist(key);
    if (e.full) {
      core::send(core_, e.b);
    } else if (e.opened) {
      core::open_window(core_, e.b);
    }
    // Named, not a braced temporary inside the co_await: GCC 12 destroys those twice.
    const abandon_slot on_abandon{core_, e.b, e.s};
    co_return co_await e.s->result.wait(on_abandon);
  }

  // Several keys at once, in one batch where max_batch_size allows; values in `keys` order.
  // Once all have settled, throws the error of the first failing key in `keys` order (the
  // keys share batches, so stopping the others early would save nothing).
  runtime::task<std::vector<Value>> load_many(std::vector<Key> keys) {
    std::vector<runtime::settled<Value>> outcomes = co_await load_many_settled(std::move(keys));
    std::vector<Value> values;
    values.reserve(outcomes.size());
    for (auto& o : outcomes) values.push_back(std::move(o).value());  // rethrows an error
    co_return values;
  }

  // Every key's value or error, in `keys` order.
  runtime::task<std::vector<runtime::settled<Value>>> load_many_settled(std::vector<Key> keys) {
    std::vector<runtime::task<Value>> loads;
    loads.reserve(keys.size());
    for (const Key& k : keys) loads.push_back(load(k));
    co_return co_await runtime::gather_settled(std::move(loads));
  }

  // Sends the batch being collected now instead of when its window closes.
  void flush() { core::send_pending(core_, nullptr); }

  [[nodiscard]] batch_stats stats() const {
    std::lock_guard lock(core_->mu);
    return core_->counters;
  }

 private:
  using erased_fn = std::function<runtime::task<results_type>(std::vector<Key>)>;

  // One key of one batch: its waiters and, later, its outcome.
  struct slot {
    explicit slot(const Key& k) : key(k) {}
    const Key key;
    cache::detail::shared_result<Value> result;
  };

  struct batch_state {
    std::vector<Key> keys;  // first-asked order; handed to the batch function when sent
    std::unordered_map<Key, std::shared_ptr<slot>, Hash, KeyEqual> slots;  // keys still wanted
    bool sent = false;
    std::stop_source window_stop;  // ends the window timer early (batch full, dropped)
    std::stop_source call_stop;    // the batch call's own token
  };

  struct enlisted {
    std::shared_ptr<batch_state> b;
    std::shared_ptr<slot> s;
    bool opened = false;  // this load opened the batch: start its window
    bool full = false;    // this load filled the batch: send it now
  };

  // State shared with window timers and running batch calls, which may outlive the batcher.
  struct core {
    core(erased_fn f, const options& o) : fn(std::move(f)), opts(o) {
      opts.max_batch_size = std::max<std::size_t>(1, opts.max_batch_size);
      if (opts.max_concurrent_batches) {
        limit = std::make_unique<runtime::async_semaphore>(
            std::max<std::size_t>(1, *opts.max_concurrent_batches));
      }
    }

    enlisted enlist(const Key& key) {
      std::lock_guard lock(mu);
      ++counters.keys_requested;
      enlisted out;
      if (!pending) {
        pending = std::make_shared<batch_state>();
        out.opened = true;
      }
      out.b = pending;
      auto it = pending->slots.find(key);
      if (it != pending->slots.end() && it->second->result.try_join()) {
        out.s = it->second;
      } else {
        // New key, or one whose waiters all left a moment ago (its slot is on its way out).
        out.s = std::make_shared<slot>(key);
        out.s->result.try_join();
        if (it != pending->slots.end()) {
          it->second = out.s;
        } else {
          pending->slots.emplace(key, out.s);
          pending->keys.push_back(key);
        }
      }
      if (pending->slots.size() >= opts.max_batch_size) {
        pending->sent = true;
        pending.reset();
        out.full = true;
      }
      return out;
    }

    static void open_window(const std::shared_ptr<core>& c, const std::shared_ptr<batch_state>& b) {
      runtime::spawn(close_window(c, b), b->window_stop.get_token(),
                     [](runtime::settled<void>) noexcept {});
    }

    static runtime::task<void> close_window(std::shared_ptr<core> c,
                                            std::shared_ptr<batch_state> b) {
      co_await runtime::sleep_for(c->opts.window);  // cancelled_error when window_stop fires
      send_pending(c, b.get());
    }

    // Sends the pending batch if it is `which` (any pending batch for nullptr).
    static void send_pending(const std::shared_ptr<core>& c, const batch_state* which) {
      std::shared_ptr<batch_state> b;
      {
        std::lock_guard lock(c->mu);
        if (!c->pending || (which != nullptr && c->pending.get() != which)) return;
        b = std::move(c->pending);
        b->sent = true;
      }
      send(c, b);
    }

    // Calls the batch function for a batch already taken out of `pending`.
    static void send(const std::shared_ptr<core>& c, const std::shared_ptr<batch_state>& b) {
      b->window_stop.request_stop();  // a full batch no longer needs its timer
      std::vector<Key> keys;
      {
        std::lock_guard lock(c->mu);
        if (b->slots.empty()) return;  // every waiter left while we got here
        keys = std::move(b->keys);
        ++c->counters.batches_sent;
        c->counters.keys_sent += keys.size();
        c->counters.largest_batch = std::max(c->counters.largest_batch, keys.size());
      }
      runtime::spawn(call(c, std::move(keys)), b->call_stop.get_token(), batch_done{c, b});
    }

    static runtime::task<results_type> call(std::shared_ptr<core> c, std::vector<Key> keys) {
      runtime::async_semaphore::permit permit;  // held until the call returns
      if (c->limit) permit = co_await c->limit->acquire();
      co_return co_await c->fn(std::move(keys));
    }

    // The batch call finished: hand each waiting key its outcome.
    void distribute(batch_state& b, runtime::settled<results_type>& outcome) noexcept {
      std::vector<std::shared_ptr<slot>> waiting;
      {
        std::lock_guard lock(mu);
        waiting.reserve(b.slots.size());
        for (auto& kv : b.slots) waiting.push_back(std::move(kv.second));
        b.slots.clear();
      }
      for (auto& s : waiting) {
        try {
          if (!outcome.ok()) {
            s->result.set_error(outcome.error());
            continue;
          }
          auto* answer = outcome.value().find(s->key);
          if (answer == nullptr) {
            s->result.set_error(
                std::make_exception_ptr(missing_key_error(detail::describe_key(s->key))));
          } else if (answer->index() == 0) {
            s->result.set_value(std::move(std::get<0>(*answer)));
          } else {
            s->result.set_error(std::get<1>(*answer));
          }
        } catch (...) {
          s->result.set_error(std::current_exception());  // e.g. copying the value failed
        }
      }
    }

    // The last waiter of slot `s` left: drop the key, and the batch once no key is wanted.
    void forget(batch_state& b, const slot& s) {
      bool stop_window = false;
      bool stop_call = false;
      {
        std::lock_guard lock(mu);
        auto it = b.slots.find(s.key);
        if (it == b.slots.end() || it->second.get() != &s) return;  // replaced or served
        b.slots.erase(it);
        if (!b.sent) {
          std::erase_if(b.keys, [&](const Key& k) { return KeyEqual{}(k, s.key); });
        }
        if (b.slots.empty()) {
          if (!b.sent) {
            if (pending.get() == &b) pending.reset();
            stop_window = true;
          } else {
            stop_call = true;
          }
        }
      }
      if (stop_window) b.window_stop.request_stop();
      if (stop_call) b.call_stop.request_stop();
    }

    // The batcher is going away: nobody will send the pending batch.
    void shutdown() noexcept {
      std::shared_ptr<batch_state> b;
      std::vector<std::shared_ptr<slot>> waiting;
      {
        std::lock_guard lock(mu);
        b = std::move(pending);
        if (!b) return;
        b->sent = true;
        for (auto& kv : b->slots) waiting.push_back(std::move(kv.second));
        b->slots.clear();
      }
      b->window_stop.request_stop();
      for (auto& s : waiting) {
        s->result.set_error(
            std::make_exception_ptr(runtime::cancelled_error("batcher destroyed before sending")));
      }
    }

    erased_fn fn;
    options opts;
    std::unique_ptr<runtime::async_semaphore> limit;
    std::mutex mu;
    std::shared_ptr<batch_state> pending;  // the batch collecting keys, if any
    batch_stats counters;
  };

  struct batch_done {
    std::shared_ptr<core> c;
    std::shared_ptr<batch_state> b;
    void operator()(runtime::settled<results_type> s) const noexcept { c->distribute(*b, s); }
  };

  struct abandon_slot {
    std::shared_ptr<core> c;
    std::shared_ptr<batch_state> b;
    std::shared_ptr<slot> s;
    void operator()() const noexcept { c->forget(*b, *s); }
  };

  template <class F>
  static runtime::task<results_type> adapt_map(std::shared_ptr<F> f, std::vector<Key> keys) {
    map_type values = co_await (*f)(std::move(keys));
    co_return results_type(std::move(values));
  }

  // Type-erases fn. It lives behind a shared_ptr: std::function wants copyable targets, and a
  // lambda coroutine's task refers to the lambda object, which must stay put.
  template <class F>
  static erased_fn wrap(F fn) {
    auto f = std::make_shared<F>(std::move(fn));
    if constexpr (batch_function<F, Key, results_type>) {
      return [f](std::vector<Key> keys) { return (*f)(std::move(keys)); };
    } else {
      return [f](std::vector<Key> keys) { return adapt_map(f, std::move(keys)); };
    }
  }

  std::shared_ptr<core> core_;
};

}  // namespace cppvider::batch
