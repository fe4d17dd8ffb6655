// Syscall tests for fcntl(2) (fd flags, status flags, F_DUPFD*) and dup/dup2/dup3.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

// An fd number far above anything the test opens, assumed free.
constexpr int kHighFd = 200;

ScopedFd OpenFile() {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  EXPECT_TRUE(fd.valid()) << ErrnoText(errno);
  return fd;
}

TEST(FcntlTest, GetSetFdCloexec) {
  ScopedFd fd = OpenFile();
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), 0);
  ASSERT_EQ(fcntl(fd.get(), F_SETFD, FD_CLOEXEC), 0);
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), FD_CLOEXEC);
  ASSERT_EQ(fcntl(fd.get(), F_SETFD, 0), 0);
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), 0);
}

TEST(FcntlTest, GetFlAccessMode) {
  ScopedFd ro(open("/dev/null", O_RDONLY));
  ScopedFd wo(open("/dev/null", O_WRONLY));
  ScopedFd rw(open("/dev/null", O_RDWR));
  ScopedFd path(open("/dev/null", O_PATH));
  ASSERT_TRUE(ro.valid() && wo.valid() && rw.valid() && path.valid());
  EXPECT_EQ(fcntl(ro.get(), F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(fcntl(wo.get(), F_GETFL) & O_ACCMODE, O_WRONLY);
  EXPECT_EQ(fcntl(rw.get(), F_GETFL) & O_ACCMODE, O_RDWR);
  EXPECT_EQ(fcntl(path.get(), F_GETFL) & O_PATH, O_PATH);
  // O_CLOEXEC is an fd flag, not a status flag.
  ScopedFd ce(open("/dev/null", O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(fcntl(ce.get(), F_GETFL) & O_CLOEXEC, 0);
}

TEST(FcntlTest, GetFlReportsOpenFlags) {
  ScopedFd fd(open("/dev/null", O_WRONLY | O_APPEND | O_NONBLOCK));
  ASSERT_TRUE(fd.valid());
  int fl = fcntl(fd.get(), F_GETFL);
  EXPECT_TRUE(fl & O_APPEND);
  EXPECT_TRUE(fl & O_NONBLOCK);
}

TEST(FcntlTest, SetFlNonblockOnPipe) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  EXPECT_EQ(fcntl(r.get(), F_GETFL) & O_NONBLOCK, 0);
  ASSERT_EQ(fcntl(r.get(), F_SETFL, O_NONBLOCK), 0);
  EXPECT_EQ(fcntl(r.get(), F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  // An empty non-blocking pipe reads EAGAIN instead of blocking.
  char c;
  EXPECT_SYSCALL_ERRNO(read(r.get(), &c, 1), EAGAIN);
  // F_SETFL cannot change the access mode.
  ASSERT_EQ(fcntl(r.get(), F_SETFL, O_RDWR), 0);
  EXPECT_EQ(fcntl(r.get(), F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(fcntl(r.get(), F_GETFL) & O_NONBLOCK, 0);
}

TEST(FcntlTest, DupfdReturnsLowestAtOrAboveArg) {
  ScopedFd fd = OpenFile();
  ScopedFd a(fcntl(fd.get(), F_DUPFD, kHighFd));
  EXPECT_EQ(a.get(), kHighFd) << ErrnoText(errno);
  ScopedFd b(fcntl(fd.get(), F_DUPFD, kHighFd));
  EXPECT_EQ(b.get(), kHighFd + 1);
  // With arg 0 it behaves like dup(): the lowest free fd.
  int lowest = dup(fd.get());
  ASSERT_GE(lowest, 0);
  ASSERT_EQ(close(lowest), 0);
  ScopedFd low(fcntl(fd.get(), F_DUPFD, 0));
  EXPECT_EQ(low.get(), lowest);
  // F_DUPFD clears FD_CLOEXEC; F_DUPFD_CLOEXEC sets it.
  ASSERT_EQ(fcntl(fd.get(), F_SETFD, FD_CLOEXEC), 0);
  EXPECT_EQ(fcntl(a.get(), F_GETFD), 0);
  ScopedFd c(fcntl(fd.get(), F_DUPFD, kHighFd));
  EXPECT_EQ(c.get(), kHighFd + 2);
  EXPECT_EQ(fcntl(c.get(), F_GETFD), 0);
  ScopedFd d(fcntl(fd.get(), F_DUPFD_CLOEXEC, kHighFd));
  EXPECT_EQ(d.get(), kHighFd + 3);
  EXPECT_EQ(fcntl(d.get(), F_GETFD), FD_CLOEXEC);
  // A freed slot is reused.
  b.reset();
  ScopedFd e(fcntl(fd.get(), F_DUPFD, kHighFd));
  EXPECT_EQ(e.get(), kHighFd + 1);
}

TEST(FcntlTest, DupfdAboveLimitIsEINVAL) {
  struct rlimit rl;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  ScopedFd fd = OpenFile();
  EXPECT_SYSCALL_ERRNO(fcntl(fd.get(), F_DUPFD, static_cast<int>(rl.rlim_cur)), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(fd.get(), F_DUPFD, -1), EINVAL);
}

TEST(FcntlTest, Errors) {
  EXPECT_SYSCALL_ERRNO(fcntl(123456, F_GETFD), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(-1, F_GETFL), EBADF);
  ScopedFd fd = OpenFile();
  EXPECT_SYSCALL_ERRNO(syscall(SYS_fcntl, fd.get(), 0x7fff, 0), EINVAL);
}

TEST(DupTest, DupReturnsLowestFreeFd) {
  ScopedFd a = OpenFile();
  ScopedFd b = OpenFile();
  int freed = a.get();
  a.reset();
  ScopedFd d(dup(b.get()));
  EXPECT_EQ(d.get(), freed);
}

TEST(DupTest, DupSharesOffsetAndStatusFlagsButNotFdFlags) {
  ScopedFd fd(open(kRegularFile, O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  ScopedFd d(dup(fd.get()));
  ASSERT_TRUE(d.valid()) << ErrnoText(errno);
  EXPECT_EQ(fcntl(d.get(), F_GETFD), 0) << "dup clears FD_CLOEXEC";
  ASSERT_EQ(lseek(fd.get(), 17, SEEK_SET), 17);
  EXPECT_EQ(lseek(d.get(), 0, SEEK_CUR), 17);
  char buf[3];
  ASSERT_EQ(read(d.get(), buf, 3), 3);
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 20);
  ASSERT_EQ(fcntl(fd.get(), F_SETFL, O_NONBLOCK), 0);
  EXPECT_TRUE(fcntl(d.get(), F_GETFL) & O_NONBLOCK);
  // Closing one leaves the other usable.
  fd.reset();
  EXPECT_EQ(read(d.get(), buf, 3), 3);
}

TEST(DupTest, SeparateOpensHaveSeparateOffsets) {
  ScopedFd a = OpenFile();
  ScopedFd b = OpenFile();
  ASSERT_EQ(lseek(a.get(), 10, SEEK_SET), 10);
  EXPECT_EQ(lseek(b.get(), 0, SEEK_CUR), 0);
}

TEST(DupTest, Dup2SameFdReturnsIt) {
  ScopedFd fd = OpenFile();
  ASSERT_EQ(fcntl(fd.get(), F_SETFD, FD_CLOEXEC), 0);
  EXPECT_EQ(dup2(fd.get(), fd.get()), fd.get());
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), FD_CLOEXEC) << "dup2(fd, fd) must not touch flags";
  EXPECT_SYSCALL_ERRNO(dup2(123456, 123456), EBADF);
}

TEST(DupTest, Dup2ReplacesTarget) {
  ScopedFd file = OpenFile();
  ScopedFd null(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(null.valid());
  ASSERT_EQ(dup2(file.get(), null.get()), null.get()) << ErrnoText(errno);
  EXPECT_EQ(fcntl(null.get(), F_GETFD), 0);
  struct stat a, b;
  ASSERT_EQ(fstat(file.get(), &a), 0);
  ASSERT_EQ(fstat(null.get(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_TRUE(S_ISREG(b.st_mode));
}

TEST(DupTest, Dup2ToHighFd) {
  ScopedFd file = OpenFile();
  ScopedFd high(dup2(file.get(), kHighFd + 50));
  EXPECT_EQ(high.get(), kHighFd + 50) << ErrnoText(errno);
  EXPECT_SYSCALL_ERRNO(dup2(file.get(), -1), EBADF);
  struct rlimit rl;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  EXPECT_SYSCALL_ERRNO(dup2(file.get(), static_cast<int>(rl.rlim_cur)), EBADF);
}

TEST(DupTest, Dup3SameFdIsEINVAL) {
  ScopedFd fd = OpenFile();
  EXPECT_SYSCALL_ERRNO(syscall(SYS_dup3, fd.get(), fd.get(), 0), EINVAL);
}

TEST(DupTest, Dup3Cloexec) {
  ScopedFd fd = OpenFile();
  ScopedFd a(static_cast<int>(syscall(SYS_dup3, fd.get(), kHighFd + 10, O_CLOEXEC)));
  ASSERT_EQ(a.get(), kHighFd + 10) << ErrnoText(errno);
  EXPECT_EQ(fcntl(a.get(), F_GETFD), FD_CLOEXEC);
  ScopedFd b(static_cast<int>(syscall(SYS_dup3, fd.get(), kHighFd + 11, 0)));
  ASSERT_EQ(b.get(), kHighFd + 11) << ErrnoText(errno);
  EXPECT_EQ(fcntl(b.get(), F_GETFD), 0);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_dup3, fd.get(), kHighFd + 12, O_NONBLOCK), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_dup3, 123456, kHighFd + 12, 0), EBADF);
}

TEST(DupTest, DupBadFdIsEBADF) { EXPECT_SYSCALL_ERRNO(dup(123456), EBADF); }

}  // namespace
}  // namespace syscall_test
