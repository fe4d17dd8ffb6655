// Tests for sockaddr.h: AF_UNIX and inet address parsing and formatting.
// Run by ctest (netstack_test).
#include "netstack/sockaddr.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace sentry::netstack {
namespace {

SockAddr Unix(const char* path, size_t len) {
  SockAddr a;
  a.ss.ss_family = AF_UNIX;
  memcpy(a.bytes() + 2, path, len);
  a.len = static_cast<socklen_t>(2 + len);
  return a;
}

TEST(SockAddrTest, UnixKinds) {
  auto p = ParseUnix(Unix("/tmp/x\0junk", 11));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, UnixName::Kind::kPath);
  EXPECT_EQ(p->name(), "/tmp/x");
  auto ab = ParseUnix(Unix("\0name", 5));
  ASSERT_TRUE(ab.ok());
  EXPECT_EQ(ab->kind, UnixName::Kind::kAbstract);
  EXPECT_EQ(ab->name(), "name");
  auto un = ParseUnix(Unix("", 0));
  ASSERT_TRUE(un.ok());
  EXPECT_EQ(un->kind, UnixName::Kind::kUnnamed);
}

TEST(SockAddrTest, UnixErrors) {
  SockAddr a = Unix("x", 1);
  a.len = 1;
  EXPECT_EQ(ParseUnix(a).error(), EINVAL);
  a.len = sizeof(sockaddr_un) + 1;
  EXPECT_EQ(ParseUnix(a).error(), EINVAL);
  a = Unix("x", 1);
  a.ss.ss_family = AF_INET;
  EXPECT_EQ(ParseUnix(a).error(), EINVAL);
}

TEST(SockAddrTest, UnixRoundTrip) {
  UnixName n = UnixName::Of(UnixName::Kind::kPath, "/a/b");
  SockAddr a = UnixSockAddr(n);
  EXPECT_EQ(a.len, 2u + 4 + 1);
  UnixName ab = UnixName::Of(UnixName::Kind::kAbstract, "zz");
  EXPECT_EQ(UnixSockAddr(ab).len, 2u + 3);
  EXPECT_EQ(UnixSockAddr(UnixName{}).len, 2u);
}

TEST(SockAddrTest, UnixLongNamesInline) {
  // sun_path's full 108 bytes (no NUL) and a 107-byte abstract name: kept whole, inline.
  std::string path(108, 'p');
  path[0] = '/';
  auto p = ParseUnix(Unix(path.data(), path.size()));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name(), path);
  EXPECT_EQ(UnixSockAddr(*p).len, 2u + 108 + 1);
  std::string abs(108, 'a');
  abs[0] = '\0';
  auto ab = ParseUnix(Unix(abs.data(), abs.size()));
  ASSERT_TRUE(ab.ok());
  EXPECT_EQ(ab->name(), abs.substr(1));
  SockAddr back = UnixSockAddr(*ab);
  EXPECT_EQ(back.len, 2u + 108);
  EXPECT_EQ(memcmp(back.bytes() + 2, abs.data(), 108), 0);
  static_assert(sizeof(UnixName) < 128);  // no heap part
}

TEST(SockAddrTest, Inet) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(80);
  sin.sin_addr.s_addr = htonl(0x7f000002);
  SockAddr a;
  memcpy(&a.ss, &sin, sizeof(sin));
  a.len = sizeof(sin);
  auto p = ParseInet(AF_INET, a);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->IsV4());
  EXPECT_TRUE(p->IsLoopback());
  EXPECT_EQ(p->port, 80);
  EXPECT_EQ(ParseInet(AF_INET6, a).error(), EINVAL);  // too short for sockaddr_in6
  a.len = sizeof(sin) - 1;
  EXPECT_EQ(ParseInet(AF_INET, a).error(), EINVAL);
  SockAddr back = InetSockAddr(AF_INET6, *p);
  EXPECT_EQ(back.len, sizeof(sockaddr_in6));
  auto again = ParseInet(AF_INET6, back);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *p);
  EXPECT_TRUE(InetAddr::LoopbackFor(AF_INET6).IsLoopback());
  EXPECT_TRUE(InetAddr::AnyFor(AF_INET6).IsAny());
  EXPECT_FALSE(InetAddr::V4(0x08080808, 0).IsLoopback());
}

}  // namespace
}  // namespace sentry::netstack
