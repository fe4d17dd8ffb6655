// Tests for stream_socket.h: socketpair data and rights alignment, listen/connect/accept on
// abstract names and loopback TCP, backlog limits. Run by ctest (netstack_test).
#include "netstack/stream_socket.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <cstring>

#include "netstack/stack.h"
#include "vfs/pipe.h"

namespace sentry::netstack {
namespace {

SockAddr Abstract(const char* name) {
  SockAddr a;
  a.ss.ss_family = AF_UNIX;
  size_t n = strlen(name);
  memcpy(a.bytes() + 3, name, n);
  a.len = static_cast<socklen_t>(3 + n);
  return a;
}

std::shared_ptr<Socket> Make(Stack& st, int family, int type) {
  auto f = st.MakeSocket(family, type, 0, 0, Cred{7, 1, 2});
  EXPECT_TRUE(f.ok());
  return std::static_pointer_cast<Socket>(*f);
}

SysResult SendStr(Socket& s, const char* str, Control* ctl = nullptr) {
  SendArgs a;
  a.data = std::span<const char>(str, strlen(str));
  a.ctl = ctl;
  return s.Send(a, Caller{Cred{7, 1, 2}});
}

TEST(StreamSocketTest, PairCarriesDataAndRights) {
  Stack st;
  auto p = st.MakeSocketPair(AF_UNIX, SOCK_STREAM, 0, 0, Cred{7, 1, 2});
  ASSERT_TRUE(p.ok());
  Socket* a = AsSocket(p->first);
  Socket* b = AsSocket(p->second);
  ASSERT_TRUE(a && b);
  auto pipe = vfs::MakePipe(0);
  ASSERT_TRUE(pipe.ok());
  EXPECT_EQ(SendStr(*a, "abc").value(), 3);
  Control ctl;
  ctl.rights.push_back(pipe->first);
  EXPECT_EQ(SendStr(*a, "de", &ctl).value(), 2);
  EXPECT_TRUE(ctl.rights.empty());
  EXPECT_EQ(SendStr(*a, "fg").value(), 2);
  char buf[16];
  RecvResult r;
  // One read takes the plain bytes and those the rights came with, and stops after them.
  EXPECT_EQ(b->Recv(buf, 0, &r).value(), 5);
  ASSERT_EQ(r.ctl.rights.size(), 1u);
  EXPECT_EQ(r.ctl.rights[0], pipe->first);
  RecvResult r2;
  EXPECT_EQ(b->Recv(buf, 0, &r2).value(), 2);
  EXPECT_TRUE(r2.ctl.rights.empty());
  RecvResult r3;
  EXPECT_EQ(b->Recv(buf, 0, &r3).error(), EAGAIN);
  Cred c;
  ASSERT_TRUE(b->PeerCred(&c));
  EXPECT_EQ(c.pid, 7);
}

TEST(StreamSocketTest, ListenConnectAccept) {
  Stack st;
  auto l = Make(st, AF_UNIX, SOCK_STREAM);
  ASSERT_TRUE(l->Bind(Abstract("srv"), Caller{}).ok());
  ASSERT_TRUE(l->Listen(0, Caller{Cred{1, 0, 0}}).ok());
  auto c1 = Make(st, AF_UNIX, SOCK_STREAM);
  auto c2 = Make(st, AF_UNIX, SOCK_STREAM);
  auto c3 = Make(st, AF_UNIX, SOCK_STREAM);
  EXPECT_TRUE(c1->Connect(Abstract("srv"), Caller{Cred{9, 3, 4}}).ok());
  EXPECT_EQ(c1->Connect(Abstract("srv"), Caller{}).error(), EISCONN);
  // Backlog 0 holds one pending connection (Linux: full when the queue is longer than it).
  EXPECT_EQ(c2->Connect(Abstract("srv"), Caller{}).error(), EAGAIN);
  EXPECT_NE(c2->ConnectWaitQueue(), nullptr);
  EXPECT_EQ(c3->Connect(Abstract("nobody"), Caller{}).error(), ECONNREFUSED);
  EXPECT_EQ(l->Readiness(POLLIN), static_cast<uint32_t>(POLLIN));
  auto s1 = l->Accept(0);
  ASSERT_TRUE(s1.ok());
  Cred pc;
  ASSERT_TRUE((*s1)->PeerCred(&pc));
  EXPECT_EQ(pc.pid, 9);
  ASSERT_TRUE(c1->PeerCred(&pc));
  EXPECT_EQ(pc.pid, 1);
  EXPECT_TRUE(c2->Connect(Abstract("srv"), Caller{}).ok());
  EXPECT_EQ(SendStr(*c1, "hi").value(), 2);
  char buf[4];
  RecvResult r;
  EXPECT_EQ((*s1)->Recv(buf, 0, &r).value(), 2);
  EXPECT_EQ(std::string(buf, 2), "hi");
  EXPECT_EQ((*s1)->LocalName().len, Abstract("srv").len);
}

TEST(StreamSocketTest, TcpLoopback) {
  Stack st;
  auto l = Make(st, AF_INET, SOCK_STREAM);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SockAddr a;
  memcpy(&a.ss, &sin, sizeof(sin));
  a.len = sizeof(sin);
  ASSERT_TRUE(l->Bind(a, Caller{}).ok());
  SockAddr bound = l->LocalName();
  auto* bsin = reinterpret_cast<sockaddr_in*>(&bound.ss);
  EXPECT_NE(bsin->sin_port, 0);
  auto c = Make(st, AF_INET, SOCK_STREAM);
  EXPECT_EQ(c->Connect(bound, Caller{}).error(), ECONNREFUSED);  // not listening yet
  ASSERT_TRUE(l->Listen(16, Caller{}).ok());
  ASSERT_TRUE(c->Connect(bound, Caller{}).ok());
  auto s = l->Accept(0);
  ASSERT_TRUE(s.ok());
  auto peer = (*s)->PeerName();
  ASSERT_TRUE(peer.ok());
  SockAddr cl = c->LocalName();
  EXPECT_EQ(memcmp(&peer->ss, &cl.ss, sizeof(sockaddr_in)), 0);
  sin.sin_addr.s_addr = htonl(0x08080808);
  memcpy(&a.ss, &sin, sizeof(sin));
  auto c2 = Make(st, AF_INET, SOCK_STREAM);
  EXPECT_EQ(c2->Connect(a, Caller{}).error(), ENETUNREACH);
}

}  // namespace
}  // namespace sentry::netstack
