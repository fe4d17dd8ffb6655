// Syscall tests for the stat family: fstat, stat, lstat, newfstatat and statx must agree.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

// The fields every way of stat-ing one file must agree on.
struct Identity {
  dev_t dev;
  ino_t ino;
  mode_t mode;
  off_t size;
  nlink_t nlink;
  uid_t uid;
  gid_t gid;

  bool operator==(const Identity&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Identity& id) {
  return os << "{dev=" << id.dev << " ino=" << id.ino << " mode=0" << std::oct << id.mode
            << std::dec << " size=" << id.size << " nlink=" << id.nlink << " uid=" << id.uid
            << " gid=" << id.gid << "}";
}

Identity FromStat(const struct stat& st) {
  return {st.st_dev, st.st_ino, st.st_mode, st.st_size, st.st_nlink, st.st_uid, st.st_gid};
}

Identity FromStatx(const struct statx& stx) {
  return {makedev(stx.stx_dev_major, stx.stx_dev_minor),
          stx.stx_ino,
          stx.stx_mode,
          static_cast<off_t>(stx.stx_size),
          stx.stx_nlink,
          stx.stx_uid,
          stx.stx_gid};
}

long RawNewfstatat(int dirfd, const char* path, struct stat* st, int flags) {
  return syscall(SYS_newfstatat, dirfd, path, st, flags);
}

long RawStatx(int dirfd, const char* path, int flags, unsigned mask, struct statx* stx) {
  return syscall(SYS_statx, dirfd, path, flags, mask, stx);
}

// Checks that fstat (on an O_PATH|O_NOFOLLOW fd), lstat, newfstatat(AT_SYMLINK_NOFOLLOW),
// statx(AT_SYMLINK_NOFOLLOW) and fstatat(AT_EMPTY_PATH) all describe the same inode.
void ExpectAllStatsAgree(const std::string& path, mode_t want_type) {
  SCOPED_TRACE(path);
  struct stat lst;
  ASSERT_EQ(lstat(path.c_str(), &lst), 0) << ErrnoText(errno);
  EXPECT_EQ(lst.st_mode & S_IFMT, want_type);
  Identity want = FromStat(lst);

  struct stat st;
  ASSERT_EQ(RawNewfstatat(AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW), 0) << ErrnoText(errno);
  EXPECT_EQ(FromStat(st), want) << "newfstatat";

  struct statx stx = {};
  ASSERT_EQ(RawStatx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx), 0)
      << ErrnoText(errno);
  EXPECT_EQ(stx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE),
            STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE);
  EXPECT_EQ(FromStatx(stx), want) << "statx";

  ScopedFd fd(open(path.c_str(), O_PATH | O_NOFOLLOW));
  ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
  ASSERT_EQ(fstat(fd.get(), &st), 0) << ErrnoText(errno);
  EXPECT_EQ(FromStat(st), want) << "fstat(O_PATH)";
  ASSERT_EQ(RawNewfstatat(fd.get(), "", &st, AT_EMPTY_PATH), 0) << ErrnoText(errno);
  EXPECT_EQ(FromStat(st), want) << "newfstatat(AT_EMPTY_PATH)";
  stx = {};
  ASSERT_EQ(RawStatx(fd.get(), "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx), 0) << ErrnoText(errno);
  EXPECT_EQ(FromStatx(stx), want) << "statx(AT_EMPTY_PATH)";

  if (!S_ISLNK(want_type)) {
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(FromStat(st), want) << "stat";
    ScopedFd rfd(open(path.c_str(), O_RDONLY));
    ASSERT_TRUE(rfd.valid()) << ErrnoText(errno);
    ASSERT_EQ(fstat(rfd.get(), &st), 0);
    EXPECT_EQ(FromStat(st), want) << "fstat(O_RDONLY)";
  }
}

TEST(StatTest, RegularFileAllWaysAgree) { ExpectAllStatsAgree(kRegularFile, S_IFREG); }

TEST(StatTest, DirectoryAllWaysAgree) { ExpectAllStatsAgree("/usr", S_IFDIR); }

TEST(StatTest, SymlinkAllWaysAgree) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  ExpectAllStatsAgree(link, S_IFLNK);
  // The size of a symlink is the length of its target.
  char target[4096];
  ssize_t n = readlink(link.c_str(), target, sizeof(target));
  ASSERT_GT(n, 0);
  struct stat lst;
  ASSERT_EQ(lstat(link.c_str(), &lst), 0);
  EXPECT_EQ(lst.st_size, n);
}

TEST(StatTest, StatFollowsSymlink) {
  std::string link = FindHostSymlink();
  if (link.empty()) GTEST_SKIP() << "no symlink found on this host";
  char target[4096];
  ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
  ASSERT_GT(n, 0);
  target[n] = '\0';
  std::string resolved =
      target[0] == '/' ? std::string(target) : link.substr(0, link.rfind('/') + 1) + target;
  struct stat via_link, direct, lst;
  ASSERT_EQ(stat(link.c_str(), &via_link), 0);
  ASSERT_EQ(stat(resolved.c_str(), &direct), 0) << resolved;
  ASSERT_EQ(lstat(link.c_str(), &lst), 0);
  EXPECT_EQ(FromStat(via_link), FromStat(direct));
  EXPECT_NE(via_link.st_ino, lst.st_ino);
  struct statx stx = {};
  ASSERT_EQ(RawStatx(AT_FDCWD, link.c_str(), 0, STATX_BASIC_STATS, &stx), 0);
  EXPECT_EQ(FromStatx(stx), FromStat(direct));
}

TEST(StatTest, DevNullIsCharDevice) {
  struct stat st;
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 1u);
  EXPECT_EQ(minor(st.st_rdev), 3u);
  struct statx stx = {};
  ASSERT_EQ(RawStatx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &stx), 0);
  EXPECT_EQ(stx.stx_rdev_major, 1u);
  EXPECT_EQ(stx.stx_rdev_minor, 3u);
}

TEST(StatTest, DirectoryHasAtLeastTwoLinks) {
  struct stat st;
  ASSERT_EQ(stat("/usr", &st), 0);
  EXPECT_GE(st.st_nlink, 2u);
}

TEST(StatTest, DirfdRelativeMatchesAbsolute) {
  ScopedFd dir(open("/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(dir.valid());
  struct stat rel, abs;
  ASSERT_EQ(RawNewfstatat(dir.get(), "passwd", &rel, 0), 0) << ErrnoText(errno);
  ASSERT_EQ(stat("/etc/passwd", &abs), 0);
  EXPECT_EQ(FromStat(rel), FromStat(abs));
}

TEST(StatTest, PipeIsFifo) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  struct stat st;
  ASSERT_EQ(fstat(r.get(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(StatTest, EmptyPathWithoutFlagIsENOENT) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  struct stat st;
  EXPECT_SYSCALL_ERRNO(RawNewfstatat(fd.get(), "", &st, 0), ENOENT);
  EXPECT_SYSCALL_ERRNO(stat("", &st), ENOENT);
}

TEST(StatTest, Errors) {
  struct stat st;
  EXPECT_SYSCALL_ERRNO(stat("/nonexistent-sentry-test", &st), ENOENT);
  EXPECT_SYSCALL_ERRNO(stat("/etc/passwd/x", &st), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(fstat(123456, &st), EBADF);
  EXPECT_SYSCALL_ERRNO(RawNewfstatat(AT_FDCWD, reinterpret_cast<const char*>(1), &st, 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(RawNewfstatat(AT_FDCWD, kRegularFile, reinterpret_cast<struct stat*>(1), 0),
                       EFAULT);
  EXPECT_SYSCALL_ERRNO(RawNewfstatat(AT_FDCWD, kRegularFile, &st, 0x40000000), EINVAL);
  EXPECT_SYSCALL_ERRNO(RawNewfstatat(123456, "etc", &st, 0), EBADF);
  struct statx stx;
  EXPECT_SYSCALL_ERRNO(RawStatx(AT_FDCWD, kRegularFile, 0, STATX__RESERVED, &stx), EINVAL);
}

}  // namespace
}  // namespace syscall_test
