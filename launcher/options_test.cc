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
  EXPECT_EQ(Parse({"seccomp-tables"}).kind, CommandKind::kSeccompTables);
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

TEST(OptionsTest, Tmpfs) {
  Command c = Parse(
      {"run", "--tmpfs", "/tmp:8m", "--tmpfs", "/data//x/", "--tmpfs=/run:size=1g", "ls", "-l"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  ASSERT_EQ(c.run.tmpfs.size(), 3u);
  EXPECT_EQ(c.run.tmpfs[0].target, "/tmp");
  EXPECT_EQ(c.run.tmpfs[0].size_bytes, 8u << 20);
  EXPECT_EQ(c.run.tmpfs[1].target, "/data/x");
  EXPECT_EQ(c.run.tmpfs[1].size_bytes, kDefaultTmpfsSize);
  EXPECT_EQ(c.run.tmpfs[2].target, "/run");
  EXPECT_EQ(c.run.tmpfs[2].size_bytes, 1u << 30);
  EXPECT_EQ(c.run.argv, (std::vector<std::string>{"ls", "-l"}));
  EXPECT_TRUE(Parse({"run", "--", "ls"}).run.tmpfs.empty());
}

TEST(OptionsTest, TmpfsSizes) {
  struct Case {
    const char* spec;
    uint64_t size;  // 0: invalid
  };
  for (const Case& t :
       {Case{"/a:4096", 4096}, Case{"/a:4k", 4096}, Case{"/a:64M", 64u << 20},
        Case{"/a:2G", 2ull << 30}, Case{"/a:1024g", 1ull << 40}, Case{"/a:1025g", 0},
        Case{"/a:0", 0}, Case{"/a:4095", 0}, Case{"/a:", 0}, Case{"/a:m", 0}, Case{"/a:12x", 0},
        Case{"/a:-1m", 0}, Case{"/a:1.5g", 0}, Case{"/a:99999999999999999999", 0}}) {
    absl::StatusOr<TmpfsOption> o = ParseTmpfsOption(t.spec);
    if (t.size == 0) {
      ASSERT_FALSE(o.ok()) << t.spec;
      EXPECT_NE(o.status().message().find("bad size"), std::string::npos) << t.spec;
    } else {
      ASSERT_TRUE(o.ok()) << t.spec << ": " << o.status();
      EXPECT_EQ(o->size_bytes, t.size) << t.spec;
    }
  }
}

TEST(OptionsTest, TmpfsTargets) {
  for (const char* bad : {"tmp", "", ":8m", "/", "//", "/a/../b", "rel/dir:1m"}) {
    EXPECT_FALSE(ParseTmpfsOption(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseTmpfsOption("/a/./b").value().target, "/a/b");
  Command c = Parse({"run", "--tmpfs", "/", "--", "ls"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("sentry: --tmpfs /: cannot mount over the root"), std::string::npos)
      << c.err;
  c = Parse({"run", "--tmpfs", "/x:lots", "--", "ls"});
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("bad size"), std::string::npos) << c.err;
}

TEST(OptionsTest, LimitsTimeoutAndHostname) {
  Command c = Parse({"run", "--memory", "64M", "--pids", "16", "--cpus", "0.5", "--timeout",
                     "1.5", "--hostname", "box.local", "--", "sh"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_EQ(c.run.memory_bytes, 64ull << 20);
  EXPECT_EQ(c.run.pids, 16u);
  EXPECT_DOUBLE_EQ(c.run.cpus, 0.5);
  EXPECT_EQ(c.run.timeout_ms, 1500);
  EXPECT_EQ(c.run.hostname, "box.local");
  c = Parse({"run", "--memory=1g", "--timeout=2m", "--", "sh"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_EQ(c.run.memory_bytes, 1ull << 30);
  EXPECT_EQ(c.run.timeout_ms, 120000);
}

TEST(OptionsTest, NoLimitsByDefault) {
  Command c = Parse({"run", "--", "sh"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_EQ(c.run.memory_bytes, 0u);
  EXPECT_EQ(c.run.pids, 0u);
  EXPECT_EQ(c.run.cpus, 0);
  EXPECT_EQ(c.run.timeout_ms, 0);
  EXPECT_EQ(c.run.hostname, "sentry");
  EXPECT_TRUE(c.run.env.empty());
  EXPECT_FALSE(c.run.inherit_env);
  EXPECT_EQ(c.run.disk_bytes, 0u);
  EXPECT_TRUE(c.run.mounts.empty());
}

TEST(OptionsTest, BadValuesAreUsageErrorsNamingTheFlag) {
  for (const std::vector<std::string>& flag :
       std::vector<std::vector<std::string>>{
           {"--memory", "0"},          {"--memory", "-64m"},    {"--memory", "64x"},
           {"--memory", ""},           {"--memory", "4k"},      {"--memory", "99999999999999g"},
           {"--pids", "0"},            {"--pids", "-1"},        {"--pids", "1.5"},
           {"--pids", "many"},         {"--pids", "99999999999999999999"},
           {"--cpus", "0"},            {"--cpus", "-0.5"},      {"--cpus", "nan"},
           {"--cpus", "1e400"},        {"--timeout", "0"},      {"--timeout", "-1"},
           {"--timeout", "soon"},      {"--timeout", "1e9999"}, {"--hostname", ""},
           {"--hostname", "a b"},      {"--env", "=v"},         {"--disk", "0"},
           {"--disk", "10x"},          {"--disk", "-1g"},       {"--mount", "/tmp"},
           {"--mount", "/tmp:rel"},    {"--mount", "/tmp:/x:rx"}}) {
    std::vector<std::string> args = {"run", flag[0], flag[1], "--", "true"};
    Command c = Parse(args);
    EXPECT_EQ(c.kind, CommandKind::kExit) << flag[0] << " " << flag[1];
    EXPECT_EQ(c.exit_code, kExitUsage) << flag[0] << " " << flag[1] << ": " << c.err;
    EXPECT_EQ(c.err.rfind("sentry: " + flag[0], 0), 0u) << c.err;
  }
}

TEST(OptionsTest, EnvFlags) {
  Command c = Parse({"run", "--env", "A=b", "-e", "HOME", "--env=C=d=e", "--inherit-env", "--",
                     "env"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  ASSERT_EQ(c.run.env.size(), 3u);
  EXPECT_EQ(c.run.env[0].key, "A");
  EXPECT_EQ(c.run.env[0].value, "b");
  EXPECT_TRUE(c.run.env[0].has_value);
  EXPECT_EQ(c.run.env[1].key, "HOME");
  EXPECT_FALSE(c.run.env[1].has_value);
  EXPECT_EQ(c.run.env[2].key, "C");
  EXPECT_EQ(c.run.env[2].value, "d=e");
  EXPECT_TRUE(c.run.inherit_env);
  EXPECT_EQ(c.run.argv, (std::vector<std::string>{"env"}));
}

TEST(OptionsTest, DiskAndMounts) {
  Command c = Parse({"run", "--disk", "10g", "--mount", "/tmp/:/data//in", "--mount",
                     "/:/host:rw", "--", "ls"});
  ASSERT_EQ(c.kind, CommandKind::kRun) << c.err;
  EXPECT_EQ(c.run.disk_bytes, 10ull << 30);
  ASSERT_EQ(c.run.mounts.size(), 2u);
  EXPECT_EQ(c.run.mounts[0].source, "/tmp");
  EXPECT_EQ(c.run.mounts[0].target, "/data/in");
  EXPECT_TRUE(c.run.mounts[0].read_only);
  EXPECT_EQ(c.run.mounts[1].source, "/");
  EXPECT_EQ(c.run.mounts[1].target, "/host");
  EXPECT_FALSE(c.run.mounts[1].read_only);
  EXPECT_EQ(*ParseDiskSize("4k"), 4096u);
  EXPECT_FALSE(ParseDiskSize("4095").ok());
}

TEST(OptionsTest, MountErrors) {
  Command c = Parse({"run", "--mount", "/tmp:/a", "--mount", "/:/a/", "--", "ls"});
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("already a mount target"), std::string::npos) << c.err;
  // A well-formed mount whose source does not exist is unusable, like a missing --rootfs.
  c = Parse({"run", "--mount", "/nonexistent-sentry-src:/a", "--", "ls"});
  EXPECT_EQ(c.exit_code, kExitLauncherError);
  EXPECT_NE(c.err.find("sentry: --mount /nonexistent-sentry-src:/a: source"), std::string::npos)
      << c.err;
}

TEST(OptionsTest, RunHelpDocumentsEveryFlag) {
  Command c = Parse({"run", "--help"});
  EXPECT_EQ(c.kind, CommandKind::kExit);
  EXPECT_EQ(c.exit_code, 0);
  for (const char* flag : {"--memory", "--pids", "--cpus", "--timeout", "--hostname", "--env",
                           "--inherit-env", "--disk", "--mount", "--tmpfs"}) {
    EXPECT_NE(c.out.find(flag), std::string::npos) << flag << " missing from:\n" << c.out;
  }
}

TEST(OptionsTest, ValidateRejectsEmptyArgv) {
  RunOptions opts;
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateRunOptions(&opts)));
}

}  // namespace
}  // namespace sentry::launcher
