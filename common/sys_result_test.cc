// Tests for SysResult and ErrnoOr: the errno convention guest handlers rely on.
// Single-threaded unit test.
#include "common/sys_result.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace sentry {
namespace {

TEST(SysResultTest, ValuesAndErrors) {
  EXPECT_TRUE(SysResult(0).ok());
  EXPECT_TRUE(SysResult(12345).ok());
  SysResult e = SysResult::Errno(ENOENT);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.error(), ENOENT);
  EXPECT_EQ(e.raw(), -ENOENT);
  // Large "negative" values such as mmap addresses in the upper half are not errors.
  EXPECT_TRUE(SysResult(-5000).ok());
}

TEST(ErrnoOrTest, HoldsValueOrErrno) {
  ErrnoOr<int> v(7);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  auto e = ErrnoOr<int>::Errno(EBADF);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.error(), EBADF);
}

}  // namespace
}  // namespace sentry
