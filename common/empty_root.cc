// Implementation of EnterEmptyRoot (see empty_root.h): open_tree clones of the served trees,
// a tmpfs root, pivot_root(".", ".") and a lazy unmount of the old root. Raw syscalls for the
// new mount API (Debian's glibc has no wrappers). Process's only thread.
#include "common/empty_root.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/unique_fd.h"

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

namespace sentry {
namespace {

// Where the tmpfs is staged before it becomes "/": a directory every sandbox has (the init
// mounted its own procfs there). Only this process's new mount namespace sees the tmpfs there.
constexpr const char* kStage = "/proc";
constexpr const char* kTmpfsData = "size=16k,nr_inodes=64,mode=0555";

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat("empty root: ", what, ": ", std::strerror(errno)));
}

// Recursive attributes for a cloned tree; old kernels without mount_setattr keep the bind's
// inherited flags (the gofer refuses writes to read-only mounts itself).
void RestrictTree(const std::string& path, bool read_only) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (read_only ? MOUNT_ATTR_RDONLY : 0);
  if (::syscall(SYS_mount_setattr, AT_FDCWD, path.c_str(), AT_RECURSIVE, &attr, sizeof(attr)) !=
      0) {
    LOG_WARN("empty root: mount_setattr({}): {}; keeping the bind's flags", path,
             std::strerror(errno));
  }
}

}  // namespace

std::string BindTarget(size_t index) { return absl::StrCat("/", index); }

bool InInitialUserNamespace() {
  // The initial user namespace has a fixed inode number (PROC_USER_INIT_INO in the kernel's
  // proc_ns.h); NS_GET_PARENT cannot tell, it answers EPERM for any ancestor out of scope.
  constexpr ino_t kInitialUserNamespaceIno = 0xEFFFFFFD;
  struct stat st;
  if (::stat("/proc/self/ns/user", &st) != 0) return true;  // cannot tell: assume the worst
  return st.st_ino == kInitialUserNamespaceIno;
}

absl::Status EnterEmptyRoot(const std::vector<RootBind>& binds) {
  if (InInitialUserNamespace()) {
    return absl::FailedPreconditionError(
        "empty root: refusing to change mounts outside a sandbox's user namespace");
  }
  if (::unshare(CLONE_NEWNS) != 0) return Errno("unshare(CLONE_NEWNS)");
  // Nothing below may propagate anywhere (the sandbox's namespace is private already; this
  // copy is made private again so that the rule does not depend on the caller).
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return Errno("making mounts private");
  }
  // Detached copies of the served trees first, before the tmpfs exists anywhere (a recursive
  // bind of "/" taken later would contain the tmpfs itself).
  std::vector<UniqueFd> trees;
  for (const RootBind& b : binds) {
    UniqueFd t(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, b.source.c_str(),
                                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)));
    if (!t) return Errno(absl::StrCat("open_tree(", b.source, ")"));
    trees.push_back(std::move(t));
  }
  if (::mount("tmpfs", kStage, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, kTmpfsData) != 0) {
    return Errno(absl::StrCat("mounting a tmpfs on ", kStage));
  }
  for (size_t i = 0; i < trees.size(); ++i) {
    std::string target = absl::StrCat(kStage, BindTarget(i));
    if (::mkdir(target.c_str(), 0555) != 0) return Errno(absl::StrCat("mkdir ", target));
    if (::syscall(SYS_move_mount, trees[i].get(), "", AT_FDCWD, target.c_str(),
                  MOVE_MOUNT_F_EMPTY_PATH) != 0) {
      return Errno(absl::StrCat("move_mount(", binds[i].source, " -> ", target, ")"));
    }
    RestrictTree(target, binds[i].read_only);
  }
  if (::mount(nullptr, kStage, nullptr,
              MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, kTmpfsData) != 0) {
    return Errno("remounting the tmpfs read-only");
  }
  // pivot_root(".", "."): the old root ends up stacked on the new one and is then detached
  // (pivot_root(2)); fds opened before keep their (now detached) mounts alive.
  if (::chdir(kStage) != 0) return Errno(absl::StrCat("chdir ", kStage));
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return Errno("pivot_root");
  if (::umount2(".", MNT_DETACH) != 0) return Errno("detaching the old root");
  if (::chdir("/") != 0) return Errno("chdir /");
  return absl::OkStatus();
}

}  // namespace sentry
