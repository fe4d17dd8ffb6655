// Tests for stream_connect.cc: nonblocking TCP connects (refused with SO_ERROR, queued on a
// full backlog until accept, refused when the listener closes, completion reported to epoll
// and to the next connect), listeners never writable, TCP_INFO states. Run by ctest
// (netstack_test).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>

#include "common/unique_fd.h"
#include "netstack/stack.h"
#include "netstack/test_sockets.h"
#include "netstack/stream_socket.h"

namespace sentry::netstack {
namespace {

std::shared_ptr<Socket> Tcp(Stack& st) {
  auto f = st.MakeSocket(AF_INET, SOCK_STREAM, 0, 0, Cred{7, 1, 2});
  EXPECT_TRUE(f.ok());
  return std::static_pointer_cast<Socket>(*f);
}

// What the host reports for the socket's readiness fd (what epoll sees).
short HostEvents(Socket& s, short events) {
  pollfd p{s.ReadinessFd(), events, 0};
  return ::poll(&p, 1, 0) > 0 ? p.revents : 0;
}

Caller Nonblocking() {
  Caller who{Cred{7, 1, 2}};
  who.nonblock = true;
  return who;
}

TEST(StreamConnectTest, RefusedNonblockingConnectReportsSoError) {
  Stack st;
  auto c = Tcp(st);
  EXPECT_EQ(c->Connect(Lo(9), Nonblocking()).error(), EINPROGRESS);
  EXPECT_EQ(c->TcpState(), TCP_CLOSE);
  const short want = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP;
  EXPECT_EQ(c->Readiness(POLLIN | POLLOUT | POLLRDHUP), static_cast<uint32_t>(want));
  EXPECT_EQ(HostEvents(*c, POLLIN | POLLOUT | POLLRDHUP), want);
  EXPECT_EQ(c->TakeError(), ECONNREFUSED);
  EXPECT_EQ(c->TakeError(), 0);
  EXPECT_EQ(HostEvents(*c, POLLIN | POLLOUT | POLLRDHUP), want & ~POLLERR);
  char buf[4];
  RecvResult r;
  EXPECT_EQ(c->Recv(buf, 0, &r).value(), 0);
  EXPECT_EQ(c->Connect(Lo(9), Nonblocking()).error(), ECONNABORTED);
  // A new attempt on a new host pair.
  auto l = Tcp(st);
  ASSERT_TRUE(l->Listen(4, Caller{}).ok());
  EXPECT_EQ(c->Connect(Lo(PortOf(*l)), Nonblocking()).error(), EINPROGRESS);
  EXPECT_EQ(c->TcpState(), TCP_ESTABLISHED);
  EXPECT_EQ(HostEvents(*c, POLLOUT), POLLOUT);
  EXPECT_TRUE(l->Accept(0).ok());
  // Blocking: the refusal is connect's own answer.
  auto b = Tcp(st);
  EXPECT_EQ(b->Connect(Lo(9), Caller{}).error(), ECONNREFUSED);
  EXPECT_EQ(b->TakeError(), 0);
}

TEST(StreamConnectTest, ListenerNeverWritable) {
  Stack st;
  auto l = Tcp(st);
  ASSERT_TRUE(l->Listen(4, Caller{}).ok());
  EXPECT_EQ(l->TcpState(), TCP_LISTEN);
  EXPECT_EQ(l->Readiness(POLLIN | POLLOUT), 0u);
  EXPECT_EQ(HostEvents(*l, POLLIN | POLLOUT), 0);
  auto c = Tcp(st);
  ASSERT_TRUE(c->Connect(Lo(PortOf(*l)), Caller{}).ok());
  auto c2 = Tcp(st);
  ASSERT_TRUE(c2->Connect(Lo(PortOf(*l)), Caller{}).ok());
  EXPECT_EQ(HostEvents(*l, POLLIN | POLLOUT), POLLIN);
  ASSERT_TRUE(l->Accept(0).ok());
  EXPECT_EQ(HostEvents(*l, POLLIN | POLLOUT), POLLIN);  // one still waits
  ASSERT_TRUE(l->Accept(0).ok());
  EXPECT_EQ(HostEvents(*l, POLLIN | POLLOUT), 0);
}

TEST(StreamConnectTest, FullBacklogQueuesNonblockingConnect) {
  Stack st;
  auto l = Tcp(st);
  ASSERT_TRUE(l->Listen(0, Caller{}).ok());
  uint16_t port = PortOf(*l);
  auto c1 = Tcp(st);
  EXPECT_EQ(c1->Connect(Lo(port), Nonblocking()).error(), EINPROGRESS);
  auto c2 = Tcp(st);
  EXPECT_EQ(c2->Connect(Lo(port), Nonblocking()).error(), EINPROGRESS);
  EXPECT_EQ(c2->TcpState(), TCP_SYN_SENT);
  EXPECT_EQ(c2->Readiness(POLLIN | POLLOUT), 0u);
  EXPECT_EQ(HostEvents(*c2, POLLIN | POLLOUT), 0);
  EXPECT_EQ(c2->Connect(Lo(port), Nonblocking()).error(), EALREADY);
  char buf[4];
  RecvResult r;
  EXPECT_EQ(c2->Recv(buf, 0, &r).error(), EAGAIN);
  // Blocking connects wait (EAGAIN to the handler) rather than queue.
  auto c3 = Tcp(st);
  EXPECT_EQ(c3->Connect(Lo(port), Caller{}).error(), EAGAIN);
  auto s1 = l->Accept(0);
  ASSERT_TRUE(s1.ok());
  EXPECT_EQ(c2->TcpState(), TCP_ESTABLISHED);
  EXPECT_EQ(HostEvents(*c2, POLLIN | POLLOUT), POLLOUT);
  SendArgs a;
  a.data = std::span<const char>("hi", 2);
  EXPECT_EQ(c2->Send(a, Caller{}).value(), 2);
  auto s2 = l->Accept(0);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ((*s2)->Recv(buf, 0, &r).value(), 2);  // no filler from the choke
  EXPECT_EQ(std::string(buf, 2), "hi");
  // Queued on a listener that closes: refused.
  auto c4 = Tcp(st);
  EXPECT_EQ(c4->Connect(Lo(port), Nonblocking()).error(), EINPROGRESS);  // room for one
  auto c5 = Tcp(st);
  EXPECT_EQ(c5->Connect(Lo(port), Nonblocking()).error(), EINPROGRESS);
  EXPECT_EQ(c5->TcpState(), TCP_SYN_SENT);
  l.reset();
  EXPECT_EQ(c5->TcpState(), TCP_CLOSE);
  EXPECT_TRUE(HostEvents(*c5, POLLOUT) & POLLERR);
  EXPECT_EQ(c5->TakeError(), ECONNREFUSED);
}

// An epoll watch made before a nonblocking connect (edge-triggered, its first EPOLLOUT
// already taken) sees EPOLLOUT when the connect completes; the next connect returns 0, then
// EISCONN (Linux's SS_CONNECTING).
TEST(StreamConnectTest, NonblockingConnectWakesEarlierWatchAndReportsOnce) {
  Stack st;
  auto l = Tcp(st);
  ASSERT_TRUE(l->Listen(4, Caller{}).ok());
  SockAddr to = Lo(PortOf(*l));
  auto c = Tcp(st);
  UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  epoll_event ev{EPOLLOUT | EPOLLET, {.u64 = 1}};
  ASSERT_EQ(::epoll_ctl(ep.get(), EPOLL_CTL_ADD, c->ReadinessFd(), &ev), 0);
  epoll_event out;
  ASSERT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 1);  // the unconnected socket's EPOLLOUT
  ASSERT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 0);
  EXPECT_EQ(c->Connect(to, Nonblocking()).error(), EINPROGRESS);
  ASSERT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 1);
  EXPECT_EQ(out.events, static_cast<uint32_t>(EPOLLOUT));
  EXPECT_EQ(c->Connect(to, Nonblocking()).value(), 0);
  EXPECT_EQ(c->Connect(to, Nonblocking()).error(), EISCONN);
  EXPECT_EQ(c->Connect(to, Caller{}).error(), EISCONN);
  // Queued on a full backlog first: the same once accept makes room.
  auto q = Tcp(st);
  ASSERT_TRUE(q->Listen(0, Caller{}).ok());
  SockAddr qto = Lo(PortOf(*q));
  auto c1 = Tcp(st);
  EXPECT_EQ(c1->Connect(qto, Nonblocking()).error(), EINPROGRESS);
  auto c2 = Tcp(st);
  EXPECT_EQ(c2->Connect(qto, Nonblocking()).error(), EINPROGRESS);
  EXPECT_EQ(c2->Connect(qto, Nonblocking()).error(), EALREADY);
  ASSERT_TRUE(q->Accept(0).ok());
  EXPECT_EQ(c2->TcpState(), TCP_ESTABLISHED);
  EXPECT_EQ(c2->Connect(qto, Nonblocking()).value(), 0);
  EXPECT_EQ(c2->Connect(qto, Nonblocking()).error(), EISCONN);
  // A blocking connect reports itself: the next one is EISCONN at once.
  auto b = Tcp(st);
  ASSERT_TRUE(b->Connect(to, Caller{}).ok());
  EXPECT_EQ(b->Connect(to, Nonblocking()).error(), EISCONN);
}

}  // namespace
}  // namespace sentry::netstack
