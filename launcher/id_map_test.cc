// Tests for the uid/gid map text of the sandbox's user namespace.
// Owned by the launcher.
#include "launcher/id_map.h"

#include <gtest/gtest.h>

namespace sentry::launcher {
namespace {

constexpr char kHostMap[] = "         0          0 4294967295\n";

TEST(IdMapTest, RootOnHostMapsEverything) {
  auto m = ComputeIdMapping(0, 0, kHostMap, kHostMap);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->uid_map, "0 0 4294967295\n");
  EXPECT_EQ(m->gid_map, "0 0 4294967295\n");
  EXPECT_FALSE(m->deny_setgroups);
}

TEST(IdMapTest, RootInContainerMapsOnlyItsIds) {
  // Root of a container whose namespace has 0..65535 (host 100000..) and a second range.
  auto m = ComputeIdMapping(0, 0, "0 100000 65536\n", "0 100000 65536\n70000 200000 10\n");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->uid_map, "0 0 65536\n");
  EXPECT_EQ(m->gid_map, "0 0 65536\n70000 70000 10\n");
  EXPECT_FALSE(m->deny_setgroups);
}

TEST(IdMapTest, UnprivilegedMapsOnlyItself) {
  auto m = ComputeIdMapping(1000, 1001, "", "");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->uid_map, "0 1000 1\n");
  EXPECT_EQ(m->gid_map, "0 1001 1\n");
  EXPECT_TRUE(m->deny_setgroups);
}

TEST(IdMapTest, GarbageOwnMapIsAnError) {
  EXPECT_FALSE(ComputeIdMapping(0, 0, "0 0\n", kHostMap).ok());
  EXPECT_FALSE(ComputeIdMapping(0, 0, kHostMap, "").ok());
}

TEST(IdMapTest, ForSelfMatchesOurEuid) {
  auto m = ComputeIdMappingForSelf();
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->deny_setgroups, geteuid() != 0);
}

}  // namespace
}  // namespace sentry::launcher
