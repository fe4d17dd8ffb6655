// AF_UNIX sockets: socketpair, abstract and path names, listen/accept/connect, SCM_RIGHTS,
// SCM_CREDENTIALS, SO_PEERCRED, EPIPE/SIGPIPE, shutdown, dgram and seqpacket boundaries,
// poll/epoll readiness (listeners are never writable), timeouts, hostile arguments, long
// path names, MSG_OOB, and a blocking write to a full datagram receiver. libc + gtest only.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace {

using syscall_test::EpollNow;
using syscall_test::PollNow;
using syscall_test::ScopedFd;

sockaddr_un Abstract(const std::string& name, socklen_t* len) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  memcpy(a.sun_path + 1, name.data(), name.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  return a;
}

// A unique abstract name per test run (the host's abstract namespace is shared natively).
std::string Unique(const char* what) {
  return std::string("sentry-test-") + what + "-" + std::to_string(getpid());
}

sockaddr_un PathAddr(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  return a;
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/socktest.XXXXXX";
    char* d = mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    path = d ? d : "";
  }
  ~TempDir() {
    std::string cmd = "rm -rf " + path;
    if (!path.empty()) (void)!system(cmd.c_str());
  }
  std::string path;
};

int Listener(const std::string& name, int backlog = 8) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  socklen_t len;
  sockaddr_un a = Abstract(name, &len);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0) << strerror(errno);
  EXPECT_EQ(listen(fd, backlog), 0);
  return fd;
}

int ConnectTo(const std::string& name, int type = SOCK_STREAM) {
  int fd = socket(AF_UNIX, type, 0);
  socklen_t len;
  sockaddr_un a = Abstract(name, &len);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), len), 0) << strerror(errno);
  return fd;
}

int GetInt(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof(v);
  EXPECT_EQ(getsockopt(fd, level, name, &v, &len), 0) << strerror(errno);
  return v;
}

TEST(SocketUnixTest, SocketpairStreamBasics) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  ASSERT_EQ(write(a.get(), "hello", 5), 5);
  char buf[16];
  ASSERT_EQ(read(b.get(), buf, sizeof(buf)), 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  struct stat st;
  ASSERT_EQ(fstat(a.get(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(GetInt(a.get(), SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  EXPECT_EQ(GetInt(a.get(), SOL_SOCKET, SO_DOMAIN), AF_UNIX);
  EXPECT_EQ(GetInt(a.get(), SOL_SOCKET, SO_PROTOCOL), 0);
  EXPECT_EQ(GetInt(a.get(), SOL_SOCKET, SO_ERROR), 0);
  EXPECT_EQ(GetInt(a.get(), SOL_SOCKET, SO_ACCEPTCONN), 0);
  ucred cr{};
  socklen_t len = sizeof(cr);
  ASSERT_EQ(getsockopt(b.get(), SOL_SOCKET, SO_PEERCRED, &cr, &len), 0);
  EXPECT_EQ(cr.pid, getpid());
  EXPECT_EQ(cr.uid, geteuid());
  EXPECT_EQ(cr.gid, getegid());
  sockaddr_un peer{};
  len = sizeof(peer);
  ASSERT_EQ(getpeername(a.get(), reinterpret_cast<sockaddr*>(&peer), &len), 0);
  EXPECT_EQ(len, sizeof(sa_family_t));
  // readv/writev work on sockets.
  char x[2] = {'x', 'y'}, y[3] = {'1', '2', '3'};
  iovec iov[2] = {{x, 2}, {y, 3}};
  ASSERT_EQ(writev(a.get(), iov, 2), 5);
  char r1[3], r2[2];
  iovec riov[2] = {{r1, 3}, {r2, 2}};
  ASSERT_EQ(readv(b.get(), riov, 2), 5);
  EXPECT_EQ(std::string(r1, 3) + std::string(r2, 2), "xy123");
}

TEST(SocketUnixTest, CreationErrors) {
  errno = 0;
  EXPECT_EQ(socket(AF_UNIX, SOCK_STREAM, 7), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
  EXPECT_EQ(socket(12345, SOCK_STREAM, 0), -1);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  EXPECT_EQ(socket(AF_UNIX, SOCK_STREAM | 0x40000000, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, reinterpret_cast<int*>(8)), -1);
  EXPECT_EQ(errno, EFAULT);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  sockaddr_un a{};
  socklen_t len = sizeof(a);
  EXPECT_EQ(getsockname(r.get(), reinterpret_cast<sockaddr*>(&a), &len), -1);
  EXPECT_EQ(errno, ENOTSOCK);
  EXPECT_EQ(listen(r.get(), 1), -1);
  EXPECT_EQ(errno, ENOTSOCK);
  EXPECT_EQ(getsockname(999, reinterpret_cast<sockaddr*>(&a), &len), -1);
  EXPECT_EQ(errno, EBADF);
  ScopedFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(fcntl(s.get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&a), 1), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a) + 1), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(8), sizeof(a)), -1);
  EXPECT_EQ(errno, EFAULT);
  EXPECT_EQ(listen(s.get(), 1), -1);  // not bound
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(shutdown(s.get(), 7), -1);
  EXPECT_EQ(errno, EINVAL);
  char c;
  EXPECT_EQ(recv(s.get(), &c, 1, MSG_DONTWAIT), -1);  // not connected
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(send(s.get(), "x", 1, MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, ENOTCONN);
  EXPECT_EQ(getpeername(s.get(), reinterpret_cast<sockaddr*>(&a), &len), -1);
  EXPECT_EQ(errno, ENOTCONN);
}

TEST(SocketUnixTest, AbstractListenConnectAccept) {
  std::string name = Unique("abstract");
  ScopedFd l(Listener(name));
  EXPECT_EQ(GetInt(l.get(), SOL_SOCKET, SO_ACCEPTCONN), 1);
  ScopedFd c(ConnectTo(name));
  sockaddr_un peer{};
  socklen_t len = sizeof(peer);
  ScopedFd s(accept(l.get(), reinterpret_cast<sockaddr*>(&peer), &len));
  ASSERT_TRUE(s.valid()) << strerror(errno);
  EXPECT_EQ(len, sizeof(sa_family_t));  // the client is unnamed
  sockaddr_un me{};
  len = sizeof(me);
  ASSERT_EQ(getsockname(s.get(), reinterpret_cast<sockaddr*>(&me), &len), 0);
  socklen_t want;
  Abstract(name, &want);
  EXPECT_EQ(len, want);
  EXPECT_EQ(me.sun_path[0], '\0');
  EXPECT_EQ(std::string(me.sun_path + 1, name.size()), name);
  len = sizeof(peer);
  ASSERT_EQ(getpeername(c.get(), reinterpret_cast<sockaddr*>(&peer), &len), 0);
  EXPECT_EQ(len, want);
  ucred cr{};
  len = sizeof(cr);
  ASSERT_EQ(getsockopt(c.get(), SOL_SOCKET, SO_PEERCRED, &cr, &len), 0);
  EXPECT_EQ(cr.pid, getpid());
  EXPECT_EQ(cr.uid, geteuid());
  ASSERT_EQ(send(c.get(), "ping", 4, 0), 4);
  char buf[8];
  ASSERT_EQ(recv(s.get(), buf, sizeof(buf), 0), 4);
  // A second connect: EISCONN; the same name twice: EADDRINUSE.
  socklen_t alen;
  sockaddr_un a = Abstract(name, &alen);
  EXPECT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), alen), -1);
  EXPECT_EQ(errno, EISCONN);
  ScopedFd other(socket(AF_UNIX, SOCK_STREAM, 0));
  EXPECT_EQ(bind(other.get(), reinterpret_cast<sockaddr*>(&a), alen), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  // Autobind: bind with just the family gives an abstract name.
  sockaddr_un fam{};
  fam.sun_family = AF_UNIX;
  ASSERT_EQ(bind(other.get(), reinterpret_cast<sockaddr*>(&fam), sizeof(sa_family_t)), 0);
  len = sizeof(me);
  ASSERT_EQ(getsockname(other.get(), reinterpret_cast<sockaddr*>(&me), &len), 0);
  EXPECT_EQ(len, offsetof(sockaddr_un, sun_path) + 6);
  EXPECT_EQ(me.sun_path[0], '\0');
}

TEST(SocketUnixTest, ConnectRefused) {
  std::string name = Unique("nobody");
  ScopedFd c(socket(AF_UNIX, SOCK_STREAM, 0));
  socklen_t len;
  sockaddr_un a = Abstract(name, &len);
  EXPECT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  // Bound but not listening.
  ScopedFd b(socket(AF_UNIX, SOCK_STREAM, 0));
  ASSERT_EQ(bind(b.get(), reinterpret_cast<sockaddr*>(&a), len), 0);
  EXPECT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  // Abstract names are per socket type: a datagram socket finds nothing there.
  ScopedFd d(socket(AF_UNIX, SOCK_DGRAM, 0));
  EXPECT_EQ(connect(d.get(), reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  ScopedFd e(socket(AF_UNIX, SOCK_DGRAM, 0));
  EXPECT_EQ(bind(e.get(), reinterpret_cast<sockaddr*>(&a), len), 0) << strerror(errno);
}

TEST(SocketUnixTest, PathBoundSocket) {
  TempDir dir;
  std::string path = dir.path + "/sock";
  ScopedFd l(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a = PathAddr(path);
  ASSERT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  ASSERT_EQ(listen(l.get(), 4), 0);
  ScopedFd again(socket(AF_UNIX, SOCK_STREAM, 0));
  EXPECT_EQ(bind(again.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), -1);
  EXPECT_EQ(errno, EADDRINUSE);  // the path is checked first
  sockaddr_un other = PathAddr(dir.path + "/other");
  EXPECT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&other), sizeof(other)), -1);
  EXPECT_EQ(errno, EINVAL);                     // already bound
  EXPECT_EQ(access(other.sun_path, F_OK), -1);  // and the new node is gone again
  // A path bound by a socket of another type: EPROTOTYPE.
  ScopedFd dg(socket(AF_UNIX, SOCK_DGRAM, 0));
  EXPECT_EQ(connect(dg.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), -1);
  EXPECT_EQ(errno, EPROTOTYPE);
  ScopedFd c(socket(AF_UNIX, SOCK_STREAM, 0));
  ASSERT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  sockaddr_un name{};
  socklen_t len = sizeof(name);
  ASSERT_EQ(getsockname(l.get(), reinterpret_cast<sockaddr*>(&name), &len), 0);
  EXPECT_EQ(std::string(name.sun_path), path);
  EXPECT_EQ(len, offsetof(sockaddr_un, sun_path) + path.size() + 1);
  ASSERT_EQ(write(c.get(), "x", 1), 1);
  char ch;
  ASSERT_EQ(read(s.get(), &ch, 1), 1);
  // A path that does not exist, and one that is not a socket.
  ScopedFd d(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un missing = PathAddr(dir.path + "/missing");
  EXPECT_EQ(connect(d.get(), reinterpret_cast<sockaddr*>(&missing), sizeof(missing)), -1);
  EXPECT_EQ(errno, ENOENT);
  std::string file = dir.path + "/file";
  ScopedFd f(open(file.c_str(), O_CREAT | O_WRONLY, 0644));
  sockaddr_un notsock = PathAddr(file);
  EXPECT_EQ(connect(d.get(), reinterpret_cast<sockaddr*>(&notsock), sizeof(notsock)), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  // Closing the listener leaves the file; connecting to it is refused.
  l.reset();
  EXPECT_EQ(connect(d.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(unlink(path.c_str()), 0);
}

TEST(SocketUnixTest, NonblockingAcceptAndAccept4Flags) {
  std::string name = Unique("nbaccept");
  ScopedFd l(Listener(name));
  ASSERT_EQ(fcntl(l.get(), F_SETFL, O_NONBLOCK), 0);
  EXPECT_EQ(accept(l.get(), nullptr, nullptr), -1);
  EXPECT_EQ(errno, EAGAIN);
  pollfd p{l.get(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);
  ScopedFd c(ConnectTo(name));
  p.revents = 0;
  EXPECT_EQ(poll(&p, 1, 1000), 1);
  EXPECT_TRUE(p.revents & POLLIN);
  ScopedFd s(accept4(l.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  ASSERT_TRUE(s.valid());
  EXPECT_TRUE(fcntl(s.get(), F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(s.get(), F_GETFD) & FD_CLOEXEC);
  char ch;
  EXPECT_EQ(read(s.get(), &ch, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(accept4(l.get(), nullptr, nullptr, 0x1234), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(SocketUnixTest, FullBacklogNonblockingConnect) {
  std::string name = Unique("backlog");
  ScopedFd l(Listener(name, 0));
  socklen_t len;
  sockaddr_un a = Abstract(name, &len);
  ScopedFd c1(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
  ASSERT_EQ(connect(c1.get(), reinterpret_cast<sockaddr*>(&a), len), 0);
  ScopedFd c2(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
  EXPECT_EQ(connect(c2.get(), reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, EAGAIN);
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(connect(c2.get(), reinterpret_cast<sockaddr*>(&a), len), 0) << strerror(errno);
}

volatile sig_atomic_t g_sigpipes = 0;
void OnSigpipe(int) { g_sigpipes = g_sigpipes + 1; }

// The count of SIGPIPEs once it reaches `n` (or after a second): a caught signal may land
// just after the failing call returns under the sentry.
int SigpipesAfter(int n) {
  for (int i = 0; i < 1000 && g_sigpipes < n; ++i) usleep(1000);
  return g_sigpipes;
}

TEST(SocketUnixTest, EpipeAndSigpipe) {
  struct sigaction sa {
  }, old{};
  sa.sa_handler = OnSigpipe;
  ASSERT_EQ(sigaction(SIGPIPE, &sa, &old), 0);
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]);
  close(sv[1]);
  g_sigpipes = 0;
  EXPECT_EQ(write(a.get(), "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  EXPECT_EQ(SigpipesAfter(1), 1);
  EXPECT_EQ(send(a.get(), "x", 1, MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EPIPE);
  usleep(20000);
  EXPECT_EQ(g_sigpipes, 1);
  EXPECT_EQ(send(a.get(), "x", 1, 0), -1);
  EXPECT_EQ(SigpipesAfter(2), 2);
  char ch;
  EXPECT_EQ(read(a.get(), &ch, 1), 0);  // EOF
  sigaction(SIGPIPE, &old, nullptr);
}

TEST(SocketUnixTest, ShutdownDirections) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  ASSERT_EQ(write(a.get(), "ab", 2), 2);
  ASSERT_EQ(shutdown(a.get(), SHUT_WR), 0);
  char buf[4];
  EXPECT_EQ(read(b.get(), buf, 4), 2);
  EXPECT_EQ(read(b.get(), buf, 4), 0);
  EXPECT_EQ(send(a.get(), "x", 1, MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EPIPE);
  ASSERT_EQ(write(b.get(), "c", 1), 1);  // the other direction still works
  EXPECT_EQ(read(a.get(), buf, 4), 1);
  pollfd p{b.get(), POLLIN | POLLRDHUP, 0};
  ASSERT_EQ(poll(&p, 1, 0), 1);
  EXPECT_TRUE(p.revents & POLLRDHUP);
}

// Sends `fds` with one byte "R" over `sock`.
void SendFds(int sock, const int* fds, int n, char byte = 'R') {
  char data = byte;
  iovec iov{&data, 1};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int) * 8)];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
  cmsghdr* h = CMSG_FIRSTHDR(&m);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN(sizeof(int) * n);
  memcpy(CMSG_DATA(h), fds, sizeof(int) * n);
  ASSERT_EQ(sendmsg(sock, &m, 0), 1) << strerror(errno);
}

// Receives one byte and up to 8 fds; returns the fd count (-1 on error).
int RecvFds(int sock, int* fds, int flags = 0, size_t ctl_len = CMSG_SPACE(sizeof(int) * 8),
            int* msg_flags = nullptr) {
  char data;
  iovec iov{&data, 1};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int) * 8)];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = ctl_len;
  if (recvmsg(sock, &m, flags) != 1) return -1;
  if (msg_flags) *msg_flags = m.msg_flags;
  int n = 0;
  for (cmsghdr* h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
      int k = static_cast<int>((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      memcpy(fds + n, CMSG_DATA(h), k * sizeof(int));
      n += k;
    }
  }
  return n;
}

TEST(SocketUnixTest, ScmRightsPipeAndFile) {
  TempDir dir;
  std::string file = dir.path + "/data";
  {
    ScopedFd f(open(file.c_str(), O_CREAT | O_WRONLY, 0644));
    ASSERT_EQ(write(f.get(), "file-data", 9), 9);
  }
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd pr(p[0]), pw(p[1]);
  ScopedFd f(open(file.c_str(), O_RDONLY));
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  ASSERT_EQ(write(a.get(), "plain", 5), 5);
  int out[2] = {pr.get(), f.get()};
  SendFds(a.get(), out, 2);
  // One read takes the data before the rights and the byte they came with, then stops.
  char buf[16];
  ASSERT_EQ(write(a.get(), "after", 5), 5);
  iovec iov{buf, sizeof(buf)};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int) * 8)];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof(ctl);
  ASSERT_EQ(recvmsg(b.get(), &m, MSG_CMSG_CLOEXEC), 6);
  EXPECT_EQ(std::string(buf, 6), "plainR");
  cmsghdr* h = CMSG_FIRSTHDR(&m);
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->cmsg_type, SCM_RIGHTS);
  ASSERT_EQ(h->cmsg_len, CMSG_LEN(2 * sizeof(int)));
  int got[8];
  memcpy(got, CMSG_DATA(h), 2 * sizeof(int));
  ASSERT_EQ(read(b.get(), buf, sizeof(buf)), 5);
  ScopedFd gp(got[0]), gf(got[1]);
  EXPECT_TRUE(fcntl(gp.get(), F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(write(pw.get(), "via-pipe", 8), 8);
  ASSERT_EQ(read(gp.get(), buf, sizeof(buf)), 8);
  EXPECT_EQ(std::string(buf, 8), "via-pipe");
  ASSERT_EQ(pread(gf.get(), buf, 9, 0), 9);
  EXPECT_EQ(std::string(buf, 9), "file-data");
  // The received file shares the description (and so the offset) with the sent one.
  ASSERT_EQ(lseek(f.get(), 5, SEEK_SET), 5);
  EXPECT_EQ(lseek(gf.get(), 0, SEEK_CUR), 5);
  // A socket can be passed too.
  int sp[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
  ScopedFd s0(sp[0]), s1(sp[1]);
  SendFds(a.get(), &sp[1], 1);
  ASSERT_EQ(RecvFds(b.get(), got), 1);
  ScopedFd gs(got[0]);
  ASSERT_EQ(write(gs.get(), "s", 1), 1);
  ASSERT_EQ(read(s0.get(), buf, 1), 1);
}

TEST(SocketUnixTest, ScmRightsErrorsAndCtrunc) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  int bad = 9999;
  char data = 'x';
  iovec iov{&data, 1};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof(ctl);
  cmsghdr* h = CMSG_FIRSTHDR(&m);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(h), &bad, sizeof(int));
  EXPECT_EQ(sendmsg(a.get(), &m, 0), -1);
  EXPECT_EQ(errno, EBADF);
  h->cmsg_len = sizeof(ctl) + 100;  // longer than the buffer
  EXPECT_EQ(sendmsg(a.get(), &m, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  h->cmsg_len = CMSG_LEN(sizeof(int));
  h->cmsg_type = 77;  // unknown SOL_SOCKET type
  EXPECT_EQ(sendmsg(a.get(), &m, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  // Too many iovecs.
  msghdr big{};
  big.msg_iov = &iov;
  big.msg_iovlen = IOV_MAX + 1;
  EXPECT_EQ(sendmsg(a.get(), &big, 0), -1);
  EXPECT_EQ(errno, EMSGSIZE);
  EXPECT_EQ(sendmsg(a.get(), reinterpret_cast<msghdr*>(8), 0), -1);
  EXPECT_EQ(errno, EFAULT);
  // Three fds into CMSG_SPACE(sizeof(int)) (room for two ints): MSG_CTRUNC, two arrive.
  int fds[3] = {0, 1, 2};
  SendFds(a.get(), fds, 3);
  int got[8], flags = 0;
  ASSERT_EQ(RecvFds(b.get(), got, 0, CMSG_SPACE(sizeof(int)), &flags), 2);
  EXPECT_TRUE(flags & MSG_CTRUNC);
  close(got[0]);
  close(got[1]);
  // No control buffer at all.
  SendFds(a.get(), fds, 1);
  ASSERT_EQ(RecvFds(b.get(), got, 0, 0, &flags), 0);
  EXPECT_TRUE(flags & MSG_CTRUNC);
}

TEST(SocketUnixTest, ScmCredentials) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  int on = 1;
  ASSERT_EQ(setsockopt(b.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)), 0);
  EXPECT_EQ(GetInt(b.get(), SOL_SOCKET, SO_PASSCRED), 1);
  ASSERT_EQ(send(a.get(), "c", 1, 0), 1);
  char data;
  iovec iov{&data, 1};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(ucred))];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof(ctl);
  ASSERT_EQ(recvmsg(b.get(), &m, 0), 1);
  cmsghdr* h = CMSG_FIRSTHDR(&m);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->cmsg_type, SCM_CREDENTIALS);
  ucred u;
  memcpy(&u, CMSG_DATA(h), sizeof(u));
  EXPECT_EQ(u.pid, getpid());
  EXPECT_EQ(u.uid, geteuid());
  EXPECT_EQ(u.gid, getegid());
  // Explicit credentials of our own are accepted.
  m.msg_controllen = sizeof(ctl);
  h = CMSG_FIRSTHDR(&m);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_CREDENTIALS;
  h->cmsg_len = CMSG_LEN(sizeof(ucred));
  ucred mine{getpid(), geteuid(), getegid()};
  memcpy(CMSG_DATA(h), &mine, sizeof(mine));
  ASSERT_EQ(sendmsg(a.get(), &m, 0), 1) << strerror(errno);
  ASSERT_EQ(recv(b.get(), &data, 1, 0), 1);
  // An unprivileged process may not claim another pid.
  pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    ucred forged{getppid(), 65534, 65534};
    memcpy(CMSG_DATA(h), &forged, sizeof(forged));
    if (sendmsg(a.get(), &m, 0) != -1 || errno != EPERM) _exit(1);
    _exit(0);
  }
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SocketUnixTest, DgramNamesTruncPeek) {
  std::string rn = Unique("dgram-r"), sn = Unique("dgram-s");
  ScopedFd r(socket(AF_UNIX, SOCK_DGRAM, 0)), s(socket(AF_UNIX, SOCK_DGRAM, 0));
  socklen_t rlen, slen;
  sockaddr_un ra = Abstract(rn, &rlen), sa = Abstract(sn, &slen);
  ASSERT_EQ(bind(r.get(), reinterpret_cast<sockaddr*>(&ra), rlen), 0);
  ASSERT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&sa), slen), 0);
  ASSERT_EQ(sendto(s.get(), "hello", 5, 0, reinterpret_cast<sockaddr*>(&ra), rlen), 5);
  ASSERT_EQ(sendto(s.get(), "second", 6, 0, reinterpret_cast<sockaddr*>(&ra), rlen), 6);
  EXPECT_EQ(send(s.get(), "x", 1, 0), -1);
  EXPECT_EQ(errno, ENOTCONN);
  char buf[16];
  EXPECT_EQ(recv(r.get(), buf, 2, MSG_PEEK | MSG_TRUNC), 5);
  sockaddr_un from{};
  socklen_t flen = sizeof(from);
  ASSERT_EQ(recvfrom(r.get(), buf, 3, 0, reinterpret_cast<sockaddr*>(&from), &flen), 3);
  EXPECT_EQ(std::string(buf, 3), "hel");  // the rest of the datagram is gone
  EXPECT_EQ(flen, slen);
  EXPECT_EQ(std::string(from.sun_path + 1, sn.size()), sn);
  iovec iov{buf, 2};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ASSERT_EQ(recvmsg(r.get(), &m, 0), 2);
  EXPECT_TRUE(m.msg_flags & MSG_TRUNC);
  EXPECT_EQ(recv(r.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  // Connected datagrams, and a refused one.
  ASSERT_EQ(connect(s.get(), reinterpret_cast<sockaddr*>(&ra), rlen), 0);
  ASSERT_EQ(send(s.get(), "c", 1, 0), 1);
  ASSERT_EQ(recv(r.get(), buf, sizeof(buf), 0), 1);
  socklen_t nlen;
  sockaddr_un nobody = Abstract(Unique("dgram-none"), &nlen);
  EXPECT_EQ(sendto(s.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&nobody), nlen), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
}

TEST(SocketUnixTest, SeqpacketBoundaries) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  ASSERT_EQ(send(a.get(), "one", 3, 0), 3);
  ASSERT_EQ(send(a.get(), "three", 5, 0), 5);
  char buf[16];
  EXPECT_EQ(recv(b.get(), buf, sizeof(buf), 0), 3);
  EXPECT_EQ(recv(b.get(), buf, 2, MSG_TRUNC), 5);
  EXPECT_EQ(GetInt(a.get(), SOL_SOCKET, SO_TYPE), SOCK_SEQPACKET);
  // Seqpacket listen/accept on an abstract name.
  std::string name = Unique("seqpacket");
  ScopedFd l(socket(AF_UNIX, SOCK_SEQPACKET, 0));
  socklen_t len;
  sockaddr_un addr = Abstract(name, &len);
  ASSERT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(l.get(), 1), 0);
  ScopedFd c(ConnectTo(name, SOCK_SEQPACKET));
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  ASSERT_EQ(send(c.get(), "ab", 2, 0), 2);
  ASSERT_EQ(send(c.get(), "cd", 2, 0), 2);
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), 0), 2);
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), 0), 2);
  c.reset();
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), 0), 0);
}

TEST(SocketUnixTest, PeekDontwaitWaitall) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  char buf[16];
  EXPECT_EQ(recv(b.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  ASSERT_EQ(send(a.get(), "abcd", 4, 0), 4);
  EXPECT_EQ(recv(b.get(), buf, sizeof(buf), MSG_PEEK), 4);
  EXPECT_EQ(recv(b.get(), buf, sizeof(buf), 0), 4);
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 4; ++i) {
      usleep(20000);
      if (write(a.get(), "xy", 2) != 2) _exit(1);
    }
    _exit(0);
  }
  EXPECT_EQ(recv(b.get(), buf, 8, MSG_WAITALL), 8);
  EXPECT_EQ(std::string(buf, 8), "xyxyxyxy");
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  int n = -1;
  ASSERT_EQ(ioctl(b.get(), FIONREAD, &n), 0);
  EXPECT_EQ(n, 0);
}

TEST(SocketUnixTest, BlockingAcceptAcrossFork) {
  std::string name = Unique("fork");
  ScopedFd l(Listener(name));
  pid_t child = fork();
  if (child == 0) {
    usleep(50000);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    socklen_t len;
    sockaddr_un a = Abstract(name, &len);
    if (connect(c, reinterpret_cast<sockaddr*>(&a), len) != 0) _exit(1);
    char buf[8];
    if (write(c, "hello", 5) != 5 || read(c, buf, 8) != 5) _exit(2);
    _exit(memcmp(buf, "HELLO", 5) == 0 ? 0 : 3);
  }
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  ucred cr{};
  socklen_t len = sizeof(cr);
  ASSERT_EQ(getsockopt(s.get(), SOL_SOCKET, SO_PEERCRED, &cr, &len), 0);
  EXPECT_EQ(cr.pid, child);
  char buf[8];
  ASSERT_EQ(read(s.get(), buf, 8), 5);
  for (int i = 0; i < 5; ++i) buf[i] = static_cast<char>(toupper(buf[i]));
  ASSERT_EQ(write(s.get(), buf, 5), 5);
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SocketUnixTest, EpollReadiness) {
  std::string name = Unique("epoll");
  ScopedFd l(Listener(name));
  ScopedFd ep(epoll_create1(0));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = 1;
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, l.get(), &ev), 0) << strerror(errno);
  epoll_event out[4];
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
  ScopedFd c(ConnectTo(name));
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 1000), 1);
  EXPECT_EQ(out[0].data.u32, 1u);
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u32 = 2;
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, s.get(), &ev), 0);
  ASSERT_EQ(write(c.get(), "x", 1), 1);
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 1000), 1);
  EXPECT_EQ(out[0].data.u32, 2u);
  EXPECT_TRUE(out[0].events & EPOLLIN);
  char ch;
  ASSERT_EQ(read(s.get(), &ch, 1), 1);
  c.reset();
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 1000), 1);
  EXPECT_TRUE(out[0].events & EPOLLRDHUP);
  EXPECT_TRUE(out[0].events & EPOLLHUP);
}

TEST(SocketUnixTest, ReceiveTimeout) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  timeval tv{0, 100000};
  ASSERT_EQ(setsockopt(b.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
  timeval got{};
  socklen_t len = sizeof(got);
  ASSERT_EQ(getsockopt(b.get(), SOL_SOCKET, SO_RCVTIMEO, &got, &len), 0);
  EXPECT_EQ(got.tv_usec, 100000);
  timeval t0, t1;
  gettimeofday(&t0, nullptr);
  char ch;
  EXPECT_EQ(recv(b.get(), &ch, 1, 0), -1);
  EXPECT_EQ(errno, EAGAIN);
  gettimeofday(&t1, nullptr);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
  EXPECT_GE(ms, 90);
  int v = 32768;
  ASSERT_EQ(setsockopt(b.get(), SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
  EXPECT_EQ(GetInt(b.get(), SOL_SOCKET, SO_RCVBUF), 65536);
  linger lg{1, 5};
  ASSERT_EQ(setsockopt(b.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
  linger lg2{};
  len = sizeof(lg2);
  ASSERT_EQ(getsockopt(b.get(), SOL_SOCKET, SO_LINGER, &lg2, &len), 0);
  EXPECT_EQ(lg2.l_onoff, 1);
  EXPECT_EQ(lg2.l_linger, 5);
  EXPECT_EQ(getsockopt(b.get(), SOL_SOCKET, 12345, &v, &len), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
}

TEST(SocketUnixTest, MmsgBatches) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  char m1[] = "one", m2[] = "two!";
  iovec iov[2] = {{m1, 3}, {m2, 4}};
  mmsghdr msgs[2] = {};
  msgs[0].msg_hdr.msg_iov = &iov[0];
  msgs[0].msg_hdr.msg_iovlen = 1;
  msgs[1].msg_hdr.msg_iov = &iov[1];
  msgs[1].msg_hdr.msg_iovlen = 1;
  ASSERT_EQ(sendmmsg(a.get(), msgs, 2, 0), 2);
  EXPECT_EQ(msgs[1].msg_len, 4u);
  char r1[8], r2[8];
  iovec riov[2] = {{r1, 8}, {r2, 8}};
  mmsghdr rmsgs[3] = {};
  rmsgs[0].msg_hdr.msg_iov = &riov[0];
  rmsgs[0].msg_hdr.msg_iovlen = 1;
  rmsgs[1].msg_hdr.msg_iov = &riov[1];
  rmsgs[1].msg_hdr.msg_iovlen = 1;
  rmsgs[2].msg_hdr.msg_iov = &riov[1];
  rmsgs[2].msg_hdr.msg_iovlen = 1;
  ASSERT_EQ(recvmmsg(b.get(), rmsgs, 3, MSG_WAITFORONE, nullptr), 2);
  EXPECT_EQ(rmsgs[0].msg_len, 3u);
  EXPECT_EQ(rmsgs[1].msg_len, 4u);
  EXPECT_EQ(std::string(r2, 4), "two!");
}

TEST(SocketUnixTest, ListenerIsNotWritable) {
  for (int type : {SOCK_STREAM, SOCK_SEQPACKET}) {
    std::string name = Unique("nowrite") + std::to_string(type);
    ScopedFd l(socket(AF_UNIX, type, 0));
    socklen_t len;
    sockaddr_un a = Abstract(name, &len);
    ASSERT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&a), len), 0);
    ASSERT_EQ(listen(l.get(), 4), 0);
    EXPECT_EQ(PollNow(l.get(), POLLIN | POLLOUT), 0u) << type;
    EXPECT_EQ(EpollNow(l.get(), EPOLLIN | EPOLLOUT), 0u) << type;
    ScopedFd c(ConnectTo(name, type));
    EXPECT_EQ(PollNow(l.get(), POLLIN | POLLOUT), static_cast<unsigned>(POLLIN)) << type;
    EXPECT_EQ(EpollNow(l.get(), EPOLLIN | EPOLLOUT), static_cast<unsigned>(EPOLLIN)) << type;
    ScopedFd s(accept(l.get(), nullptr, nullptr));
    ASSERT_TRUE(s.valid());
    EXPECT_EQ(PollNow(l.get(), POLLIN | POLLOUT), 0u) << type;
    // The connection itself is writable.
    EXPECT_EQ(EpollNow(c.get(), EPOLLOUT), static_cast<unsigned>(EPOLLOUT)) << type;
  }
}

TEST(SocketUnixTest, ManyPendingConnectionsStayReadable) {
  std::string name = Unique("many");
  ScopedFd l(Listener(name, 1000));
  std::vector<ScopedFd> clients;
  for (int i = 0; i < 400; ++i) clients.emplace_back(ConnectTo(name));
  for (int i = 0; i < 400; ++i) {
    ASSERT_EQ(EpollNow(l.get(), EPOLLIN), static_cast<unsigned>(EPOLLIN)) << i;
    ScopedFd s(accept4(l.get(), nullptr, nullptr, SOCK_NONBLOCK));
    ASSERT_TRUE(s.valid()) << i << " " << strerror(errno);
  }
  EXPECT_EQ(EpollNow(l.get(), EPOLLIN), 0u);
}

TEST(SocketUnixTest, LongPathNames) {
  TempDir dir;
  // A name as long as sun_path allows (107 bytes and the NUL).
  std::string path = dir.path + "/";
  path += std::string(sizeof(sockaddr_un::sun_path) - 1 - path.size(), 'n');
  ASSERT_EQ(path.size(), 107u);
  ScopedFd l(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a = PathAddr(path);
  ASSERT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  ASSERT_EQ(listen(l.get(), 4), 0);
  ScopedFd c(socket(AF_UNIX, SOCK_STREAM, 0));
  ASSERT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  sockaddr_un peer{};
  socklen_t len = sizeof(peer);
  ASSERT_EQ(getpeername(c.get(), reinterpret_cast<sockaddr*>(&peer), &len), 0);
  EXPECT_EQ(std::string(peer.sun_path), path);
  EXPECT_EQ(len, sizeof(sockaddr_un));
  // A 107-byte abstract name on datagrams.
  std::string abs(sizeof(sockaddr_un::sun_path) - 1, 'q');
  abs.replace(0, Unique("").size(), Unique(""));
  socklen_t alen;
  sockaddr_un aa = Abstract(abs, &alen);
  ASSERT_EQ(alen, sizeof(sockaddr_un));
  ScopedFd r(socket(AF_UNIX, SOCK_DGRAM, 0));
  ASSERT_EQ(bind(r.get(), reinterpret_cast<sockaddr*>(&aa), alen), 0) << strerror(errno);
  ScopedFd w(socket(AF_UNIX, SOCK_DGRAM, 0));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(sendto(w.get(), "d", 1, 0, reinterpret_cast<sockaddr*>(&aa), alen), 1);
  }
  char ch;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(recv(r.get(), &ch, 1, 0), 1);
}

TEST(SocketUnixTest, OutOfBandData) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  char buf[8];
  int r = send(a.get(), "abc", 3, MSG_OOB);
  if (r == -1 && errno == EOPNOTSUPP) GTEST_SKIP() << "kernel without CONFIG_AF_UNIX_OOB";
  ASSERT_EQ(r, 3);
  EXPECT_EQ(PollNow(b.get(), POLLIN | POLLPRI), static_cast<unsigned>(POLLIN | POLLPRI));
  EXPECT_EQ(EpollNow(b.get(), EPOLLIN | EPOLLPRI), static_cast<unsigned>(EPOLLIN | EPOLLPRI));
  ASSERT_EQ(recv(b.get(), buf, sizeof(buf), 0), 2);
  EXPECT_EQ(std::string(buf, 2), "ab");
  ASSERT_EQ(recv(b.get(), buf, sizeof(buf), MSG_OOB), 1);
  EXPECT_EQ(buf[0], 'c');
  EXPECT_EQ(recv(b.get(), buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EINVAL);
  // Datagrams and seqpacket have no urgent data.
  for (int type : {SOCK_DGRAM, SOCK_SEQPACKET}) {
    ASSERT_EQ(socketpair(AF_UNIX, type, 0, sv), 0);
    ScopedFd x(sv[0]), y(sv[1]);
    EXPECT_EQ(send(x.get(), "x", 1, MSG_OOB), -1) << type;
    EXPECT_EQ(errno, EOPNOTSUPP) << type;
    EXPECT_EQ(recv(y.get(), buf, 1, MSG_OOB | MSG_DONTWAIT), -1) << type;
    EXPECT_EQ(errno, EOPNOTSUPP) << type;
  }
}

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(SocketUnixTest, BlockingWriteToFullDatagramReceiver) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  ScopedFd a(sv[0]), b(sv[1]);
  char msg[512] = {};
  int queued = 0;
  while (send(a.get(), msg, sizeof(msg), MSG_DONTWAIT) == static_cast<ssize_t>(sizeof(msg))) {
    ASSERT_LT(++queued, 100000);
  }
  ASSERT_EQ(errno, EAGAIN);
  ASSERT_GT(queued, 0);
  // The reader drains everything after a while; the blocked write completes then.
  int got = 0;
  bool last_is_marker = false;
  std::thread reader([&] {
    usleep(300 * 1000);
    char in[512];
    for (int i = 0; i <= queued; ++i) {
      ssize_t n = recv(b.get(), in, sizeof(in), 0);
      if (n != static_cast<ssize_t>(sizeof(in))) break;
      ++got;
      last_is_marker = in[0] == 'M';
    }
  });
  msg[0] = 'M';
  int64_t start = NowMs();
  ssize_t n = write(a.get(), msg, sizeof(msg));
  int64_t waited = NowMs() - start;
  reader.join();
  EXPECT_EQ(n, static_cast<ssize_t>(sizeof(msg)));
  EXPECT_GE(waited, 200);
  EXPECT_EQ(got, queued + 1);
  EXPECT_TRUE(last_is_marker);
}

}  // namespace
