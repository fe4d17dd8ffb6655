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
                 SYS_unshare, SYS_pivot_root, SYS_chroot, SYS_bpf}) {
    EXPECT_FALSE(Allowed(rules, nr)) << nr;
  }
  EXPECT_TRUE(Allowed(rules, SYS_chmod));
  EXPECT_FALSE(Allowed(GoferAllowlist(3, false), SYS_chmod));
  for (const auto& r : rules) EXPECT_NE(std::string(r.reason), "") << r.name;
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
