// Tests for sentry/job_control.h: stat parsing, tty_nr encoding, the sandbox pty of a
// session and the orphaned-process-group rule.
#include "sentry/job_control.h"

#include <sys/sysmacros.h>

#include <vector>

#include "gtest/gtest.h"

namespace sentry {
namespace {

TEST(JobControlTest, ParsesTheJobFieldsEvenWithParensInComm) {
  HostJobIds ids;
  ASSERT_TRUE(ParseHostJobIds("42 (a) (b)) S 7 40 30 34819 40 4194560 0 0", &ids));
  EXPECT_EQ(ids.pid, 42);
  EXPECT_EQ(ids.ppid, 7);
  EXPECT_EQ(ids.pgrp, 40);
  EXPECT_EQ(ids.sid, 30);
  EXPECT_EQ(ids.tty_nr, 34819u);
  EXPECT_EQ(ids.tpgid, 40);
  ASSERT_TRUE(ParseHostJobIds("5 (sh) R 1 5 5 0 -1 0", &ids));
  EXPECT_EQ(ids.tty_nr, 0u);
  EXPECT_EQ(ids.tpgid, -1);
  EXPECT_FALSE(ParseHostJobIds("5 (sh", &ids));
  EXPECT_FALSE(ParseHostJobIds("5 (sh) R 1 5", &ids));
}

TEST(JobControlTest, TtyNrIsLinuxsEncodingAndGlibcsDevT) {
  EXPECT_EQ(EncodeTtyNr(136, 3), 34819u);  // pts/3 as ps reads it
  for (unsigned minor : {0u, 5u, 255u, 256u, 1000u, 0xfffffu}) {
    unsigned nr = EncodeTtyNr(136, minor);
    EXPECT_EQ(TtyNrMajor(nr), 136u);
    EXPECT_EQ(TtyNrMinor(nr), minor);
    EXPECT_EQ(nr, static_cast<unsigned>(makedev(136, minor)));
  }
}

TEST(JobControlTest, SandboxPtyOnlyInASessionOfTheSandbox) {
  HostJobIds ids{.pid = 9, .ppid = 8, .pgrp = 9, .sid = 9, .tty_nr = EncodeTtyNr(136, 2)};
  EXPECT_EQ(SandboxPtyIndex(ids, 0), 2);
  EXPECT_EQ(SandboxPtyIndex(ids, 9), -1);  // the sentry's own session: the user's terminal
  ids.sid = 0;                             // a session from outside the pid namespace
  EXPECT_EQ(SandboxPtyIndex(ids, 3), -1);
  ids.sid = 9;
  ids.tty_nr = EncodeTtyNr(4, 1);  // not a pty slave
  EXPECT_EQ(SandboxPtyIndex(ids, 0), -1);
  ids.tty_nr = 0;
  EXPECT_EQ(SandboxPtyIndex(ids, 0), -1);
}

TEST(JobControlTest, OrphanedGroups) {
  // Session 10: leader 10 (group 10), job 20 = {20, 21} whose 20 is the leader's child.
  std::vector<HostJobIds> p = {
      {.pid = 1, .ppid = 0, .pgrp = 1, .sid = 1},
      {.pid = 10, .ppid = 1, .pgrp = 10, .sid = 10},
      {.pid = 20, .ppid = 10, .pgrp = 20, .sid = 10},
      {.pid = 21, .ppid = 20, .pgrp = 20, .sid = 10},
  };
  EXPECT_FALSE(IsOrphanedPgrp(p, 20));  // 20's parent is in group 10 of the same session
  EXPECT_TRUE(IsOrphanedPgrp(p, 10));   // the leader's parent is in another session
  EXPECT_TRUE(IsOrphanedPgrp(p, 1));    // no parent known
  // 20 exits: 21 goes to the reaper (1), in another session.
  p.erase(p.begin() + 2);
  p.back().ppid = 1;
  EXPECT_TRUE(IsOrphanedPgrp(p, 20));
  // A parent in the same group does not count.
  p.push_back({.pid = 22, .ppid = 21, .pgrp = 20, .sid = 10});
  EXPECT_TRUE(IsOrphanedPgrp(p, 20));
  EXPECT_TRUE(IsOrphanedPgrp(p, 99));  // an empty group
}

}  // namespace
}  // namespace sentry
