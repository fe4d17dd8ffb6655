// Tests for the sandbox configuration built from the command line (no process is started).
// Owned by the launcher.
#include "launcher/sandbox.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(c.sentry.envp, (std::vector<std::string>{"A=1", "PATH=/bin"}));
  EXPECT_EQ(c.sentry.cwd, "/home/u");
  EXPECT_TRUE(c.sentry.strace);
  EXPECT_EQ(c.sentry.platform, "seccomp");
  EXPECT_EQ(c.sentry.log_level, 0);
  EXPECT_EQ(c.gofer.root, "/");
  EXPECT_TRUE(c.gofer.read_only);
  EXPECT_EQ(c.entry.sentry_main, &FakeSentry);
  EXPECT_EQ(c.hostname, "sentry");
}

TEST(SandboxConfigTest, OtherRootStartsInRoot) {
  RunOptions opts;
  opts.argv = {"ls"};
  opts.rootfs = "/srv/rootfs";
  SandboxConfig c = MakeSandboxConfig(opts, {}, nullptr, "/home/u");
  EXPECT_EQ(c.sentry.cwd, "/");
  EXPECT_EQ(c.gofer.root, "/srv/rootfs");
  EXPECT_TRUE(c.sentry.envp.empty());
}

TEST(SandboxTest, RefusesEmptyArgv) {
  SandboxConfig c;
  EXPECT_FALSE(RunSandbox(c).ok());
}

}  // namespace
}  // namespace sentry::launcher
