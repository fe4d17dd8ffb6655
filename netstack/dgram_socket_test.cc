// Tests for dgram_socket.h: unix datagrams with source names, truncation, UDP on loopback.
// Run by ctest (netstack_test).
#include "netstack/dgram_socket.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

#include "netstack/stack.h"

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

std::shared_ptr<Socket> Make(Stack& st, int family) {
  auto f = st.MakeSocket(family, SOCK_DGRAM, 0, 0, Cred{});
  EXPECT_TRUE(f.ok());
  return std::static_pointer_cast<Socket>(*f);
}

TEST(DgramSocketTest, UnixSendToWithSource) {
  Stack st;
  auto r = Make(st, AF_UNIX);
  auto s = Make(st, AF_UNIX);
  ASSERT_TRUE(r->Bind(Abstract("r"), Caller{}).ok());
  ASSERT_TRUE(s->Bind(Abstract("s"), Caller{}).ok());
  SockAddr to = Abstract("r");
  SendArgs a;
  a.data = std::span<const char>("hello", 5);
  a.to = &to;
  EXPECT_EQ(s->Send(a, Caller{}).value(), 5);
  char buf[3];
  RecvResult res;
  EXPECT_EQ(r->Recv(buf, MSG_TRUNC, &res).value(), 5);
  EXPECT_EQ(res.copied, 3u);
  EXPECT_TRUE(res.msg_flags & MSG_TRUNC);
  EXPECT_EQ(res.from.len, Abstract("s").len);
  SockAddr nobody = Abstract("zz");
  a.to = &nobody;
  EXPECT_EQ(s->Send(a, Caller{}).error(), ECONNREFUSED);
  a.to = nullptr;
  EXPECT_EQ(s->Send(a, Caller{}).error(), ENOTCONN);
}

TEST(DgramSocketTest, UdpLoopback) {
  Stack st;
  auto r = Make(st, AF_INET);
  auto s = Make(st, AF_INET);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin.sin_port = htons(5353);
  SockAddr a;
  memcpy(&a.ss, &sin, sizeof(sin));
  a.len = sizeof(sin);
  ASSERT_TRUE(r->Bind(a, Caller{}).ok());
  SendArgs args;
  args.data = std::span<const char>("x", 1);
  args.to = &a;
  EXPECT_EQ(s->Send(args, Caller{}).value(), 1);
  char buf[8];
  RecvResult res;
  EXPECT_EQ(r->Recv(buf, 0, &res).value(), 1);
  ASSERT_EQ(res.from.len, sizeof(sockaddr_in));
  auto* from = reinterpret_cast<sockaddr_in*>(&res.from.ss);
  EXPECT_EQ(from->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  SockAddr sname = s->LocalName();
  EXPECT_EQ(from->sin_port, reinterpret_cast<sockaddr_in*>(&sname.ss)->sin_port);
  EXPECT_EQ(r->Recv(buf, 0, &res).error(), EAGAIN);
}

}  // namespace
}  // namespace sentry::netstack
