// TmpfsData: inline and memfd storage, holes, promotion, space accounting and ENOSPC.
// Test-only; runs on the test main thread.
#include "vfs/tmpfs_data.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

constexpr int64_t kPage = TmpfsData::kPage;

std::string Read(const TmpfsData& d, int64_t offset, size_t len) {
  std::string out(len, '?');
  SysResult r = d.PRead(std::span<char>(out.data(), out.size()), offset);
  EXPECT_TRUE(r.ok()) << r.error();
  out.resize(r.ok() ? static_cast<size_t>(r.value()) : 0);
  return out;
}

SysResult Write(TmpfsData& d, std::string_view s, int64_t offset) {
  return d.PWrite(std::span<const char>(s.data(), s.size()), offset);
}

TEST(TmpfsDataTest, InlineWriteReadAndHoles) {
  TmpfsSpace space{.limit = 1 << 20};
  TmpfsData d(&space);
  EXPECT_EQ(d.size(), 0);
  EXPECT_EQ(Read(d, 0, 10), "");
  ASSERT_EQ(Write(d, "hello", 0).value(), 5);
  EXPECT_EQ(Read(d, 0, 100), "hello");
  EXPECT_EQ(Read(d, 1, 3), "ell");
  EXPECT_EQ(space.used, static_cast<uint64_t>(kPage));
  ASSERT_EQ(Write(d, "x", 10).value(), 1);
  EXPECT_EQ(Read(d, 0, 100), std::string("hello\0\0\0\0\0x", 11));
  EXPECT_EQ(d.PRead(std::span<char>(), -1).error(), EINVAL);
  EXPECT_EQ(Write(d, "x", -1).error(), EINVAL);
  EXPECT_EQ(Write(d, "", 5).value(), 0);
  // Growing by truncate makes a hole that costs nothing.
  ASSERT_EQ(d.Truncate(3 * kPage), 0);
  EXPECT_EQ(d.size(), 3 * kPage);
  EXPECT_EQ(space.used, static_cast<uint64_t>(kPage));
  EXPECT_EQ(Read(d, 2 * kPage, 4), std::string(4, '\0'));
  EXPECT_EQ(d.SeekDataOrHole(0, SEEK_DATA).value(), 0);
  EXPECT_EQ(d.SeekDataOrHole(0, SEEK_HOLE).value(), kPage);
  EXPECT_EQ(d.SeekDataOrHole(kPage + 1, SEEK_DATA).error(), ENXIO);
  EXPECT_EQ(d.SeekDataOrHole(kPage + 1, SEEK_HOLE).value(), kPage + 1);
  EXPECT_EQ(d.SeekDataOrHole(3 * kPage, SEEK_HOLE).error(), ENXIO);
  EXPECT_EQ(d.SeekDataOrHole(-1, SEEK_DATA).error(), ENXIO);
  ASSERT_EQ(d.Truncate(2), 0);
  EXPECT_EQ(Read(d, 0, 100), "he");
  EXPECT_EQ(d.Truncate(-1), EINVAL);
}

TEST(TmpfsDataTest, PromotesPastTheInlineLimitAndForHostFd) {
  TmpfsSpace space{.limit = 8 << 20};
  {
    TmpfsData d(&space);
    ASSERT_EQ(Write(d, "abc", 0).value(), 3);
    int fd = d.HostFd();
    ASSERT_GE(fd, 0);
    EXPECT_EQ(d.HostFd(), fd);  // promoted once
    char buf[4] = {};
    ASSERT_EQ(::pread(fd, buf, 3, 0), 3);
    EXPECT_STREQ(buf, "abc");
    ASSERT_EQ(Write(d, "Z", 1).value(), 1);
    ASSERT_EQ(::pread(fd, buf, 3, 0), 3);
    EXPECT_STREQ(buf, "aZc");
    struct stat st;
    ASSERT_EQ(::fstat(fd, &st), 0);
    EXPECT_EQ(st.st_size, 3);
  }
  EXPECT_EQ(space.used, 0u);
  TmpfsData big(&space);
  std::string chunk(TmpfsData::kInlineMax, 'q');
  ASSERT_EQ(Write(big, chunk, 0).value(), TmpfsData::kInlineMax);
  ASSERT_EQ(Write(big, "end", TmpfsData::kInlineMax).value(), 3);  // moves to a memfd
  EXPECT_EQ(Read(big, TmpfsData::kInlineMax - 1, 10), "qend");
  EXPECT_EQ(space.used, static_cast<uint64_t>(TmpfsData::kInlineMax + kPage));
  // Sparse memfd: a far write costs one page.
  ASSERT_EQ(Write(big, "far", 100 * kPage).value(), 3);
  EXPECT_EQ(space.used, static_cast<uint64_t>(TmpfsData::kInlineMax + 2 * kPage));
  EXPECT_EQ(big.SeekDataOrHole(TmpfsData::kInlineMax + kPage, SEEK_DATA).value(), 100 * kPage);
  EXPECT_EQ(big.SeekDataOrHole(0, SEEK_HOLE).value(), TmpfsData::kInlineMax + kPage);
  big.Clear();
  EXPECT_EQ(space.used, 0u);
  EXPECT_EQ(big.size(), 0);
}

TEST(TmpfsDataTest, NoSpaceCutsWritesShort) {
  TmpfsSpace space{.limit = 4 * kPage};
  TmpfsData a(&space);
  // Another file holds one page; of the 5 pages asked for (inline), 3 fit.
  TmpfsData other(&space);
  ASSERT_EQ(Write(other, "o", 0).value(), 1);
  std::string five(5 * kPage, 'x');
  SysResult r = Write(a, five, 0);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value(), 3 * kPage);
  EXPECT_EQ(space.used, space.limit);
  EXPECT_EQ(Write(a, "y", 3 * kPage).error(), ENOSPC);
  // Overwriting pages already held needs no space.
  EXPECT_EQ(Write(a, "overwrite", 10).value(), 9);
  EXPECT_EQ(a.Allocate(0, 0, 10 * kPage), ENOSPC);
  EXPECT_EQ(a.size(), 3 * kPage);
  // Freeing space makes room again.
  ASSERT_EQ(a.Truncate(0), 0);
  EXPECT_EQ(space.used, static_cast<uint64_t>(kPage));
  EXPECT_EQ(Write(a, "y", 0).value(), 1);
}

TEST(TmpfsDataTest, NoSpaceInAMemfd) {
  TmpfsSpace space{.limit = 32 * kPage};
  TmpfsData d(&space);
  ASSERT_GE(d.HostFd(), 0);
  std::string big(64 * kPage, 'b');
  SysResult r = Write(d, big, 0);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value(), 32 * kPage);
  EXPECT_EQ(Write(d, "z", 32 * kPage).error(), ENOSPC);
  EXPECT_EQ(Write(d, "inside", 5).value(), 6);
  // Punching a hole frees pages.
  ASSERT_EQ(d.Allocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4 * kPage), 0);
  EXPECT_EQ(d.size(), 32 * kPage);
  EXPECT_EQ(space.used, static_cast<uint64_t>(28 * kPage));
  EXPECT_EQ(Read(d, 0, 3), std::string(3, '\0'));
  // A write across held and free pages is cut where the budget ends.
  r = Write(d, big, 2 * kPage);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 32 * kPage);  // pages 2..3 and 32..33 new, 4..31 held
  EXPECT_EQ(space.used, space.limit);
  EXPECT_EQ(Write(d, "z", 34 * kPage).error(), ENOSPC);
}

TEST(TmpfsDataTest, StaysInlineWhenNoMemfdCanBeMade) {
  TmpfsSpace space{.limit = 1 << 20};
  TmpfsData d(&space);
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit none = {3, saved.rlim_max};  // every new fd number is taken: EMFILE
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &none), 0);
  std::string big(100 * 1024, 'i');
  SysResult r = Write(d, big, 0);
  int fd = d.HostFd();
  SysResult far = Write(d, "x", 2 << 20);  // inline, the gap would be allocated: too big
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_EQ(r.value(), static_cast<int64_t>(big.size()));
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(far.error(), ENOSPC);
  EXPECT_EQ(Read(d, 100 * 1024 - 2, 10), "ii");
  EXPECT_EQ(space.used, static_cast<uint64_t>(25 * kPage));
  EXPECT_GE(d.HostFd(), 0);  // fds again: it moves now
  EXPECT_EQ(Read(d, 0, 3), "iii");
}

TEST(TmpfsDataTest, AllocateKeepSizeAndExtend) {
  TmpfsSpace space{.limit = 64 * kPage};
  TmpfsData d(&space);
  ASSERT_EQ(d.Allocate(0, 0, 3 * kPage), 0);
  EXPECT_EQ(d.size(), 3 * kPage);
  EXPECT_EQ(space.used, static_cast<uint64_t>(3 * kPage));
  ASSERT_EQ(d.Allocate(FALLOC_FL_KEEP_SIZE, 0, 5 * kPage), 0);
  EXPECT_EQ(d.size(), 3 * kPage);
  ASSERT_EQ(d.Allocate(0, 20 * kPage, kPage), 0);  // past the inline limit: a memfd
  EXPECT_EQ(d.size(), 21 * kPage);
  EXPECT_EQ(Read(d, 20 * kPage, 2), std::string(2, '\0'));
  EXPECT_EQ(d.Allocate(0, -1, 1), EINVAL);
  EXPECT_EQ(d.Allocate(0, 0, 0), EINVAL);
  EXPECT_EQ(d.Allocate(0, INT64_MAX - 1, 10), EFBIG);
  EXPECT_EQ(Write(d, "x", TmpfsData::kMaxFileSize).error(), EFBIG);
}

}  // namespace
}  // namespace sentry::vfs
