// Controlling terminal on open, by an injected TIOCSCTTY. Only the guest's own syscalls act on
// its session, and user notification can only answer or continue the syscall issued, so:
//  1. the open handler (the caller's notification still pending) sends the thread SIGSTOP,
//     which interrupts the notification (the openat is now "to be restarted");
//  2. at the signal-delivery stop the sentry installs the file at the guest fd F and turns
//     the restart into ioctl(F, TIOCSCTTY, 0) at the stub's "syscall; int3" (the kernel
//     re-runs orig_rax at rip - 2), the SIGSTOP suppressed. That ioctl is trapped like any
//     other and continued on the pty's mirror (handlers_tty_pty.cc): the host checks and
//     sets the caller's session itself;
//  3. the int3 after it stops the thread again: the registers of the interrupted openat come
//     back with F as its result.
// Anything unexpected at the first stop (another signal's handler ran first) drops the
// attempt before anything was installed: the guest restarts its openat or sees EINTR.
#include "sentry/ctty_open.h"

#include <asm/ioctls.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/stub_image.h"
#include "sentry/handler_util.h"
#include "sentry/host_job_control.h"
#include "vfs/pty.h"

namespace sentry {

struct CttyOpenState {
  enum class Phase { kAwaitStop, kAwaitTrap, kStray } phase = Phase::kAwaitStop;
  vfs::FileRef file;  // to install at the first stop
  bool cloexec = false;
  int nr = -1;         // the open syscall and where it returns to
  uint64_t ip = 0;
  user_regs_struct saved{};  // the openat's registers, rax = its result
};

namespace {

constexpr uint64_t kInt3Done = platform::kStubSyscallInsn + 3;  // rip after the stub's int3

bool IsRestart(uint64_t rax) {
  auto v = static_cast<int64_t>(rax);
  return v == -512 || v == -513 || v == -514;  // ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND
}

// Linux's condition (tty_open): a pty slave, the caller a session leader without a
// controlling terminal, the pty in no session.
bool TakesCtty(SyscallContext& c, const vfs::FileRef& f) {
  vfs::PtyFile* pty = vfs::AsPty(f);
  if (pty == nullptr || pty->is_master()) return false;
  HostJobIds ids;
  if (!ReadHostJobIds(c.proc.host_pid, &ids)) return false;
  if (ids.sid != c.proc.host_pid || ids.tty_nr != 0) return false;
  if (pty->PairHasSession()) return false;
  // The int3 that ends step 3 would reset an ignored or blocked SIGTRAP to its default
  // (force_sig): leave such a rare caller without the terminal rather than change it.
  return !Kernel::IgnoresOrBlocks(c.task.host_tid, SIGTRAP);
}

}  // namespace

SysResult InstallOpenedFile(SyscallContext& c, const vfs::FileRef& f, int flags) {
  if ((flags & O_NOCTTY) || !TakesCtty(c, f))
    return c.proc.fds->Install(f, flags & O_CLOEXEC, 0, FdLimit(c));
  auto st = std::make_shared<CttyOpenState>();
  st->file = f;
  st->cloexec = (flags & O_CLOEXEC) != 0;
  st->nr = c.req.nr;
  st->ip = c.req.ip;
  c.task.ctty_open = st;
  syscall(SYS_tgkill, c.proc.host_pid, c.task.host_tid, SIGSTOP);
  c.kernel.AwaitInterruption(c.task, c.req, 1000000000);
  if (st->phase == CttyOpenState::Phase::kAwaitStop && !c.task.cancelled &&
      c.kernel.platform().StillValid(c.req)) {
    // Never interrupted (should not happen): a plain open; the late stop is swallowed.
    st->phase = CttyOpenState::Phase::kStray;
    st->file.reset();
    return c.proc.fds->Install(f, flags & O_CLOEXEC, 0, FdLimit(c));
  }
  return SysResult::Errno(EINTR);  // the notification is gone; the stops finish the open
}

bool OnCttyOpenStop(Kernel& kernel, Task& t, int sig) {
  using Phase = CttyOpenState::Phase;
  std::shared_ptr<CttyOpenState> st = t.ctty_open;
  if (!st) return false;
  platform::Platform& pf = kernel.platform();
  user_regs_struct regs{};
  if (st->phase != Phase::kAwaitTrap) {
    if (sig != SIGSTOP) return false;
    t.ctty_open.reset();
    if (st->phase == Phase::kStray || !pf.GetRegs(t.host_tid, &regs) ||
        static_cast<int64_t>(regs.orig_rax) != st->nr || regs.rip != st->ip ||
        !IsRestart(regs.rax)) {
      return pf.Resume(t.host_tid, 0);  // our SIGSTOP, swallowed; the open is not done
    }
    rlim_t cur = t.process->rlimits[RLIMIT_NOFILE].rlim_cur;
    int limit = cur > (1u << 20) ? (1 << 20) : static_cast<int>(cur);
    int fd = t.process->fds->Install(st->file, st->cloexec, 0, limit);
    st->file.reset();
    st->saved = regs;
    st->saved.orig_rax = static_cast<uint64_t>(-1);  // no restart of the restored openat
    st->saved.rax = static_cast<uint64_t>(static_cast<int64_t>(fd));  // fd or -EMFILE
    if (fd < 0) {
      pf.SetRegs(t.host_tid, st->saved);
      return pf.Resume(t.host_tid, 0);
    }
    regs.orig_rax = SYS_ioctl;
    regs.rax = static_cast<uint64_t>(-513);  // ERESTARTNOINTR: always restarted
    regs.rdi = static_cast<uint64_t>(fd);
    regs.rsi = TIOCSCTTY;
    regs.rdx = 0;
    regs.rip = platform::kStubSyscallInsn + 2;  // the kernel restarts at rip - 2
    if (!pf.SetRegs(t.host_tid, regs)) return pf.Resume(t.host_tid, 0);
    st->phase = Phase::kAwaitTrap;
    t.ctty_open = st;
    return pf.Resume(t.host_tid, 0);
  }
  // After the ioctl: the int3 (SIGTRAP), or a fault at the stub if the guest unmapped it.
  if (sig != SIGTRAP && sig != SIGSEGV) return false;
  if (!pf.GetRegs(t.host_tid, &regs)) return false;
  if (regs.rip < platform::kStubSyscallInsn || regs.rip > kInt3Done) return false;
  t.ctty_open.reset();
  pf.SetRegs(t.host_tid, st->saved);
  return pf.Resume(t.host_tid, 0);
}

}  // namespace sentry
