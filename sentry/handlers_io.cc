// Data syscalls on open files: read, write, pread64, pwrite64, readv, writev, preadv,
// pwritev, lseek, getdents64, ioctl. Copies go through the kernel's shared I/O buffer.
// Sentry thread only.
#include <asm/ioctls.h>
#include <asm/sockios.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <csignal>

#include <algorithm>
#include <span>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "sentry/host_job_control.h"
#include "vfs/fsnotify.h"
#include "vfs/pty.h"

namespace sentry {
namespace {

constexpr size_t kMaxIo = 0x7ffff000;  // Linux's MAX_RW_COUNT

// A host terminal (stdio or /dev/tty): tty ioctls reach it.
bool IsTerminal(const vfs::FileRef& f) {
  if (f->ReadinessFd() < 0 || vfs::IsPty(*f)) return false;  // sandbox ptys: handlers_tty_pty
  return f->IsTerminal();
}

// Reads up to `count` bytes into guest memory at `addr` (at `offset` when >= 0).
// `buf_base`: where in the I/O buffer this read's bytes go (readv keeps all of its iovecs'
// bytes in the buffer, in order, so that an undelivered reply can give them back).
SysResult ReadToGuest(SyscallContext& c, const vfs::FileRef& f, uint64_t addr, size_t count,
                      int64_t offset, size_t buf_base = 0) {
  if (f->is_path()) return SysResult::Errno(EBADF);
  if (f->access_mode() == O_WRONLY) return SysResult::Errno(EBADF);
  count = std::min(count, kMaxIo);
  Task::ReadUndo& undo = c.task.read_undo;
  if (buf_base >= Kernel::kIoBufferSize) {
    buf_base = 0;
    undo.in_buffer = false;
  }
  char* buf = c.kernel.io_buffer() + buf_base;
  const size_t cap = Kernel::kIoBufferSize - buf_base;
  // Bytes pushed back by an earlier undelivered reply come first.
  auto read = [&](std::span<char> span, int64_t at) -> SysResult {
    if (at >= 0) return f->PRead(span, at);
    if (f->has_pushback()) return static_cast<int64_t>(f->TakePushback(span));
    return f->Read(span);
  };
  size_t total = 0;
  while (total < count) {
    size_t chunk = std::min(count - total, cap);
    std::span<char> span(buf, chunk);
    SysResult r;
    if (total == 0) {
      r = Blocking(c, f, EPOLLIN, [&] { return read(span, offset); });
    } else {
      undo.in_buffer = false;  // this chunk overwrites the previous one
      r = read(span, offset >= 0 ? offset + static_cast<int64_t>(total) : -1);
      if (r.error() == EAGAIN) break;
    }
    if (!r.ok()) return total ? SysResult(static_cast<int64_t>(total)) : r;
    size_t n = static_cast<size_t>(r.value());
    if (offset < 0 && n > 0) {
      if (undo.file != f) undo = {f, 0, undo.in_buffer};
      undo.len += n;
    }
    if (n && !CopyOut(c, addr + total, buf, n).ok()) {
      // Like Linux, bytes that could not be copied stay in the file.
      if (offset < 0) {
        f->GiveBack(buf, n);
        undo.len -= n;
      }
      return total ? SysResult(static_cast<int64_t>(total)) : SysResult::Errno(EFAULT);
    }
    total += n;
    if (n < chunk) break;
  }
  if (total > 0) vfs::fsnotify::FileEvent(*f, IN_ACCESS);
  return static_cast<int64_t>(total);
}

// `fsize_checked`: the caller applied RLIMIT_FSIZE to the whole call already (writev).
SysResult WriteFromGuest(SyscallContext& c, const vfs::FileRef& f, uint64_t addr, size_t count,
                         int64_t offset, bool fsize_checked = false) {
  if (f->is_path()) return SysResult::Errno(EBADF);
  if (f->access_mode() == O_RDONLY) return SysResult::Errno(EBADF);
  count = std::min(count, kMaxIo);
  if (!fsize_checked) {
    SysResult allowed = LimitFileWrite(c, f, offset, count);
    if (!allowed.ok()) return allowed;
    count = static_cast<size_t>(allowed.value());
  }
  char* buf = c.kernel.io_buffer();
  size_t total = 0;
  if (count == 0) {
    return offset >= 0 ? f->PWrite(std::span<const char>(buf, 0), offset)
                       : f->Write(std::span<const char>(buf, 0));
  }
  while (total < count) {
    size_t chunk = std::min(count - total, Kernel::kIoBufferSize);
    if (!CopyIn(c, addr + total, buf, chunk).ok())
      return total ? SysResult(static_cast<int64_t>(total)) : SysResult::Errno(EFAULT);
    // A blocking description takes everything (waiting for room as often as needed); a
    // non-blocking one stops at the first short write.
    size_t done = 0;
    while (done < chunk) {
      std::span<const char> span(buf + done, chunk - done);
      int64_t at = offset + static_cast<int64_t>(total + done);
      // The shared buffer may have been reused by other tasks while this one waited: copy
      // the rest of the chunk in again after every wait.
      bool waited = false;
      SysResult r = Blocking(c, f, EPOLLOUT, [&]() -> SysResult {
        if (waited && !CopyIn(c, addr + total + done, buf + done, chunk - done).ok())
          return SysResult::Errno(EFAULT);
        waited = true;
        return offset >= 0 ? f->PWrite(span, at) : f->Write(span);
      });
      if (!r.ok()) {
        if (r.error() == EPIPE) c.task.post_signal = SIGPIPE;  // raised after the reply
        size_t sofar = total + done;
        return sofar ? SysResult(static_cast<int64_t>(sofar)) : r;
      }
      done += static_cast<size_t>(r.value());
      if (r.value() == 0 || (f->status_flags() & O_NONBLOCK) || f->ReadinessFd() < 0) break;
    }
    total += done;
    if (done < chunk) break;
  }
  if (total > 0) vfs::fsnotify::FileEvent(*f, IN_MODIFY);
  return static_cast<int64_t>(total);
}

// Job control on the host terminal, whose foreground group the kernel emulates: a process
// outside it that reads the terminal gets SIGTTIN, one that writes it with TOSTOP set gets
// SIGTTOU (its group stops, and the call restarts once continued), as Linux's
// __tty_check_change: EIO instead for a reader that ignores or blocks SIGTTIN and for an
// orphaned group; a writer that ignores or blocks SIGTTOU goes ahead. 0: go ahead.
int HostTerminalJobControl(SyscallContext& c, const vfs::FileRef& f, bool write) {
  constexpr uint32_t kTostop = 0400;  // TOSTOP in c_lflag (<termios.h> clashes with asm/)
  if (!IsTerminal(f)) return 0;
  int sig = SIGTTIN;
  if (write) {
    alignas(8) uint32_t termios[16] = {};  // the kernel's struct termios: c_lflag is word 3
    if (!f->Ioctl(TCGETS, termios).ok() || !(termios[3] & kTostop)) return 0;
    sig = SIGTTOU;
  }
  int pgrp = c.kernel.GuestPgrpOf(c.proc);
  if (pgrp < 0 || pgrp == c.kernel.foreground_pgrp()) return 0;
  if (Kernel::IgnoresOrBlocks(c.task.host_tid, sig)) return write ? 0 : EIO;
  pid_t host_group = c.kernel.HostPgrpOf(pgrp);
  if (host_group == 0) return 0;
  if (HostPgrpOrphaned(c.kernel, host_group)) return EIO;
  c.kernel.SendGroupSignal(host_group, Kernel::KernelSigInfo(sig));
  c.kernel.AwaitInterruption(c.task, c.req, 1000000000);
  return EINTR;
}

// The background check of read/readv (write/writev) on the host terminal or a sandbox pty.
int BackgroundJobControl(SyscallContext& c, const vfs::FileRef& f, bool write) {
  if (int err = HostTerminalJobControl(c, f, write)) return err;
  return PtyJobControl(c, f, write);  // handlers_tty_pty.cc
}

SysResult Read(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  if (SysResult r; ContinueGuestRead(c, c.arg(0), f, &r)) return r;  // signalfd
  if (int err = BackgroundJobControl(c, f, false)) return SysResult::Errno(err);
  return ReadToGuest(c, f, c.arg(1), c.arg(2), -1);
}

SysResult Write(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  if (SysResult r; ReplayUndeliveredWrite(c, f, &r)) return r;
  if (int err = BackgroundJobControl(c, f, true)) return SysResult::Errno(err);
  return RecordWrite(c, f, WriteFromGuest(c, f, c.arg(1), c.arg(2), -1));
}

SysResult Pread64(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  if (static_cast<int64_t>(c.arg(3)) < 0) return SysResult::Errno(EINVAL);
  return ReadToGuest(c, f, c.arg(1), c.arg(2), static_cast<int64_t>(c.arg(3)));
}

SysResult Pwrite64(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  if (static_cast<int64_t>(c.arg(3)) < 0) return SysResult::Errno(EINVAL);
  return WriteFromGuest(c, f, c.arg(1), c.arg(2), static_cast<int64_t>(c.arg(3)));
}

// Shared by readv/writev/preadv/pwritev: iovecs processed in order, stopping at a short one.
// `f` is the file at arg 0 (null: EBADF).
SysResult Vectored(SyscallContext& c, const vfs::FileRef& f, bool write, int64_t offset) {
  if (!f) return SysResult::Errno(EBADF);
  uint64_t iovcnt = c.arg(2);
  if (iovcnt > IOV_MAX) return SysResult::Errno(EINVAL);
  iovec iov[IOV_MAX];
  if (iovcnt && !CopyIn(c, c.arg(1), iov, iovcnt * sizeof(iovec)).ok())
    return SysResult::Errno(EFAULT);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iovcnt; ++i) {
    if (static_cast<int64_t>(iov[i].iov_len) < 0) return SysResult::Errno(EINVAL);
    sum += iov[i].iov_len;
    if (sum > kMaxIo * 2) return SysResult::Errno(EINVAL);
  }
  // RLIMIT_FSIZE applies to the call as a whole (one write of `sum` bytes on Linux).
  uint64_t allowed = sum;
  if (write && !f->is_path() && f->access_mode() != O_RDONLY) {
    SysResult a = LimitFileWrite(c, f, offset, sum);
    if (!a.ok()) return a;
    allowed = static_cast<uint64_t>(a.value());
  }
  int64_t total = 0;
  for (uint64_t i = 0; i < iovcnt; ++i) {
    if (iov[i].iov_len == 0) continue;
    if (write && static_cast<uint64_t>(total) >= allowed) break;
    if (write) iov[i].iov_len = std::min<uint64_t>(iov[i].iov_len, allowed - total);
    uint64_t base = reinterpret_cast<uint64_t>(iov[i].iov_base);
    int64_t off = offset >= 0 ? offset + total : -1;
    SysResult r = write ? WriteFromGuest(c, f, base, iov[i].iov_len, off, true)
                        : ReadToGuest(c, f, base, iov[i].iov_len, off, static_cast<size_t>(total));
    if (!r.ok()) return total ? SysResult(total) : r;
    total += r.value();
    if (static_cast<uint64_t>(r.value()) < iov[i].iov_len) break;
  }
  return total;
}

SysResult Readv(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (SysResult r; f && ContinueGuestRead(c, c.arg(0), f, &r)) return r;  // signalfd
  if (int err = f ? BackgroundJobControl(c, f, false) : 0) return SysResult::Errno(err);
  return Vectored(c, f, false, -1);
}
SysResult Writev(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (SysResult r; f && ReplayUndeliveredWrite(c, f, &r)) return r;
  if (int err = f ? BackgroundJobControl(c, f, true) : 0) return SysResult::Errno(err);
  return RecordWrite(c, f, Vectored(c, f, true, -1));
}
SysResult Preadv(SyscallContext& c) {
  if (static_cast<int64_t>(c.arg(3)) < 0) return SysResult::Errno(EINVAL);
  return Vectored(c, GetFile(c, c.arg(0)), false, static_cast<int64_t>(c.arg(3)));
}
SysResult Pwritev(SyscallContext& c) {
  if (static_cast<int64_t>(c.arg(3)) < 0) return SysResult::Errno(EINVAL);
  return Vectored(c, GetFile(c, c.arg(0)), true, static_cast<int64_t>(c.arg(3)));
}
SysResult Preadv2(SyscallContext& c) {
  int64_t off = static_cast<int64_t>(c.arg(3));
  return Vectored(c, GetFile(c, c.arg(0)), false, off == -1 ? -1 : off);
}
SysResult Pwritev2(SyscallContext& c) {
  int64_t off = static_cast<int64_t>(c.arg(3));
  return Vectored(c, GetFile(c, c.arg(0)), true, off == -1 ? -1 : off);
}

SysResult Lseek(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  int whence = static_cast<int>(c.arg(2));
  if (whence < SEEK_SET || whence > SEEK_HOLE) return SysResult::Errno(EINVAL);
  return f->Seek(static_cast<int64_t>(c.arg(1)), whence);
}

SysResult Getdents64(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  size_t count = std::min<size_t>(c.arg(2), Kernel::kIoBufferSize);
  char* buf = c.kernel.io_buffer();
  const int64_t before = f->offset();
  SysResult r = f->GetDents64(std::span<char>(buf, count));
  if (r.ok()) vfs::fsnotify::FileEvent(*f, IN_ACCESS);
  if (!r.ok() || r.value() == 0) return r;
  if (!CopyOut(c, c.arg(1), buf, static_cast<size_t>(r.value())).ok()) {
    f->Seek(before, SEEK_SET);  // like Linux: nothing was read
    return SysResult::Errno(EFAULT);
  }
  // An undelivered reply puts the position back (Kernel::HandleSyscall).
  c.task.read_undo = {f, 0, false, before};
  return r;
}

// Size of the argument of the ioctls we forward to files, and whether it is read back.
struct IoctlShape {
  size_t size;
  bool in;
  bool out;
};
bool ShapeOf(uint32_t cmd, IoctlShape* s) {
  constexpr size_t kTermios = 36;  // struct termios of the kernel ABI
  switch (cmd) {
    case TCGETS: *s = {kTermios, false, true}; return true;
    case TCSETS: case TCSETSW: case TCSETSF: *s = {kTermios, true, false}; return true;
    case TIOCGWINSZ: *s = {8, false, true}; return true;
    case TIOCSWINSZ: *s = {8, true, false}; return true;
    case FIONREAD: *s = {4, false, true}; return true;
    case TIOCOUTQ: *s = {4, false, true}; return true;
    case SIOCATMARK: *s = {4, false, true}; return true;
    default: return false;
  }
}

// The host terminal's job-control state, emulated with guest ids: its foreground process
// group is the kernel's virtual one; its session is the guest's (1).
SysResult TerminalJobControl(SyscallContext& c, const vfs::FileRef& f, uint32_t cmd) {
  if (!IsTerminal(f)) return SysResult::Errno(ENOTTY);
  int32_t value;
  switch (cmd) {
    case TIOCGPGRP:
      value = c.kernel.foreground_pgrp();
      break;
    case TIOCGSID:
      value = 1;
      break;
    default: {  // TIOCSPGRP
      if (!CopyInObj(c, c.arg(2), &value).ok()) return SysResult::Errno(EFAULT);
      if (value < 0) return SysResult::Errno(EINVAL);
      if (c.kernel.HostPgrpOf(value) == 0) return SysResult::Errno(EPERM);
      c.kernel.set_foreground_pgrp(value);
      return 0;
    }
  }
  return CopyOutObj(c, c.arg(2), value).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

SysResult Ioctl(SyscallContext& c) {
  int fd = static_cast<int>(c.arg(0));
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  uint32_t cmd = static_cast<uint32_t>(c.arg(1));
  if (vfs::IsPty(*f) && cmd != FIOCLEX && cmd != FIONCLEX && cmd != FIONBIO)
    return PtyIoctl(c, f, cmd);  // handlers_tty_pty.cc
  switch (cmd) {
    case FIOCLEX: return c.proc.fds->SetCloexec(fd, true);
    case FIONCLEX: return c.proc.fds->SetCloexec(fd, false);
    case TIOCGPGRP:
    case TIOCSPGRP:
    case TIOCGSID:
      return TerminalJobControl(c, f, cmd);
    case TIOCSCTTY:
    case TIOCSTI:
      // The host terminal's session and input belong to the user, not to the guest.
      return SysResult::Errno(EPERM);
    case FIONBIO: {
      int on;
      if (!CopyInObj(c, c.arg(2), &on).ok()) return SysResult::Errno(EFAULT);
      int fl = f->status_flags();
      f->set_status_flags(on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
      return 0;
    }
    default: break;
  }
  IoctlShape shape;
  if (!ShapeOf(cmd, &shape)) return SysResult::Errno(ENOTTY);
  alignas(8) char arg[64] = {};
  if (shape.in && !CopyIn(c, c.arg(2), arg, shape.size).ok()) return SysResult::Errno(EFAULT);
  SysResult r = f->Ioctl(cmd, arg);
  if (!r.ok()) return r;
  if (shape.out && !CopyOut(c, c.arg(2), arg, shape.size).ok()) return SysResult::Errno(EFAULT);
  return r;
}

}  // namespace

void RegisterIoHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_read] = Read;
  (*t)[SYS_write] = Write;
  (*t)[SYS_pread64] = Pread64;
  (*t)[SYS_pwrite64] = Pwrite64;
  (*t)[SYS_readv] = Readv;
  (*t)[SYS_writev] = Writev;
  (*t)[SYS_preadv] = Preadv;
  (*t)[SYS_pwritev] = Pwritev;
  (*t)[SYS_preadv2] = Preadv2;
  (*t)[SYS_pwritev2] = Pwritev2;
  (*t)[SYS_lseek] = Lseek;
  (*t)[SYS_getdents64] = Getdents64;
  (*t)[SYS_ioctl] = Ioctl;
}

}  // namespace sentry
