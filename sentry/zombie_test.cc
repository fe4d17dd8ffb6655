// Tests for zombie.h: parsing host stat lines, and a real zombie child of this test seen
// through the host's /proc until it is reaped.
#include "sentry/zombie.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sentry {
namespace {

TEST(ZombieTest, ParsesStateAndStartTime) {
  char state = 0;
  uint64_t start = 0;
  ASSERT_TRUE(StatStateAndStart(
      "42 (a b) c)) Z 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 98765 0 0", &state,
      &start));
  EXPECT_EQ(state, 'Z');
  EXPECT_EQ(start, 98765u);
  EXPECT_FALSE(StatStateAndStart("42 (x) S 1 2", &state, &start));
  EXPECT_FALSE(StatStateAndStart("garbage", &state, &start));
  EXPECT_FALSE(StatStateAndStart("", &state, &start));
}

TEST(ZombieTest, SeesAZombieUntilItIsReaped) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(0);
  siginfo_t si{};
  ASSERT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
  uint64_t start = HostZombieStartTime(pid);
  ASSERT_NE(start, 0u);
  EXPECT_TRUE(HostZombieAlive(pid, start));
  EXPECT_FALSE(HostZombieAlive(pid, start + 1));
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  EXPECT_FALSE(HostZombieAlive(pid, start));
  EXPECT_EQ(HostZombieStartTime(pid), 0u);
  EXPECT_EQ(HostZombieStartTime(getpid()), 0u);  // running, not a zombie
}

}  // namespace
}  // namespace sentry
