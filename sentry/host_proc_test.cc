// Tests for the sentry's host /proc reads. Test-only; main thread.
#include "sentry/host_proc.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>

namespace sentry {
namespace {

TEST(HostProcTest, ReadsOwnStatus) {
  std::string s;
  ASSERT_TRUE(ReadHostProc(getpid(), "status", &s));
  EXPECT_NE(s.find("NSpid:"), std::string::npos);
  ASSERT_TRUE(ReadHostProc(0, "cpuinfo", &s));
  EXPECT_FALSE(s.empty());
  FILE* f = FopenHostProc(getpid(), "stat");
  ASSERT_NE(f, nullptr);
  fclose(f);
}

TEST(HostProcTest, RefusesEscapingNames) {
  EXPECT_EQ(OpenHostProc(0, "/etc/passwd"), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(OpenHostProc(0, "../etc/passwd"), -1);
  EXPECT_EQ(OpenHostProc(-1, "status"), -1);
}

}  // namespace
}  // namespace sentry
