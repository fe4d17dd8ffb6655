// Path resolution of a cached path must not allocate (a hot path: every stat and open).
// Test-only: counts this thread's operator new calls around a cached StatAt.
#include <sys/stat.h>

#include <cstdlib>
#include <functional>
#include <new>

#include "gtest/gtest.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace {
thread_local bool g_counting = false;
thread_local long g_allocations = 0;
}  // namespace

// Replaces the global allocator of the vfs_test binary with a counting one.
void* operator new(size_t n) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(n != 0 ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace sentry::vfs {
namespace {

long AllocationsDuring(const std::function<void()>& f) {
  g_allocations = 0;
  g_counting = true;
  f();
  g_counting = false;
  return g_allocations;
}

TEST(ResolveAllocationTest, CachedStatDoesNotAllocate) {
  std::unique_ptr<Vfs> vfs = testing::MakeTestVfs();
  ASSERT_NE(vfs, nullptr);
  FsContext ctx = vfs->RootContext();
  Credentials root;
  struct stat st;
  // The first walk fills the dentry cache; the second must find everything there.
  ASSERT_TRUE(vfs->StatAt(ctx, root, nullptr, "/dir/sub/leaf", false, &st).ok());
  EXPECT_EQ(AllocationsDuring([&] {
              EXPECT_TRUE(vfs->StatAt(ctx, root, nullptr, "/dir/sub/leaf", false, &st).ok());
              EXPECT_TRUE(vfs->StatAt(ctx, root, nullptr, "//dir/./sub//leaf", true, &st).ok());
            }),
            0);
  // The counter works: a walk that must create a dentry allocates.
  EXPECT_GT(AllocationsDuring([&] { (void)vfs->StatAt(ctx, root, nullptr, "/file", true, &st); }),
            0);
}

}  // namespace
}  // namespace sentry::vfs
