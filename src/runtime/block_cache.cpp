// The per-thread block cache (cppvider/runtime/block_cache.hpp).
#include "cppvider/runtime/block_cache.hpp"

#include <array>
#include <cstdlib>

namespace cppvider::runtime::detail {

namespace {

// Off under AddressSanitizer, which must see every free to catch a late use.
constexpr bool recycle = block_cache_recycles;

constexpr std::size_t granule = 64;
constexpr std::size_t classes = 32;  // blocks up to 2 KiB
constexpr std::size_t max_per_class = 128;
constexpr std::size_t max_bytes = 256 * 1024;

struct free_block {
  free_block* next;
};

struct cache {
  std::array<free_block*, classes> head{};
  std::array<std::size_t, classes> count{};
  std::size_t bytes = 0;

  cache() noexcept;
  ~cache();
  cache(const cache&) = delete;
  cache& operator=(const cache&) = delete;
};

// Trivially destructible, so it stays readable while the thread's other thread_locals are
// destroyed: a block freed by such a destructor then goes to free() instead of a dead cache.
enum class cache_state : unsigned char { unborn, alive, dead };
thread_local cache_state state = cache_state::unborn;

cache::cache() noexcept { state = cache_state::alive; }

cache::~cache() {
  state = cache_state::dead;
  for (free_block* b : head) {
    while (b != nullptr) {
      free_block* next = b->next;
      std::free(b);  // NOLINT(cppcoreguidelines-no-malloc): blocks come from malloc
      b = next;
    }
  }
}

thread_local cache the_cache;

// 1..64 -> 0, 65..128 -> 1, ...; callers check n <= classes * granule first.
constexpr std::size_t class_of(std::size_t n) noexcept { return n == 0 ? 0 : (n - 1) / granule; }

}  // namespace

void* cached_allocate(std::size_t n) {
  if (recycle && n <= classes * granule) {
    const std::size_t c = class_of(n);
    // Touching the_cache constructs it on a thread's first use.
    cache& k = the_cache;
    if (state == cache_state::alive && k.head[c] != nullptr) {
      free_block* b = k.head[c];
      k.head[c] = b->next;
      --k.count[c];
      k.bytes -= (c + 1) * granule;
      return b;
    }
    // Always the class's full size, so that any block of the class fits any request of it.
    n = (c + 1) * granule;
  }
  void* p = std::malloc(n);  // NOLINT(cppcoreguidelines-no-malloc): the cache's source
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void cached_deallocate(void* p, std::size_t n) noexcept {
  if (p == nullptr) return;
  if (recycle && n <= classes * granule && state != cache_state::dead) {
    const std::size_t c = class_of(n);
    const std::size_t size = (c + 1) * granule;
    cache& k = the_cache;
    if (k.count[c] < max_per_class && k.bytes + size <= max_bytes) {
      auto* b = static_cast<free_block*>(p);
      b->next = k.head[c];
      k.head[c] = b;
      ++k.count[c];
      k.bytes += size;
      return;
    }
  }
  std::free(p);  // NOLINT(cppcoreguidelines-no-malloc): blocks come from malloc
}

std::size_t cached_block_count() noexcept {
  if (state != cache_state::alive) return 0;
  std::size_t n = 0;
  for (const std::size_t c : the_cache.count) n += c;
  return n;
}

std::size_t cached_block_bytes() noexcept {
  return state == cache_state::alive ? the_cache.bytes : 0;
}

}  // namespace cppvider::runtime::detail
