// Arena memory for decoded value trees (see arena in internal.hpp).

#include <algorithm>
#include <memory>

#include "internal.hpp"

namespace cppvider::cty::detail {

struct arena::block {
  block* next;
  std::size_t size;  // of the whole allocation, this header included
  [[nodiscard]] char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
};

namespace {

static_assert(sizeof(arena::block) % 16 == 0);

// Under AddressSanitizer every allocation gets its own block, so overflows between payloads and
// uses after the arena is gone are still caught; the block cache is off for the same reason.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

constexpr std::size_t standard_block = std::size_t{64} * 1024;
// Larger requests (a long list's element array) get a block of their own.
constexpr std::size_t own_block_threshold = standard_block / 4;
// At most 2 MiB of free standard blocks are kept per thread.
constexpr std::size_t max_cached_blocks = 32;

arena::block* new_block(std::size_t size) {
  auto* b = static_cast<arena::block*>(::operator new(size));
  b->next = nullptr;
  b->size = size;
  return b;
}

// Free standard blocks of this thread. A trivially destructible flag marks the cache as gone, so
// values destroyed later in thread (or process) teardown free their blocks directly.
struct block_cache {
  arena::block* head = nullptr;
  std::size_t count = 0;
  block_cache() = default;
  block_cache(const block_cache&) = delete;
  block_cache& operator=(const block_cache&) = delete;
  ~block_cache();
};

thread_local bool t_cache_gone = false;
thread_local block_cache t_cache;

block_cache::~block_cache() {
  t_cache_gone = true;
  while (head != nullptr) {
    arena::block* b = head;
    head = b->next;
    ::operator delete(static_cast<void*>(b));
  }
}

arena::block* take_block(std::size_t size) {
  if (!sanitized && size == standard_block && !t_cache_gone) {
    block_cache& c = t_cache;
    if (c.head != nullptr) {
      arena::block* b = c.head;
      c.head = b->next;
      --c.count;
      b->next = nullptr;
      return b;
    }
  }
  return new_block(size);
}

void give_block(arena::block* b) noexcept {
  if (!sanitized && b->size == standard_block && !t_cache_gone) {
    block_cache& c = t_cache;
    if (c.count < max_cached_blocks) {
      b->next = c.head;
      c.head = b;
      ++c.count;
      return;
    }
  }
  ::operator delete(static_cast<void*>(b));
}

constexpr std::size_t round_up(std::size_t n, std::size_t to) noexcept {
  return (n + to - 1) / to * to;
}

}  // namespace

arena* arena::create(std::size_t expected) {
  constexpr std::size_t overhead = sizeof(block) + round_up(sizeof(arena), 16);
  // Small trees get a block of about their size (a value kept from a small request holds no
  // more); big ones use standard blocks, which the cache recycles.
  std::size_t size = standard_block;
  if (expected + overhead < standard_block / 2) size = round_up(expected + overhead, 256);
  if (sanitized) size = overhead;
  block* b = take_block(size);
  auto* a = new (b->data()) arena(b);
  a->cur_ = b->data() + round_up(sizeof(arena), 16);
  a->end_ = reinterpret_cast<char*>(b) + b->size;
  return a;
}

void* arena::allocate_slow(std::size_t bytes) {
  if (sanitized || bytes > own_block_threshold) {
    block* b = new_block(sizeof(block) + bytes);
    b->next = more_;
    more_ = b;
    return b->data();
  }
  block* b = take_block(standard_block);
  b->next = more_;
  more_ = b;
  cur_ = b->data() + bytes;
  end_ = reinterpret_cast<char*>(b) + b->size;
  return b->data();
}

void arena::keep(type t) { types_.push_back(std::move(t)); }

void arena::adopt(const payload* p) { payloads_.push_back(p); }

void arena::destroy_keys_of(map_payload* m) { maps_.push_back(m); }

arena::~arena() {
  for (map_payload* m : maps_) {
    for (std::uint32_t i = 0; i < m->size; ++i) std::destroy_at(&m->items()[i].key);
  }
  for (const payload* p : payloads_) detail::release(p);
  while (more_ != nullptr) {
    block* b = more_;
    more_ = b->next;
    give_block(b);
  }
}

void arena::destroy() noexcept {
  block* first = first_;
  this->~arena();
  give_block(first);
}

}  // namespace cppvider::cty::detail
