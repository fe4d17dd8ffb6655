// Tests with real namespaces: a child cloned into new user+pid namespaces sees itself
// as pid 1 and uid/gid 0; the cgroup namespace is made only after before_release. Owned by
// the launcher.
#include "launcher/namespaces.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
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

std::string NsLink(const std::string& path) {
  char buf[256];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// The cgroup namespace is made after before_release ran (e.g. after the child joined the
// sandbox's cgroup), so its root is the cgroup the child was moved to.
TEST(NamespacesTest, CgroupNamespaceComesAfterBeforeRelease) {
  auto mapping = ComputeIdMappingForSelf();
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  const std::string ours = NsLink("/proc/self/ns/cgroup");
  ASSERT_FALSE(ours.empty());
  std::string child_ns_at_release;
  auto pid = SpawnInNamespaces(
      CLONE_NEWUSER | CLONE_NEWCGROUP, *mapping,
      [&ours] { return NsLink("/proc/self/ns/cgroup") != ours ? 0 : 1; },
      [&](pid_t child) {
        child_ns_at_release = NsLink("/proc/" + std::to_string(child) + "/ns/cgroup");
        return absl::OkStatus();
      });
  ASSERT_TRUE(pid.ok()) << pid.status();
  int status = WaitBounded(*pid, std::chrono::seconds(10));
  EXPECT_EQ(child_ns_at_release, ours) << "the cgroup namespace existed before the release";
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child has no cgroup namespace of its own";
}

TEST(NamespacesTest, FailingBeforeReleaseKillsTheChild) {
  auto mapping = ComputeIdMappingForSelf();
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  pid_t seen = -1;
  auto pid = SpawnInNamespaces(
      CLONE_NEWUSER, *mapping, [] { return 0; },
      [&](pid_t child) {
        seen = child;
        return absl::PermissionDeniedError("no cgroup for you");
      });
  ASSERT_FALSE(pid.ok());
  EXPECT_NE(pid.status().message().find("no cgroup for you"), std::string::npos);
  ASSERT_GT(seen, 0);
  EXPECT_EQ(kill(seen, 0), -1) << "the child was not reaped";
}

TEST(NamespacesTest, Names) {
  EXPECT_STREQ(NamespaceName(CLONE_NEWUSER), "user");
  EXPECT_STREQ(NamespaceName(CLONE_NEWCGROUP), "cgroup");
}

}  // namespace
}  // namespace sentry::launcher
