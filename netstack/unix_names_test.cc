// Tests for unix_names.h: abstract and path names, unbinding, autobind names.
// Run by ctest (netstack_test).
#include "netstack/unix_names.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace sentry::netstack {
namespace {

TEST(UnixNamesTest, BindFindUnbind) {
  UnixNames n;
  int a, b;
  EXPECT_EQ(n.BindAbstract(SOCK_STREAM, "x", &a), 0);
  EXPECT_EQ(n.BindAbstract(SOCK_STREAM, "x", &b), EADDRINUSE);
  EXPECT_EQ(n.BindAbstract(SOCK_DGRAM, "x", &b), 0);  // per type
  EXPECT_EQ(n.FindAbstract(SOCK_DGRAM, "x"), &b);
  EXPECT_EQ(n.BindPath({1, 2}, &a), 0);
  EXPECT_EQ(n.BindPath({1, 2}, &b), EADDRINUSE);
  EXPECT_EQ(n.FindAbstract(SOCK_STREAM, "x"), &a);
  EXPECT_EQ(n.FindPath({1, 2}), &a);
  n.Unbind(&a);
  EXPECT_EQ(n.FindAbstract(SOCK_STREAM, "x"), nullptr);
  EXPECT_EQ(n.FindPath({1, 2}), nullptr);
}

TEST(UnixNamesTest, Autobind) {
  UnixNames n;
  int a;
  std::string first = n.FreeAutobindName();
  EXPECT_EQ(first.size(), 5u);
  EXPECT_EQ(n.BindAbstract(SOCK_STREAM, first, &a), 0);
  EXPECT_NE(n.FreeAutobindName(), first);
}

}  // namespace
}  // namespace sentry::netstack
