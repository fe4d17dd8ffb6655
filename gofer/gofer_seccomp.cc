// The gofer's allowlist (see gofer_seccomp.h). Each entry is a call the server, its channel
// or glibc makes while serving; the README table is generated from this list.
#include "gofer/gofer_seccomp.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace sentry::gofer {

namespace sc = seccomp;

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

bool NeedChmodFallback() {
  // fd -1: fails with EBADF where the call exists, ENOSYS where it does not.
  return syscall(SYS_fchmodat2, -1, "", 0, AT_EMPTY_PATH) != 0 && errno == ENOSYS;
}

bool NeedOpenat2Fallback() {
  // A NULL open_how: EFAULT where the call exists, ENOSYS where it does not.
  return syscall(SYS_openat2, -1, "", nullptr, 0) != 0 && errno == ENOSYS;
}

namespace {

// Every path the gofer resolves is relative to one of its own fds (a served tree's node, or
// its /proc/self/fd directory), never to the working directory: the dirfd's 32-bit value
// (what the kernel reads) is below 2^20 (the kernel's fd limit), so AT_FDCWD (-100) and
// every other negative value fail.
sc::ArgCmp RealDirfd(uint8_t arg) {
  return sc::Masked(arg, 0xfff00000, 0, "dirfd is an fd (never AT_FDCWD)");
}

constexpr uint64_t kTmpFileBit = 020000000;  // __O_TMPFILE (O_TMPFILE without O_DIRECTORY)

}  // namespace

std::vector<sc::Rule> GoferAllowlist(int channel_fd, bool chmod_fallback, bool openat2_fallback) {
  const uint64_t ch = static_cast<uint32_t>(channel_fd);
  constexpr uint64_t kFdMask = 0xffffffff;
  constexpr uint64_t kEmptyNoFollow = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
  constexpr uint64_t kCreateBits = O_CREAT | kTmpFileBit | O_TRUNC | O_CLOEXEC;
  const char* kMem = "glibc's malloc and thread stacks (never executable)";
  std::vector<sc::Rule> r = {
      // The channel.
      {SYS_recvmsg, "recvmsg",
       {sc::Masked(0, kFdMask, ch, "fd == the channel"),
        sc::Eq(2, MSG_CMSG_CLOEXEC, "flags == MSG_CMSG_CLOEXEC")},
       "receive one request from the sentry"},
      {SYS_sendmsg, "sendmsg",
       {sc::Masked(0, kFdMask, ch, "fd == the channel"),
        sc::Eq(2, MSG_NOSIGNAL, "flags == MSG_NOSIGNAL")},
       "send a reply, donating an opened host fd with SCM_RIGHTS"},
      {SYS_poll, "poll", {}, "check the channel for a pending message (zero timeout)"},
      // Resolving and opening nodes.
      {SYS_openat2, "openat2", {RealDirfd(0)},
       "open one checked name beneath a node's fd (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|"
       "RESOLVE_NO_MAGICLINKS, O_NOFOLLOW; the open_how is in memory, which seccomp cannot "
       "read)"},
      {SYS_openat, "openat",
       {RealDirfd(0),
        sc::Masked(2, kCreateBits, O_CLOEXEC, "O_CLOEXEC, never O_CREAT, O_TMPFILE or O_TRUNC")},
       "reopen a node through its own O_PATH fd (\".\" of a directory, N in the /proc/self/fd "
       "dirfd for a file); the gofer's root is empty but for the served trees"},
      {SYS_newfstatat, "newfstatat",
       {RealDirfd(0), sc::Masked(3, AT_EMPTY_PATH, AT_EMPTY_PATH, "flags has AT_EMPTY_PATH")},
       "stat of a node's own fd (fstat)"},
      {SYS_newfstatat, "newfstatat",
       {RealDirfd(0), sc::Eq(3, AT_SYMLINK_NOFOLLOW, "flags == AT_SYMLINK_NOFOLLOW")},
       "stat of each entry of a directory being listed (READDIRPLUS), by its name in the "
       "directory's fd, never following a symlink"},
      {SYS_readlinkat, "readlinkat", {RealDirfd(0)},
       "read a symlink through its O_PATH fd (empty name), or by name while listing its directory"},
      {SYS_getdents64, "getdents64", {}, "list a directory (batched readdir)"},
      {SYS_lseek, "lseek", {}, "position a directory listing at the client's offset"},
      {SYS_fstatfs, "fstatfs", {}, "statfs of a served tree"},
      {SYS_fcntl, "fcntl", {sc::Eq(1, F_GETFL, "cmd == F_GETFL")},
       "clear O_NONBLOCK on a file before donating it"},
      {SYS_fcntl, "fcntl", {sc::Eq(1, F_SETFL, "cmd == F_SETFL")},
       "clear O_NONBLOCK on a file before donating it"},
      {SYS_close, "close", {}, "drop handles and donated fds"},
      // Changing served trees (rw mounts; the server refuses the rest).
      {SYS_mkdirat, "mkdirat", {RealDirfd(0)}, "mkdir of one checked name"},
      {SYS_mknodat, "mknodat",
       {RealDirfd(0), sc::Masked(2, S_IFMT, S_IFIFO, "type == S_IFIFO"), sc::Eq(3, 0, "dev == 0")},
       "make a FIFO (never device nodes or sockets)"},
      {SYS_mknodat, "mknodat",
       {RealDirfd(0), sc::Masked(2, S_IFMT, S_IFREG, "type == S_IFREG"), sc::Eq(3, 0, "dev == 0")},
       "make a regular file"},
      {SYS_symlinkat, "symlinkat", {RealDirfd(1)}, "symlink of one checked name"},
      {SYS_linkat, "linkat", {RealDirfd(0), RealDirfd(2), sc::Eq(4, 0, "flags == 0")},
       "hard link by name in the parent"},
      {SYS_linkat, "linkat",
       {RealDirfd(0), RealDirfd(2), sc::Eq(4, AT_SYMLINK_FOLLOW, "flags == AT_SYMLINK_FOLLOW")},
       "hard link of the node itself through N in the /proc/self/fd dirfd"},
      {SYS_unlinkat, "unlinkat", {RealDirfd(0), sc::Eq(2, 0, "flags == 0")},
       "unlink one checked name"},
      {SYS_unlinkat, "unlinkat", {RealDirfd(0), sc::Eq(2, AT_REMOVEDIR, "flags == AT_REMOVEDIR")},
       "rmdir one checked name"},
      {SYS_renameat2, "renameat2",
       {RealDirfd(0), RealDirfd(2),
        sc::Masked(4, 0xffffffff & ~static_cast<uint64_t>(RENAME_NOREPLACE | RENAME_EXCHANGE),
                   0, "flags in {0, RENAME_NOREPLACE, RENAME_EXCHANGE}")},
       "rename between checked names"},
      {SYS_fchownat, "fchownat",
       {RealDirfd(0), sc::Eq(4, kEmptyNoFollow, "flags == AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW")},
       "set the owner of a node through its own fd"},
      {SYS_fchmodat2, "fchmodat2",
       {RealDirfd(0), sc::Eq(3, AT_EMPTY_PATH, "flags == AT_EMPTY_PATH")},
       "chmod of a node through its own fd"},
      {SYS_utimensat, "utimensat",
       {RealDirfd(0), sc::Eq(3, kEmptyNoFollow, "flags == AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW")},
       "set times of a node through its own fd"},
      {SYS_ftruncate, "ftruncate", {}, "truncate (setattr size, open with O_TRUNC)"},
      {SYS_fsync, "fsync", {}, "fsync a node"},
      {SYS_fdatasync, "fdatasync", {}, "fdatasync a node"},
      // Process basics.
      {SYS_write, "write", {sc::Eq(0, 2, "fd == 2")}, "log lines to stderr"},
      {SYS_getpid, "getpid", {}, "the pid in log lines"},
      {SYS_getrandom, "getrandom", {}, "glibc's malloc seeds its tcache"},
      {SYS_clock_gettime, "clock_gettime", {}, "vDSO fallback"},
  };
  std::vector<sc::Rule> runtime = sc::RuntimeRules(kMem);
  r.insert(r.end(), runtime.begin(), runtime.end());
  if (chmod_fallback) {
    r.push_back({SYS_fchmodat, "fchmodat", {RealDirfd(0)},
                 "chmod of N in the /proc/self/fd dirfd on kernels without fchmodat2 (before "
                 "6.6)"});
  }
  if (openat2_fallback) {
    constexpr uint64_t kCreate = O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    r.push_back({SYS_openat, "openat",
                 {RealDirfd(0), sc::Masked(2, kCreateBits | O_EXCL | O_NOFOLLOW, kCreate,
                                           "O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, no O_TRUNC")},
                 "create one checked name on kernels without openat2 (before 5.6)"});
  }
  return r;
}

}  // namespace sentry::gofer
