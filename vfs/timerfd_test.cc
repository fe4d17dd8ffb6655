// Tests TimerFd: one-shot and periodic expiration counts, gettime, EAGAIN before expiry,
// short buffers and writes, flag checks. Single-threaded unit test (sleeps a few ms).
#include "vfs/timerfd.h"

#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>

#include <cstdint>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

itimerspec Ms(int64_t value_ms, int64_t interval_ms) {
  itimerspec its{};
  its.it_value = {value_ms / 1000, (value_ms % 1000) * 1000000};
  its.it_interval = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
  return its;
}

void WaitReadable(const FileRef& f) {
  struct pollfd p = {f->ReadinessFd(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 2000), 1);
}

TEST(TimerFdTest, OneShotAndPeriodic) {
  auto t = MakeTimerFd(CLOCK_MONOTONIC, 0);
  ASSERT_TRUE(t.ok());
  auto* timer = dynamic_cast<TimerFd*>(t->get());
  ASSERT_NE(timer, nullptr);
  uint64_t n = 0;
  std::span<char> buf(reinterpret_cast<char*>(&n), sizeof(n));
  EXPECT_EQ((*t)->Read(buf).error(), EAGAIN);  // disarmed
  ASSERT_TRUE(timer->SetTime(0, Ms(5, 0), nullptr).ok());
  itimerspec cur;
  ASSERT_TRUE(timer->GetTime(&cur).ok());
  EXPECT_TRUE(cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0);
  WaitReadable(*t);
  EXPECT_EQ((*t)->Read(buf).value(), 8);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ((*t)->Read(buf).error(), EAGAIN);

  itimerspec old;
  ASSERT_TRUE(timer->SetTime(0, Ms(2, 2), &old).ok());
  EXPECT_EQ(old.it_value.tv_sec, 0);
  EXPECT_EQ(old.it_value.tv_nsec, 0);
  struct timespec d = {0, 30000000};
  nanosleep(&d, nullptr);
  EXPECT_EQ((*t)->Read(buf).value(), 8);
  EXPECT_GE(n, 5u);
  ASSERT_TRUE(timer->GetTime(&cur).ok());
  EXPECT_EQ(cur.it_interval.tv_nsec, 2000000);
}

TEST(TimerFdTest, Errors) {
  EXPECT_EQ(MakeTimerFd(CLOCK_MONOTONIC, 1).error(), EINVAL);
  EXPECT_EQ(MakeTimerFd(12345, 0).error(), EINVAL);
  EXPECT_FALSE(ValidTimerFdSetFlags(4));
  EXPECT_TRUE(ValidTimerFdSetFlags(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET));
  auto t = MakeTimerFd(CLOCK_REALTIME, TFD_NONBLOCK);
  ASSERT_TRUE(t.ok());
  char small[4];
  EXPECT_EQ((*t)->Read(std::span<char>(small, 4)).error(), EINVAL);
  EXPECT_EQ((*t)->Write(std::span<const char>(small, 4)).error(), EINVAL);
  EXPECT_EQ((*t)->Path(), "anon_inode:[timerfd]");
  EXPECT_EQ((*t)->Readiness(POLLIN | POLLOUT), 0u);
}

}  // namespace
}  // namespace sentry::vfs
