// AF_INET/AF_INET6 on loopback: TCP listen/connect/accept with real ports, echo across
// fork, UDP with source addresses and connected UDP, v4-mapped IPv6, options, epoll, a
// 4 MiB nonblocking transfer under poll, refused and unreachable connects, SO_ERROR after a
// refused nonblocking connect, a full backlog, listeners under poll/epoll, TCP_INFO,
// MSG_OOB, epoll watches made before a nonblocking connect, and ECONNREFUSED on connected
// UDP to a closed port. libc + gtest only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>


#include "gtest/gtest.h"
#include "test_util.h"

namespace {

using syscall_test::EpollNow;
using syscall_test::PollNow;
using syscall_test::ScopedFd;

sockaddr_in Loopback4(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

uint16_t PortOf(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len), 0);
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

// A listening TCP socket on 127.0.0.1 with an ephemeral port.
int TcpListener(int backlog = 16) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Loopback4(0);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  EXPECT_EQ(listen(fd, backlog), 0);
  return fd;
}

int TcpConnect(uint16_t port, int flags = 0) {
  int fd = socket(AF_INET, SOCK_STREAM | flags, 0);
  sockaddr_in a = Loopback4(port);
  int r = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  if (r != 0) {
    EXPECT_EQ(errno, EINPROGRESS) << strerror(errno);
  }
  return fd;
}

TEST(SocketInetTest, TcpNamesAndEphemeralPorts) {
  ScopedFd l(TcpListener());
  uint16_t port = PortOf(l.get());
  EXPECT_GE(port, 1024);
  ScopedFd c(TcpConnect(port));
  sockaddr_in peer{};
  socklen_t len = sizeof(peer);
  ScopedFd s(accept(l.get(), reinterpret_cast<sockaddr*>(&peer), &len));
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(len, sizeof(sockaddr_in));
  EXPECT_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_EQ(ntohs(peer.sin_port), PortOf(c.get()));
  EXPECT_GE(PortOf(c.get()), 32768);
  EXPECT_LE(PortOf(c.get()), 60999);
  sockaddr_in cp{};
  len = sizeof(cp);
  ASSERT_EQ(getpeername(c.get(), reinterpret_cast<sockaddr*>(&cp), &len), 0);
  EXPECT_EQ(ntohs(cp.sin_port), port);
  EXPECT_EQ(PortOf(s.get()), port);
  int v = -1;
  len = sizeof(v);
  ASSERT_EQ(getsockopt(c.get(), SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
  EXPECT_EQ(v, IPPROTO_TCP);
  ASSERT_EQ(send(c.get(), "abc", 3, 0), 3);
  char buf[8];
  ASSERT_EQ(recv(s.get(), buf, sizeof(buf), 0), 3);
  c.reset();
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), 0), 0);
}

TEST(SocketInetTest, RefusedInUseAndRebind) {
  ScopedFd b(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a = Loopback4(0);
  ASSERT_EQ(bind(b.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  uint16_t port = PortOf(b.get());
  // Bound but not listening: refused.
  ScopedFd c(socket(AF_INET, SOCK_STREAM, 0));
  a = Loopback4(port);
  EXPECT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  ScopedFd d(socket(AF_INET, SOCK_STREAM, 0));
  EXPECT_EQ(bind(d.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(bind(b.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), -1);
  EXPECT_EQ(errno, EINVAL);
  b.reset();
  EXPECT_EQ(bind(d.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  // Argument errors.
  ScopedFd e(socket(AF_INET, SOCK_STREAM, 0));
  EXPECT_EQ(bind(e.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a) - 1), -1);
  EXPECT_EQ(errno, EINVAL);
  sockaddr_in6 six{};
  six.sin6_family = AF_INET6;
  EXPECT_EQ(bind(e.get(), reinterpret_cast<sockaddr*>(&six), sizeof(six)), -1);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  int sv[2];
  EXPECT_EQ(socketpair(AF_INET, SOCK_STREAM, 0, sv), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  EXPECT_EQ(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
}

TEST(SocketInetTest, UnreachableOutside) {
  // Natively the connect is in progress (or unreachable); in the sandbox there is no route.
  ScopedFd c(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(9);
  inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
  int r = connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  EXPECT_EQ(r, -1);
  EXPECT_TRUE(errno == ENETUNREACH || errno == EINPROGRESS) << strerror(errno);
}

TEST(SocketInetTest, TcpEchoAcrossFork) {
  ScopedFd l(TcpListener());
  uint16_t port = PortOf(l.get());
  pid_t child = fork();
  if (child == 0) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = Loopback4(port);
    if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) _exit(1);
    int one = 1;
    if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) _exit(2);
    for (int i = 0; i < 100; ++i) {
      std::string msg = "message-" + std::to_string(i);
      char buf[64];
      if (write(c, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) _exit(3);
      if (recv(c, buf, msg.size(), MSG_WAITALL) != static_cast<ssize_t>(msg.size())) _exit(4);
      if (memcmp(buf, msg.data(), msg.size()) != 0) _exit(5);
    }
    _exit(0);
  }
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  char buf[256];
  for (;;) {
    ssize_t n = read(s.get(), buf, sizeof(buf));
    ASSERT_GE(n, 0);
    if (n == 0) break;
    ASSERT_EQ(write(s.get(), buf, n), n);
  }
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SocketInetTest, UdpEchoWithSourceAddresses) {
  ScopedFd srv(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in a = Loopback4(0);
  ASSERT_EQ(bind(srv.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  uint16_t port = PortOf(srv.get());
  ScopedFd cli(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in to = Loopback4(port);
  ASSERT_EQ(sendto(cli.get(), "ping", 4, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 4);
  uint16_t cport = PortOf(cli.get());
  EXPECT_NE(cport, 0);  // autobound by sendto
  char buf[16];
  sockaddr_in from{};
  socklen_t flen = sizeof(from);
  ASSERT_EQ(recvfrom(srv.get(), buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &flen), 4);
  EXPECT_EQ(flen, sizeof(sockaddr_in));
  EXPECT_EQ(ntohs(from.sin_port), cport);
  EXPECT_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  ASSERT_EQ(sendto(srv.get(), "pong", 4, 0, reinterpret_cast<sockaddr*>(&from), flen), 4);
  flen = sizeof(from);
  ASSERT_EQ(recvfrom(cli.get(), buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &flen), 4);
  EXPECT_EQ(ntohs(from.sin_port), port);
  EXPECT_EQ(std::string(buf, 4), "pong");
  // Connected UDP.
  EXPECT_EQ(send(cli.get(), "x", 1, 0), -1);
  EXPECT_EQ(errno, EDESTADDRREQ);
  ASSERT_EQ(connect(cli.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  sockaddr_in peer{};
  socklen_t plen = sizeof(peer);
  ASSERT_EQ(getpeername(cli.get(), reinterpret_cast<sockaddr*>(&peer), &plen), 0);
  EXPECT_EQ(ntohs(peer.sin_port), port);
  ASSERT_EQ(send(cli.get(), "abc", 3, 0), 3);
  ASSERT_EQ(recv(srv.get(), buf, 2, MSG_TRUNC), 3);
  // A datagram nobody receives is dropped silently.
  sockaddr_in none = Loopback4(PortOf(cli.get()) == 9 ? 10 : 9);
  EXPECT_EQ(sendto(srv.get(), "?", 1, 0, reinterpret_cast<sockaddr*>(&none), sizeof(none)), 1);
}

TEST(SocketInetTest, Ipv6AndV4Mapped) {
  ScopedFd l(socket(AF_INET6, SOCK_STREAM, 0));
  int v = -1;
  socklen_t len = sizeof(v);
  ASSERT_EQ(getsockopt(l.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v, &len), 0);
  EXPECT_EQ(v, 0);
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_addr = in6addr_any;
  ASSERT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&any), sizeof(any)), 0);
  ASSERT_EQ(listen(l.get(), 4), 0);
  uint16_t port = PortOf(l.get());
  // An IPv4 client reaches the dual-stack listener.
  ScopedFd c4(TcpConnect(port));
  sockaddr_in6 peer{};
  len = sizeof(peer);
  ScopedFd s4(accept(l.get(), reinterpret_cast<sockaddr*>(&peer), &len));
  ASSERT_TRUE(s4.valid());
  EXPECT_EQ(len, sizeof(sockaddr_in6));
  EXPECT_TRUE(IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr));
  // An IPv6 client on ::1.
  ScopedFd c6(socket(AF_INET6, SOCK_STREAM, 0));
  sockaddr_in6 lo{};
  lo.sin6_family = AF_INET6;
  lo.sin6_addr = in6addr_loopback;
  lo.sin6_port = htons(port);
  ASSERT_EQ(connect(c6.get(), reinterpret_cast<sockaddr*>(&lo), sizeof(lo)), 0) << strerror(errno);
  len = sizeof(peer);
  ScopedFd s6(accept(l.get(), reinterpret_cast<sockaddr*>(&peer), &len));
  ASSERT_TRUE(s6.valid());
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&peer.sin6_addr));
  ASSERT_EQ(write(c6.get(), "6", 1), 1);
  char ch;
  ASSERT_EQ(read(s6.get(), &ch, 1), 1);
  // V6ONLY can be set before bind only.
  int one = 1;
  EXPECT_EQ(setsockopt(l.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(SocketInetTest, StoredOptions) {
  ScopedFd s(socket(AF_INET, SOCK_STREAM, 0));
  int v, one = 1;
  socklen_t len = sizeof(v);
  ASSERT_EQ(getsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
  EXPECT_EQ(v, 0);
  ASSERT_EQ(setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
  ASSERT_EQ(getsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
  EXPECT_EQ(v, 1);
  int idle = 30;
  ASSERT_EQ(setsockopt(s.get(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)), 0);
  ASSERT_EQ(getsockopt(s.get(), IPPROTO_TCP, TCP_KEEPIDLE, &v, &len), 0);
  EXPECT_EQ(v, 30);
  int zero = 0;
  EXPECT_EQ(setsockopt(s.get(), IPPROTO_TCP, TCP_KEEPIDLE, &zero, sizeof(zero)), -1);
  EXPECT_EQ(errno, EINVAL);
  int tos = 0x10;
  ASSERT_EQ(setsockopt(s.get(), IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), 0);
  ASSERT_EQ(getsockopt(s.get(), IPPROTO_IP, IP_TOS, &v, &len), 0);
  EXPECT_EQ(v, 0x10);
  ASSERT_EQ(setsockopt(s.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), 0);
  ASSERT_EQ(getsockopt(s.get(), SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
  EXPECT_EQ(v, 1);
  ASSERT_EQ(setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
  ASSERT_EQ(getsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
  EXPECT_EQ(v, 1);
  EXPECT_EQ(setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, 2), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(SocketInetTest, NonblockingConnectCompletes) {
  ScopedFd l(TcpListener());
  ScopedFd c(TcpConnect(PortOf(l.get()), SOCK_NONBLOCK));
  pollfd p{c.get(), POLLOUT, 0};
  ASSERT_EQ(poll(&p, 1, 1000), 1);
  int err = -1;
  socklen_t len = sizeof(err);
  ASSERT_EQ(getsockopt(c.get(), SOL_SOCKET, SO_ERROR, &err, &len), 0);
  EXPECT_EQ(err, 0);
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  EXPECT_TRUE(s.valid());
}

TEST(SocketInetTest, EpollListenerAndConnections) {
  ScopedFd l(TcpListener());
  uint16_t port = PortOf(l.get());
  ScopedFd ep(epoll_create1(0));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = l.get();
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, l.get(), &ev), 0);
  std::vector<ScopedFd> clients;
  for (int i = 0; i < 3; ++i) clients.emplace_back(TcpConnect(port));
  std::vector<ScopedFd> conns;
  int echoed = 0;
  bool written = false;
  for (int round = 0; round < 50 && echoed < 3; ++round) {
    if (conns.size() == 3 && !written) {
      for (auto& c : clients) ASSERT_EQ(write(c.get(), "e", 1), 1);
      written = true;
    }
    epoll_event out[8];
    int n = epoll_wait(ep.get(), out, 8, 1000);
    ASSERT_GE(n, 0);
    for (int i = 0; i < n; ++i) {
      if (out[i].data.fd == l.get()) {
        int s = accept4(l.get(), nullptr, nullptr, SOCK_NONBLOCK);
        if (s < 0) continue;
        epoll_event e{};
        e.events = EPOLLIN | EPOLLRDHUP;
        e.data.fd = s;
        ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, s, &e), 0);
        conns.emplace_back(s);
      } else {
        char ch;
        if (read(out[i].data.fd, &ch, 1) == 1) {
          ASSERT_EQ(write(out[i].data.fd, &ch, 1), 1);
          ++echoed;
        }
      }
    }
  }
  EXPECT_EQ(conns.size(), 3u);
  EXPECT_EQ(echoed, 3);
  for (auto& c : clients) {
    char ch;
    EXPECT_EQ(read(c.get(), &ch, 1), 1);
  }
  // Peer close: EPOLLRDHUP on the connection.
  clients[0].reset();
  epoll_event out[8];
  bool rdhup = false;
  for (int tries = 0; tries < 5 && !rdhup; ++tries) {
    int n = epoll_wait(ep.get(), out, 8, 1000);
    for (int i = 0; i < n; ++i) rdhup |= (out[i].events & EPOLLRDHUP) != 0;
  }
  EXPECT_TRUE(rdhup);
}

TEST(SocketInetTest, FourMiBNonblockingUnderPoll) {
  ScopedFd l(TcpListener());
  ScopedFd c(TcpConnect(PortOf(l.get()), SOCK_NONBLOCK));
  ScopedFd s(accept4(l.get(), nullptr, nullptr, SOCK_NONBLOCK));
  ASSERT_TRUE(s.valid());
  constexpr size_t kTotal = 4 << 20;
  std::vector<char> src(kTotal), dst(kTotal);
  for (size_t i = 0; i < kTotal; ++i) src[i] = static_cast<char>(i * 7 + (i >> 13));
  size_t sent = 0, got = 0;
  while (got < kTotal) {
    pollfd p[2] = {{c.get(), static_cast<short>(sent < kTotal ? POLLOUT : 0), 0},
                   {s.get(), POLLIN, 0}};
    ASSERT_GT(poll(p, 2, 5000), 0);
    if (p[0].revents & POLLOUT) {
      ssize_t n = write(c.get(), src.data() + sent, std::min<size_t>(kTotal - sent, 100000));
      if (n < 0)
        ASSERT_EQ(errno, EAGAIN);
      else
        sent += n;
      if (sent == kTotal) shutdown(c.get(), SHUT_WR);
    }
    if (p[1].revents & POLLIN) {
      ssize_t n = read(s.get(), dst.data() + got, kTotal - got);
      if (n < 0)
        ASSERT_EQ(errno, EAGAIN);
      else
        got += n;
    }
  }
  EXPECT_EQ(memcmp(src.data(), dst.data(), kTotal), 0);
  char ch;
  EXPECT_EQ(read(s.get(), &ch, 1), 0);
}

constexpr unsigned Bits(int events) { return static_cast<unsigned>(events); }

int SoError(int fd) {
  int err = -1;
  socklen_t len = sizeof(err);
  EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
  return err;
}

int ConnectErrno(int fd, uint16_t port) {
  sockaddr_in a = Loopback4(port);
  return connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 ? 0 : errno;
}

// A port bound by `holder` that nobody listens on.
uint16_t DeadPort(ScopedFd* holder) {
  holder->reset(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a = Loopback4(0);
  EXPECT_EQ(bind(holder->get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return PortOf(holder->get());
}

TEST(SocketInetTest, NonblockingConnectRefusedSetsSoError) {
  ScopedFd b;
  uint16_t port = DeadPort(&b);
  ScopedFd c(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  ASSERT_EQ(ConnectErrno(c.get(), port), EINPROGRESS);
  pollfd p{c.get(), POLLOUT, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  const unsigned all = POLLIN | POLLOUT | POLLRDHUP;
  EXPECT_EQ(PollNow(c.get(), all), Bits(POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP));
  EXPECT_EQ(EpollNow(c.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP),
            Bits(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDHUP));
  EXPECT_EQ(SoError(c.get()), ECONNREFUSED);
  EXPECT_EQ(SoError(c.get()), 0);  // read and cleared
  EXPECT_EQ(PollNow(c.get(), all), Bits(POLLIN | POLLOUT | POLLHUP | POLLRDHUP));
  EXPECT_EQ(EpollNow(c.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP),
            Bits(EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP));
  char ch;
  EXPECT_EQ(read(c.get(), &ch, 1), 0);
  EXPECT_EQ(send(c.get(), "x", 1, MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EPIPE);
  // The next connect ends the failed attempt; the one after tries again.
  EXPECT_EQ(ConnectErrno(c.get(), port), ECONNABORTED);
  ASSERT_EQ(ConnectErrno(c.get(), port), EINPROGRESS);
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  // Not taken by SO_ERROR this time: the next connect reports it.
  ASSERT_EQ(listen(b.get(), 4), 0);
  EXPECT_EQ(ConnectErrno(c.get(), port), ECONNREFUSED);
  EXPECT_EQ(ConnectErrno(c.get(), port), EINPROGRESS);
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  EXPECT_EQ(p.revents, POLLOUT);
  EXPECT_EQ(SoError(c.get()), 0);
  ScopedFd s(accept(b.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  ASSERT_EQ(write(c.get(), "ok", 2), 2);
  char buf[4];
  EXPECT_EQ(read(s.get(), buf, sizeof(buf)), 2);
  // A blocking connect reports the refusal itself; SO_ERROR stays 0.
  ScopedFd d(socket(AF_INET, SOCK_STREAM, 0));
  ScopedFd b2;
  EXPECT_EQ(ConnectErrno(d.get(), DeadPort(&b2)), ECONNREFUSED);
  EXPECT_EQ(SoError(d.get()), 0);
}

TEST(SocketInetTest, NonblockingConnectWaitsForFullBacklog) {
  ScopedFd l(TcpListener(0));  // room for one (full when longer than the backlog)
  uint16_t port = PortOf(l.get());
  ScopedFd c1(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  ASSERT_EQ(ConnectErrno(c1.get(), port), EINPROGRESS);
  pollfd p1{c1.get(), POLLOUT, 0};
  ASSERT_EQ(poll(&p1, 1, 5000), 1);
  ScopedFd c2(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  ASSERT_EQ(ConnectErrno(c2.get(), port), EINPROGRESS);
  // Queued: not writable (poll and epoll), EALREADY, EAGAIN for data.
  pollfd p2{c2.get(), POLLOUT, 0};
  EXPECT_EQ(poll(&p2, 1, 200), 0);
  EXPECT_EQ(EpollNow(c2.get(), EPOLLIN | EPOLLOUT), 0u);
  tcp_info ti{};
  socklen_t len = sizeof(ti);
  ASSERT_EQ(getsockopt(c2.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
  EXPECT_EQ(ti.tcpi_state, TCP_SYN_SENT);
  EXPECT_EQ(ConnectErrno(c2.get(), port), EALREADY);
  EXPECT_EQ(send(c2.get(), "x", 1, MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EAGAIN);
  char ch;
  EXPECT_EQ(recv(c2.get(), &ch, 1, 0), -1);
  EXPECT_EQ(errno, EAGAIN);
  // Accepting makes room: the queued connect completes.
  ScopedFd s1(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s1.valid());
  ASSERT_EQ(poll(&p2, 1, 10000), 1);
  EXPECT_EQ(p2.revents, POLLOUT);
  EXPECT_EQ(SoError(c2.get()), 0);
  ASSERT_EQ(send(c2.get(), "2", 1, 0), 1);
  pollfd pl{l.get(), POLLIN, 0};
  ASSERT_EQ(poll(&pl, 1, 5000), 1);
  ScopedFd s2(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s2.valid());
  ASSERT_EQ(read(s2.get(), &ch, 1), 1);
  EXPECT_EQ(ch, '2');
  // A connect queued on a listener that closes is refused.
  ScopedFd c3(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  ASSERT_EQ(ConnectErrno(c3.get(), port), EINPROGRESS);  // takes the room s2 left
  ScopedFd c4(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  ASSERT_EQ(ConnectErrno(c4.get(), port), EINPROGRESS);
  pollfd p4{c4.get(), POLLOUT, 0};
  EXPECT_EQ(poll(&p4, 1, 100), 0);
  l.reset();
  ASSERT_EQ(poll(&p4, 1, 10000), 1);
  EXPECT_EQ(SoError(c4.get()), ECONNREFUSED);
}

TEST(SocketInetTest, ListenerIsNotWritable) {
  ScopedFd l(socket(AF_INET, SOCK_STREAM, 0));
  // Registered before listen: the same registration follows the listener.
  ScopedFd ep(epoll_create1(0));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, l.get(), &ev), 0);
  sockaddr_in a = Loopback4(0);
  ASSERT_EQ(bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(l.get(), 4), 0);
  EXPECT_EQ(PollNow(l.get(), POLLIN | POLLOUT), 0u);
  EXPECT_EQ(EpollNow(l.get(), EPOLLIN | EPOLLOUT), 0u);
  epoll_event out{};
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 0), 0);
  ScopedFd c(TcpConnect(PortOf(l.get())));
  pollfd p{l.get(), POLLIN | POLLOUT, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  EXPECT_EQ(p.revents, POLLIN);
  EXPECT_EQ(EpollNow(l.get(), EPOLLIN | EPOLLOUT), Bits(EPOLLIN));
  ASSERT_EQ(epoll_wait(ep.get(), &out, 1, 0), 1);
  EXPECT_EQ(out.events, Bits(EPOLLIN));
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(PollNow(l.get(), POLLIN | POLLOUT), 0u);
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 0), 0);
}

TEST(SocketInetTest, TcpInfoState) {
  tcp_info ti{};
  socklen_t len = sizeof(ti);
  ScopedFd fresh(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_EQ(getsockopt(fresh.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
  EXPECT_EQ(len, sizeof(ti));
  EXPECT_EQ(ti.tcpi_state, TCP_CLOSE);
  ScopedFd l(TcpListener());
  ASSERT_EQ(getsockopt(l.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
  EXPECT_EQ(ti.tcpi_state, TCP_LISTEN);
  ScopedFd c(TcpConnect(PortOf(l.get())));
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  ASSERT_EQ(getsockopt(c.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
  EXPECT_EQ(ti.tcpi_state, TCP_ESTABLISHED);
  ASSERT_EQ(getsockopt(s.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
  EXPECT_EQ(ti.tcpi_state, TCP_ESTABLISHED);
  // Length: a prefix of what was asked for; a large buffer gets the kernel's whole struct.
  unsigned char small[4] = {0xff, 0xff, 0xff, 0xff};
  len = 2;
  ASSERT_EQ(getsockopt(c.get(), IPPROTO_TCP, TCP_INFO, small, &len), 0);
  EXPECT_EQ(len, 2u);
  EXPECT_EQ(small[0], TCP_ESTABLISHED);
  EXPECT_EQ(small[2], 0xff);
  char big[2048];
  len = sizeof(big);
  ASSERT_EQ(getsockopt(c.get(), IPPROTO_TCP, TCP_INFO, big, &len), 0);
  EXPECT_GE(len, sizeof(tcp_info));
  EXPECT_LT(len, sizeof(big));
  len = -1;
  EXPECT_EQ(getsockopt(c.get(), IPPROTO_TCP, TCP_INFO, big, &len), -1);
  EXPECT_EQ(errno, EINVAL);
  // The peer's close: CLOSE_WAIT once its FIN is in.
  c.reset();
  char ch;
  ASSERT_EQ(read(s.get(), &ch, 1), 0);
  len = sizeof(ti);
  ASSERT_EQ(getsockopt(s.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
  EXPECT_EQ(ti.tcpi_state, TCP_CLOSE_WAIT);
  // Not TCP.
  ScopedFd u(socket(AF_INET, SOCK_DGRAM, 0));
  EXPECT_EQ(getsockopt(u.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
}

TEST(SocketInetTest, TcpUrgentByte) {
  ScopedFd l(TcpListener());
  ScopedFd c(TcpConnect(PortOf(l.get())));
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  char buf[16];
  EXPECT_EQ(recv(s.get(), buf, 1, MSG_OOB | MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EINVAL);  // no urgent data
  ASSERT_EQ(send(c.get(), "abc", 3, MSG_OOB), 3);
  pollfd p{s.get(), POLLPRI, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  EXPECT_EQ(PollNow(s.get(), POLLIN | POLLPRI), Bits(POLLIN | POLLPRI));
  EXPECT_EQ(EpollNow(s.get(), EPOLLIN | EPOLLPRI), Bits(EPOLLIN | EPOLLPRI));
  int at_mark = -1;
  ASSERT_EQ(ioctl(s.get(), SIOCATMARK, &at_mark), 0);
  EXPECT_EQ(at_mark, 0);  // "ab" comes first
  // A normal read stops at the mark; the urgent byte comes with MSG_OOB only.
  ASSERT_EQ(recv(s.get(), buf, sizeof(buf), 0), 2);
  EXPECT_EQ(std::string(buf, 2), "ab");
  ASSERT_EQ(ioctl(s.get(), SIOCATMARK, &at_mark), 0);
  EXPECT_EQ(at_mark, 1);
  ASSERT_EQ(recv(s.get(), buf, sizeof(buf), MSG_OOB | MSG_PEEK), 1);
  EXPECT_EQ(buf[0], 'c');
  ASSERT_EQ(recv(s.get(), buf, sizeof(buf), MSG_OOB), 1);
  EXPECT_EQ(buf[0], 'c');
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), MSG_OOB), -1);
  EXPECT_EQ(errno, EINVAL);
  // SO_OOBINLINE (on a fresh connection): the byte stays in the stream; MSG_OOB is EINVAL.
  ScopedFd c2(TcpConnect(PortOf(l.get())));
  ScopedFd s2(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s2.valid());
  int one = 1;
  ASSERT_EQ(setsockopt(s2.get(), SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one)), 0);
  ASSERT_EQ(send(c2.get(), "xyz", 3, MSG_OOB), 3);
  std::string got;
  for (int i = 0; i < 10 && got.size() < 3; ++i) {
    ssize_t n = recv(s2.get(), buf, sizeof(buf), 0);
    ASSERT_GT(n, 0);
    got.append(buf, n);
  }
  EXPECT_EQ(got, "xyz");
  EXPECT_EQ(recv(s2.get(), buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EINVAL);
  // Other sockets.
  ScopedFd fresh(socket(AF_INET, SOCK_STREAM, 0));
  EXPECT_EQ(send(fresh.get(), "x", 1, MSG_OOB | MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EPIPE);
  EXPECT_EQ(recv(fresh.get(), buf, 1, MSG_OOB), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(recv(l.get(), buf, 1, MSG_OOB), -1);
  EXPECT_EQ(errno, ENOTCONN);
  ScopedFd u(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in to = Loopback4(9);
  EXPECT_EQ(sendto(u.get(), "x", 1, MSG_OOB, reinterpret_cast<sockaddr*>(&to), sizeof(to)), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
}

// An epoll watch added before a nonblocking connect, edge-triggered and with the unconnected
// socket's first EPOLLOUT already taken, reports EPOLLOUT when the connect completes (so does
// a level-triggered one); the next connect returns 0, the one after EISCONN.
TEST(SocketInetTest, EpollWatchBeforeNonblockingConnect) {
  ScopedFd l(TcpListener());
  uint16_t port = PortOf(l.get());
  ScopedFd c(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  ScopedFd et(epoll_create1(0)), lt(epoll_create1(0));
  epoll_event ev{};
  ev.events = EPOLLOUT | EPOLLET;
  ev.data.u32 = 7;
  ASSERT_EQ(epoll_ctl(et.get(), EPOLL_CTL_ADD, c.get(), &ev), 0);
  ev.events = EPOLLOUT;
  ASSERT_EQ(epoll_ctl(lt.get(), EPOLL_CTL_ADD, c.get(), &ev), 0);
  epoll_event out{};
  ASSERT_EQ(epoll_wait(et.get(), &out, 1, 0), 1);  // unconnected: EPOLLOUT (Linux adds HUP)
  EXPECT_TRUE(out.events & EPOLLOUT);
  ASSERT_EQ(epoll_wait(et.get(), &out, 1, 0), 0);  // that edge is taken
  ASSERT_EQ(ConnectErrno(c.get(), port), EINPROGRESS);
  ASSERT_EQ(epoll_wait(et.get(), &out, 1, 5000), 1);
  EXPECT_EQ(out.events, Bits(EPOLLOUT));
  EXPECT_EQ(out.data.u32, 7u);
  ASSERT_EQ(epoll_wait(lt.get(), &out, 1, 5000), 1);
  EXPECT_EQ(out.events, Bits(EPOLLOUT));
  EXPECT_EQ(ConnectErrno(c.get(), port), 0);  // reports the completion
  EXPECT_EQ(ConnectErrno(c.get(), port), EISCONN);
  EXPECT_EQ(SoError(c.get()), 0);
  ScopedFd s(accept(l.get(), nullptr, nullptr));
  ASSERT_TRUE(s.valid());
  ASSERT_EQ(write(c.get(), "hi", 2), 2);
  char buf[4];
  EXPECT_EQ(read(s.get(), buf, sizeof(buf)), 2);
  // A blocking connect reports itself: a second one is EISCONN.
  ScopedFd b(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_EQ(ConnectErrno(b.get(), port), 0);
  EXPECT_EQ(ConnectErrno(b.get(), port), EISCONN);
}

// Waits (bounded) until `fd` reports one of `events` under poll; the revents, or 0.
unsigned PollWait(int fd, short events, int timeout_ms = 5000) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, timeout_ms) == 1 ? static_cast<unsigned short>(p.revents) : 0;
}

// A UDP socket bound to an ephemeral loopback port.
int UdpBound(int family) {
  int fd = socket(family, SOCK_DGRAM, 0);
  sockaddr_in a4 = Loopback4(0);
  sockaddr_in6 a6{};
  a6.sin6_family = AF_INET6;
  a6.sin6_addr = in6addr_loopback;
  int r = family == AF_INET ? bind(fd, reinterpret_cast<sockaddr*>(&a4), sizeof(a4))
                            : bind(fd, reinterpret_cast<sockaddr*>(&a6), sizeof(a6));
  EXPECT_EQ(r, 0) << strerror(errno);
  return fd;
}

// `n` distinct loopback UDP ports no socket is bound to: bound at once, then closed. Bind
// the test's own sockets first, so that none of them has one of these.
std::vector<uint16_t> ClosedUdpPorts(int family, int n) {
  std::vector<ScopedFd> held;
  std::vector<uint16_t> ports;
  for (int i = 0; i < n; ++i) {
    held.emplace_back(UdpBound(family));
    ports.push_back(PortOf(held.back().get()));
  }
  return ports;
}

void ConnectTo(int fd, const sockaddr* to, socklen_t len) {
  EXPECT_EQ(connect(fd, to, len), 0) << strerror(errno);
}

// A connected UDP socket whose datagram meets a closed loopback port gets ECONNREFUSED
// (Linux: the ICMP port unreachable sets its error): POLLERR until the next receive, send or
// SO_ERROR reports it, once; a send that reports it sends nothing.
TEST(SocketInetTest, ConnectedUdpToClosedPortIsRefused) {
  ScopedFd s(UdpBound(AF_INET));
  uint16_t port = ClosedUdpPorts(AF_INET, 1)[0];
  sockaddr_in to = Loopback4(port);
  ConnectTo(s.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to));
  char buf[8];
  ASSERT_EQ(send(s.get(), "x", 1, 0), 1);  // the send itself succeeds
  EXPECT_EQ(PollWait(s.get(), POLLIN), Bits(POLLERR));
  EXPECT_EQ(PollNow(s.get(), POLLIN | POLLOUT), Bits(POLLOUT | POLLERR));
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), MSG_DONTWAIT | MSG_PEEK), -1);
  EXPECT_EQ(errno, ECONNREFUSED);  // peeking takes it too
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(PollNow(s.get(), POLLIN | POLLOUT), Bits(POLLOUT));
  // Reported by the next send (which sends nothing), then sends work again.
  ASSERT_EQ(send(s.get(), "x", 1, 0), 1);
  ASSERT_EQ(PollWait(s.get(), POLLIN), Bits(POLLERR));
  ScopedFd r(socket(AF_INET, SOCK_DGRAM, 0));
  ASSERT_EQ(bind(r.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0) << strerror(errno);
  EXPECT_EQ(send(s.get(), "lost", 4, 0), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  ASSERT_EQ(send(s.get(), "sent", 4, 0), 4);
  ASSERT_EQ(PollWait(r.get(), POLLIN), Bits(POLLIN));
  ASSERT_EQ(recv(r.get(), buf, sizeof(buf), 0), 4);
  EXPECT_EQ(std::string(buf, 4), "sent");
  EXPECT_EQ(recv(r.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  r.reset();
  // SO_ERROR reads and clears it.
  ASSERT_EQ(send(s.get(), "x", 1, 0), 1);
  ASSERT_EQ(PollWait(s.get(), POLLIN), Bits(POLLERR));
  EXPECT_EQ(SoError(s.get()), ECONNREFUSED);
  EXPECT_EQ(SoError(s.get()), 0);
  EXPECT_EQ(PollNow(s.get(), POLLIN | POLLOUT), Bits(POLLOUT));
  // read(2) and write(2) report it as well.
  ASSERT_EQ(send(s.get(), "x", 1, 0), 1);
  ASSERT_EQ(PollWait(s.get(), POLLIN), Bits(POLLERR));
  EXPECT_EQ(read(s.get(), buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  ASSERT_EQ(send(s.get(), "x", 1, 0), 1);
  ASSERT_EQ(PollWait(s.get(), POLLIN), Bits(POLLERR));
  EXPECT_EQ(write(s.get(), "x", 1), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  // A blocking receive wakes with it.
  timeval tv{5, 0};
  ASSERT_EQ(setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
  ASSERT_EQ(send(s.get(), "x", 1, 0), 1);
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  // An epoll watch wakes: Linux reports EPOLLERR; the sentry's host readiness fd can only
  // show it as EPOLLIN (netstack/dgram_socket.h). Either way the receive reports the error.
  ScopedFd ep(epoll_create1(0));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, s.get(), &ev), 0);
  ASSERT_EQ(send(s.get(), "x", 1, 0), 1);
  epoll_event out{};
  ASSERT_EQ(epoll_wait(ep.get(), &out, 1, 5000), 1);
  EXPECT_TRUE(out.events & (EPOLLIN | EPOLLERR));
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 0), 0);
  // The same over IPv6.
  ScopedFd s6(UdpBound(AF_INET6));
  sockaddr_in6 to6{};
  to6.sin6_family = AF_INET6;
  to6.sin6_addr = in6addr_loopback;
  to6.sin6_port = htons(ClosedUdpPorts(AF_INET6, 1)[0]);
  ConnectTo(s6.get(), reinterpret_cast<sockaddr*>(&to6), sizeof(to6));
  ASSERT_EQ(send(s6.get(), "x", 1, 0), 1);
  EXPECT_EQ(PollWait(s6.get(), POLLIN), Bits(POLLERR));
  EXPECT_EQ(recv(s6.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
}

// The error comes before datagrams already queued; they are read after it.
TEST(SocketInetTest, ConnectedUdpErrorComesBeforeQueuedData) {
  ScopedFd x(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in any = Loopback4(0);
  ASSERT_EQ(bind(x.get(), reinterpret_cast<sockaddr*>(&any), sizeof(any)), 0);
  sockaddr_in xa = Loopback4(PortOf(x.get()));
  ScopedFd s(UdpBound(AF_INET));  // a port of its own while x still holds its
  ConnectTo(s.get(), reinterpret_cast<sockaddr*>(&xa), sizeof(xa));
  sockaddr_in sa = Loopback4(PortOf(s.get()));
  ASSERT_EQ(sendto(x.get(), "one", 3, 0, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 3);
  ASSERT_EQ(PollWait(s.get(), POLLIN), Bits(POLLIN));
  x.reset();  // its port is closed now
  ASSERT_EQ(send(s.get(), "q", 1, 0), 1);
  ASSERT_EQ(PollWait(s.get(), 0), Bits(POLLERR));  // (POLLERR is always reported)
  EXPECT_EQ(PollNow(s.get(), POLLIN | POLLOUT), Bits(POLLIN | POLLOUT | POLLERR));
  int avail = -1;
  ASSERT_EQ(ioctl(s.get(), FIONREAD, &avail), 0);
  EXPECT_EQ(avail, 3);
  char buf[8];
  EXPECT_EQ(recv(s.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  ASSERT_EQ(recv(s.get(), buf, sizeof(buf), MSG_DONTWAIT), 3);
  EXPECT_EQ(std::string(buf, 3), "one");
  EXPECT_EQ(PollNow(s.get(), POLLIN | POLLOUT), Bits(POLLOUT));
}

// Only a socket connected to the closed port hears of it: not an unconnected sendto, nor a
// connected socket's sendto to another address.
TEST(SocketInetTest, UnconnectedUdpToClosedPortIsNotRefused) {
  ScopedFd u(UdpBound(AF_INET)), c(UdpBound(AF_INET));
  std::vector<uint16_t> closed = ClosedUdpPorts(AF_INET, 2);
  sockaddr_in closed1 = Loopback4(closed[0]), closed2 = Loopback4(closed[1]);
  ASSERT_EQ(sendto(u.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&closed1), sizeof(closed1)), 1);
  ConnectTo(c.get(), reinterpret_cast<sockaddr*>(&closed1), sizeof(closed1));
  ASSERT_EQ(sendto(c.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&closed2), sizeof(closed2)), 1);
  // Give an ICMP error time to arrive (natively it is asynchronous); none must.
  EXPECT_EQ(PollWait(u.get(), POLLIN, 200), 0u);
  EXPECT_EQ(PollWait(c.get(), POLLIN, 200), 0u);
  char buf[4];
  EXPECT_EQ(recv(u.get(), buf, sizeof(buf), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(SoError(u.get()), 0);
  EXPECT_EQ(SoError(c.get()), 0);
  EXPECT_EQ(sendto(u.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&closed1), sizeof(closed1)), 1);
}

}  // namespace
