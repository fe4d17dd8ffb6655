// The one test with real namespaces: a child cloned into new user+pid namespaces sees itself
// as pid 1 and uid/gid 0. Owned by the launcher.
#include "launcher/namespaces.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace sentry::launcher {
namespace {

// Waits for `pid` at most `limit`; kills it if it is still there. Returns its wait status.
int WaitBounded(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "child did not exit in time";
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status;
}

TEST(NamespacesTest, ChildIsPidOneAndRoot) {
  auto mapping = ComputeIdMappingForSelf();
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  auto pid = SpawnInNamespaces(CLONE_NEWUSER | CLONE_NEWPID, *mapping, [] {
    if (getpid() != 1) return 1;
    if (getuid() != 0 || geteuid() != 0) return 2;
    if (getgid() != 0) return 3;
    return 0;
  });
  ASSERT_TRUE(pid.ok()) << pid.status();
  int status = WaitBounded(*pid, std::chrono::seconds(10));
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: not pid 1, 2: not uid 0, 3: not gid 0";
}

TEST(NamespacesTest, Names) {
  EXPECT_STREQ(NamespaceName(CLONE_NEWUSER), "user");
  EXPECT_STREQ(NamespaceName(CLONE_NEWCGROUP), "cgroup");
}

}  // namespace
}  // namespace sentry::launcher
