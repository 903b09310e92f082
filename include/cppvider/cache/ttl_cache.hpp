// cppvider/cache/ttl_cache.hpp: a thread-safe TTL + LRU cache with single-flight fetches.
//
//   cache::ttl_cache<std::string, zone> zones({.max_entries = 1000, .default_ttl = 30s});
//   zone z = co_await zones.get_or_fetch(id, [&] { return api.get_zone(id); });
//
// A hit returns without suspending. Concurrent misses on one key share one fetch (single
// flight): every waiter gets the value or the exception. A waiter whose stop token fires leaves
// with cancelled_error and the fetch goes on for the others; when the LAST waiter leaves, the
// fetch is stopped (its stop token fires) and its result is thrown away, so no work outlives
// the requests that wanted it (StopProvider really stops) and nothing is left touching the
// cache from a detached task. The next caller starts a fresh fetch.
//
// invalidate*() and put() disown an in-flight fetch of the key: its waiters still get its
// result, but it is not stored (a per-key generation check), and later callers fetch anew.
//
// Values are handed out as copies; cache big values as std::shared_ptr<const T>.
// docs/cache-and-batch.md has the whole story.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "cppvider/cache/glob.hpp"
#include "cppvider/cache/shared_result.hpp"
#include "cppvider/runtime/task.hpp"

namespace cppvider::cache {

using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;
using duration = clock_type::duration;

// A TTL that never runs out.
inline constexpr duration forever = duration::max();

// The default clock: the monotonic clock at jiffy resolution (1-4 ms). Reading it costs a few
// ns against ~20 ns for steady_clock::now(), and TTLs are seconds or minutes anyway.
inline time_point coarse_now() noexcept {
#if defined(CLOCK_MONOTONIC_COARSE)
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return time_point(std::chrono::duration_cast<duration>(std::chrono::seconds(ts.tv_sec) +
                                                         std::chrono::nanoseconds(ts.tv_nsec)));
#else
  return clock_type::now();
#endif
}

struct options {
  // Entries kept at most (0: no bound); past it the least recently used go. See `shards`.
  std::size_t max_entries = 10'000;
  // Lifetime of a stored value unless put() / get_or_fetch() pass one (cache::forever: no end).
  duration default_ttl = std::chrono::minutes(5);
  // Keep a failed fetch's exception for failure_ttl, so a failing backend is not hammered.
  // cancelled_error is never cached.
  bool cache_failures = false;
  duration failure_ttl = std::chrono::seconds(5);
  // "Now" for expiry; tests inject their own. Empty: coarse_now(). Must be thread-safe and
  // must not throw.
  std::function<time_point()> clock;
  // Lock stripes (rounded down to a power of two). Each holds an LRU list of its own with an
  // equal share of max_entries, so eviction order is exact only within a stripe. A bounded
  // cache gets at most one stripe per 64 entries: small caches have one, and exact LRU.
  std::size_t shards = 8;
};

struct cache_stats {
  std::uint64_t hits = 0;           // lookups served from the cache (a cached failure too)
  std::uint64_t misses = 0;         // lookups that found nothing live
  std::uint64_t fetches = 0;        // fetches started by get_or_fetch (single flight: <= misses)
  std::uint64_t evictions = 0;      // live entries dropped for max_entries (LRU)
  std::uint64_t expirations = 0;    // entries dropped because their TTL had run out
  std::uint64_t invalidations = 0;  // entries and in-flight fetches removed by invalidate*/clear
  std::size_t size = 0;             // entries held now (expired ones until they are noticed)
};

// f() gives the value to cache for a key.
template <class F, class Value>
concept fetcher_for =
    std::invocable<F&> && std::same_as<std::invoke_result_t<F&>, runtime::task<Value>>;

template <class Key, class Value, class Hash = std::hash<Key>, class KeyEqual = std::equal_to<Key>>
class ttl_cache {
  static_assert(std::is_copy_constructible_v<Value>, "cached values are handed out as copies");

 public:
  using key_type = Key;
  using value_type = Value;

  explicit ttl_cache(options opts = {}) : core_(std::make_shared<core>(std::move(opts))) {}
  // Stops fetches still in flight (their waiters get whatever the fetch ends with, usually
  // cancelled_error). Do not destroy the cache while its own methods run on other threads.
  ~ttl_cache() {
    if (core_) core_->shutdown();
  }
  ttl_cache(ttl_cache&&) noexcept = default;  // a moved-from cache may only be destroyed
  ttl_cache& operator=(ttl_cache&&) = delete;
  ttl_cache(const ttl_cache&) = delete;
  ttl_cache& operator=(const ttl_cache&) = delete;

  // The cached value of `key`, or fetch() it once however many tasks ask at the same time.
  // `ttl` (default: options.default_ttl) applies to the value this call's fetch stores; a
  // caller joining a fetch already in flight gets that fetch's TTL. A cached failure is
  // rethrown. The key is taken by value so the task may safely outlive the caller's string.
  template <fetcher_for<Value> Fetcher>
  runtime::task<Value> get_or_fetch(Key key, Fetcher fetch, std::optional<duration> ttl = {}) {
    // The hit path neither suspends nor reads the stop token.
    found hit = core_->lookup(key);
    if (hit.value) co_return std::move(*hit.value);
    if (hit.error) std::rethrow_exception(hit.error);
    const std::stop_token st = co_await runtime::current_stop_token();
    if (st.stop_requested()) throw runtime::cancelled_error();
    joined j = core_->join_or_start(key, ttl.value_or(core_->opts.default_ttl));
    if (j.hit.value) co_return std::move(*j.hit.value);  // a put() raced us
    if (j.hit.error) std::rethrow_exception(j.hit.error);
    if (j.started) launch(j.fl, run_fetch(std::move(fetch)));
    // Named, not a braced temporary inside the co_await: GCC 12 destroys such temporaries
    // twice (any aggregate or capturing lambda with a non-trivial destructor).
    const abandon_flight on_abandon{core_, j.fl};
    co_return co_await j.fl->result.wait(on_abandon);
  }

  // Peek: the live value of `key` (counts as a hit or a miss; a cached failure is a miss).
  std::optional<Value> get(const Key& key) const { return core_->get(key); }

  // Stores `value` (replacing what is there) for `ttl` (default options.default_ttl; zero or
  // less stores nothing and drops the key). Disowns an in-flight fetch of the key: its older
  // answer must not overwrite this one.
  void put(const Key& key, Value value, std::optional<duration> ttl = {}) {
    core_->put(key, std::move(value), ttl.value_or(core_->opts.default_ttl));
  }

  // Drops `key` and disowns its in-flight fetch. True if there was either.
  bool invalidate(const Key& key) { return core_->invalidate(key); }

  // Drops every key starting with `prefix`; returns how many entries and fetches went.
  std::size_t invalidate_prefix(
      std::string_view prefix) requires std::is_convertible_v<const Key&, std::string_view> {
    return core_->invalidate_if(
        [prefix](const Key& k) { return std::string_view(k).starts_with(prefix); });
  }

  // Drops every key matching the glob `pattern` (cache/glob.hpp: * ? [abc] [a-z] [!a]).
  std::size_t invalidate_matching(
      std::string_view pattern) requires std::is_convertible_v<const Key&, std::string_view> {
    return core_->invalidate_if(
        [pattern](const Key& k) { return glob_match(pattern, std::string_view(k)); });
  }

  // Drops everything (counted as invalidations) and disowns every in-flight fetch.
  void clear() {
    core_->invalidate_if([](const Key&) { return true; });
  }

  // Removes expired entries now (they are otherwise dropped when looked up or evicted).
  std::size_t purge_expired() { return core_->purge_expired(); }

  [[nodiscard]] std::size_t size() const { return core_->size(); }
  [[nodiscard]] cache_stats stats() const { return core_->stats(); }

 private:
  struct flight {
    flight(const Key& k, std::uint64_t gen, duration t) : key(k), generation(gen), ttl(t) {}
    const Key key;
    // Unique per shard; the key's flight slot holds the current one. Storing the result is
    // allowed only while it is still there (nobody invalidated, put or restarted the key).
    const std::uint64_t generation;
    const duration ttl;
    std::stop_source stop;  // the fetch's own token: fired when every waiter has left
    detail::shared_result<Value> result;
  };

  using stored = std::variant<Value, std::exception_ptr>;  // a value, or a cached failure

  struct entry {
    entry(stored d, time_point exp, std::size_t h) : data(std::move(d)), expires(exp), hash(h) {}
    stored data;
    time_point expires;
    std::size_t hash;          // of the key, to find the node again when evicting
    const Key* key = nullptr;  // the map node's key (nodes never move)
    entry* newer = nullptr;    // LRU list, most recent at `newest`
    entry* older = nullptr;
  };

  struct found {
    std::optional<Value> value;
    std::exception_ptr error;
  };

  struct joined {
    found hit;
    std::shared_ptr<flight> fl;
    bool started = false;
  };

  // A key with its hash already computed: the hash picks the stripe and, through the maps'
  // transparent lookup, the bucket, so a lookup hashes the key once.
  struct probe {
    const Key& key;
    std::size_t hash;
  };
  struct map_hash {
    using is_transparent = void;
    [[no_unique_address]] Hash h;
    // Not noexcept on purpose: libstdc++ then keeps each node's hash (as it does for
    // std::hash<std::string>), so rehashing and bucket walks never hash a key again.
    std::size_t operator()(const Key& k) const { return h(k); }
    std::size_t operator()(const probe& p) const noexcept { return p.hash; }
  };
  struct map_eq {
    using is_transparent = void;
    [[no_unique_address]] KeyEqual eq;
    bool operator()(const Key& a, const Key& b) const { return eq(a, b); }
    bool operator()(const probe& a, const Key& b) const { return eq(a.key, b); }
    bool operator()(const Key& a, const probe& b) const { return eq(a, b.key); }
  };
  template <class V>
  using map = std::unordered_map<Key, V, map_hash, map_eq>;

  // Padded to a cache line each, so stripes locked by different threads do not share one.
  struct alignas(64) shard {
    std::mutex mu;
    map<entry> entries;
    map<std::shared_ptr<flight>> flights;
    entry* newest = nullptr;
    entry* oldest = nullptr;
    std::size_t capacity = 0;  // 0: unbounded
    std::uint64_t next_generation = 0;
    std::uint64_t hits = 0, misses = 0, fetches = 0, evictions = 0, expirations = 0,
                  invalidations = 0;
  };

  // Shared with running fetches (they store their result through it), so a fetch that
  // outlives the ttl_cache object never touches freed memory.
  struct core {
    explicit core(options o) : opts(std::move(o)) {
      std::size_t n = std::max<std::size_t>(1, opts.shards);
      if (opts.max_entries != 0) n = std::min(n, std::max<std::size_t>(1, opts.max_entries / 64));
      while ((n & (n - 1)) != 0) n &= n - 1;  // round down to a power of two
      shard_count = n;
      while ((std::size_t{1} << shard_bits) < n) ++shard_bits;
      shards = std::make_unique<shard[]>(n);
      for (std::size_t i = 0; i < n; ++i) {
        // An equal share of the bound; the first stripes take the remainder.
        shards[i].capacity = opts.max_entries / n + (i < opts.max_entries % n ? 1 : 0);
      }
    }

    time_point now() const { return opts.clock ? opts.clock() : coarse_now(); }

    probe probe_of(const Key& key) const { return probe{key, hash(key)}; }

    shard& shard_for(const probe& p) const {
      if (shard_count == 1) return shards[0];
      // Top bits of a multiplicative mix: independent of the map's own bucket choice.
      const auto h = static_cast<std::uint64_t>(p.hash) * 0x9E3779B97F4A7C15ULL;
      return shards[static_cast<std::size_t>(h >> (64 - shard_bits))];
    }

    static time_point expiry(time_point now, duration ttl) {
      if (now.time_since_epoch().count() >= 0 && ttl >= time_point::max() - now) {
        return time_point::max();
      }
      return now + ttl;
    }

    // The live entry of `p` (made the most recent), or nullptr; drops it if expired.
    static entry* find_live(shard& s, const probe& p, time_point t) {
      auto it = s.entries.find(p);
      if (it == s.entries.end()) return nullptr;
      if (it->second.expires <= t) {
        drop(s, it);
        ++s.expirations;
        return nullptr;
      }
      touch(s, it->second);
      return &it->second;
    }

    // get(): a live value is a hit; nothing, or a cached failure, is a miss.
    std::optional<Value> get(const Key& key) {
      const time_point t = now();
      const probe p = probe_of(key);
      shard& s = shard_for(p);
      std::lock_guard lock(s.mu);
      entry* e = find_live(s, p, t);
      if (e == nullptr || e->data.index() != 0) {
        ++s.misses;
        return std::nullopt;
      }
      ++s.hits;
      return std::get<0>(e->data);
    }

    // get_or_fetch(): a live value or cached failure is a hit.
    found lookup(const Key& key) {
      const time_point t = now();
      const probe p = probe_of(key);
      shard& s = shard_for(p);
      std::lock_guard lock(s.mu);
      found out;
      entry* e = find_live(s, p, t);
      if (e == nullptr) {
        ++s.misses;
      } else {
        ++s.hits;
        take(*e, out);
      }
      return out;
    }

    static void take(const entry& e, found& out) {
      if (e.data.index() == 0) {
        out.value.emplace(std::get<0>(e.data));
      } else {
        out.error = std::get<1>(e.data);
      }
    }

    // After a miss: joins the key's fetch in flight, or registers a new one (started = true;
    // the caller launches it). Returns a hit instead if a value arrived meanwhile.
    joined join_or_start(const Key& key, duration ttl) {
      const time_point t = now();
      const probe p = probe_of(key);
      shard& s = shard_for(p);
      std::lock_guard lock(s.mu);
      joined out;
      if (entry* e = find_live(s, p, t)) {
        take(*e, out.hit);
        return out;
      }
      auto f = s.flights.find(p);
      if (f != s.flights.end() && f->second->result.try_join()) {
        out.fl = f->second;
        return out;
      }
      // No fetch, or one whose waiters all left and which is being stopped: start anew.
      out.fl = std::make_shared<flight>(key, ++s.next_generation, ttl);
      out.fl->result.try_join();
      if (f != s.flights.end()) {
        f->second = out.fl;
      } else {
        s.flights.emplace(key, out.fl);  // hashes again: misses only
      }
      out.started = true;
      ++s.fetches;
      return out;
    }

    // The fetch of `fl` finished: store its outcome if it is still the key's current fetch,
    // then wake its waiters.
    void finish(flight& fl, runtime::settled<Value>& outcome) noexcept {
      const time_point t = now();
      const probe p = probe_of(fl.key);
      shard& s = shard_for(p);
      {
        std::lock_guard lock(s.mu);
        auto it = s.flights.find(p);
        if (it != s.flights.end() && it->second->generation == fl.generation) {
          s.flights.erase(it);
          try {
            if (outcome.ok()) {
              if (fl.ttl > duration::zero()) {
                store(s, p, stored(std::in_place_index<0>, outcome.value()), expiry(t, fl.ttl), t);
              }
            } else if (opts.cache_failures && opts.failure_ttl > duration::zero() &&
                       !is_cancellation(outcome.error())) {
              store(s, p, stored(std::in_place_index<1>, outcome.error()),
                    expiry(t, opts.failure_ttl), t);
            }
          } catch (...) {
            // Storing is best effort (a copy or allocation failed); waiters still get the
            // outcome below.
          }
        }
      }
      if (outcome.ok()) {
        fl.result.set_value(std::move(outcome).value());
      } else {
        fl.result.set_error(outcome.error());
      }
    }

    // Every waiter of `fl` left: forget it so the next caller starts afresh.
    void disown(const flight& fl) {
      const probe p = probe_of(fl.key);
      shard& s = shard_for(p);
      std::lock_guard lock(s.mu);
      auto it = s.flights.find(p);
      if (it != s.flights.end() && it->second->generation == fl.generation) s.flights.erase(it);
    }

    void put(const Key& key, Value value, duration ttl) {
      const time_point t = now();
      const probe p = probe_of(key);
      shard& s = shard_for(p);
      std::lock_guard lock(s.mu);
      // An older answer in flight must not overwrite this one.
      if (auto f = s.flights.find(p); f != s.flights.end()) s.flights.erase(f);
      if (ttl <= duration::zero()) {
        if (auto it = s.entries.find(p); it != s.entries.end()) drop(s, it);
        return;
      }
      store(s, p, stored(std::in_place_index<0>, std::move(value)), expiry(t, ttl), t);
    }

    bool invalidate(const Key& key) {
      const probe p = probe_of(key);
      shard& s = shard_for(p);
      std::lock_guard lock(s.mu);
      std::size_t gone = 0;
      if (auto f = s.flights.find(p); f != s.flights.end()) {
        s.flights.erase(f);
        ++gone;
      }
      if (auto it = s.entries.find(p); it != s.entries.end()) {
        drop(s, it);
        ++gone;
      }
      s.invalidations += gone;
      return gone != 0;
    }

    template <class Pred>
    std::size_t invalidate_if(const Pred& pred) {
      std::size_t total = 0;
      for (std::size_t i = 0; i < shard_count; ++i) {
        shard& s = shards[i];
        std::lock_guard lock(s.mu);
        std::size_t gone = std::erase_if(s.flights, [&](const auto& kv) { return pred(kv.first); });
        for (auto it = s.entries.begin(); it != s.entries.end();) {
          if (pred(it->first)) {
            it = drop(s, it);
            ++gone;
          } else {
            ++it;
          }
        }
        s.invalidations += gone;
        total += gone;
      }
      return total;
    }

    std::size_t purge_expired() {
      const time_point t = now();
      std::size_t total = 0;
      for (std::size_t i = 0; i < shard_count; ++i) {
        shard& s = shards[i];
        std::lock_guard lock(s.mu);
        for (auto it = s.entries.begin(); it != s.entries.end();) {
          if (it->second.expires <= t) {
            it = drop(s, it);
            ++s.expirations;
            ++total;
          } else {
            ++it;
          }
        }
      }
      return total;
    }

    std::size_t size() const {
      std::size_t n = 0;
      for (std::size_t i = 0; i < shard_count; ++i) {
        std::lock_guard lock(shards[i].mu);
        n += shards[i].entries.size();
      }
      return n;
    }

    cache_stats stats() const {
      cache_stats out;
      for (std::size_t i = 0; i < shard_count; ++i) {
        const shard& s = shards[i];
        std::lock_guard lock(shards[i].mu);
        out.hits += s.hits;
        out.misses += s.misses;
        out.fetches += s.fetches;
        out.evictions += s.evictions;
        out.expirations += s.expirations;
        out.invalidations += s.invalidations;
        out.size += s.entries.size();
      }
      return out;
    }

    // Disowns and stops every fetch in flight; called when the ttl_cache goes away.
    void shutdown() noexcept {
      std::vector<std::shared_ptr<flight>> running;
      for (std::size_t i = 0; i < shard_count; ++i) {
        std::lock_guard lock(shards[i].mu);
        for (auto& kv : shards[i].flights) running.push_back(std::move(kv.second));
        shards[i].flights.clear();
      }
      for (auto& fl : running) fl->stop.request_stop();
    }

    // ---- Under the shard lock ----

    // Inserts or replaces, makes it the most recent and evicts past the stripe's bound.
    void store(shard& s, const probe& p, stored data, time_point expires, time_point t) {
      auto [it, inserted] = s.entries.try_emplace(p.key, std::move(data), expires, p.hash);
      entry& e = it->second;
      if (inserted) {
        e.key = &it->first;
        push_newest(s, e);
      } else {
        e.data = std::move(data);  // not moved from: try_emplace leaves it alone on a clash
        e.expires = expires;
        touch(s, e);
      }
      while (s.capacity != 0 && s.entries.size() > s.capacity) {
        entry* victim = s.oldest;
        // An expired victim would have gone anyway: count it where it belongs.
        if (victim->expires <= t) {
          ++s.expirations;
        } else {
          ++s.evictions;
        }
        drop(s, s.entries.find(probe{*victim->key, victim->hash}));
      }
    }

    using entry_iter = typename map<entry>::iterator;

    static entry_iter drop(shard& s, entry_iter it) {
      unlink(s, it->second);
      return s.entries.erase(it);
    }
    static void touch(shard& s, entry& e) noexcept {
      if (s.newest == &e) return;
      unlink(s, e);
      push_newest(s, e);
    }
    static void push_newest(shard& s, entry& e) noexcept {
      e.older = s.newest;
      e.newer = nullptr;
      if (s.newest != nullptr) s.newest->newer = &e;
      s.newest = &e;
      if (s.oldest == nullptr) s.oldest = &e;
    }
    static void unlink(shard& s, entry& e) noexcept {
      (e.newer != nullptr ? e.newer->older : s.newest) = e.older;
      (e.older != nullptr ? e.older->newer : s.oldest) = e.newer;
      e.newer = e.older = nullptr;
    }

    static bool is_cancellation(const std::exception_ptr& e) noexcept {
      try {
        std::rethrow_exception(e);
      } catch (const runtime::cancelled_error&) {
        return true;
      } catch (...) {
        return false;
      }
    }

    options opts;
    Hash hash;
    std::size_t shard_count = 1;
    unsigned shard_bits = 0;
    std::unique_ptr<shard[]> shards;
  };

  // Runs the fetch; keeps the fetcher alive in this frame for as long as its task runs (a
  // lambda coroutine's captures live in the lambda, not in the task).
  template <class Fetcher>
  static runtime::task<Value> run_fetch(Fetcher fetch) {
    co_return co_await std::invoke(fetch);
  }

  struct fetch_done {
    std::shared_ptr<core> c;
    std::shared_ptr<flight> fl;
    void operator()(runtime::settled<Value> s) const noexcept { c->finish(*fl, s); }
  };

  // The last waiter of a fetch left: nobody wants its result any more.
  struct abandon_flight {
    std::shared_ptr<core> c;
    std::shared_ptr<flight> fl;
    void operator()() const noexcept {
      c->disown(*fl);
      fl->stop.request_stop();
    }
  };

  // Starts the fetch on this thread (it runs until its first suspension) with its own stop
  // token: a waiter's cancellation must not reach a fetch that others still wait for.
  void launch(const std::shared_ptr<flight>& fl, runtime::task<Value> t) {
    runtime::spawn(std::move(t), fl->stop.get_token(), fetch_done{core_, fl});
  }

  std::shared_ptr<core> core_;
};

}  // namespace cppvider::cache
