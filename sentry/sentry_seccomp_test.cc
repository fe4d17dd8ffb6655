// Tests for the sentry's allowlist and the generated tables. Test-only; main thread.
#include "sentry/sentry_seccomp.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "sentry/host_proc.h"
#include "sentry/seccomp_tables.h"

namespace sentry {
namespace {

std::vector<const seccomp::Rule*> RulesFor(const std::vector<seccomp::Rule>& rules, int nr) {
  std::vector<const seccomp::Rule*> out;
  for (const auto& r : rules) {
    if (r.nr == nr) out.push_back(&r);
  }
  return out;
}

TEST(SentrySeccompTest, NoOpenExecMountOrSocket) {
  auto rules = SentryAllowlist(7);
  for (int nr : {SYS_open, SYS_creat, SYS_openat2, SYS_open_by_handle_at, SYS_execve,
                 SYS_execveat, SYS_mount, SYS_umount2, SYS_socket, SYS_connect,
                 SYS_bind, SYS_clone, SYS_clone3, SYS_fork, SYS_vfork, SYS_chdir, SYS_chroot,
                 SYS_setns, SYS_unshare, SYS_pivot_root, SYS_bpf, SYS_pidfd_getfd,
                 SYS_name_to_handle_at, SYS_link, SYS_unlink, SYS_rename, SYS_mkdir,
                 // The empty root and the capability cuts happen before the lockdown.
                 SYS_open_tree, SYS_move_mount, SYS_mount_setattr, SYS_fsopen, SYS_fsmount,
                 SYS_capset, SYS_prctl, SYS_fchdir}) {
    EXPECT_TRUE(RulesFor(rules, nr).empty()) << nr;
  }
  for (const auto& r : rules) EXPECT_NE(std::string(r.reason), "") << r.name;
}

// Guest sockets are host AF_UNIX pairs (netstack): socketpair only for AF_UNIX.
TEST(SentrySeccompTest, SocketpairOnlyUnix) {
  auto rules = SentryAllowlist(7);
  auto pair_rules = RulesFor(rules, SYS_socketpair);
  ASSERT_EQ(pair_rules.size(), 1u);
  ASSERT_EQ(pair_rules[0]->checks.size(), 1u);
  EXPECT_EQ(pair_rules[0]->checks[0].arg, 0);
  EXPECT_EQ(pair_rules[0]->checks[0].value, static_cast<uint64_t>(AF_UNIX));
}

TEST(SentrySeccompTest, OpenatOnlyBeneathProcReadOnly) {
  auto rules = SentryAllowlist(7);
  auto open_rules = RulesFor(rules, SYS_openat);
  ASSERT_EQ(open_rules.size(), 1u);
  const auto& checks = open_rules[0]->checks;
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].arg, 0);
  EXPECT_EQ(checks[0].value, 7u);
  EXPECT_EQ(checks[1].arg, 2);
  EXPECT_EQ(checks[1].value, static_cast<uint64_t>(O_RDONLY | O_CLOEXEC));
}

TEST(SentrySeccompTest, PtraceNeverAttaches) {
  auto rules = SentryAllowlist(7);
  for (const auto* r : RulesFor(rules, SYS_ptrace)) {
    ASSERT_EQ(r->checks.size(), 1u);
    EXPECT_EQ(r->checks[0].arg, 0);
    for (long bad : {PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_TRACEME, PTRACE_POKEDATA}) {
      EXPECT_NE(r->checks[0].value, static_cast<uint64_t>(bad));
    }
  }
}

// A child locked down like the sentry can read its /proc but not open anything else.
TEST(SentrySeccompTest, LockedDownChildReadsProcOnly) {
  ASSERT_GE(HostProcFd(), 0);
  std::fflush(nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!LockDownSentry().ok()) _exit(90);
    std::string s;
    if (!ReadHostProc(getpid(), "status", &s) || s.find("Seccomp:\t2") == std::string::npos) {
      _exit(91);
    }
    // Another dirfd: the filter kills us.
    syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY | O_CLOEXEC);
    _exit(92);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << std::hex << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(SentrySeccompTest, TablesNameAllThree) {
  std::string md = SeccompTablesMarkdown();
  EXPECT_NE(md.find("### Guest: passthrough to the host"), std::string::npos);
  EXPECT_NE(md.find("### Sentry"), std::string::npos);
  EXPECT_NE(md.find("### Gofer"), std::string::npos);
  EXPECT_NE(md.find("| `openat` |"), std::string::npos);
  EXPECT_NE(md.find("| `futex` |"), std::string::npos);
}

}  // namespace
}  // namespace sentry
