// Syscall tests for uname, sysinfo, getrandom, rlimits (prlimit64/getrlimit) and identity.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

TEST(UnameTest, LinuxX86_64) {
  struct utsname u;
  ASSERT_EQ(uname(&u), 0) << ErrnoText(errno);
  EXPECT_STREQ(u.sysname, "Linux");
  EXPECT_STREQ(u.machine, "x86_64");
  EXPECT_GT(strlen(u.release), 0u);
  EXPECT_GT(strlen(u.version), 0u);
  EXPECT_GT(strlen(u.nodename), 0u);
  // glibc and others parse the release as "MAJOR.MINOR...".
  int major = 0, minor = 0;
  EXPECT_EQ(sscanf(u.release, "%d.%d", &major, &minor), 2) << u.release;
  EXPECT_GE(major, 3);
}

TEST(UnameTest, BadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_uname, reinterpret_cast<void*>(1)), EFAULT);
}

TEST(SysinfoTest, SaneValues) {
  struct sysinfo si;
  ASSERT_EQ(sysinfo(&si), 0) << ErrnoText(errno);
  EXPECT_GT(si.totalram, 0u);
  EXPECT_GE(si.mem_unit, 1u);
  EXPECT_LE(si.freeram, si.totalram);
  EXPECT_GE(si.procs, 1u);
  EXPECT_GE(si.uptime, 0);
  // At least 16 MiB of RAM in bytes.
  EXPECT_GE(static_cast<unsigned long long>(si.totalram) * si.mem_unit, 16ull << 20);
}

TEST(SysinfoTest, BadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sysinfo, reinterpret_cast<void*>(1)), EFAULT);
}

TEST(GetrandomTest, FillsBufferAndDiffers) {
  unsigned char a[16] = {}, b[16] = {};
  ASSERT_EQ(getrandom(a, sizeof(a), 0), 16) << ErrnoText(errno);
  ASSERT_EQ(getrandom(b, sizeof(b), 0), 16) << ErrnoText(errno);
  EXPECT_NE(memcmp(a, b, sizeof(a)), 0) << "two 16-byte getrandom calls returned the same bytes";
  unsigned char zeros[16] = {};
  EXPECT_NE(memcmp(a, zeros, sizeof(a)), 0);
}

TEST(GetrandomTest, NonblockAndInsecure) {
  unsigned char buf[64];
  EXPECT_EQ(getrandom(buf, sizeof(buf), GRND_NONBLOCK), 64) << ErrnoText(errno);
  EXPECT_EQ(getrandom(buf, sizeof(buf), GRND_INSECURE), 64) << ErrnoText(errno);
  EXPECT_EQ(getrandom(buf, 0, 0), 0);
}

TEST(GetrandomTest, LargeRequest) {
  std::vector<unsigned char> buf(1 << 16);
  ssize_t n = getrandom(buf.data(), buf.size(), 0);
  // Requests above 256 bytes may be short, but not empty.
  EXPECT_GT(n, 256) << ErrnoText(errno);
  EXPECT_LE(n, static_cast<ssize_t>(buf.size()));
}

TEST(GetrandomTest, Errors) {
  unsigned char buf[16];
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf), 0x1000), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf), GRND_RANDOM | GRND_INSECURE),
                       EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getrandom, reinterpret_cast<void*>(1), 16, 0), EFAULT);
}

TEST(RlimitTest, NofileSoftNotAboveHard) {
  struct rlimit rl;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0) << ErrnoText(errno);
  EXPECT_LE(rl.rlim_cur, rl.rlim_max);
  EXPECT_GE(rl.rlim_cur, 3u);
  struct rlimit old;
  ASSERT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, nullptr, &old), 0) << ErrnoText(errno);
  EXPECT_EQ(old.rlim_cur, rl.rlim_cur);
  EXPECT_EQ(old.rlim_max, rl.rlim_max);
  ASSERT_EQ(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, nullptr, &old), 0) << ErrnoText(errno);
  EXPECT_EQ(old.rlim_cur, rl.rlim_cur);
}

TEST(RlimitTest, AllResourcesReadable) {
  for (int r = 0; r < RLIM_NLIMITS; ++r) {
    struct rlimit rl;
    ASSERT_EQ(getrlimit(static_cast<__rlimit_resource>(r), &rl), 0) << "resource " << r;
    EXPECT_LE(rl.rlim_cur, rl.rlim_max) << "resource " << r;
  }
}

TEST(RlimitTest, LoweredNofileLimitsFdAllocation) {
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  constexpr rlim_t kLimit = 64;
  if (saved.rlim_cur < kLimit) GTEST_SKIP() << "soft limit already below " << kLimit;
  struct rlimit lowered = {kLimit, saved.rlim_max};
  struct rlimit old;
  ASSERT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lowered, &old), 0) << ErrnoText(errno);
  EXPECT_EQ(old.rlim_cur, saved.rlim_cur);

  std::vector<int> fds;
  int err = 0;
  for (int i = 0; i < 200; ++i) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) {
      err = errno;
      break;
    }
    fds.push_back(fd);
  }
  EXPECT_EQ(err, EMFILE);
  ASSERT_FALSE(fds.empty());
  EXPECT_EQ(fds.back(), static_cast<int>(kLimit) - 1);
  EXPECT_SYSCALL_ERRNO(dup(0), EMFILE);
  for (int fd : fds) close(fd);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0) << ErrnoText(errno);
  struct rlimit now;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, saved.rlim_cur);
}

TEST(RlimitTest, SoftAboveHardIsEINVAL) {
  struct rlimit rl;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "hard limit is infinite";
  struct rlimit bad = {rl.rlim_max + 1, rl.rlim_max};
  EXPECT_SYSCALL_ERRNO(setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
}

TEST(RlimitTest, Errors) {
  struct rlimit rl;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getrlimit, 1000, &rl), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_prlimit64, 0, 1000, nullptr, &rl), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getrlimit, RLIMIT_NOFILE, reinterpret_cast<void*>(1)), EFAULT);
}

TEST(IdentityTest, RealEqualsEffective) {
  EXPECT_EQ(getuid(), geteuid());
  EXPECT_EQ(getgid(), getegid());
}

TEST(IdentityTest, GetresAgree) {
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  ASSERT_EQ(getresuid(&ruid, &euid, &suid), 0) << ErrnoText(errno);
  ASSERT_EQ(getresgid(&rgid, &egid, &sgid), 0) << ErrnoText(errno);
  EXPECT_EQ(ruid, getuid());
  EXPECT_EQ(euid, geteuid());
  EXPECT_EQ(suid, geteuid());
  EXPECT_EQ(rgid, getgid());
  EXPECT_EQ(egid, getegid());
  EXPECT_EQ(sgid, getegid());
}

TEST(IdentityTest, GroupsReadable) {
  int n = getgroups(0, nullptr);
  ASSERT_GE(n, 0) << ErrnoText(errno);
  std::vector<gid_t> groups(static_cast<size_t>(n) + 1);
  EXPECT_EQ(getgroups(static_cast<int>(groups.size()), groups.data()), n);
}

TEST(IdentityTest, PidAndTid) {
  EXPECT_GT(getpid(), 0);
  EXPECT_EQ(syscall(SYS_gettid), getpid()) << "the main thread's tid is the pid";
  EXPECT_GE(getppid(), 0);
  EXPECT_NE(getppid(), getpid());
}

}  // namespace
}  // namespace syscall_test
