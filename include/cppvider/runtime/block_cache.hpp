// cppvider/runtime/block_cache.hpp: a per-thread cache of the small blocks that every request
// makes and drops (coroutine frames, HTTP transfers, the vectors a pool passes between passes).
//
//   std::vector<int, runtime::cached_allocator<int>> v;   // buffers come from the cache
//   auto t = std::allocate_shared<transfer>(runtime::cached_allocator<transfer>{}, ...);
//
// Why: work arrives in batches. A pool that resumes 50 finished requests in one pass frees 50
// coroutine frames and then makes 50 new ones; glibc's per-thread cache keeps 7 blocks of a size,
// so the other 43 go through the arena's bins each way (a few hundred instructions a block
// instead of about twenty). This cache keeps up to 128 blocks per 64-byte size class, at most
// 256 KiB a thread, and is empty in a thread that never ran such work.
//
// A block freed on another thread than the one that made it joins the freeing thread's cache
// (it is ordinary malloc memory). Blocks above 2 KiB, and every block in AddressSanitizer builds
// (where recycling would hide a use after free), go straight to malloc and free.
#pragma once

#include <cstddef>
#include <new>

namespace cppvider::runtime {

namespace detail {
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool block_cache_recycles = false;
#else
inline constexpr bool block_cache_recycles = true;
#endif
// n bytes aligned for any fundamental type; throws std::bad_alloc.
[[nodiscard]] void* cached_allocate(std::size_t n);
// p from cached_allocate(n), with the same n.
void cached_deallocate(void* p, std::size_t n) noexcept;
// Blocks, and their bytes, waiting in the calling thread's cache (tests and diagnostics).
[[nodiscard]] std::size_t cached_block_count() noexcept;
[[nodiscard]] std::size_t cached_block_bytes() noexcept;
}  // namespace detail

// A standard allocator over the cache; stateless, so every instance is interchangeable.
template <class T>
struct cached_allocator {
  static_assert(alignof(T) <= alignof(std::max_align_t), "over-aligned types are not cached");
  using value_type = T;
  cached_allocator() noexcept = default;
  template <class U>
  cached_allocator(const cached_allocator<U>& /*other*/) noexcept {}  // NOLINT: rebinding
  [[nodiscard]] T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(detail::cached_allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { detail::cached_deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const cached_allocator<U>& /*other*/) const noexcept {
    return true;
  }
};

}  // namespace cppvider::runtime
