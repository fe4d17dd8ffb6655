// Syscall tests for getcwd(2)/chdir(2)/fchdir(2) and relative path resolution after them.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

std::string Cwd() {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof(buf)) == nullptr) {
    ADD_FAILURE() << "getcwd: " << ErrnoText(errno);
    return "";
  }
  return buf;
}

// Restores the working directory after every test.
class CwdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_.reset(open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(saved_.valid()) << ErrnoText(errno);
  }
  void TearDown() override { EXPECT_EQ(fchdir(saved_.get()), 0) << ErrnoText(errno); }

 private:
  ScopedFd saved_;
};

TEST_F(CwdTest, ChdirThenGetcwd) {
  ASSERT_EQ(chdir("/usr"), 0) << ErrnoText(errno);
  EXPECT_EQ(Cwd(), "/usr");
  ASSERT_EQ(chdir("share"), 0) << ErrnoText(errno);
  EXPECT_EQ(Cwd(), "/usr/share");
  ASSERT_EQ(chdir(".."), 0);
  EXPECT_EQ(Cwd(), "/usr");
  ASSERT_EQ(chdir("/"), 0);
  EXPECT_EQ(Cwd(), "/");
}

TEST_F(CwdTest, ChdirNormalizesDotsAndSlashes) {
  ASSERT_EQ(chdir("//usr/./share/..//"), 0) << ErrnoText(errno);
  EXPECT_EQ(Cwd(), "/usr");
}

TEST_F(CwdTest, DotDotAtRootStaysAtRoot) {
  ASSERT_EQ(chdir("/"), 0);
  ASSERT_EQ(chdir(".."), 0);
  EXPECT_EQ(Cwd(), "/");
  ASSERT_EQ(chdir("../../.."), 0);
  EXPECT_EQ(Cwd(), "/");
}

TEST_F(CwdTest, ChdirThroughSymlinkGivesResolvedPath) {
  std::string link = FindHostDirSymlink();  // e.g. /bin -> usr/bin
  if (link.empty()) GTEST_SKIP() << "no directory symlink found on this host";
  char resolved[PATH_MAX];
  ASSERT_NE(realpath(link.c_str(), resolved), nullptr);
  ASSERT_EQ(chdir(link.c_str()), 0) << ErrnoText(errno);
  EXPECT_EQ(Cwd(), resolved);
}

TEST_F(CwdTest, Fchdir) {
  ScopedFd dir(open("/usr/share", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(dir.valid());
  ASSERT_EQ(fchdir(dir.get()), 0) << ErrnoText(errno);
  EXPECT_EQ(Cwd(), "/usr/share");
  ScopedFd path_dir(open("/etc", O_PATH | O_DIRECTORY));
  ASSERT_TRUE(path_dir.valid());
  ASSERT_EQ(fchdir(path_dir.get()), 0) << ErrnoText(errno);
  EXPECT_EQ(Cwd(), "/etc");
}

TEST_F(CwdTest, RelativeOpenAfterChdir) {
  ASSERT_EQ(chdir("/etc"), 0);
  ScopedFd rel(open("passwd", O_RDONLY));
  ASSERT_TRUE(rel.valid()) << ErrnoText(errno);
  ScopedFd dot(open("./passwd", O_RDONLY));
  ASSERT_TRUE(dot.valid()) << ErrnoText(errno);
  struct stat a, b, c;
  ASSERT_EQ(fstat(rel.get(), &a), 0);
  ASSERT_EQ(fstat(dot.get(), &b), 0);
  ASSERT_EQ(stat("/etc/passwd", &c), 0);
  EXPECT_EQ(a.st_ino, c.st_ino);
  EXPECT_EQ(b.st_ino, c.st_ino);
  EXPECT_EQ(ReadFile("passwd"), ReadFile("/etc/passwd"));
  // AT_FDCWD follows the new directory too.
  struct stat d;
  ASSERT_EQ(fstatat(AT_FDCWD, "passwd", &d, 0), 0);
  EXPECT_EQ(d.st_ino, c.st_ino);
  ASSERT_EQ(chdir("/usr"), 0);
  EXPECT_SYSCALL_ERRNO(open("passwd", O_RDONLY), ENOENT);
}

TEST_F(CwdTest, RawGetcwdReturnsLengthWithNul) {
  ASSERT_EQ(chdir("/usr/share"), 0);
  char buf[PATH_MAX];
  long n = syscall(SYS_getcwd, buf, sizeof(buf));
  EXPECT_EQ(n, static_cast<long>(strlen("/usr/share") + 1));
  EXPECT_STREQ(buf, "/usr/share");
}

TEST_F(CwdTest, SmallBufferIsERANGE) {
  ASSERT_EQ(chdir("/usr/share"), 0);
  char buf[PATH_MAX];
  EXPECT_EQ(getcwd(buf, 2), nullptr);
  EXPECT_EQ(errno, ERANGE);
  // Exactly strlen bytes (no room for the NUL) is still too small.
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getcwd, buf, strlen("/usr/share")), ERANGE);
  EXPECT_EQ(syscall(SYS_getcwd, buf, strlen("/usr/share") + 1), 11);
}

TEST_F(CwdTest, BadBufferIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getcwd, reinterpret_cast<char*>(1), 4096), EFAULT);
}

TEST_F(CwdTest, ChdirErrors) {
  EXPECT_SYSCALL_ERRNO(chdir(kRegularFile), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(chdir("/nonexistent-sentry-test"), ENOENT);
  EXPECT_SYSCALL_ERRNO(chdir(""), ENOENT);
  EXPECT_SYSCALL_ERRNO(chdir(reinterpret_cast<const char*>(1)), EFAULT);
  ScopedFd file(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(file.valid());
  EXPECT_SYSCALL_ERRNO(fchdir(file.get()), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(fchdir(123456), EBADF);
  // A failed chdir leaves the directory unchanged.
  ASSERT_EQ(chdir("/usr"), 0);
  EXPECT_SYSCALL_ERRNO(chdir("/etc/passwd"), ENOTDIR);
  EXPECT_EQ(Cwd(), "/usr");
}

}  // namespace
}  // namespace syscall_test
