// The swap of a call's own signal mask (call_sigmask.h): the handlers' side (enter, leave)
// and the thread's stops (PTRACE_INTERRUPT, signal delivery, a handler's entry).
#include "sentry/call_sigmask.h"

#include <signal.h>
#include <stddef.h>
#include <ucontext.h>

#include "sentry/handler_util.h"
#include "sentry/host_proc.h"
#include "sentry/task.h"

namespace sentry {
namespace {

using State = Task::CallMask::State;

constexpr uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }
constexpr uint64_t kUnblockable = Bit(SIGKILL) | Bit(SIGSTOP);

// The x86-64 signal frame at a handler's first instruction: rsp points at the return
// address, then comes the kernel's struct ucontext (rdx points at it), then the siginfo
// (rsi). The saved mask, which sigreturn restores, is the ucontext's uc_sigmask; glibc's
// ucontext_t has the kernel's layout up to and including it.
constexpr uint64_t kKernelUcontextSize = 304;
constexpr uint64_t kUcSigmaskOffset = 296;
static_assert(offsetof(ucontext_t, uc_sigmask) == kUcSigmaskOffset);

bool InCall(const user_regs_struct& regs, const Task::CallMask& m) {
  return InterruptedSyscall(regs) && static_cast<int64_t>(regs.orig_rax) == m.nr &&
         regs.rip == m.ip;
}

// The thread's blocked mask from host /proc (the thread runs: no ptrace request works).
bool BlockedNow(pid_t tid, uint64_t* mask) {
  std::string status;
  if (!ReadHostProc(tid, "status", &status)) return false;
  *mask = StatusSigMask(status, "\nSigBlk:");
  return true;
}

}  // namespace

SysResult ReadCallSigmask(SyscallContext& c, uint64_t addr, uint64_t size,
                          std::optional<uint64_t>* mask) {
  mask->reset();
  if (!addr) return 0;
  if (size != sizeof(uint64_t)) return SysResult::Errno(EINVAL);
  uint64_t m;
  if (!CopyInObj(c, addr, &m).ok()) return SysResult::Errno(EFAULT);
  *mask = m;
  return 0;
}

SysResult ReadPselectSigmask(SyscallContext& c, uint64_t addr, std::optional<uint64_t>* mask) {
  mask->reset();
  if (!addr) return 0;
  struct {
    uint64_t ss;
    uint64_t ss_len;
  } data;
  if (!CopyInObj(c, addr, &data).ok()) return SysResult::Errno(EFAULT);
  return ReadCallSigmask(c, data.ss, data.ss_len, mask);
}

SysResult EnterCallMask(SyscallContext& c, const std::optional<uint64_t>& mask) {
  if (!mask) return 0;
  Task& t = c.task;
  Task::CallMask& m = t.call_mask;
  platform::Platform& platform = c.kernel.platform();
  const uint64_t want = *mask & ~kUnblockable;
  const bool same_call = m.nr == c.req.nr && m.ip == c.req.ip;
  if (m.state == State::kApplied && same_call && m.mask == want) return 0;  // the restart
  // The thread's own mask: already saved when a mask of this call is in place (another
  // thread rewrote the guest's sigset between the call and its restart).
  const bool have_saved = m.state == State::kApplied && same_call;
  if (t.at_stop) {
    uint64_t now = 0;
    if (!platform.GetSigMask(t.host_tid, &now)) return SysResult::Errno(EINTR);
    const uint64_t saved = have_saved ? m.saved : now;
    if (saved == want) {
      m = {};
      return 0;
    }
    if (!platform.SetSigMask(t.host_tid, want)) return SysResult::Errno(EINTR);
    m = Task::CallMask{.state = State::kApplied, .mask = want, .saved = saved,
                       .have_saved = true, .nr = c.req.nr, .ip = c.req.ip};
    return 0;
  }
  uint64_t now = 0;
  if (!have_saved && BlockedNow(t.host_tid, &now) && now == want) return 0;
  m = Task::CallMask{.state = State::kApplyAtStop, .mask = want,
                     .saved = have_saved ? m.saved : 0, .have_saved = have_saved,
                     .nr = c.req.nr, .ip = c.req.ip};
  platform.Interrupt(t.host_tid);  // fails only for a thread that is gone
  return SysResult(kNoReply);
}

SysResult LeaveCallMask(SyscallContext& c, SysResult r) {
  Task& t = c.task;
  Task::CallMask& m = t.call_mask;
  if (m.state != State::kApplied || m.nr != c.req.nr || m.ip != c.req.ip) return r;
  // A wait a signal ended (cancelled, or its notification gone before the stop came): the
  // mask stays for the signal's stop (ResumeAfterSignal), or for the restarted call when a
  // newer request cancelled this one.
  if (t.cancelled && !t.interrupted_by_stop) return r;
  if (r.raw() == -EINTR && (t.at_stop || !c.kernel.platform().StillValid(c.req))) return r;
  if (t.at_stop) {
    c.kernel.platform().SetSigMask(t.host_tid, m.saved);
    m = {};
    return r;
  }
  m.state = State::kRestoreAtStop;
  m.result = r.raw();
  m.restart = false;
  c.kernel.platform().Interrupt(t.host_tid);
  return SysResult(kNoReply);
}

namespace {

// kApplyAtStop, at a stop in the call: the call's mask goes in (the thread's is kept).
void ApplyAtStop(platform::Platform& platform, Task& t) {
  Task::CallMask& m = t.call_mask;
  uint64_t saved = m.saved;
  if (!m.have_saved && !platform.GetSigMask(t.host_tid, &saved)) {
    m = {};
    return;
  }
  if (saved == m.mask || !platform.SetSigMask(t.host_tid, m.mask)) {
    m = {};
    return;
  }
  m.saved = saved;
  m.have_saved = true;
  m.state = State::kApplied;
}

// kRestoreAtStop: the thread's mask goes back and the call returns its result (or restarts).
void RestoreAtStop(platform::Platform& platform, Task& t) {
  Task::CallMask m = t.call_mask;
  t.call_mask = {};
  platform.SetSigMask(t.host_tid, m.saved);
  user_regs_struct regs;
  if (!platform.GetRegs(t.host_tid, &regs) || !InCall(regs, m)) return;
  if (m.restart) {
    regs.rax = static_cast<uint64_t>(-kErestartNoIntr);
  } else {
    regs.rax = static_cast<uint64_t>(m.result);
    regs.orig_rax = static_cast<uint64_t>(-1);  // nothing to restart
  }
  platform.SetRegs(t.host_tid, regs);
}

}  // namespace

bool Kernel::DropStaleCallMask(Task& t, const platform::SyscallRequest& req) {
  Task::CallMask& m = t.call_mask;
  if (m.state != State::kApplied || (req.nr == m.nr && req.ip == m.ip)) return false;
  // The thread left the call without the stop that puts its mask back (should not happen):
  // stop it, put the mask back, and let it restart this request.
  m.state = State::kRestoreAtStop;
  m.restart = true;
  m.nr = req.nr;
  m.ip = req.ip;
  platform_->Interrupt(t.host_tid);
  return true;
}

void Kernel::CallMaskAtEventStop(Task& t) {
  Task::CallMask& m = t.call_mask;
  if (m.state == State::kApplyAtStop) {
    user_regs_struct regs;
    if (platform_->GetRegs(t.host_tid, &regs) && InCall(regs, m)) {
      ApplyAtStop(*platform_, t);  // the kernel restarts the call (-ERESTARTSYS, no signal)
    } else {
      m = {};
    }
  } else if (m.state == State::kRestoreAtStop) {
    RestoreAtStop(*platform_, t);
  }
  platform_->Resume(t.host_tid, 0);
}

Kernel::CallMaskStop Kernel::CallMaskAtSignalStop(Task& t, int sig) {
  Task::CallMask& m = t.call_mask;
  switch (m.state) {
    case State::kNone:
    case State::kApplied:
      return CallMaskStop::kGoOn;
    case State::kApplyAtStop: {
      // A signal came before the interrupt's stop. The mask goes in now: a signal it blocks
      // is queued again by the kernel, one it lets through ends the call (ResumeAfterSignal).
      user_regs_struct regs;
      if (platform_->GetRegs(t.host_tid, &regs) && InCall(regs, m)) {
        ApplyAtStop(*platform_, t);
      } else {
        m = {};
      }
      return CallMaskStop::kGoOn;
    }
    case State::kRestoreAtStop:
      RestoreAtStop(*platform_, t);  // the signal is delivered after the call returned
      return CallMaskStop::kCallEnded;
    case State::kAwaitHandlerEntry: {
      user_regs_struct regs;
      const bool entry = sig == SIGTRAP && platform_->GetRegs(t.host_tid, &regs) &&
                         static_cast<int>(regs.rdi) == m.sig && regs.rdx == regs.rsp + 8 &&
                         regs.rsi == regs.rdx + kKernelUcontextSize;
      const uint64_t saved = m.saved;
      m = {};
      if (!entry) {
        // The handler did not run (the frame could not be built, or the disposition changed
        // meanwhile): the thread's own mask goes back here. A SIGTRAP then is the single
        // step's own trap, which is not the guest's to see.
        platform_->SetSigMask(t.host_tid, saved);
        if (sig != SIGTRAP) return CallMaskStop::kGoOn;
        platform_->Resume(t.host_tid, 0);
        return CallMaskStop::kSettled;
      }
      // The frame is built: sigreturn will restore the thread's own mask. A frame the guest
      // made unwritable meanwhile leaves the call's mask there (the guest's doing).
      platform::WriteGuest(t.host_tid, regs.rdx + kUcSigmaskOffset, &saved, sizeof(saved));
      platform_->Resume(t.host_tid, 0);
      return CallMaskStop::kSettled;
    }
  }
  return CallMaskStop::kGoOn;
}

void Kernel::ResumeAfterSignal(Task& t, int sig) {
  Task::CallMask& m = t.call_mask;
  if (m.state == State::kApplied && sig > 0 && sig <= 64) {
    user_regs_struct regs;
    if (!platform_->GetRegs(t.host_tid, &regs) || !InCall(regs, m)) {
      platform_->SetSigMask(t.host_tid, m.saved);  // lost track: the thread's mask back
      m = {};
    } else if (CatchesUnblocked(t.host_tid, sig)) {  // the thread blocks the call's mask now
      // The call ends with EINTR and the handler runs: step into it to fix its frame.
      m.state = State::kAwaitHandlerEntry;
      m.sig = sig;
      platform_->ResumeStep(t.host_tid, sig);
      return;
    }
  }
  platform_->Resume(t.host_tid, sig);
}

}  // namespace sentry
