// Tests for port_table.h: conflicts, wildcards, v6only, reuse and the ephemeral range.
// Run by ctest (netstack_test).
#include "netstack/port_table.h"

#include <gtest/gtest.h>

namespace sentry::netstack {
namespace {

PortTable::Binding B(InetAddr a, uint16_t port, const void* owner, bool v6 = false) {
  PortTable::Binding b;
  b.addr = a;
  b.addr.port = port;
  b.v6 = v6;
  b.owner = owner;
  return b;
}

TEST(PortTableTest, ConflictsAndLookup) {
  PortTable t;
  int o1, o2, o3;
  ASSERT_TRUE(t.Bind(B(InetAddr::V4(0x7f000001, 0), 5000, &o1)).ok());
  EXPECT_EQ(t.Bind(B(InetAddr::AnyFor(AF_INET), 5000, &o2)).error(), EADDRINUSE);
  // A v6-only wildcard does not meet IPv4.
  auto v6only = B(InetAddr::AnyFor(AF_INET6), 5000, &o3, true);
  v6only.v6only = true;
  EXPECT_TRUE(t.Bind(v6only).ok());
  EXPECT_EQ(t.Lookup(InetAddr::V4(0x7f000001, 5000), false), &o1);
  InetAddr lo6 = InetAddr::LoopbackFor(AF_INET6);
  lo6.port = 5000;
  EXPECT_EQ(t.Lookup(lo6, false), &o3);
  EXPECT_EQ(t.Lookup(lo6, true), nullptr);
  t.SetListening(&o3, true);
  EXPECT_EQ(t.Lookup(lo6, true), &o3);
  t.Unbind(&o1);
  EXPECT_EQ(t.Lookup(InetAddr::V4(0x7f000001, 5000), false), nullptr);
  EXPECT_TRUE(t.Bind(B(InetAddr::AnyFor(AF_INET), 5000, &o2)).ok());
}

TEST(PortTableTest, DualStackWildcardTakesV4) {
  PortTable t;
  int o1, o2;
  ASSERT_TRUE(t.Bind(B(InetAddr::AnyFor(AF_INET6), 6000, &o1, true)).ok());
  EXPECT_EQ(t.Bind(B(InetAddr::V4(0x7f000001, 0), 6000, &o2)).error(), EADDRINUSE);
  EXPECT_EQ(t.Lookup(InetAddr::V4(0x7f000001, 6000), false), &o1);
}

TEST(PortTableTest, ReuseAddrAndEphemeral) {
  PortTable t;
  int o1, o2, o3;
  auto a = B(InetAddr::AnyFor(AF_INET), 7000, &o1);
  a.reuse_addr = true;
  auto b = a;
  b.owner = &o2;
  ASSERT_TRUE(t.Bind(a).ok());
  EXPECT_TRUE(t.Bind(b).ok());
  auto e = t.Bind(B(InetAddr::AnyFor(AF_INET), 0, &o3));
  ASSERT_TRUE(e.ok());
  EXPECT_GE(*e, PortTable::kEphemeralLow);
  EXPECT_LE(*e, PortTable::kEphemeralHigh);
  auto e2 = t.Bind(B(InetAddr::AnyFor(AF_INET), 0, &o3));
  ASSERT_TRUE(e2.ok());
  EXPECT_NE(*e, *e2);
}

}  // namespace
}  // namespace sentry::netstack
