// Tests of the permission-bit check.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/credentials.h"

#include <sys/stat.h>

#include <cerrno>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

Credentials User(uint32_t uid, uint32_t gid, std::vector<uint32_t> groups = {}) {
  Credentials c;
  c.uid = c.euid = c.fsuid = uid;
  c.gid = c.egid = c.fsgid = gid;
  c.groups = std::move(groups);
  return c;
}

TEST(CredentialsTest, RootBypassesReadWrite) {
  Credentials root;
  EXPECT_EQ(CheckPermission(root, S_IFREG | 0000, 5, 5, kMayRead | kMayWrite), 0);
  EXPECT_EQ(CheckPermission(root, S_IFDIR | 0000, 5, 5, kMayExec), 0);
  EXPECT_EQ(CheckPermission(root, S_IFREG | 0000, 5, 5, kMayExec), EACCES);
  EXPECT_EQ(CheckPermission(root, S_IFREG | 0001, 5, 5, kMayExec), 0);
}

TEST(CredentialsTest, OwnerGroupOther) {
  Credentials u = User(1000, 100, {200});
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0400, 1000, 0, kMayRead), 0);
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0400, 1000, 0, kMayWrite), EACCES);
  // The owner class is used exclusively, even when "other" would allow.
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0007, 1000, 0, kMayRead), EACCES);
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0040, 0, 100, kMayRead), 0);
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0040, 0, 200, kMayRead), 0);
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0040, 0, 300, kMayRead), EACCES);
  EXPECT_EQ(CheckPermission(u, S_IFDIR | 0700, 0, 0, kMayExec), EACCES);
  EXPECT_EQ(CheckPermission(u, S_IFDIR | 0701, 0, 0, kMayExec), 0);
}

TEST(CredentialsTest, RealIds) {
  Credentials u = User(1000, 100);
  u.fsuid = 0;
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0600, 0, 0, kMayRead, IdKind::kFs), 0);
  EXPECT_EQ(CheckPermission(u, S_IFREG | 0600, 0, 0, kMayRead, IdKind::kReal), EACCES);
}

}  // namespace
}  // namespace sentry::vfs
