// Syscall tests for access(2)/faccessat(2)/faccessat2(2): modes, flags and error codes.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

namespace syscall_test {
namespace {

long RawFaccessat(int dirfd, const char* path, int mode) {
  return syscall(SYS_faccessat, dirfd, path, mode);
}

long RawFaccessat2(int dirfd, const char* path, int mode, int flags) {
  return syscall(SYS_faccessat2, dirfd, path, mode, flags);
}

TEST(AccessTest, ShellIsReadableAndExecutable) {
  EXPECT_EQ(access("/bin/sh", F_OK), 0) << ErrnoText(errno);
  EXPECT_EQ(access("/bin/sh", R_OK), 0) << ErrnoText(errno);
  EXPECT_EQ(access("/bin/sh", X_OK), 0) << ErrnoText(errno);
  EXPECT_EQ(access("/bin/sh", R_OK | X_OK), 0) << ErrnoText(errno);
  EXPECT_EQ(RawFaccessat(AT_FDCWD, "/bin/sh", X_OK), 0) << ErrnoText(errno);
  EXPECT_EQ(RawFaccessat2(AT_FDCWD, "/bin/sh", X_OK, 0), 0) << ErrnoText(errno);
}

TEST(AccessTest, DirectoryIsSearchable) {
  EXPECT_EQ(access("/usr", R_OK | X_OK), 0) << ErrnoText(errno);
}

TEST(AccessTest, NoExecBitIsEACCESEvenForRoot) {
  struct stat st;
  ASSERT_EQ(stat(kRegularFile, &st), 0);
  if (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) GTEST_SKIP() << kRegularFile << " is executable";
  EXPECT_SYSCALL_ERRNO(access(kRegularFile, X_OK), EACCES);
}

TEST(AccessTest, MissingIsENOENT) {
  EXPECT_SYSCALL_ERRNO(access("/nonexistent-sentry-test", F_OK), ENOENT);
  EXPECT_SYSCALL_ERRNO(RawFaccessat(AT_FDCWD, "/nonexistent-sentry-test", R_OK), ENOENT);
  EXPECT_SYSCALL_ERRNO(RawFaccessat2(AT_FDCWD, "/nonexistent-sentry-test", F_OK, 0), ENOENT);
}

TEST(AccessTest, FileAsDirectoryIsENOTDIR) {
  EXPECT_SYSCALL_ERRNO(access("/etc/passwd/x", F_OK), ENOTDIR);
}

TEST(AccessTest, RelativeToDirfd) {
  ScopedFd dir(open("/usr/bin", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(dir.valid());
  EXPECT_EQ(RawFaccessat(dir.get(), "sh", X_OK), 0) << ErrnoText(errno);
  EXPECT_SYSCALL_ERRNO(RawFaccessat(dir.get(), "nonexistent-sentry-test", F_OK), ENOENT);
  EXPECT_SYSCALL_ERRNO(RawFaccessat(123456, "sh", F_OK), EBADF);
}

TEST(AccessTest, Faccessat2EmptyPath) {
  ScopedFd fd(open("/bin/sh", O_PATH));
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(RawFaccessat2(fd.get(), "", X_OK, AT_EMPTY_PATH), 0) << ErrnoText(errno);
  EXPECT_SYSCALL_ERRNO(RawFaccessat2(fd.get(), "", X_OK, 0), ENOENT);
}

TEST(AccessTest, Faccessat2SymlinkNofollow) {
  // With AT_SYMLINK_NOFOLLOW the link itself is checked; AT_EACCESS uses the effective ids.
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  EXPECT_EQ(RawFaccessat2(AT_FDCWD, link.c_str(), F_OK, AT_SYMLINK_NOFOLLOW), 0)
      << ErrnoText(errno);
  EXPECT_EQ(RawFaccessat2(AT_FDCWD, link.c_str(), R_OK, AT_EACCESS), 0) << ErrnoText(errno);
}

TEST(AccessTest, InvalidModeOrFlagsIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(RawFaccessat(AT_FDCWD, "/bin/sh", 0x100), EINVAL);
  EXPECT_SYSCALL_ERRNO(RawFaccessat2(AT_FDCWD, "/bin/sh", F_OK, 0x40000000), EINVAL);
}

TEST(AccessTest, BadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(RawFaccessat(AT_FDCWD, reinterpret_cast<const char*>(1), F_OK), EFAULT);
}

}  // namespace
}  // namespace syscall_test
