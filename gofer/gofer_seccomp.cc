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

std::vector<sc::Rule> GoferAllowlist(int channel_fd, bool chmod_fallback) {
  const uint64_t ch = static_cast<uint32_t>(channel_fd);
  constexpr uint64_t kFdMask = 0xffffffff;
  constexpr uint64_t kEmptyNoFollow = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
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
      {SYS_openat2, "openat2", {},
       "open one checked name beneath a node's fd (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|"
       "RESOLVE_NO_MAGICLINKS, O_NOFOLLOW)"},
      {SYS_openat, "openat", {},
       "reopen a node through its own O_PATH fd (\".\" of a directory, /proc/self/fd/N of a "
       "file); the mount namespace holds only the served trees"},
      {SYS_newfstatat, "newfstatat",
       {sc::Masked(3, AT_EMPTY_PATH, AT_EMPTY_PATH, "flags has AT_EMPTY_PATH")},
       "stat of a node's own fd (fstat)"},
      {SYS_readlinkat, "readlinkat", {}, "read a symlink through its O_PATH fd (empty name)"},
      {SYS_getdents64, "getdents64", {}, "list a directory (batched readdir)"},
      {SYS_lseek, "lseek", {}, "position a directory listing at the client's offset"},
      {SYS_fstatfs, "fstatfs", {}, "statfs of a served tree"},
      {SYS_fcntl, "fcntl", {sc::Eq(1, F_GETFL, "cmd == F_GETFL")},
       "clear O_NONBLOCK on a file before donating it"},
      {SYS_fcntl, "fcntl", {sc::Eq(1, F_SETFL, "cmd == F_SETFL")},
       "clear O_NONBLOCK on a file before donating it"},
      {SYS_close, "close", {}, "drop handles and donated fds"},
      // Changing served trees (rw mounts; the server refuses the rest).
      {SYS_mkdirat, "mkdirat", {}, "mkdir of one checked name"},
      {SYS_mknodat, "mknodat",
       {sc::Masked(2, S_IFMT, S_IFIFO, "type == S_IFIFO"), sc::Eq(3, 0, "dev == 0")},
       "make a FIFO (never device nodes or sockets)"},
      {SYS_mknodat, "mknodat",
       {sc::Masked(2, S_IFMT, S_IFREG, "type == S_IFREG"), sc::Eq(3, 0, "dev == 0")},
       "make a regular file"},
      {SYS_symlinkat, "symlinkat", {}, "symlink of one checked name"},
      {SYS_linkat, "linkat", {sc::Eq(4, 0, "flags == 0")}, "hard link by name in the parent"},
      {SYS_linkat, "linkat", {sc::Eq(4, AT_SYMLINK_FOLLOW, "flags == AT_SYMLINK_FOLLOW")},
       "hard link of the node itself through /proc/self/fd/N"},
      {SYS_unlinkat, "unlinkat", {sc::Eq(2, 0, "flags == 0")}, "unlink one checked name"},
      {SYS_unlinkat, "unlinkat", {sc::Eq(2, AT_REMOVEDIR, "flags == AT_REMOVEDIR")},
       "rmdir one checked name"},
      {SYS_renameat2, "renameat2",
       {sc::Masked(4, 0xffffffff & ~static_cast<uint64_t>(RENAME_NOREPLACE | RENAME_EXCHANGE),
                   0, "flags in {0, RENAME_NOREPLACE, RENAME_EXCHANGE}")},
       "rename between checked names"},
      {SYS_fchownat, "fchownat",
       {sc::Eq(4, kEmptyNoFollow, "flags == AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW")},
       "set the owner of a node through its own fd"},
      {SYS_fchmodat2, "fchmodat2", {sc::Eq(3, AT_EMPTY_PATH, "flags == AT_EMPTY_PATH")},
       "chmod of a node through its own fd"},
      {SYS_utimensat, "utimensat",
       {sc::Eq(3, kEmptyNoFollow, "flags == AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW")},
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
    r.push_back({SYS_chmod, "chmod", {},
                 "chmod of /proc/self/fd/N on kernels without fchmodat2 (before 6.6)"});
  }
  return r;
}

}  // namespace sentry::gofer
