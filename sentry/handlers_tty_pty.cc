// ioctl and job control on the sandbox's ptys (vfs/pty.h). Terminal state ioctls run on the
// sentry's host fd; the ones about the caller's session and process group run in the guest's
// own context (the pty's host fd installed at the guest's fd number, the ioctl continued).
// Sentry thread only.
#include <asm/ioctls.h>

#include <csignal>
#include <cstring>

#include "sentry/ctty_open.h"
#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "sentry/host_job_control.h"
#include "vfs/pty.h"

namespace sentry {
namespace {

// Puts the pty's host fd at the guest's own number `fd` (a mirror, dropped like the mmap
// mirrors when the guest closes or replaces `fd`) and lets the host run the ioctl as issued:
// the host then checks and changes the caller's session, controlling terminal and foreground
// group with the caller's own pids. The guest's host fd table holds nothing but mirrors the
// sentry put there, so the number cannot name anything else (at worst a racing close makes
// it EBADF, or a racing mmap mirror makes it a file: ENOTTY).
SysResult ContinueOnMirror(SyscallContext& c, int fd, const vfs::FileRef& f, int host_fd) {
  auto it = c.proc.mirrors.find(fd);
  if (it == c.proc.mirrors.end() || it->second != f) {
    SysResult r = c.kernel.platform().InstallFd(c.req, host_fd, fd, /*cloexec=*/true);
    if (!r.ok()) return r;
    c.proc.mirrors[fd] = f;
  }
  return kContinueSyscall;
}

}  // namespace

SysResult PtyIoctl(SyscallContext& c, const vfs::FileRef& f, uint32_t cmd) {
  vfs::PtyFile* pty = vfs::AsPty(f);
  if (pty == nullptr) return SysResult::Errno(ENOTTY);
  int fd = static_cast<int>(c.arg(0));
  if (vfs::IsPtyCallerIoctl(cmd)) return ContinueOnMirror(c, fd, f, pty->host_fd());
  if (cmd == TIOCGPTPEER) {
    // Linux ignores the flags that mean nothing for a tty; so does the description.
    int given = static_cast<int>(c.arg(2));
    int flags = given & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC);
    ErrnoOr<vfs::FileRef> peer = pty->OpenPeer(flags);
    if (!peer.ok()) return SysResult::Errno(peer.error());
    // Without O_NOCTTY the peer may become the caller's controlling terminal, as an open.
    return InstallOpenedFile(c, *peer, flags | (given & O_NOCTTY));
  }
  vfs::PtyIoctlShape s;
  if (!vfs::ShapeOfPtyIoctl(cmd, &s)) return SysResult::Errno(ENOTTY);
  alignas(8) char arg[64] = {};
  if (s.by_value) {
    int v = static_cast<int>(c.arg(2));
    std::memcpy(arg, &v, sizeof(v));
  } else if (s.in && !CopyIn(c, c.arg(2), arg, s.size).ok()) {
    return SysResult::Errno(EFAULT);
  }
  SysResult r = f->Ioctl(cmd, arg);
  if (!r.ok()) return r;
  if (s.out && !CopyOut(c, c.arg(2), arg, s.size).ok()) return SysResult::Errno(EFAULT);
  return r;
}

int PtyJobControl(SyscallContext& c, const vfs::FileRef& f, bool write) {
  vfs::PtyFile* pty = vfs::AsPty(f);
  if (pty == nullptr || pty->is_master()) return 0;
  // The caller's group, controlling terminal and that terminal's foreground group, as the
  // host knows them (host ids, comparable with each other).
  HostJobIds ids;
  if (!ReadHostJobIds(c.proc.host_pid, &ids)) return 0;
  if (SandboxPtyIndex(ids, OuterSession()) != pty->index()) return 0;
  if (ids.tpgid <= 0 || ids.pgrp <= 0 || ids.pgrp == ids.tpgid) return 0;
  int sig = SIGTTIN;
  if (write) {
    constexpr uint32_t kTostop = 0400;  // TOSTOP in c_lflag
    alignas(8) uint32_t termios[16] = {};
    if (!f->Ioctl(TCGETS, termios).ok() || !(termios[3] & kTostop)) return 0;
    // Linux lets the write through when SIGTTOU is ignored or blocked.
    if (Kernel::IgnoresOrBlocks(c.task.host_tid, SIGTTOU)) return 0;
    sig = SIGTTOU;
  } else if (Kernel::IgnoresOrBlocks(c.task.host_tid, SIGTTIN)) {
    return EIO;  // Linux: a background reader that ignores or blocks SIGTTIN gets EIO
  }
  // Linux: an orphaned group is not stopped (nobody in the session could continue it).
  if (HostPgrpOrphaned(c.kernel, ids.pgrp)) return EIO;
  // The group stops; the interrupted notification makes the guest restart the call once it
  // is continued. Replying before the signal took the notification would hand the guest a
  // bare EINTR.
  c.kernel.SendGroupSignal(ids.pgrp, Kernel::KernelSigInfo(sig));
  c.kernel.AwaitInterruption(c.task, c.req, 1000000000);
  return EINTR;
}

}  // namespace sentry
