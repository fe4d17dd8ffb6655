// Syscall tests for openat(2)/open(2)/close(2): flags, path resolution and error codes.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

// Raw openat so that libc cannot rewrite flags or paths.
int RawOpenat(int dirfd, const char* path, int flags, mode_t mode = 0) {
  return static_cast<int>(syscall(SYS_openat, dirfd, path, flags, mode));
}

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

TEST(OpenTest, ReadOnlyRegularFile) {
  ScopedFd fd(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  struct stat fst, st;
  ASSERT_EQ(fstat(fd.get(), &fst), 0);
  ASSERT_EQ(stat(kRegularFile, &st), 0);
  EXPECT_TRUE(S_ISREG(fst.st_mode));
  EXPECT_TRUE(SameFile(fst, st));
  EXPECT_EQ(fcntl(fd.get(), F_GETFL) & O_ACCMODE, O_RDONLY);
  char c;
  EXPECT_EQ(read(fd.get(), &c, 1), 1);
}

TEST(OpenTest, DirectoryFlagOnDirectory) {
  ScopedFd fd(RawOpenat(AT_FDCWD, "/usr", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  struct stat st;
  ASSERT_EQ(fstat(fd.get(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST(OpenTest, DirectoryFlagOnFileIsENOTDIR) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY | O_DIRECTORY), ENOTDIR);
}

TEST(OpenTest, RelativeToDirfd) {
  ScopedFd dir(RawOpenat(AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(dir.valid()) << ErrnoText(errno);
  ScopedFd fd(RawOpenat(dir.get(), "passwd", O_RDONLY));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  struct stat fst, st;
  ASSERT_EQ(fstat(fd.get(), &fst), 0);
  ASSERT_EQ(stat("/etc/passwd", &st), 0);
  EXPECT_TRUE(SameFile(fst, st));
}

TEST(OpenTest, AbsolutePathIgnoresDirfd) {
  // An absolute path is resolved from the root even with a bogus dirfd.
  ScopedFd fd(RawOpenat(123456, kRegularFile, O_RDONLY));
  EXPECT_TRUE(fd.valid()) << ErrnoText(errno);
}

TEST(OpenTest, CloexecFlag) {
  ScopedFd with(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY | O_CLOEXEC));
  ScopedFd without(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY));
  ASSERT_TRUE(with.valid());
  ASSERT_TRUE(without.valid());
  EXPECT_EQ(fcntl(with.get(), F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(without.get(), F_GETFD), 0);
}

TEST(OpenTest, NofollowOnSymlinkIsELOOP) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, link.c_str(), O_RDONLY | O_NOFOLLOW), ELOOP);
  // Without O_NOFOLLOW the link is followed.
  ScopedFd fd(RawOpenat(AT_FDCWD, link.c_str(), O_RDONLY));
  EXPECT_TRUE(fd.valid()) << link << ": " << ErrnoText(errno);
}

TEST(OpenTest, NofollowOnlyAppliesToLastComponent) {
  std::string link = FindHostDirSymlink();  // e.g. /bin -> usr/bin
  if (link.empty()) GTEST_SKIP() << "no directory symlink found on this host";
  std::string path;
  for (const char* name : {"/ls", "/cat", "/bash", "/dash"}) {
    struct stat st;
    if (lstat((link + name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      path = link + name;
      break;
    }
  }
  if (path.empty()) GTEST_SKIP() << "no regular file found under " << link;
  ScopedFd fd(RawOpenat(AT_FDCWD, path.c_str(), O_RDONLY | O_NOFOLLOW));
  EXPECT_TRUE(fd.valid()) << path << ": " << ErrnoText(errno);
}

TEST(OpenTest, NofollowOnRegularFileWorks) {
  ScopedFd fd(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY | O_NOFOLLOW));
  EXPECT_TRUE(fd.valid()) << ErrnoText(errno);
}

TEST(OpenTest, PathFdCanBeStatted) {
  ScopedFd fd(RawOpenat(AT_FDCWD, kRegularFile, O_PATH));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  struct stat fst, st;
  ASSERT_EQ(fstat(fd.get(), &fst), 0) << ErrnoText(errno);
  ASSERT_EQ(stat(kRegularFile, &st), 0);
  EXPECT_TRUE(SameFile(fst, st));
  EXPECT_EQ(fcntl(fd.get(), F_GETFL) & O_PATH, O_PATH);
  char c;
  EXPECT_SYSCALL_ERRNO(read(fd.get(), &c, 1), EBADF);
}

TEST(OpenTest, PathNofollowOpensSymlinkItself) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  ScopedFd fd(RawOpenat(AT_FDCWD, link.c_str(), O_PATH | O_NOFOLLOW));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  struct stat fst, lst;
  ASSERT_EQ(fstat(fd.get(), &fst), 0) << ErrnoText(errno);
  ASSERT_EQ(lstat(link.c_str(), &lst), 0);
  EXPECT_TRUE(S_ISLNK(fst.st_mode));
  EXPECT_TRUE(SameFile(fst, lst));
}

TEST(OpenTest, PathFdOfDirectoryWorksAsDirfd) {
  ScopedFd dir(RawOpenat(AT_FDCWD, "/etc", O_PATH | O_DIRECTORY));
  ASSERT_TRUE(dir.valid()) << ErrnoText(errno);
  ScopedFd fd(RawOpenat(dir.get(), "passwd", O_RDONLY));
  EXPECT_TRUE(fd.valid()) << ErrnoText(errno);
}

TEST(OpenTest, MissingFileIsENOENT) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, "/nonexistent-sentry-test/file", O_RDONLY), ENOENT);
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, "/etc/nonexistent-sentry-test", O_RDONLY), ENOENT);
}

TEST(OpenTest, EmptyPathIsENOENT) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, "", O_RDONLY), ENOENT);
}

TEST(OpenTest, FileAsPathComponentIsENOTDIR) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, "/etc/passwd/x", O_RDONLY), ENOTDIR);
}

TEST(OpenTest, TrailingSlashOnFileIsENOTDIR) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, "/etc/passwd/", O_RDONLY), ENOTDIR);
}

TEST(OpenTest, TrailingSlashOnDirectoryWorks) {
  ScopedFd fd(RawOpenat(AT_FDCWD, "/usr/", O_RDONLY));
  EXPECT_TRUE(fd.valid()) << ErrnoText(errno);
}

TEST(OpenTest, RelativeToFileDirfdIsENOTDIR) {
  ScopedFd file(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY));
  ASSERT_TRUE(file.valid());
  EXPECT_SYSCALL_ERRNO(RawOpenat(file.get(), "x", O_RDONLY), ENOTDIR);
}

TEST(OpenTest, WriteOnDirectoryIsEISDIR) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, "/usr", O_WRONLY), EISDIR);
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, "/usr", O_RDWR), EISDIR);
}

TEST(OpenTest, LongComponentIsENAMETOOLONG) {
  std::string path = "/" + std::string(NAME_MAX + 1, 'a');
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, path.c_str(), O_RDONLY), ENAMETOOLONG);
}

TEST(OpenTest, LongPathIsENAMETOOLONG) {
  std::string path;
  while (path.size() <= PATH_MAX) path += "/usr";
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, path.c_str(), O_RDONLY), ENAMETOOLONG);
}

TEST(OpenTest, BadPathPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, reinterpret_cast<const char*>(1), O_RDONLY), EFAULT);
  EXPECT_SYSCALL_ERRNO(RawOpenat(AT_FDCWD, nullptr, O_RDONLY), EFAULT);
}

TEST(OpenTest, BadDirfdIsEBADF) {
  EXPECT_SYSCALL_ERRNO(RawOpenat(123456, "etc/passwd", O_RDONLY), EBADF);
  EXPECT_SYSCALL_ERRNO(RawOpenat(-5, "etc/passwd", O_RDONLY), EBADF);
}

TEST(OpenTest, DotDotAtRootStaysAtRoot) {
  struct stat root, st;
  ASSERT_EQ(stat("/", &root), 0);
  for (const char* path : {"/..", "/../..", "/../../../."}) {
    ScopedFd fd(RawOpenat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY));
    ASSERT_TRUE(fd.valid()) << path << ": " << ErrnoText(errno);
    ASSERT_EQ(fstat(fd.get(), &st), 0);
    EXPECT_TRUE(SameFile(st, root)) << path;
  }
  ScopedFd rootfd(RawOpenat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(rootfd.valid());
  ScopedFd up(RawOpenat(rootfd.get(), "..", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(up.valid()) << ErrnoText(errno);
  ASSERT_EQ(fstat(up.get(), &st), 0);
  EXPECT_TRUE(SameFile(st, root));
}

TEST(OpenTest, DotDotEscapeFromRootResolvesInsideRoot) {
  ScopedFd fd(RawOpenat(AT_FDCWD, "/../../etc/../etc/./passwd", O_RDONLY));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  struct stat fst, st;
  ASSERT_EQ(fstat(fd.get(), &fst), 0);
  ASSERT_EQ(stat(kRegularFile, &st), 0);
  EXPECT_TRUE(SameFile(fst, st));
}

TEST(OpenTest, CloseBadFdIsEBADF) {
  EXPECT_SYSCALL_ERRNO(close(-1), EBADF);
  EXPECT_SYSCALL_ERRNO(close(123456), EBADF);
}

TEST(OpenTest, CloseTwiceIsEBADF) {
  int fd = RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(close(fd), 0);
  EXPECT_SYSCALL_ERRNO(close(fd), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_GETFD), EBADF);
}

TEST(OpenTest, LowestFreeFdIsAllocated) {
  ScopedFd a(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY));
  ScopedFd b(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY));
  ScopedFd c(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY));
  ASSERT_TRUE(a.valid() && b.valid() && c.valid());
  EXPECT_LT(a.get(), b.get());
  EXPECT_LT(b.get(), c.get());
  int freed = a.get();
  a.reset();
  ScopedFd d(RawOpenat(AT_FDCWD, kRegularFile, O_RDONLY));
  EXPECT_EQ(d.get(), freed);
  int freed_b = b.get();
  b.reset();
  ScopedFd e(RawOpenat(AT_FDCWD, "/dev/null", O_RDONLY));
  EXPECT_EQ(e.get(), freed_b);
}

TEST(OpenTest, StdioIsOpen) {
  for (int fd : {0, 1, 2}) EXPECT_NE(fcntl(fd, F_GETFD), -1) << "fd " << fd;
}

TEST(OpenTest, DevNullReadWrite) {
  ScopedFd fd(RawOpenat(AT_FDCWD, "/dev/null", O_RDWR));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  char buf[8];
  EXPECT_EQ(read(fd.get(), buf, sizeof(buf)), 0);
  EXPECT_EQ(write(fd.get(), "hello", 5), 5);
}

}  // namespace
}  // namespace syscall_test
