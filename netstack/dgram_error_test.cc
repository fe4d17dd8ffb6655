// Tests for dgram_error.cc: a connected UDP socket whose datagram finds no socket gets
// ECONNREFUSED once (send, receive, SO_ERROR), with POLLERR and a readable host fd meanwhile.
// Run by ctest (netstack_test).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <cstring>
#include <string>

#include "netstack/dgram_socket.h"
#include "netstack/stack.h"
#include "netstack/test_sockets.h"

namespace sentry::netstack {
namespace {

std::shared_ptr<Socket> Udp(Stack& st) {
  auto f = st.MakeSocket(AF_INET, SOCK_DGRAM, 0, 0, Cred{});
  EXPECT_TRUE(f.ok());
  return std::static_pointer_cast<Socket>(*f);
}

// What the host reports for the socket's readiness fd (what epoll sees).
short HostEvents(Socket& s) {
  pollfd p{s.ReadinessFd(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 ? p.revents : 0;
}

SysResult SendTo(Socket& s, const char* data, const SockAddr* to = nullptr) {
  SendArgs a;
  a.data = std::span<const char>(data, strlen(data));
  a.to = to;
  return s.Send(a, Caller{});
}

SysResult Recv(Socket& s, std::string* got = nullptr, int flags = 0) {
  char buf[16];
  RecvResult r;
  SysResult n = s.Recv(buf, flags, &r);
  if (n.ok() && got) got->assign(buf, r.copied);
  return n;
}

constexpr uint32_t kAll = POLLIN | POLLOUT;

TEST(DgramErrorTest, ConnectedSendToClosedPortIsRefusedOnce) {
  Stack st;
  auto s = Udp(st);
  ASSERT_TRUE(s->Connect(Lo(9), Caller{}).ok());
  EXPECT_EQ(SendTo(*s, "x").value(), 1);  // the send itself succeeds
  EXPECT_EQ(s->Readiness(kAll), static_cast<uint32_t>(POLLOUT | POLLERR));
  EXPECT_EQ(s->Readiness(POLLIN) & POLLERR, static_cast<uint32_t>(POLLERR));  // always reported
  EXPECT_EQ(HostEvents(*s), POLLIN);  // the doorbell wakes waiters
  int avail = -1;
  ASSERT_TRUE(s->Ioctl(FIONREAD, &avail).ok());
  EXPECT_EQ(avail, 0);
  EXPECT_EQ(Recv(*s, nullptr, MSG_PEEK).error(), ECONNREFUSED);  // peeking clears it too
  EXPECT_EQ(Recv(*s).error(), EAGAIN);
  EXPECT_EQ(s->Readiness(kAll), static_cast<uint32_t>(POLLOUT));
  EXPECT_EQ(HostEvents(*s), 0);
  // Again, reported by the next send, which sends nothing.
  EXPECT_EQ(SendTo(*s, "y").value(), 1);
  auto r = Udp(st);
  ASSERT_TRUE(r->Bind(Lo(9), Caller{}).ok());
  EXPECT_EQ(SendTo(*s, "lost").error(), ECONNREFUSED);
  EXPECT_EQ(SendTo(*s, "sent").value(), 4);
  std::string got;
  EXPECT_EQ(Recv(*r, &got).value(), 4);
  EXPECT_EQ(got, "sent");
  EXPECT_EQ(Recv(*r).error(), EAGAIN);
  EXPECT_EQ(s->TakeError(), 0);
}

TEST(DgramErrorTest, SoErrorTakesIt) {
  Stack st;
  auto s = Udp(st);
  ASSERT_TRUE(s->Connect(Lo(9), Caller{}).ok());
  EXPECT_EQ(SendTo(*s, "").value(), 0);  // an empty datagram too
  EXPECT_EQ(s->TakeError(), ECONNREFUSED);
  EXPECT_EQ(s->TakeError(), 0);
  EXPECT_EQ(HostEvents(*s), 0);
  EXPECT_EQ(Recv(*s).error(), EAGAIN);
  // Sending twice sets it once; disconnecting keeps it (Linux).
  EXPECT_EQ(SendTo(*s, "a").value(), 1);
  SockAddr lo9 = Lo(9);
  EXPECT_EQ(SendTo(*s, "b", &lo9).error(), ECONNREFUSED);  // sendto the peer: the same
  EXPECT_EQ(SendTo(*s, "c", &lo9).value(), 1);
  SockAddr unspec;
  unspec.ss.ss_family = AF_UNSPEC;
  unspec.len = sizeof(sa_family_t);
  ASSERT_TRUE(s->Connect(unspec, Caller{}).ok());
  EXPECT_EQ(s->TakeError(), ECONNREFUSED);
}

TEST(DgramErrorTest, OnlyConnectedSendersToThatAddressAreTold) {
  Stack st;
  auto u = Udp(st);
  SockAddr lo9 = Lo(9), lo10 = Lo(10);
  EXPECT_EQ(SendTo(*u, "x", &lo9).value(), 1);  // unconnected: nothing
  EXPECT_EQ(u->Readiness(kAll), static_cast<uint32_t>(POLLOUT));
  EXPECT_EQ(Recv(*u).error(), EAGAIN);
  EXPECT_EQ(u->TakeError(), 0);
  auto c = Udp(st);
  ASSERT_TRUE(c->Connect(lo9, Caller{}).ok());
  EXPECT_EQ(SendTo(*c, "x", &lo10).value(), 1);  // connected elsewhere: nothing
  EXPECT_EQ(c->TakeError(), 0);
  EXPECT_EQ(HostEvents(*c), 0);
}

TEST(DgramErrorTest, ReceiverConnectedElsewhereRefuses) {
  Stack st;
  auto r = Udp(st);
  ASSERT_TRUE(r->Bind(Lo(0), Caller{}).ok());
  ASSERT_TRUE(r->Connect(Lo(9), Caller{}).ok());
  auto s = Udp(st);
  ASSERT_TRUE(s->Connect(Lo(PortOf(*r)), Caller{}).ok());
  EXPECT_EQ(SendTo(*s, "x").value(), 1);
  EXPECT_EQ(Recv(*r).error(), EAGAIN);
  EXPECT_EQ(Recv(*s).error(), ECONNREFUSED);
}

TEST(DgramErrorTest, ErrorComesBeforeQueuedDatagrams) {
  Stack st;
  auto x = Udp(st);
  ASSERT_TRUE(x->Bind(Lo(0), Caller{}).ok());
  uint16_t xport = PortOf(*x);
  auto s = Udp(st);
  ASSERT_TRUE(s->Bind(Lo(0), Caller{}).ok());
  SockAddr to_s = Lo(PortOf(*s));
  ASSERT_TRUE(s->Connect(Lo(xport), Caller{}).ok());
  EXPECT_EQ(SendTo(*x, "one", &to_s).value(), 3);
  x.reset();  // closed: its port is free
  EXPECT_EQ(SendTo(*s, "q").value(), 1);
  EXPECT_EQ(s->Readiness(kAll), static_cast<uint32_t>(POLLIN | POLLOUT | POLLERR));
  int avail = -1;
  ASSERT_TRUE(s->Ioctl(FIONREAD, &avail).ok());
  EXPECT_EQ(avail, 3);  // the datagram's length, behind the doorbell
  // A datagram that arrives while the error is pending queues behind the doorbell too.
  auto y = Udp(st);
  ASSERT_TRUE(y->Bind(Lo(xport), Caller{}).ok());
  EXPECT_EQ(SendTo(*y, "two", &to_s).value(), 3);
  EXPECT_EQ(Recv(*s).error(), ECONNREFUSED);
  std::string got;
  EXPECT_EQ(Recv(*s, &got).value(), 3);
  EXPECT_EQ(got, "one");
  EXPECT_EQ(Recv(*s, &got).value(), 3);
  EXPECT_EQ(got, "two");
  EXPECT_EQ(Recv(*s).error(), EAGAIN);
  EXPECT_EQ(HostEvents(*s), 0);
}

TEST(DgramErrorTest, UndoneReceiveGoesBehindTheDoorbell) {
  Stack st;
  auto s = Udp(st);
  ASSERT_TRUE(s->Bind(Lo(0), Caller{}).ok());
  SockAddr to_s = Lo(PortOf(*s));
  auto x = Udp(st);
  ASSERT_TRUE(x->Bind(Lo(0), Caller{}).ok());
  ASSERT_TRUE(s->Connect(Lo(PortOf(*x)), Caller{}).ok());
  EXPECT_EQ(SendTo(*x, "d", &to_s).value(), 1);
  char buf[4];
  RecvResult taken;
  ASSERT_EQ(s->Recv(buf, 0, &taken).value(), 1);
  x.reset();
  EXPECT_EQ(SendTo(*s, "q").value(), 1);  // refused while the datagram is out
  ASSERT_TRUE(s->Unrecv(std::span<const char>(buf, 1), 0, std::move(taken)));
  EXPECT_EQ(s->Readiness(kAll), static_cast<uint32_t>(POLLIN | POLLOUT | POLLERR));
  EXPECT_EQ(s->TakeError(), ECONNREFUSED);
  std::string got;
  EXPECT_EQ(Recv(*s, &got).value(), 1);
  EXPECT_EQ(got, "d");
  EXPECT_EQ(HostEvents(*s), 0);
}

}  // namespace
}  // namespace sentry::netstack
