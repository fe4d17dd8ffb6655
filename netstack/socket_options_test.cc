// Tests for socket_options.h: defaults, stored values and ranges.
// Run by ctest (netstack_test).
#include "netstack/socket_options.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

namespace sentry::netstack {
namespace {

TEST(SocketOptionsTest, TcpOptions) {
  SocketOptions o(AF_INET, SOCK_STREAM);
  int v = -1;
  ASSERT_TRUE(o.GetStored(IPPROTO_TCP, TCP_NODELAY, &v));
  EXPECT_EQ(v, 0);
  EXPECT_EQ(o.SetStored(IPPROTO_TCP, TCP_NODELAY, 5), 0);
  ASSERT_TRUE(o.GetStored(IPPROTO_TCP, TCP_NODELAY, &v));
  EXPECT_EQ(v, 1);
  EXPECT_EQ(o.SetStored(IPPROTO_TCP, TCP_KEEPIDLE, 0), EINVAL);
  EXPECT_EQ(o.SetStored(IPPROTO_TCP, TCP_KEEPIDLE, 30), 0);
  ASSERT_TRUE(o.GetStored(IPPROTO_TCP, TCP_KEEPIDLE, &v));
  EXPECT_EQ(v, 30);
  EXPECT_EQ(o.SetStored(IPPROTO_IPV6, IPV6_TCLASS, 1), ENOPROTOOPT);  // an AF_INET socket
  EXPECT_EQ(o.SetStored(IPPROTO_IP, IP_TTL, -1), 0);
  ASSERT_TRUE(o.GetStored(IPPROTO_IP, IP_TTL, &v));
  EXPECT_EQ(v, 64);
}

TEST(SocketOptionsTest, UnixHasNoIpOptions) {
  SocketOptions o(AF_UNIX, SOCK_STREAM);
  int v;
  EXPECT_FALSE(o.GetStored(IPPROTO_TCP, TCP_NODELAY, &v));
  EXPECT_EQ(o.sndbuf, 212992);
}

}  // namespace
}  // namespace sentry::netstack
