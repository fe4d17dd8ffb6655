// timerfd_create/settime/gettime: one-shot and periodic expiration counts, absolute timers,
// gettime and the old value, nonblocking EAGAIN, readiness, and Linux's EINVAL/EBADF checks.
// Uses only libc + gtest.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

itimerspec Ms(int64_t value_ms, int64_t interval_ms) {
  itimerspec its{};
  its.it_value = {value_ms / 1000, (value_ms % 1000) * 1000000};
  its.it_interval = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
  return its;
}

int64_t NowMs(clockid_t clock = CLOCK_MONOTONIC) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(TimerfdTest, OneShotBlockingRead) {
  ScopedFd fd(timerfd_create(CLOCK_MONOTONIC, 0));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  itimerspec its = Ms(30, 0);
  int64_t start = NowMs();
  ASSERT_SYSCALL_OK(timerfd_settime(fd.get(), 0, &its, nullptr));
  uint64_t n = 0;
  ASSERT_EQ(read(fd.get(), &n, sizeof(n)), 8);
  EXPECT_EQ(n, 1u);
  EXPECT_GE(NowMs() - start, 25);
  itimerspec cur;
  ASSERT_SYSCALL_OK(timerfd_gettime(fd.get(), &cur));
  EXPECT_EQ(cur.it_value.tv_sec, 0);  // expired one-shot: disarmed
  EXPECT_EQ(cur.it_value.tv_nsec, 0);
}

TEST(TimerfdTest, PeriodicCountsExpirations) {
  ScopedFd fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  ASSERT_TRUE(fd.valid());
  itimerspec its = Ms(10, 10);
  ASSERT_SYSCALL_OK(timerfd_settime(fd.get(), 0, &its, nullptr));
  usleep(105000);
  uint64_t n = 0;
  ASSERT_EQ(read(fd.get(), &n, sizeof(n)), 8);
  EXPECT_GE(n, 5u);
  EXPECT_LE(n, 12u);
  EXPECT_SYSCALL_ERRNO(read(fd.get(), &n, sizeof(n)), EAGAIN);
  // The next period reads 1 again.
  struct pollfd p = {fd.get(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 1000), 1);
  ASSERT_EQ(read(fd.get(), &n, sizeof(n)), 8);
  EXPECT_GE(n, 1u);
}

TEST(TimerfdTest, GettimeAndOldValue) {
  ScopedFd fd(timerfd_create(CLOCK_BOOTTIME, 0));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  itimerspec its = Ms(5000, 250);
  ASSERT_SYSCALL_OK(timerfd_settime(fd.get(), 0, &its, nullptr));
  itimerspec cur;
  ASSERT_SYSCALL_OK(timerfd_gettime(fd.get(), &cur));
  int64_t left = cur.it_value.tv_sec * 1000 + cur.it_value.tv_nsec / 1000000;
  EXPECT_GT(left, 4000);
  EXPECT_LE(left, 5000);
  EXPECT_EQ(cur.it_interval.tv_sec, 0);
  EXPECT_EQ(cur.it_interval.tv_nsec, 250000000);
  itimerspec off = Ms(0, 0), old;
  ASSERT_SYSCALL_OK(timerfd_settime(fd.get(), 0, &off, &old));
  EXPECT_GT(old.it_value.tv_sec * 1000 + old.it_value.tv_nsec / 1000000, 4000);
  EXPECT_EQ(old.it_interval.tv_nsec, 250000000);
  ASSERT_SYSCALL_OK(timerfd_gettime(fd.get(), &cur));
  EXPECT_EQ(cur.it_value.tv_sec, 0);
  EXPECT_EQ(cur.it_value.tv_nsec, 0);
}

TEST(TimerfdTest, AbsoluteRealtimeWithCancelOnSet) {
  ScopedFd fd(timerfd_create(CLOCK_REALTIME, 0));
  ASSERT_TRUE(fd.valid());
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  itimerspec its{};
  its.it_value = now;
  its.it_value.tv_nsec += 20000000;
  if (its.it_value.tv_nsec >= 1000000000) {
    its.it_value.tv_sec += 1;
    its.it_value.tv_nsec -= 1000000000;
  }
  ASSERT_SYSCALL_OK(
      timerfd_settime(fd.get(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, nullptr));
  uint64_t n = 0;
  ASSERT_EQ(read(fd.get(), &n, sizeof(n)), 8);
  EXPECT_EQ(n, 1u);
  // An absolute time in the past expires at once.
  its.it_value = {1, 0};
  ASSERT_SYSCALL_OK(timerfd_settime(fd.get(), TFD_TIMER_ABSTIME, &its, nullptr));
  ASSERT_EQ(read(fd.get(), &n, sizeof(n)), 8);
  EXPECT_EQ(n, 1u);
}

TEST(TimerfdTest, Errors) {
  EXPECT_SYSCALL_ERRNO(timerfd_create(12345, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x1), EINVAL);
  EXPECT_SYSCALL_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
  ScopedFd fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), FD_CLOEXEC);
  EXPECT_TRUE(fcntl(fd.get(), F_GETFL) & O_NONBLOCK);
  itimerspec its = Ms(10, 0);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd.get(), 0x4, &its, nullptr), EINVAL);
  itimerspec bad = its;
  bad.it_value.tv_nsec = 1000000000;
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd.get(), 0, &bad, nullptr), EINVAL);
  bad = its;
  bad.it_interval.tv_sec = -1;
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd.get(), 0, &bad, nullptr), EINVAL);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(-1, 0, &its, nullptr), EBADF);
  EXPECT_SYSCALL_ERRNO(timerfd_settime(fd.get(), 0, nullptr, nullptr), EFAULT);
  itimerspec cur;
  EXPECT_SYSCALL_ERRNO(timerfd_gettime(-1, &cur), EBADF);
  ScopedFd ev(eventfd(0, 0));
  EXPECT_SYSCALL_ERRNO(timerfd_settime(ev.get(), 0, &its, nullptr), EINVAL);
  EXPECT_SYSCALL_ERRNO(timerfd_gettime(ev.get(), &cur), EINVAL);
  uint64_t n;
  EXPECT_SYSCALL_ERRNO(read(fd.get(), &n, sizeof(n)), EAGAIN);
  char small[4];
  EXPECT_SYSCALL_ERRNO(read(fd.get(), small, sizeof(small)), EINVAL);
  EXPECT_SYSCALL_ERRNO(write(fd.get(), &n, sizeof(n)), EINVAL);
}

TEST(TimerfdTest, PollAndProcLink) {
  ScopedFd fd(timerfd_create(CLOCK_MONOTONIC, 0));
  ASSERT_TRUE(fd.valid());
  struct pollfd p = {fd.get(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);
  itimerspec its = Ms(10, 0);
  ASSERT_SYSCALL_OK(timerfd_settime(fd.get(), 0, &its, nullptr));
  ASSERT_EQ(poll(&p, 1, 2000), 1);
  EXPECT_EQ(p.revents, POLLIN);
  char link[64] = {};
  std::string path = "/proc/self/fd/" + std::to_string(fd.get());
  ASSERT_GT(readlink(path.c_str(), link, sizeof(link) - 1), 0);
  EXPECT_STREQ(link, "anon_inode:[timerfd]");
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd.get(), &st));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace syscall_test
