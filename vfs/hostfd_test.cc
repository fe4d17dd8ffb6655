// hostfd over a pipe: EAGAIN when empty, data after a write, EOF, ioctls.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/hostfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

// /proc/PID/fd names of the launcher's stdio: Linux's for pipes, sockets and /dev/null,
// no host path for anything else.
TEST(HostFdTest, StdioNames) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  struct stat st;
  ASSERT_EQ(fstat(p[0], &st), 0);
  EXPECT_EQ(HostStdioName(p[0], 0), "pipe:[" + std::to_string(st.st_ino) + "]");
  close(p[0]);
  close(p[1]);
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(fstat(sv[1], &st), 0);
  EXPECT_EQ(HostStdioName(sv[1], 1), "socket:[" + std::to_string(st.st_ino) + "]");
  close(sv[0]);
  close(sv[1]);
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  EXPECT_EQ(HostStdioName(null_fd, 2), "/dev/null");
  close(null_fd);
  int file = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(file, 0);
  EXPECT_EQ(HostStdioName(file, 2), "host:[2]");
  close(file);
  EXPECT_EQ(HostStdioName(-1, 0), "host:[0]");
}

TEST(HostFdTest, PipeReadWrite) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  FileRef r = MakeHostFile(p[0], O_RDONLY, "pipe:[r]");
  FileRef w = MakeHostFile(p[1], O_WRONLY, "pipe:[w]");
  ASSERT_NE(r, nullptr);
  ASSERT_NE(w, nullptr);
  close(p[0]);  // the descriptions own dups
  close(p[1]);
  char buf[16];
  EXPECT_EQ(r->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);
  EXPECT_EQ(r->Readiness(POLLIN), 0u);
  EXPECT_GE(r->ReadinessFd(), 0);
  EXPECT_EQ(w->Write(std::span<const char>("hello", 5)).value(), 5);
  EXPECT_TRUE(r->Readiness(POLLIN) & POLLIN);
  int avail = 0;
  EXPECT_TRUE(r->Ioctl(FIONREAD, &avail).ok());
  EXPECT_EQ(avail, 5);
  EXPECT_EQ(r->Read(std::span<char>(buf, sizeof(buf))).value(), 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(r->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);
  // Wrong direction, seeking a pipe, unknown ioctls, tty ioctls on a pipe.
  EXPECT_EQ(r->Write(std::span<const char>("x", 1)).error(), EBADF);
  EXPECT_EQ(w->Read(std::span<char>(buf, 1)).error(), EBADF);
  EXPECT_EQ(r->Seek(0, SEEK_SET).error(), ESPIPE);
  EXPECT_EQ(r->PRead(std::span<char>(buf, 1), 0).error(), ESPIPE);
  EXPECT_EQ(r->Ioctl(0x5401 /*TCGETS*/, buf).error(), ENOTTY);  // the host's answer
  EXPECT_EQ(r->Ioctl(0x1234, buf).error(), ENOTTY);
  EXPECT_EQ(r->Path(), "pipe:[r]");
  EXPECT_EQ(r->HostFd(), -1);
  struct stat st;
  ASSERT_TRUE(r->Stat(&st).ok());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  // EOF once the writer is gone.
  w.reset();
  EXPECT_EQ(r->Read(std::span<char>(buf, sizeof(buf))).value(), 0);
}

TEST(HostFdTest, WriteToFullPipeIsEagain) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_NONBLOCK), 0);
  FileRef w = MakeHostFile(p[1], O_WRONLY, "w");
  std::string chunk(65536, 'x');
  while (write(p[1], chunk.data(), chunk.size()) > 0) {
  }
  EXPECT_EQ(w->Write(std::span<const char>("x", 1)).error(), EAGAIN);
  close(p[0]);
  close(p[1]);
  // No reader left: EPIPE (the sentry, like this test, runs with SIGPIPE ignored).
  signal(SIGPIPE, SIG_IGN);
  EXPECT_EQ(w->Write(std::span<const char>("x", 1)).error(), EPIPE);
}

TEST(HostFdTest, ReopenAndBadFd) {
  EXPECT_EQ(MakeHostFile(-1, O_RDONLY, "bad"), nullptr);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  FileRef r = MakeHostFile(p[0], O_RDONLY, "r");
  ErrnoOr<FileRef> again = r->Reopen(O_RDONLY);
  ASSERT_TRUE(again.ok());
  EXPECT_NE((*again)->ReadinessFd(), r->ReadinessFd());
  ASSERT_EQ(write(p[1], "z", 1), 1);
  char c;
  EXPECT_EQ((*again)->Read(std::span<char>(&c, 1)).value(), 1);
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace sentry::vfs
