// Tests for control.h: ancillary data stays aligned with the data it was sent with.
// Run by ctest (netstack_test).
#include "netstack/control.h"

#include <gtest/gtest.h>

namespace sentry::netstack {
namespace {

Control Cr(int pid) {
  Control c;
  c.has_cred = true;
  c.cred.pid = pid;
  return c;
}

TEST(ControlQueueTest, ReadsStopAtEntries) {
  ControlQueue q;
  q.Push(10, 5, Cr(1));             // bytes 10..14
  q.Push(15, 3, Cr(2));             // bytes 15..17
  EXPECT_EQ(q.Limit(0, 100), 15u);  // plain data, then the first entry's units
  EXPECT_EQ(q.Limit(10, 100), 5u);  // one entry per read
  EXPECT_EQ(q.Limit(12, 100), 3u);
  Control out;
  EXPECT_FALSE(q.Take(0, 10, false, &out));  // not reached yet
  EXPECT_TRUE(q.Take(10, 5, true, &out));    // peek keeps it
  EXPECT_EQ(out.cred.pid, 1);
  EXPECT_TRUE(q.Take(10, 2, false, &out));
  EXPECT_EQ(out.cred.pid, 1);
  EXPECT_FALSE(q.Take(12, 3, false, &out));  // delivered once
  EXPECT_EQ(q.Limit(15, 100), 3u);
  EXPECT_TRUE(q.Take(15, 3, false, &out));
  EXPECT_EQ(out.cred.pid, 2);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.Limit(18, 100), 100u);
}

TEST(ControlQueueTest, SkippedEntriesAreDropped) {
  ControlQueue q;
  q.Push(0, 1, Cr(1));
  Control out;
  EXPECT_FALSE(q.Take(5, 1, false, &out));
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace sentry::netstack
