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

}  // namespace
}  // namespace sentry::gofer
