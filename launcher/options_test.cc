// Tests for the `sentry` command line parsing (no process is started).
// Owned by the launcher.
#include "launcher/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sentry::launcher {
namespace {

Command Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "sentry");
  return ParseCommandLine(args);
}

TEST(OptionsTest, RunWithDefaults) {
  Command c = Parse({"run", "--", "/bin/echo", "hi", "--strace"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_EQ(c.run.argv, (std::vector<std::string>{"/bin/echo", "hi", "--strace"}));
  EXPECT_EQ(c.run.rootfs, "/");
  EXPECT_FALSE(c.run.strace);
  EXPECT_EQ(c.run.platform, "seccomp");
  EXPECT_EQ(c.run.log_level, log::Level::kError);
}

TEST(OptionsTest, RunWithFlags) {
  Command c = Parse({"run", "--rootfs", "/tmp/", "--strace", "--platform=seccomp", "--log-level",
                     "info", "--", "ls", "-l"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_EQ(c.run.rootfs, "/tmp");  // canonicalized
  EXPECT_TRUE(c.run.strace);
  EXPECT_EQ(c.run.log_level, log::Level::kInfo);
  EXPECT_EQ(c.run.argv, (std::vector<std::string>{"ls", "-l"}));
}

TEST(OptionsTest, DebugMeansDebugLevel) {
  Command c = Parse({"run", "--debug", "--log-level=error", "--", "true"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_EQ(c.run.log_level, log::Level::kDebug);
}

TEST(OptionsTest, FirstPositionalEndsFlags) {
  Command c = Parse({"run", "--strace", "ls", "-l", "--debug"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_TRUE(c.run.strace);
  EXPECT_EQ(c.run.log_level, log::Level::kError);
  EXPECT_EQ(c.run.argv, (std::vector<std::string>{"ls", "-l", "--debug"}));
}

TEST(OptionsTest, MissingProgramIsUsageError) {
  for (auto args :
       std::vector<std::vector<std::string>>{{"run"}, {"run", "--"}, {"run", "--strace"}}) {
    Command c = Parse(args);
    EXPECT_EQ(c.kind, CommandKind::kExit);
    EXPECT_EQ(c.exit_code, kExitUsage);
    EXPECT_NE(c.err.find("sentry: "), std::string::npos) << c.err;
  }
}

TEST(OptionsTest, EmptyProgramIsUsageError) {
  Command c = Parse({"run", "--", ""});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitUsage);
}

TEST(OptionsTest, UnknownFlagIsUsageError) {
  Command c = Parse({"run", "--frobnicate", "--", "ls"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("--frobnicate"), std::string::npos) << c.err;
}

TEST(OptionsTest, UnknownPlatformIsUsageError) {
  Command c = Parse({"run", "--platform", "ptrace", "--", "ls"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("unsupported platform \"ptrace\""), std::string::npos) << c.err;
}

TEST(OptionsTest, UnknownLogLevelIsUsageError) {
  Command c = Parse({"run", "--log-level", "loud", "--", "ls"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitUsage);
}

TEST(OptionsTest, MissingRootfsIsLauncherError) {
  Command c = Parse({"run", "--rootfs", "/nonexistent/sentry-rootfs", "--", "ls"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitLauncherError);
  EXPECT_EQ(c.err.rfind("sentry: --rootfs /nonexistent/sentry-rootfs: ", 0), 0u) << c.err;
}

TEST(OptionsTest, RootfsNotADirectoryIsLauncherError) {
  Command c = Parse({"run", "--rootfs", "/proc/self/status", "--", "ls"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitLauncherError);
  EXPECT_NE(c.err.find("not a directory"), std::string::npos) << c.err;
}

TEST(OptionsTest, NoSubcommandIsUsageError) {
  Command c = Parse({});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  c = Parse({"frobnicate"});
  EXPECT_EQ(c.exit_code, kExitUsage);
}

TEST(OptionsTest, Syscalls) {
  EXPECT_EQ(Parse({"syscalls"}).kind, CommandKind::kSyscalls);
  EXPECT_EQ(Parse({"syscalls", "extra"}).exit_code, kExitUsage);
}

TEST(OptionsTest, VersionAndHelp) {
  Command c = Parse({"--version"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_NE(c.out.find(kVersion), std::string::npos);
  c = Parse({"run", "--help"});
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_NE(c.out.find("--rootfs"), std::string::npos);
}

TEST(OptionsTest, ValidateRejectsEmptyArgv) {
  RunOptions opts;
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateRunOptions(&opts)));
}

}  // namespace
}  // namespace sentry::launcher
