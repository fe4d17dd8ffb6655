// Tests for the capability limits: parsing of /proc status lines, and LimitCapabilities in a
// forked child (never in the test process itself). Test-only.
#include "common/capabilities.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sentry::caps {
namespace {

TEST(CapabilitiesTest, ParsesStatusLines) {
  Sets s;
  ASSERT_TRUE(ParseStatusSets(
      "Name:\tx\nCapInh:\t0000000000000000\nCapPrm:\t00000000000000ff\n"
      "CapEff:\t0000000000000003\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n",
      &s));
  EXPECT_EQ(s.permitted, 0xffu);
  EXPECT_EQ(s.effective, 3u);
  EXPECT_EQ(s.bounding, 0x1ffffffffffu);
  EXPECT_EQ(s.ambient, 0u);
}

TEST(CapabilitiesTest, MissingLineFails) {
  Sets s;
  EXPECT_FALSE(ParseStatusSets("CapInh:\t0\nCapPrm:\t0\n", &s));
  EXPECT_FALSE(ParseStatusSets("CapInh:\tzz\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n", &s));
}

TEST(CapabilitiesTest, BitMatchesTheKernelsNumbering) {
  EXPECT_EQ(Bit(CAP_CHOWN), 1u);
  EXPECT_EQ(Bit(CAP_SYS_ADMIN), uint64_t{1} << 21);
}

// Exit codes of the child: 0 ok, 1..n the failed step.
int LimitInChild(uint64_t keep) {
  pid_t pid = fork();
  if (pid == 0) {
    if (!LimitCapabilities(keep).ok()) _exit(1);
    Sets s;
    if (!ReadOwnSets(&s).ok()) _exit(2);
    if (s.effective != keep || s.permitted != keep) _exit(3);
    if (s.bounding != 0 || s.inheritable != 0 || s.ambient != 0) _exit(4);
    if (!ReduceCapabilities(0).ok()) _exit(5);
    if (!ReadOwnSets(&s).ok() || s.effective != 0 || s.permitted != 0) _exit(6);
    // Nothing comes back: raising again fails.
    if (ReduceCapabilities(keep).ok() && keep != 0) _exit(7);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST(CapabilitiesTest, LimitKeepsOnlyTheGivenSetInAChild) {
  Sets own;
  ASSERT_TRUE(ReadOwnSets(&own).ok());
  const uint64_t want = Bit(CAP_CHOWN) | Bit(CAP_FOWNER);
  if ((own.effective & Bit(CAP_SETPCAP)) == 0 || (own.permitted & want) != want) {
    GTEST_SKIP() << "needs CAP_SETPCAP, CAP_CHOWN and CAP_FOWNER";
  }
  EXPECT_EQ(LimitInChild(want), 0);
}

TEST(CapabilitiesTest, LimitWithoutSetpcapFailsCleanly) {
  pid_t pid = fork();
  if (pid == 0) {
    // Give up CAP_SETPCAP first (or have nothing at all): the securebits step must fail
    // with a status, not crash.
    (void)ReduceCapabilities(0);
    _exit(LimitCapabilities(0).ok() ? 1 : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace sentry::caps
