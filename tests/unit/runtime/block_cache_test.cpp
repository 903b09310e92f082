// The per-thread block cache behind coroutine frames and the HTTP pool's per-request objects.
#include "cppvider/runtime/block_cache.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cppvider/runtime/task.hpp"

namespace rt = cppvider::runtime;
namespace d = cppvider::runtime::detail;

namespace {

// Empties the calling thread's cache into a list that is then freed past it (blocks over the
// cache's bounds go to free()), so a test starts from a known count.
void drain() {
  std::vector<std::pair<void*, std::size_t>> taken;
  for (std::size_t size = 64; size <= 2048; size += 64) {
    // More than a class can hold; whatever came from the cache is counted down below.
    for (int i = 0; i < 130; ++i) taken.emplace_back(d::cached_allocate(size), size);
  }
  ASSERT_EQ(d::cached_block_count(), 0U);
  // Allocated blocks are not in the cache; hand them back to malloc without refilling it.
  for (auto& [p, n] : taken) std::free(p);  // NOLINT(cppcoreguidelines-no-malloc)
}

TEST(BlockCache, AFreedBlockIsReusedForTheNextRequestOfItsSizeClass) {
  drain();
  void* a = d::cached_allocate(100);
  std::memset(a, 0xab, 100);
  d::cached_deallocate(a, 100);
  if constexpr (d::block_cache_recycles) {
    EXPECT_EQ(d::cached_block_count(), 1U);
    EXPECT_EQ(d::cached_block_bytes(), 128U);  // the class's full size
    // Any size of the same 64-byte class (65..128) gets the same block back.
    void* b = d::cached_allocate(128);
    EXPECT_EQ(b, a);
    EXPECT_EQ(d::cached_block_count(), 0U);
    d::cached_deallocate(b, 128);
  } else {
    EXPECT_EQ(d::cached_block_count(), 0U);  // AddressSanitizer build: every block is freed
  }
  drain();
}

TEST(BlockCache, HoldsAtMost128BlocksPerClassAnd256KiBPerThread) {
  drain();
  std::vector<void*> small;
  for (int i = 0; i < 200; ++i) small.push_back(d::cached_allocate(64));
  for (void* p : small) d::cached_deallocate(p, 64);
  EXPECT_EQ(d::cached_block_count(), d::block_cache_recycles ? 128U : 0U);

  drain();
  std::vector<void*> big;
  for (int i = 0; i < 128; ++i) big.push_back(d::cached_allocate(2048));
  for (void* p : big) d::cached_deallocate(p, 2048);
  EXPECT_LE(d::cached_block_bytes(), 256U * 1024U);
  EXPECT_EQ(d::cached_block_bytes(), d::block_cache_recycles ? 256U * 1024U : 0U);
  drain();
}

TEST(BlockCache, BlocksAbove2KiBAreNeverCached) {
  drain();
  void* p = d::cached_allocate(4096);
  std::memset(p, 1, 4096);
  d::cached_deallocate(p, 4096);
  EXPECT_EQ(d::cached_block_count(), 0U);
}

TEST(BlockCache, ABlockFreedOnAnotherThreadJoinsThatThreadsCache) {
  drain();
  void* p = d::cached_allocate(256);
  std::size_t there = 99;
  std::thread([&] {
    d::cached_deallocate(p, 256);
    there = d::cached_block_count();
    // The thread's cache is released when it ends; LeakSanitizer would see a lost block.
  }).join();
  EXPECT_EQ(there, d::block_cache_recycles ? 1U : 0U);
  EXPECT_EQ(d::cached_block_count(), 0U);
}

TEST(BlockCache, AllocatorServesContainersAndSharedObjects) {
  drain();
  {
    std::vector<std::string, rt::cached_allocator<std::string>> v;
    for (int i = 0; i < 40; ++i) v.push_back(std::string(30, static_cast<char>('a' + i % 26)));
    EXPECT_EQ(v[39], std::string(30, 'n'));
    auto s = std::allocate_shared<std::vector<int>>(rt::cached_allocator<int>{}, 10, 7);
    EXPECT_EQ(s->at(9), 7);
  }
  // The vector's buffers and the shared object's block went back to the cache.
  if constexpr (d::block_cache_recycles) EXPECT_GE(d::cached_block_count(), 2U);
  drain();
}

rt::task<int> add_one(int v) { co_return v + 1; }
rt::task<int> chain(int depth) {
  int v = 0;
  for (int i = 0; i < depth; ++i) {
    const int next = co_await add_one(v);
    v = next;
  }
  co_return v;
}

TEST(BlockCache, CoroutineFramesComeFromTheCacheAndGoBackToIt) {
  drain();
  EXPECT_EQ(rt::sync_wait(chain(1000)), 1000);
  // add_one's frame went back after each call and was taken again by the next one: the cache
  // ends with the frames of this thread's last tasks, not with a thousand.
  if constexpr (d::block_cache_recycles) {
    EXPECT_GE(d::cached_block_count(), 1U);
    EXPECT_LE(d::cached_block_count(), 4U);
  } else {
    EXPECT_EQ(d::cached_block_count(), 0U);
  }
  drain();
}

}  // namespace
