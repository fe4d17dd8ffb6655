// Syscall tests for readlink(2)/readlinkat(2): targets, truncation, errors, /proc/self/exe.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

long RawReadlinkat(int dirfd, const char* path, char* buf, size_t size) {
  return syscall(SYS_readlinkat, dirfd, path, buf, size);
}

std::string ReadlinkOrEmpty(const char* path) {
  char buf[4096];
  ssize_t n = readlink(path, buf, sizeof(buf));
  EXPECT_GT(n, 0) << path << ": " << ErrnoText(errno);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(ReadlinkTest, KnownSymlinkResolvesToSameFile) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  std::string target = ReadlinkOrEmpty(link.c_str());
  ASSERT_FALSE(target.empty());
  EXPECT_EQ(target.find('\0'), std::string::npos) << "target must not contain NUL";
  struct stat lst;
  ASSERT_EQ(lstat(link.c_str(), &lst), 0);
  EXPECT_EQ(static_cast<size_t>(lst.st_size), target.size());
  std::string resolved = target[0] == '/' ? target : link.substr(0, link.rfind('/') + 1) + target;
  struct stat via_link, direct;
  ASSERT_EQ(stat(link.c_str(), &via_link), 0);
  ASSERT_EQ(stat(resolved.c_str(), &direct), 0) << resolved;
  EXPECT_EQ(via_link.st_ino, direct.st_ino);
  EXPECT_EQ(via_link.st_dev, direct.st_dev);
}

TEST(ReadlinkTest, MergedUsrBinLink) {
  struct stat lst;
  if (lstat("/bin", &lst) != 0 || !S_ISLNK(lst.st_mode)) GTEST_SKIP() << "/bin is not a symlink";
  EXPECT_EQ(ReadlinkOrEmpty("/bin"), "usr/bin");
}

TEST(ReadlinkTest, ReadlinkatRelativeToDirfd) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  size_t slash = link.rfind('/');
  std::string dir = slash == 0 ? "/" : link.substr(0, slash);
  std::string name = link.substr(slash + 1);
  ScopedFd dirfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(dirfd.valid());
  char buf[4096];
  long n = RawReadlinkat(dirfd.get(), name.c_str(), buf, sizeof(buf));
  ASSERT_GT(n, 0) << ErrnoText(errno);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), ReadlinkOrEmpty(link.c_str()));
}

TEST(ReadlinkTest, EmptyPathOnPathFdReadsTheLink) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  ScopedFd fd(open(link.c_str(), O_PATH | O_NOFOLLOW));
  ASSERT_TRUE(fd.valid());
  char buf[4096];
  long n = RawReadlinkat(fd.get(), "", buf, sizeof(buf));
  ASSERT_GT(n, 0) << ErrnoText(errno);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), ReadlinkOrEmpty(link.c_str()));
}

TEST(ReadlinkTest, TruncatesToBufferWithoutNul) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  std::string full = ReadlinkOrEmpty(link.c_str());
  ASSERT_GE(full.size(), 3u);
  char buf[8];
  memset(buf, '#', sizeof(buf));
  ASSERT_EQ(readlink(link.c_str(), buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), full.substr(0, 2));
  EXPECT_EQ(buf[2], '#') << "readlink must not write past the buffer or add a NUL";
}

TEST(ReadlinkTest, NonLinkIsEINVAL) {
  char buf[64];
  EXPECT_SYSCALL_ERRNO(readlink(kRegularFile, buf, sizeof(buf)), EINVAL);
  EXPECT_SYSCALL_ERRNO(readlink("/usr", buf, sizeof(buf)), EINVAL);
}

TEST(ReadlinkTest, ZeroSizeIsEINVAL) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  char buf[1];
  EXPECT_SYSCALL_ERRNO(RawReadlinkat(AT_FDCWD, link.c_str(), buf, 0), EINVAL);
}

TEST(ReadlinkTest, Errors) {
  char buf[64];
  EXPECT_SYSCALL_ERRNO(readlink("/nonexistent-sentry-test", buf, sizeof(buf)), ENOENT);
  EXPECT_SYSCALL_ERRNO(readlink("/etc/passwd/x", buf, sizeof(buf)), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(RawReadlinkat(123456, "x", buf, sizeof(buf)), EBADF);
  EXPECT_SYSCALL_ERRNO(RawReadlinkat(AT_FDCWD, reinterpret_cast<const char*>(1), buf, 64), EFAULT);
}

TEST(ReadlinkTest, ProcSelfExeIsThisBinary) {
  std::string exe = ReadlinkOrEmpty("/proc/self/exe");
  ASSERT_FALSE(exe.empty());
  EXPECT_EQ(exe[0], '/') << exe;
  std::string argv0 = program_invocation_name;
  std::string base = argv0.substr(argv0.rfind('/') + 1);
  ASSERT_GE(exe.size(), base.size());
  EXPECT_EQ(exe.substr(exe.size() - base.size()), base) << exe << " vs argv[0] " << argv0;
  // The link resolves to the binary that is running.
  struct stat via_proc, direct;
  ASSERT_EQ(stat("/proc/self/exe", &via_proc), 0);
  ASSERT_EQ(stat(exe.c_str(), &direct), 0) << exe;
  EXPECT_EQ(via_proc.st_ino, direct.st_ino);
}

TEST(ReadlinkTest, ProcSelfIsOwnPid) {
  EXPECT_EQ(ReadlinkOrEmpty("/proc/self"), std::to_string(getpid()));
}

TEST(ReadlinkTest, ProcSelfFdShowsOpenedPath) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  std::string link = "/proc/self/fd/" + std::to_string(fd.get());
  EXPECT_EQ(ReadlinkOrEmpty(link.c_str()), kRegularFile);
}

}  // namespace
}  // namespace syscall_test
