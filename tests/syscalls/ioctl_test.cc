// Syscall tests for ioctl(2): TCGETS on non-ttys, FIONREAD, FIONBIO, FIOCLEX/FIONCLEX.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

TEST(IoctlTest, TcgetsOnDevNullIsENOTTY) {
  ScopedFd fd(open("/dev/null", O_RDWR));
  ASSERT_TRUE(fd.valid());
  struct termios t;
  EXPECT_SYSCALL_ERRNO(ioctl(fd.get(), TCGETS, &t), ENOTTY);
  EXPECT_EQ(isatty(fd.get()), 0);
}

TEST(IoctlTest, TcgetsOnRegularFileAndPipeIsENOTTY) {
  ScopedFd file(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(file.valid());
  struct termios t;
  EXPECT_SYSCALL_ERRNO(ioctl(file.get(), TCGETS, &t), ENOTTY);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  EXPECT_SYSCALL_ERRNO(ioctl(r.get(), TCGETS, &t), ENOTTY);
}

TEST(IoctlTest, FionreadOnRegularFileIsBytesLeft) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  struct stat st;
  ASSERT_EQ(fstat(fd.get(), &st), 0);
  int n = -1;
  ASSERT_EQ(ioctl(fd.get(), FIONREAD, &n), 0) << ErrnoText(errno);
  EXPECT_EQ(n, st.st_size);
  ASSERT_EQ(lseek(fd.get(), 10, SEEK_SET), 10);
  ASSERT_EQ(ioctl(fd.get(), FIONREAD, &n), 0);
  EXPECT_EQ(n, st.st_size - 10);
}

TEST(IoctlTest, FionreadOnPipeIsBytesQueued) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  int n = -1;
  ASSERT_EQ(ioctl(r.get(), FIONREAD, &n), 0) << ErrnoText(errno);
  EXPECT_EQ(n, 0);
  ASSERT_EQ(write(w.get(), "hello", 5), 5);
  ASSERT_EQ(ioctl(r.get(), FIONREAD, &n), 0);
  EXPECT_EQ(n, 5);
  char buf[2];
  ASSERT_EQ(read(r.get(), buf, 2), 2);
  ASSERT_EQ(ioctl(r.get(), FIONREAD, &n), 0);
  EXPECT_EQ(n, 3);
}

TEST(IoctlTest, FionbioTogglesNonblock) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  int on = 1, off = 0;
  ASSERT_EQ(ioctl(r.get(), FIONBIO, &on), 0) << ErrnoText(errno);
  EXPECT_TRUE(fcntl(r.get(), F_GETFL) & O_NONBLOCK);
  char c;
  EXPECT_SYSCALL_ERRNO(read(r.get(), &c, 1), EAGAIN);
  ASSERT_EQ(ioctl(r.get(), FIONBIO, &off), 0);
  EXPECT_FALSE(fcntl(r.get(), F_GETFL) & O_NONBLOCK);
}

TEST(IoctlTest, FioclexAndFionclex) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(ioctl(fd.get(), FIOCLEX), 0) << ErrnoText(errno);
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), FD_CLOEXEC);
  ASSERT_EQ(ioctl(fd.get(), FIONCLEX), 0) << ErrnoText(errno);
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), 0);
}

TEST(IoctlTest, BadFdIsEBADF) {
  int n;
  EXPECT_SYSCALL_ERRNO(ioctl(123456, FIONREAD, &n), EBADF);
  ScopedFd path(open(kRegularFile, O_PATH));
  ASSERT_TRUE(path.valid());
  EXPECT_SYSCALL_ERRNO(ioctl(path.get(), FIONREAD, &n), EBADF);
}

TEST(IoctlTest, UnknownRequestOnDevNullIsENOTTY) {
  ScopedFd fd(open("/dev/null", O_RDONLY));
  ASSERT_TRUE(fd.valid());
  EXPECT_SYSCALL_ERRNO(ioctl(fd.get(), _IO('z', 0x7f)), ENOTTY);
}

}  // namespace
}  // namespace syscall_test
