// Tests for GoferMain: exit codes and serving a tree until the channel closes.
// Test-only; main thread (GoferMain runs on its own thread).
#include "gofer/gofer_main.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <thread>

#include "gofer/client.h"
#include "gofer/test_util.h"

namespace sentry::gofer {
namespace {

TEST(GoferMainTest, MissingRootExitsWithOne) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd keep(sv[0]);
  EXPECT_EQ(GoferMain(UniqueFd(sv[1]), GoferOptions{.root = "/nonexistent/gofer/root"}), 1);
}

TEST(GoferMainTest, ServesUntilEofThenExitsWithZero) {
  testing::TempTree tree;
  tree.MakeStandard();
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  ASSERT_EQ(::setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
  int code = -1;
  std::thread t([&] { code = GoferMain(UniqueFd(sv[1]), GoferOptions{.root = tree.path()}); });
  {
    Client client{UniqueFd(sv[0])};
    auto root = client.Mount();
    ASSERT_TRUE(root.ok());
    std::vector<std::string_view> names = {"a", "b", "c.txt"};
    auto r = client.Walk(root->handle, names);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->steps.size(), 3u);
  }  // closes the channel
  t.join();
  EXPECT_EQ(code, 0);
}

TEST(GoferMainTest, MissingMountSourceExitsWithOne) {
  testing::TempTree tree;
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd keep(sv[0]);
  GoferOptions opts{.root = tree.path()};
  opts.mounts.push_back({.source = "/nonexistent/gofer/mount", .read_only = false});
  EXPECT_EQ(GoferMain(UniqueFd(sv[1]), opts), 1);
}

TEST(GoferMainTest, ServesEachMountByIndex) {
  testing::TempTree root, data;
  data.MakeFile("in_data", "x");
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  ASSERT_EQ(::setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
  GoferOptions opts{.root = root.path()};
  opts.mounts.push_back({.source = data.path(), .read_only = false});
  int code = -1;
  std::thread t([&] { code = GoferMain(UniqueFd(sv[1]), opts); });
  {
    Client client{UniqueFd(sv[0])};
    auto m = client.Mount(1);
    ASSERT_TRUE(m.ok());
    std::vector<std::string_view> names = {"in_data"};
    auto r = client.Walk(m->handle, names);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->steps.size(), 1u);
    EXPECT_TRUE(client.Mkdir(m->handle, "made", 0755, 0, 0).ok());
    auto root_mount = client.Mount(0);
    ASSERT_TRUE(root_mount.ok());
    EXPECT_EQ(client.Mkdir(root_mount->handle, "made", 0755, 0, 0).error(), EROFS);
    EXPECT_EQ(client.Mount(2).error(), ENOENT);
  }
  t.join();
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace sentry::gofer
