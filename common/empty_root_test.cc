// Tests for EnterEmptyRoot that are safe on the host: it must refuse in the initial user
// namespace without touching anything (the real pivot is covered by tests/security). Test-only.
#include "common/empty_root.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace sentry {
namespace {

TEST(EmptyRootTest, BindTargetsAreNumbered) {
  EXPECT_EQ(BindTarget(0), "/0");
  EXPECT_EQ(BindTarget(12), "/12");
}

TEST(EmptyRootTest, RefusesInTheInitialUserNamespace) {
  if (!InInitialUserNamespace()) GTEST_SKIP() << "the test runs inside a user namespace";
  struct stat before, after;
  ASSERT_EQ(stat("/", &before), 0);
  absl::Status st = EnterEmptyRoot({{.source = "/", .read_only = true}});
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  ASSERT_EQ(stat("/", &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_dev, after.st_dev);
}

}  // namespace
}  // namespace sentry
