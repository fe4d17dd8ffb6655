// Tests EventFd: counter and semaphore reads, 8-byte buffers, EAGAIN (would block) when
// empty or at the overflow limit, readiness, fstat and the anonymous name. Single-threaded.
#include "vfs/eventfd.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstring>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

SysResult Put(const FileRef& f, uint64_t v) {
  return f->Write(std::span<const char>(reinterpret_cast<const char*>(&v), sizeof(v)));
}

uint64_t Take(const FileRef& f) {
  uint64_t v = 0;
  SysResult r = f->Read(std::span<char>(reinterpret_cast<char*>(&v), sizeof(v)));
  EXPECT_EQ(r.value(), 8);
  return v;
}

TEST(EventFdTest, CounterSemantics) {
  auto e = MakeEventFd(3, 0);
  ASSERT_TRUE(e.ok());
  FileRef f = *e;
  EXPECT_EQ(Put(f, 4).value(), 8);
  EXPECT_EQ(Take(f), 7u);
  char small[4];
  EXPECT_EQ(f->Read(std::span<char>(small, 4)).error(), EINVAL);
  EXPECT_EQ(f->Write(std::span<const char>(small, 4)).error(), EINVAL);
  uint64_t v;
  EXPECT_EQ(f->Read(std::span<char>(reinterpret_cast<char*>(&v), 8)).error(), EAGAIN);
  EXPECT_EQ(Put(f, ~uint64_t{0}).error(), EINVAL);
  EXPECT_EQ(f->Readiness(POLLIN | POLLOUT), static_cast<uint32_t>(POLLOUT));
  EXPECT_EQ(Put(f, ~uint64_t{0} - 1).value(), 8);  // the maximum counter value
  EXPECT_EQ(Put(f, 1).error(), EAGAIN);            // would overflow: blocks
  EXPECT_EQ(f->Readiness(POLLIN | POLLOUT), static_cast<uint32_t>(POLLIN));
  EXPECT_GE(f->ReadinessFd(), 0);
}

TEST(EventFdTest, Semaphore) {
  auto e = MakeEventFd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE((*e)->status_flags() & O_NONBLOCK);
  EXPECT_EQ(Take(*e), 1u);
  EXPECT_EQ(Take(*e), 1u);
  uint64_t v;
  EXPECT_EQ((*e)->Read(std::span<char>(reinterpret_cast<char*>(&v), 8)).error(), EAGAIN);
}

TEST(EventFdTest, FlagsStatAndName) {
  EXPECT_EQ(MakeEventFd(0, 0x10).error(), EINVAL);
  auto e = MakeEventFd(0, EFD_CLOEXEC);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->Path(), "anon_inode:[eventfd]");
  EXPECT_EQ((*e)->access_mode(), O_RDWR);
  struct stat st;
  ASSERT_TRUE((*e)->Stat(&st).ok());
  EXPECT_EQ(st.st_mode, 0600u);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ((*e)->Reopen(O_RDWR).error(), ENXIO);
}

}  // namespace
}  // namespace sentry::vfs
