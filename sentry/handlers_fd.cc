// fd-table syscalls: close, close_range, dup, dup2, dup3, fcntl, and mmap of files through
// the mirror fd. Mirrors live at the SAME number in the guest's host fd table as the
// virtual fd, so a checked mmap can be let through unchanged (SECCOMP_USER_NOTIF_FLAG_
// CONTINUE); see docs/architecture.md. Sentry thread only.
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "sentry/async_io.h"
#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "vfs/pipe.h"

namespace sentry {
namespace {

// After the virtual fd `fd` stopped referring to its old description: does the guest's
// host table still hold a mirror at that number?
bool DropMirror(Process& p, int fd) { return p.mirrors.erase(fd) > 0; }

SysResult Close(SyscallContext& c) {
  int64_t fd = static_cast<int64_t>(c.arg(0));
  if (fd < 0 || fd > INT32_MAX) return SysResult::Errno(EBADF);
  SysResult r = c.proc.fds->Close(static_cast<int>(fd));
  if (!r.ok()) return r;
  // The host closes the mirror and answers 0, exactly our result.
  if (DropMirror(c.proc, static_cast<int>(fd))) return kContinueSyscall;
  return 0;
}

SysResult CloseRange(SyscallContext& c) {
  uint32_t first = static_cast<uint32_t>(c.arg(0)), last = static_cast<uint32_t>(c.arg(1));
  uint32_t flags = static_cast<uint32_t>(c.arg(2));
  if (first > last || (flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)))
    return SysResult::Errno(EINVAL);
  bool mirrors = false;
  for (int fd : c.proc.fds->OpenFds()) {
    if (static_cast<uint32_t>(fd) < first || static_cast<uint32_t>(fd) > last) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) {
      c.proc.fds->SetCloexec(fd, true);
    } else {
      c.proc.fds->Close(fd);
      mirrors |= DropMirror(c.proc, fd);
    }
  }
  // Mirrors are host-close-on-exec already; a plain close_range is repeated by the host.
  if (mirrors) return kContinueSyscall;
  return 0;
}

SysResult Dup(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  return c.proc.fds->Install(f, false, 0, FdLimit(c));
}

SysResult Dup3Impl(SyscallContext& c, uint64_t oldfd, uint64_t newfd, int flags) {
  vfs::FileRef f = GetFile(c, oldfd);
  if (!f) return SysResult::Errno(EBADF);
  if (static_cast<int64_t>(newfd) < 0 || newfd >= static_cast<uint64_t>(FdLimit(c)))
    return SysResult::Errno(EBADF);
  SysResult r = c.proc.fds->InstallAt(static_cast<int>(newfd), f, flags & O_CLOEXEC, FdLimit(c));
  if (!r.ok()) return r;
  // A stale host mirror at newfd is replaced the next time newfd is mapped.
  DropMirror(c.proc, static_cast<int>(newfd));
  return static_cast<int64_t>(newfd);
}

SysResult Dup2(SyscallContext& c) {
  if (c.arg(0) == c.arg(1)) {
    return GetFile(c, c.arg(0)) ? SysResult(static_cast<int64_t>(c.arg(1)))
                                : SysResult::Errno(EBADF);
  }
  return Dup3Impl(c, c.arg(0), c.arg(1), 0);
}

SysResult Dup3(SyscallContext& c) {
  int flags = static_cast<int>(c.arg(2));
  if (flags & ~O_CLOEXEC) return SysResult::Errno(EINVAL);
  if (c.arg(0) == c.arg(1)) return SysResult::Errno(EINVAL);
  return Dup3Impl(c, c.arg(0), c.arg(1), flags);
}

SysResult Fcntl(SyscallContext& c) {
  int fd = static_cast<int>(c.arg(0));
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  int cmd = static_cast<int>(c.arg(1));
  uint64_t arg = c.arg(2);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (arg >= static_cast<uint64_t>(FdLimit(c))) return SysResult::Errno(EINVAL);
      return c.proc.fds->Install(f, cmd == F_DUPFD_CLOEXEC, static_cast<int>(arg), FdLimit(c));
    case F_GETFD:
      return c.proc.fds->GetCloexec(fd);
    case F_SETFD:
      return c.proc.fds->SetCloexec(fd, arg & FD_CLOEXEC);
    case F_GETFL:
      return f->is_path() ? (O_PATH | f->status_flags()) : (f->access_mode() | f->status_flags());
    case F_SETFL:
      if (f->is_path()) return SysResult::Errno(EBADF);
      if ((arg & O_ASYNC) && !SupportsAsync(*f)) arg &= ~static_cast<uint64_t>(O_ASYNC);
      if ((arg & O_ASYNC) && !(f->status_flags() & O_ASYNC)) {
        f->async_owner().fasync_fd = static_cast<int>(fd);
      }
      f->set_status_flags(static_cast<int>(arg));
      c.kernel.async_io().Update(f);  // O_ASYNC on or off
      return 0;
    case F_SETOWN:
    case F_GETOWN:
    case F_SETOWN_EX:
    case F_GETOWN_EX:
    case F_SETSIG:
    case F_GETSIG:
      return FcntlAsync(c, *f, cmd, arg);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return FcntlLock(c, f, cmd, arg);
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
      // The host pipe behind a guest pipe is its real buffer: its capacity is what makes
      // writes wait (and POLLOUT clear), so the host sizes it.
      return f->PipeSize(cmd, arg);
    default:
      return SysResult::Errno(EINVAL);
  }
}

SysResult Pipe2Impl(SyscallContext& c, uint64_t fds_addr, int flags) {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return SysResult::Errno(EINVAL);
  auto p = vfs::MakePipe(flags);
  if (!p.ok()) return SysResult::Errno(p.error());
  int fds[2];
  fds[0] = c.proc.fds->Install(p->first, flags & O_CLOEXEC, 0, FdLimit(c));
  if (fds[0] < 0) return fds[0];
  fds[1] = c.proc.fds->Install(p->second, flags & O_CLOEXEC, 0, FdLimit(c));
  if (fds[1] < 0) {
    c.proc.fds->Close(fds[0]);
    return fds[1];
  }
  if (!CopyOut(c, fds_addr, fds, sizeof(fds)).ok()) {
    c.proc.fds->Close(fds[0]);
    c.proc.fds->Close(fds[1]);
    return SysResult::Errno(EFAULT);
  }
  return 0;
}
SysResult Pipe(SyscallContext& c) { return Pipe2Impl(c, c.arg(0), 0); }
SysResult Pipe2(SyscallContext& c) { return Pipe2Impl(c, c.arg(0), static_cast<int>(c.arg(1))); }

SysResult Mmap(SyscallContext& c) {
  // Anonymous mappings never get here (the filter lets them through).
  uint64_t prot = c.arg(2), flags = c.arg(3);
  int64_t fd = static_cast<int64_t>(c.arg(4));
  if (fd < 0 || fd > INT32_MAX) return SysResult::Errno(EBADF);
  vfs::FileRef f = GetFile(c, c.arg(4));
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  if (f->access_mode() == O_WRONLY) return SysResult::Errno(EACCES);
  if ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE) && f->access_mode() != O_RDWR)
    return SysResult::Errno(EACCES);
  int host = f->HostFd();
  if (host < 0) return SysResult::Errno(ENODEV);
  auto it = c.proc.mirrors.find(static_cast<int>(fd));
  if (it == c.proc.mirrors.end() || it->second != f) {
    SysResult r = c.kernel.platform().InstallFd(c.req, host, static_cast<int>(fd), true);
    if (!r.ok()) return r;
    c.proc.mirrors[static_cast<int>(fd)] = f;
  }
  return kContinueSyscall;
}

}  // namespace

void RegisterFdHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_close] = Close;
  (*t)[SYS_close_range] = CloseRange;
  (*t)[SYS_dup] = Dup;
  (*t)[SYS_dup2] = Dup2;
  (*t)[SYS_dup3] = Dup3;
  (*t)[SYS_fcntl] = Fcntl;
  (*t)[SYS_mmap] = Mmap;
  (*t)[SYS_pipe] = Pipe;
  (*t)[SYS_pipe2] = Pipe2;
}

}  // namespace sentry
