// Tests for the sandbox configuration built from the command line (no process is started).
// Owned by the launcher.
#include "launcher/sandbox.h"

#include <gtest/gtest.h>

#include "launcher/guest_env.h"

namespace sentry::launcher {
namespace {

int FakeSentry(UniqueFd, const SentryOptions&) { return 0; }
int FakeGofer(UniqueFd, const gofer::GoferOptions&) { return 0; }

TEST(SandboxConfigTest, FromRunOptions) {
  RunOptions opts;
  opts.argv = {"/bin/sh", "-c", "true"};
  opts.strace = true;
  opts.log_level = log::Level::kDebug;
  char e1[] = "A=1", e2[] = "PATH=/bin";
  char* envp[] = {e1, e2, nullptr};
  SandboxConfig c = MakeSandboxConfig(opts, {&FakeSentry, &FakeGofer}, envp, "/home/u");
  EXPECT_EQ(c.sentry.argv, opts.argv);
  // Only the basics of the host environment reach the guest (see guest_env_test.cc).
  EXPECT_EQ(c.sentry.envp, (std::vector<std::string>{"PATH=/bin", "HOME=/root"}));
  EXPECT_EQ(c.sentry.cwd, "/home/u");
  EXPECT_TRUE(c.sentry.strace);
  EXPECT_EQ(c.sentry.platform, "seccomp");
  EXPECT_EQ(c.sentry.log_level, 0);
  EXPECT_EQ(c.gofer.root, "/");
  EXPECT_TRUE(c.gofer.read_only);
  EXPECT_EQ(c.entry.sentry_main, &FakeSentry);
  EXPECT_EQ(c.hostname, "sentry");
  EXPECT_FALSE(c.limits.any());  // no cgroup unless a limit is asked for
  EXPECT_EQ(c.timeout_ms, 0);
  EXPECT_EQ(c.sentry.memory_limit_bytes, 0u);
}

TEST(SandboxConfigTest, LimitsTimeoutHostnameAndEnv) {
  RunOptions opts;
  opts.argv = {"true"};
  opts.memory_bytes = 64ull << 20;
  opts.pids = 16;
  opts.cpus = 0.5;
  opts.timeout_ms = 1500;
  opts.hostname = "box";
  opts.env = {{"A", "b", true}, {"SECRET", "", false}};
  char e1[] = "SECRET=s", e2[] = "OTHER=o";
  char* envp[] = {e1, e2, nullptr};
  SandboxConfig c = MakeSandboxConfig(opts, {&FakeSentry, &FakeGofer}, envp, "/");
  EXPECT_EQ(c.limits.memory_bytes, 64ull << 20);
  EXPECT_EQ(c.limits.pids, 16 + kSandboxOwnTasks);  // the sandbox's own tasks on top
  EXPECT_DOUBLE_EQ(c.limits.cpus, 0.5);
  EXPECT_EQ(c.timeout_ms, 1500);
  EXPECT_EQ(c.hostname, "box");
  EXPECT_EQ(c.sentry.memory_limit_bytes, 64ull << 20);  // for /proc/meminfo
  EXPECT_EQ(c.sentry.envp,
            (std::vector<std::string>{std::string("PATH=") + kDefaultGuestPath, "HOME=/root",
                                      "A=b", "SECRET=s"}));
}

TEST(SandboxConfigTest, OtherRootStartsInRoot) {
  RunOptions opts;
  opts.argv = {"ls"};
  opts.rootfs = "/srv/rootfs";
  SandboxConfig c = MakeSandboxConfig(opts, {}, nullptr, "/home/u");
  EXPECT_EQ(c.sentry.cwd, "/");
  EXPECT_EQ(c.gofer.root, "/srv/rootfs");
  EXPECT_EQ(c.sentry.envp.size(), 2u);  // PATH and HOME defaults
}

TEST(SandboxTest, RefusesEmptyArgv) {
  SandboxConfig c;
  EXPECT_FALSE(RunSandbox(c).ok());
}

}  // namespace
}  // namespace sentry::launcher
