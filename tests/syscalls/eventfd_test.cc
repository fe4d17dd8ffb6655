// eventfd/eventfd2: counter and semaphore reads, 8-byte buffers, EAGAIN when nonblocking,
// a blocking read woken by another thread, a write blocked at the overflow limit, poll
// readiness, flags, fstat and /proc/self/fd. Uses only libc + gtest.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

uint64_t ReadCounter(int fd) {
  uint64_t v = 0;
  EXPECT_EQ(read(fd, &v, sizeof(v)), 8) << ErrnoText(errno);
  return v;
}

void WriteCounter(int fd, uint64_t v) {
  EXPECT_EQ(write(fd, &v, sizeof(v)), 8) << ErrnoText(errno);
}

void SleepMs(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

TEST(EventfdTest, CounterSemantics) {
  ScopedFd fd(eventfd(5, 0));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  WriteCounter(fd.get(), 3);
  WriteCounter(fd.get(), 2);
  EXPECT_EQ(ReadCounter(fd.get()), 10u);
  // A larger buffer still transfers 8 bytes.
  WriteCounter(fd.get(), 1);
  uint64_t big[2] = {0, 0};
  EXPECT_EQ(read(fd.get(), big, sizeof(big)), 8);
  EXPECT_EQ(big[0], 1u);
}

TEST(EventfdTest, SemaphoreSemantics) {
  ScopedFd fd(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK));
  ASSERT_TRUE(fd.valid());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ReadCounter(fd.get()), 1u);
  uint64_t v;
  EXPECT_SYSCALL_ERRNO(read(fd.get(), &v, sizeof(v)), EAGAIN);
}

TEST(EventfdTest, NonblockingEagainAndOverflow) {
  ScopedFd fd(eventfd(0, EFD_NONBLOCK));
  ASSERT_TRUE(fd.valid());
  uint64_t v;
  EXPECT_SYSCALL_ERRNO(read(fd.get(), &v, sizeof(v)), EAGAIN);
  WriteCounter(fd.get(), UINT64_MAX - 1);  // the largest value the counter holds
  v = 1;
  EXPECT_SYSCALL_ERRNO(write(fd.get(), &v, sizeof(v)), EAGAIN);
  EXPECT_EQ(ReadCounter(fd.get()), UINT64_MAX - 1);
}

TEST(EventfdTest, ShortBuffersAndBadValue) {
  ScopedFd fd(eventfd(1, 0));
  ASSERT_TRUE(fd.valid());
  char small[4] = {};
  EXPECT_SYSCALL_ERRNO(read(fd.get(), small, sizeof(small)), EINVAL);
  EXPECT_SYSCALL_ERRNO(write(fd.get(), small, sizeof(small)), EINVAL);
  uint64_t v = UINT64_MAX;
  EXPECT_SYSCALL_ERRNO(write(fd.get(), &v, sizeof(v)), EINVAL);
  EXPECT_EQ(ReadCounter(fd.get()), 1u);
}

TEST(EventfdTest, Flags) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_eventfd2, 0, 0x10), EINVAL);
  ScopedFd fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), FD_CLOEXEC);
  int fl = fcntl(fd.get(), F_GETFL);
  EXPECT_EQ(fl & O_ACCMODE, O_RDWR);
  EXPECT_TRUE(fl & O_NONBLOCK);
  ScopedFd old(static_cast<int>(syscall(SYS_eventfd, 7)));
  ASSERT_TRUE(old.valid()) << ErrnoText(errno);
  EXPECT_EQ(fcntl(old.get(), F_GETFD), 0);
  EXPECT_EQ(ReadCounter(old.get()), 7u);
}

TEST(EventfdTest, StatAndProcLink) {
  ScopedFd fd(eventfd(0, 0));
  ASSERT_TRUE(fd.valid());
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd.get(), &st));
  EXPECT_EQ(st.st_mode & S_IFMT, 0u);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  char link[64] = {};
  std::string path = "/proc/self/fd/" + std::to_string(fd.get());
  ASSERT_GT(readlink(path.c_str(), link, sizeof(link) - 1), 0) << ErrnoText(errno);
  EXPECT_STREQ(link, "anon_inode:[eventfd]");
}

TEST(EventfdTest, PollReadiness) {
  ScopedFd fd(eventfd(0, 0));
  ASSERT_TRUE(fd.valid());
  struct pollfd p = {fd.get(), POLLIN | POLLOUT, 0};
  ASSERT_EQ(poll(&p, 1, 0), 1);
  EXPECT_EQ(p.revents, POLLOUT);
  WriteCounter(fd.get(), 1);
  ASSERT_EQ(poll(&p, 1, 0), 1);
  EXPECT_EQ(p.revents, POLLIN | POLLOUT);
}

void* WriteLater(void* arg) {
  SleepMs(50);
  WriteCounter(*static_cast<int*>(arg), 42);
  return nullptr;
}

TEST(EventfdTest, BlockingReadWokenByWriterThread) {
  ScopedFd fd(eventfd(0, 0));
  ASSERT_TRUE(fd.valid());
  int raw = fd.get();
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, WriteLater, &raw), 0);
  EXPECT_EQ(ReadCounter(fd.get()), 42u);
  pthread_join(t, nullptr);
}

void* ReadLater(void* arg) {
  SleepMs(50);
  ReadCounter(*static_cast<int*>(arg));
  return nullptr;
}

TEST(EventfdTest, WriteBlocksWhileItWouldOverflow) {
  ScopedFd fd(eventfd(0, 0));
  ASSERT_TRUE(fd.valid());
  WriteCounter(fd.get(), UINT64_MAX - 1);
  int raw = fd.get();
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, ReadLater, &raw), 0);
  WriteCounter(fd.get(), 5);  // blocks until the reader empties the counter
  pthread_join(t, nullptr);
  EXPECT_EQ(ReadCounter(fd.get()), 5u);
}

}  // namespace
}  // namespace syscall_test
