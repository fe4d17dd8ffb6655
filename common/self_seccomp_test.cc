// Tests for self-seccomp: installing an allowlist in a forked child (allowed calls work,
// others kill or trap) and the Markdown table. Test-only; main thread.
#include "common/self_seccomp.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

namespace sentry::seccomp {
namespace {

std::vector<Rule> Minimal() {
  return {
      {SYS_write, "write", {Eq(0, 2)}, "stderr"},
      {SYS_getppid, "getppid", {}, "probe"},
      {SYS_dup, "dup", {Masked(0, 0xffffffff, 0)}, "dup of fd 0 only"},
      {SYS_exit_group, "exit_group", {}, "exit"},
  };
}

// Runs `body` in a child under Minimal() and returns its wait status.
int RunLocked(Violation v, const std::function<int()>& body) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    if (!InstallAllowlist(Minimal(), v, "test").ok()) _exit(90);
    syscall(SYS_exit_group, body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(SelfSeccompTest, AllowedCallsWork) {
  int st = RunLocked(Violation::kKill, [] {
    if (syscall(SYS_getppid) <= 0) return 1;
    long fd = syscall(SYS_dup, 0);
    return fd >= 0 ? 0 : 2;
  });
  ASSERT_TRUE(WIFEXITED(st)) << std::hex << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(SelfSeccompTest, ForbiddenCallKillsTheProcess) {
  int st = RunLocked(Violation::kKill, [] { return static_cast<int>(syscall(SYS_getpid)); });
  ASSERT_TRUE(WIFSIGNALED(st)) << std::hex << st;
  EXPECT_EQ(WTERMSIG(st), SIGSYS);
}

TEST(SelfSeccompTest, ArgumentCheckKills) {
  int st = RunLocked(Violation::kKill, [] { return static_cast<int>(syscall(SYS_dup, 1)); });
  ASSERT_TRUE(WIFSIGNALED(st)) << std::hex << st;
  EXPECT_EQ(WTERMSIG(st), SIGSYS);
}

TEST(SelfSeccompTest, TrapModeReportsTheNumberAndExits) {
  int st = RunLocked(Violation::kTrap, [] { return static_cast<int>(syscall(SYS_getpid)); });
  ASSERT_TRUE(WIFEXITED(st)) << std::hex << st;
  EXPECT_EQ(WEXITSTATUS(st), 128 + SIGSYS);
}

TEST(SelfSeccompTest, MarkdownMergesAlternatives) {
  std::vector<Rule> rules = {
      {SYS_fcntl, "fcntl", {Eq(1, 3, "cmd == F_GETFL")}, "flags"},
      {SYS_fcntl, "fcntl", {Eq(1, 4, "cmd == F_SETFL")}, "flags"},
      {SYS_close, "close", {}, "close fds"},
  };
  std::string md = AllowlistMarkdown(rules);
  EXPECT_NE(md.find("| `close` | 3 | always | close fds |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `fcntl` | 72 | (cmd == F_GETFL) or (cmd == F_SETFL) | flags |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("2 syscalls."), std::string::npos);
  EXPECT_EQ(AllowedNumbers(rules), (std::vector<int>{SYS_close, SYS_fcntl}));
  EXPECT_EQ(DescribeCheck(Masked(2, 0x4, 0)), "(arg2 & 0x4) == 0x0");
}

TEST(SelfSeccompTest, MalformedRuleIsRefused) {
  std::vector<Rule> bad = {{-1, "nothing", {}, ""}};
  EXPECT_FALSE(InstallAllowlist(bad, Violation::kKill, "test").ok());
}

}  // namespace
}  // namespace sentry::seccomp
