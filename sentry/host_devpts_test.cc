// host_devpts: the detached devpts instance (made once, usable for ptmx opens with the exact
// flags the filter allows) and the seccomp rule that goes with it. Test-only.
#include "sentry/host_devpts.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "sentry/sentry_seccomp.h"

namespace sentry {
namespace {

TEST(HostDevptsTest, InstanceIsMadeOnceAndOpensPtmx) {
  int fd = OpenDevptsInstance();
  EXPECT_EQ(OpenDevptsInstance(), fd);
  EXPECT_EQ(DevptsInstanceFd(), fd);
  if (fd < 0) GTEST_SKIP() << "no mount API or privilege for devpts here";
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  int m = static_cast<int>(syscall(SYS_openat, fd, "ptmx", kDevptsOpenFlags));
  ASSERT_GE(m, 0);
  int n = -1;
  EXPECT_EQ(ioctl(m, TIOCGPTN, &n), 0);
  EXPECT_EQ(n, 0);  // a fresh instance numbers from 0
  close(m);
}

int OpenatRules(const std::vector<seccomp::Rule>& rules) {
  int n = 0;
  for (const seccomp::Rule& r : rules) n += r.nr == SYS_openat;
  return n;
}

TEST(HostDevptsTest, SeccompRuleOnlyWithAnInstance) {
  EXPECT_EQ(OpenatRules(SentryAllowlist(4)), 1);  // /proc only
  std::vector<seccomp::Rule> rules = SentryAllowlist(4, 5);
  ASSERT_EQ(OpenatRules(rules), 2);
  for (const seccomp::Rule& r : rules) {
    if (r.nr != SYS_openat || r.checks.size() != 2 || r.checks[0].value != 5) continue;
    EXPECT_EQ(r.checks[1].value, static_cast<uint64_t>(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    return;
  }
  ADD_FAILURE() << "no openat rule for dirfd 5";
}

}  // namespace
}  // namespace sentry
