// fcntl F_GETPIPE_SZ / F_SETPIPE_SZ on pipes and FIFOs: rounding, EBUSY, EINVAL, EBADF on
// non-pipes, and a capacity writes and poll really see. Owned by the tests team.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace {

using syscall_test::ErrnoText;
using syscall_test::ScopedFd;

constexpr int kPage = 4096;

struct Pipe {
  Pipe(int flags = 0) {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC | flags), 0) << ErrnoText(errno);
    r.reset(fds[0]);
    w.reset(fds[1]);
  }
  ScopedFd r, w;
};

TEST(PipeSizeTest, DefaultIs64KiB) {
  Pipe p;
  EXPECT_EQ(fcntl(p.r.get(), F_GETPIPE_SZ), 65536) << ErrnoText(errno);
  EXPECT_EQ(fcntl(p.w.get(), F_GETPIPE_SZ), 65536) << ErrnoText(errno);
}

TEST(PipeSizeTest, SetRoundsUpToPowerOfTwoPages) {
  Pipe p;
  EXPECT_EQ(fcntl(p.w.get(), F_SETPIPE_SZ, 3 * kPage), 4 * kPage) << ErrnoText(errno);
  EXPECT_EQ(fcntl(p.r.get(), F_GETPIPE_SZ), 4 * kPage);  // one pipe, both ends
  EXPECT_EQ(fcntl(p.w.get(), F_SETPIPE_SZ, 100), kPage);
  EXPECT_EQ(fcntl(p.w.get(), F_SETPIPE_SZ, 0), kPage);
  EXPECT_EQ(fcntl(p.w.get(), F_SETPIPE_SZ, 1 << 20), 1 << 20) << ErrnoText(errno);
  EXPECT_EQ(fcntl(p.w.get(), F_GETPIPE_SZ), 1 << 20);
}

TEST(PipeSizeTest, HugeAndShrinkingSizes) {
  Pipe p;
  EXPECT_SYSCALL_ERRNO(fcntl(p.w.get(), F_SETPIPE_SZ, (1u << 31) + 1), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(p.w.get(), F_SETPIPE_SZ, -1), EINVAL);
  std::vector<char> data(3 * kPage, 'x');
  ASSERT_EQ(write(p.w.get(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  // Below what the pipe holds: EBUSY, and the size stays.
  EXPECT_SYSCALL_ERRNO(fcntl(p.w.get(), F_SETPIPE_SZ, kPage), EBUSY);
  EXPECT_EQ(fcntl(p.w.get(), F_GETPIPE_SZ), 65536);
  EXPECT_EQ(fcntl(p.w.get(), F_SETPIPE_SZ, 4 * kPage), 4 * kPage);
}

TEST(PipeSizeTest, CapacityLimitsWritesAndPoll) {
  Pipe p(O_NONBLOCK);
  ASSERT_EQ(fcntl(p.w.get(), F_SETPIPE_SZ, kPage), kPage) << ErrnoText(errno);
  std::vector<char> data(4 * kPage, 'y');
  EXPECT_EQ(write(p.w.get(), data.data(), data.size()), kPage);
  EXPECT_SYSCALL_ERRNO(write(p.w.get(), data.data(), 1), EAGAIN);
  EXPECT_EQ(syscall_test::PollNow(p.w.get(), POLLOUT) & POLLOUT, 0u);
  char buf[kPage];
  EXPECT_EQ(read(p.r.get(), buf, sizeof(buf)), kPage);
  EXPECT_NE(syscall_test::PollNow(p.w.get(), POLLOUT) & POLLOUT, 0u);
  // Larger: one write takes it all at once.
  ASSERT_EQ(fcntl(p.w.get(), F_SETPIPE_SZ, 256 * 1024), 256 * 1024);
  std::vector<char> big(256 * 1024, 'z');
  EXPECT_EQ(write(p.w.get(), big.data(), big.size()), static_cast<ssize_t>(big.size()));
  EXPECT_SYSCALL_ERRNO(write(p.w.get(), big.data(), 1), EAGAIN);
}

TEST(PipeSizeTest, NotAPipeIsEbadf) {
  ScopedFd file(open(syscall_test::kRegularFile, O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(file.valid()) << ErrnoText(errno);
  EXPECT_SYSCALL_ERRNO(fcntl(file.get(), F_GETPIPE_SZ), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(file.get(), F_SETPIPE_SZ, kPage), EBADF);
  ScopedFd efd(eventfd(0, EFD_CLOEXEC));
  ASSERT_TRUE(efd.valid());
  EXPECT_SYSCALL_ERRNO(fcntl(efd.get(), F_GETPIPE_SZ), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(12345, F_GETPIPE_SZ), EBADF);
}

TEST(PipeSizeTest, Fifo) {
  char tmpl[] = "/dev/shm/sentry-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr) << ErrnoText(errno);
  std::string path = std::string(tmpl) + "/fifo";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0) << ErrnoText(errno);
  {
    ScopedFd fd(open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(fd.valid()) << ErrnoText(errno);
    EXPECT_EQ(fcntl(fd.get(), F_GETPIPE_SZ), 65536);
    EXPECT_EQ(fcntl(fd.get(), F_SETPIPE_SZ, kPage), kPage) << ErrnoText(errno);
    std::vector<char> data(2 * kPage, 'f');
    EXPECT_EQ(write(fd.get(), data.data(), data.size()), kPage);
    ScopedFd rd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(rd.valid()) << ErrnoText(errno);
    EXPECT_EQ(fcntl(rd.get(), F_GETPIPE_SZ), kPage);
  }
  unlink(path.c_str());
  rmdir(tmpl);
}

}  // namespace
