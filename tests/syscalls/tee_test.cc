// tee(2) between pipes: data duplicated without being consumed, EOF, blocking and
// non-blocking behaviour, and the argument checks. libc + gtest only.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "test_util.h"

namespace {

using syscall_test::ScopedFd;

struct Pipe {
  ScopedFd r, w;
  explicit Pipe(int flags = 0) {
    int fds[2];
    EXPECT_EQ(pipe2(fds, flags), 0);
    r.reset(fds[0]);
    w.reset(fds[1]);
  }
};

std::string ReadN(int fd, size_t n) {
  std::string s(n, '\0');
  ssize_t got = read(fd, s.data(), n);
  s.resize(got < 0 ? 0 : static_cast<size_t>(got));
  return s;
}

TEST(TeeTest, DuplicatesWithoutConsuming) {
  Pipe a, b;
  ASSERT_EQ(write(a.w.get(), "hello world", 11), 11);
  ASSERT_EQ(tee(a.r.get(), b.w.get(), 5, 0), 5);
  EXPECT_EQ(ReadN(b.r.get(), 64), "hello");
  // The input still holds everything.
  EXPECT_EQ(ReadN(a.r.get(), 64), "hello world");
}

TEST(TeeTest, WholeContentAndSecondTee) {
  Pipe a, b, c;
  ASSERT_EQ(write(a.w.get(), "abc", 3), 3);
  ASSERT_EQ(tee(a.r.get(), b.w.get(), 100, 0), 3);
  ASSERT_EQ(tee(a.r.get(), c.w.get(), 100, 0), 3);
  EXPECT_EQ(ReadN(b.r.get(), 64), "abc");
  EXPECT_EQ(ReadN(c.r.get(), 64), "abc");
  EXPECT_EQ(ReadN(a.r.get(), 64), "abc");
}

TEST(TeeTest, EofWhenNoWriter) {
  Pipe a, b;
  a.w.reset();
  EXPECT_EQ(tee(a.r.get(), b.w.get(), 10, 0), 0);
}

TEST(TeeTest, NonblockFlagEmptyInput) {
  Pipe a, b;
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), b.w.get(), 10, SPLICE_F_NONBLOCK), EAGAIN);
}

TEST(TeeTest, NonblockPipeEmptyInput) {
  Pipe a(O_NONBLOCK), b;
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), b.w.get(), 10, 0), EAGAIN);
}

TEST(TeeTest, NonblockFullOutput) {
  Pipe a, b(O_NONBLOCK);
  ASSERT_EQ(write(a.w.get(), "x", 1), 1);
  std::string big(1 << 16, 'y');
  ssize_t filled = 0;
  for (;;) {
    ssize_t n = write(b.w.get(), big.data(), big.size());
    if (n < 0) break;
    filled += n;
  }
  ASSERT_GT(filled, 0);
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), b.w.get(), 1, SPLICE_F_NONBLOCK), EAGAIN);
}

void* WriteLater(void* arg) {
  usleep(50 * 1000);
  int fd = *static_cast<int*>(arg);
  EXPECT_EQ(write(fd, "late", 4), 4);
  return nullptr;
}

TEST(TeeTest, BlocksUntilData) {
  Pipe a, b;
  int wfd = a.w.get();
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, WriteLater, &wfd), 0);
  EXPECT_EQ(tee(a.r.get(), b.w.get(), 100, 0), 4);
  pthread_join(t, nullptr);
  EXPECT_EQ(ReadN(b.r.get(), 64), "late");
}

TEST(TeeTest, ArgumentChecks) {
  Pipe a, b;
  char tmpl[] = "/tmp/tee_testXXXXXX";
  int file = mkstemp(tmpl);
  ASSERT_GE(file, 0);
  unlink(tmpl);
  ScopedFd f(file);
  ASSERT_EQ(write(a.w.get(), "z", 1), 1);
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), f.get(), 1, 0), EINVAL);   // not a pipe
  EXPECT_SYSCALL_ERRNO(tee(f.get(), b.w.get(), 1, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), a.w.get(), 1, 0), EINVAL);  // the same pipe
  EXPECT_SYSCALL_ERRNO(tee(a.w.get(), b.w.get(), 1, 0), EBADF);   // input not readable
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), b.r.get(), 1, 0), EBADF);   // output not writable
  EXPECT_SYSCALL_ERRNO(tee(-1, b.w.get(), 1, 0), EBADF);
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), b.w.get(), 1, 0x100), EINVAL);
  EXPECT_EQ(tee(a.r.get(), b.w.get(), 0, 0), 0);
}

TEST(TeeTest, BrokenOutputIsEpipe) {
  Pipe a, b;
  struct sigaction old, ign = {};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  ASSERT_EQ(write(a.w.get(), "q", 1), 1);
  b.r.reset();
  EXPECT_SYSCALL_ERRNO(tee(a.r.get(), b.w.get(), 1, 0), EPIPE);
  sigaction(SIGPIPE, &old, nullptr);
}

}  // namespace
