// Tests for the gofer's allowlist: its shape, and a gofer serving every operation under it
// (in a forked child, so the filter never reaches the test process). Test-only; main thread.
#include "gofer/gofer_seccomp.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "gofer/client.h"
#include "gofer/gofer_main.h"
#include "gofer/test_util.h"

namespace sentry::gofer {
namespace {

bool Allowed(const std::vector<seccomp::Rule>& rules, int nr) {
  return std::any_of(rules.begin(), rules.end(), [nr](const auto& r) { return r.nr == nr; });
}

TEST(GoferSeccompTest, NoExecSocketPtraceOrMount) {
  auto rules = GoferAllowlist(3, true);
  for (int nr : {SYS_execve, SYS_execveat, SYS_socket, SYS_connect, SYS_ptrace, SYS_mount,
                 SYS_open, SYS_clone, SYS_fork, SYS_kill, SYS_process_vm_writev, SYS_setns,
                 SYS_unshare, SYS_pivot_root, SYS_chroot, SYS_bpf, SYS_umount2,
                 SYS_open_tree, SYS_move_mount, SYS_mount_setattr, SYS_fsopen, SYS_capset,
                 SYS_prctl, SYS_chdir, SYS_fchdir}) {
    EXPECT_FALSE(Allowed(rules, nr)) << nr;
  }
  EXPECT_FALSE(Allowed(rules, SYS_chmod));
  EXPECT_TRUE(Allowed(rules, SYS_fchmodat));
  EXPECT_FALSE(Allowed(GoferAllowlist(3, false), SYS_fchmodat));
  for (const auto& r : rules) EXPECT_NE(std::string(r.reason), "") << r.name;
}

// Every *at() call of the gofer names a real dirfd; openat never creates (with openat2).
TEST(GoferSeccompTest, AtCallsCheckTheirDirfdAndOpenatNeverCreates) {
  for (const auto& r : GoferAllowlist(3, true)) {
    const std::string name = r.name;
    static const char* const kAtCalls[] = {
        "openat",  "openat2", "newfstatat", "readlinkat", "mkdirat",   "mknodat",  "symlinkat",
        "linkat",  "unlinkat", "renameat2", "fchownat",   "fchmodat2", "fchmodat", "utimensat"};
    if (std::none_of(std::begin(kAtCalls), std::end(kAtCalls),
                     [&](const char* n) { return name == n; })) {
      continue;
    }
    bool dirfd_checked = std::any_of(r.checks.begin(), r.checks.end(), [](const auto& c) {
      return c.op == seccomp::ArgCmp::Op::kMaskedEq && c.mask == 0xfff00000 && c.value == 0;
    });
    EXPECT_TRUE(dirfd_checked) << name;
  }
  for (const auto& r : GoferAllowlist(3, false, false)) {
    if (r.nr != SYS_openat) continue;
    bool no_creat = std::any_of(r.checks.begin(), r.checks.end(), [](const auto& c) {
      return c.arg == 2 && (c.mask & O_CREAT) != 0 && (c.value & O_CREAT) == 0;
    });
    EXPECT_TRUE(no_creat);
  }
}

// In a forked child under the gofer's filter: what the gofer never does is fatal.
int RunFiltered(void (*attempt)()) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) _exit(90);
    if (!seccomp::InstallAllowlist(GoferAllowlist(sv[0], false), seccomp::Violation::kKill,
                                   "gofer-test")
             .ok()) {
      _exit(91);
    }
    attempt();
    _exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(GoferSeccompTest, OpenatRelativeToTheWorkingDirectoryKills) {
  int st = RunFiltered([] { syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY | O_CLOEXEC); });
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) << std::hex << st;
  // The kernel reads an int: a dirfd with garbage in the upper half is AT_FDCWD too.
  st = RunFiltered([] {
    syscall(SYS_openat, 0x00000000ffffff9cL, "/etc/hostname", O_RDONLY | O_CLOEXEC);
  });
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) << std::hex << st;
}

TEST(GoferSeccompTest, OpenatCreateKills) {
  int st = RunFiltered([] {
    int dir = ::open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);  // refused: AT_FDCWD
    (void)dir;
  });
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) << std::hex << st;
  st = RunFiltered([] {
    syscall(SYS_openat, 0, "x", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  });
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) << std::hex << st;
  // Reopening through a real dirfd without O_CREAT is allowed (fd 0 is not a directory: the
  // call fails with ENOTDIR, but it is not killed).
  st = RunFiltered([] { syscall(SYS_openat, 0, "x", O_RDONLY | O_CLOEXEC); });
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << std::hex << st;
}

TEST(GoferSeccompTest, EveryOperationWorksUnderTheFilter) {
  testing::TempTree tree;
  tree.MakeStandard();
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  std::fflush(nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(sv[0]);
    _exit(GoferMain(UniqueFd(sv[1]), GoferOptions{.root = tree.path(), .read_only = false}));
  }
  ::close(sv[1]);
  {
    Client c{UniqueFd(sv[0])};
    auto root = c.Mount();
    ASSERT_TRUE(root.ok());
    Handle r = root->handle;
    std::vector<std::string_view> names = {"a", "b", "c.txt"};
    auto w = c.Walk(r, names);
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(w->steps.size(), 3u);
    Handle file = w->steps[2].handle;
    auto fd = c.Open(file, O_RDONLY);
    ASSERT_TRUE(fd.ok());
    char buf[8] = {};
    EXPECT_EQ(::read(fd->get(), buf, 4), 4);
    EXPECT_TRUE(c.ReadDir(r, 0, 100).ok());
    {  // READDIRPLUS: fstatat and readlinkat by name in the listed directory
      std::vector<std::string_view> a = {"a"};
      DirPlusTarget t[2] = {{.path = {}}, {.path = a}};
      auto l = c.ReadDirPlus(r, t);
      ASSERT_TRUE(l.ok());
      ASSERT_EQ(l->size(), 2u);
      EXPECT_EQ((*l)[1].error, 0);
      bool link_seen = false;
      for (const DirPlusEntry& e : (*l)[1].entries) link_seen |= e.link == "b/c.txt";
      EXPECT_TRUE(link_seen);
    }
    std::vector<std::string_view> link = {"a", "link_to_c"};
    auto lw = c.Walk(r, link);
    ASSERT_TRUE(lw.ok());
    EXPECT_TRUE(c.ReadLink(lw->steps.back().handle).ok());
    EXPECT_TRUE(c.Stat(file).ok());
    EXPECT_TRUE(c.StatFs(r).ok());
    auto dir = c.Mkdir(r, "d", 0755, 0, 0);
    ASSERT_TRUE(dir.ok());
    auto made = c.Create(dir->handle, "f", 0644, O_RDWR, 0, 0);
    ASSERT_TRUE(made.ok());
    EXPECT_TRUE(c.Mknod(dir->handle, "fifo", S_IFIFO | 0644, 0, 0).ok());
    EXPECT_EQ(c.Mknod(dir->handle, "dev", S_IFCHR | 0644, 0, 0).error(), EPERM);
    EXPECT_TRUE(c.Symlink(dir->handle, "sl", "f", 0, 0).ok());
    EXPECT_TRUE(c.Link(dir->handle, "hard", file).ok());
    EXPECT_EQ(c.Rename(dir->handle, "hard", dir->handle, "hard2", 0), 0);
    EXPECT_EQ(c.Rename(dir->handle, "hard2", dir->handle, "sl", RENAME_EXCHANGE), 0);
    SetAttrRequest sa;
    sa.mask = wire::kSetAttrSize | wire::kSetAttrMode | wire::kSetAttrMtime | wire::kSetAttrUid;
    sa.size = 1;
    sa.mode = 0600;
    sa.mtime_sec = 1000;
    sa.uid = ::getuid();
    EXPECT_TRUE(c.SetAttr(file, sa).ok());
    EXPECT_EQ(c.Fsync(file, false), 0);
    EXPECT_EQ(c.Fsync(file, true), 0);
    EXPECT_EQ(c.Unlink(dir->handle, "f", false), 0);
    EXPECT_EQ(c.Unlink(dir->handle, "fifo", false), 0);
    EXPECT_EQ(c.Unlink(dir->handle, "sl", false), 0);
    EXPECT_EQ(c.Unlink(dir->handle, "hard2", false), 0);
    EXPECT_EQ(c.Unlink(r, "d", true), 0);
    c.Close(std::vector<Handle>{file});
  }  // closes the channel: the gofer exits 0
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << std::hex << status;
}

}  // namespace
}  // namespace sentry::gofer
