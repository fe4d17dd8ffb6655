// What a signal does to a guest syscall the sentry was answering, settled at the thread's
// signal-delivery stop so that the guest sees what Linux would show. Sentry thread only.
//
// A signal to a guest thread waiting on a user notification ends that wait: the kernel
// leaves -ERESTARTSYS in rax (the syscall number still in orig_rax, rip after the syscall
// instruction), the notification becomes invalid, and the thread stops in its tracer (the
// sentry) before delivery. Signal delivery would then restart the call (no handler, or
// SA_RESTART) or fail it with EINTR. Linux instead fails with EINTR only calls that were
// waiting; a call that had finished returns its result and then the handler runs, and a
// call that had not started is restarted. So at the stop the sentry settles the call:
//   - it finished, but its reply did not land (Task::late): the thread returns that result
//     (orig_rax = -1 tells the kernel there is nothing to restart);
//   - its request is still queued in the sentry, or the sentry never saw it (the signal came
//     before NOTIF_RECV): it runs now, on the stopped thread, and then is one of the others;
//   - its handler is parked in a wait: the wait ends (as cancelled), and whatever the handler
//     committed before is returned; nothing committed: the kernel's restart-or-EINTR rule
//     applies, with poll, select, epoll_wait and pause never restarted after a handler
//     (-ERESTARTNOHAND), as signal(7) lists;
//   - it has no answer to give here (it must be continued to the host, or needed its
//     notification for an fd install): it restarts, always (-ERESTARTNOINTR);
//   - the host runs it (a passthrough syscall, or one the sentry continued): left alone.
//     Under --strace, passthrough calls reach the sentry first (to be printed): one that was
//     not continued yet restarts.
#include <sys/syscall.h>

#include <algorithm>

#include "sentry/kernel.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

// Calls Linux never restarts after a signal handler ran (signal(7)).
bool NeverRestartedAfterHandler(int64_t nr) {
  switch (nr) {
    case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
    case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2: case SYS_pause:
      return true;
    default:
      return false;
  }
}

}  // namespace

void Kernel::ResolveInterruptedCall(Task& t) {
  user_regs_struct regs;
  if (!platform_->GetRegs(t.host_tid, &regs) || !InterruptedSyscall(regs)) {
    t.late = {};  // not in a syscall: a late answer has nothing left to go to
    return;
  }
  const int64_t nr = static_cast<int64_t>(regs.orig_rax);
  const uint64_t args[6] = {regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9};
  // A call the filter let through runs on the host, unless --strace routes it through the
  // sentry (then one not yet continued is the sentry's to settle, as any other).
  if (PassesThrough(nr, args) && !opts_.strace) return;
  if (t.continued_nr == nr && t.continued_ip == regs.rip) {
    // The host runs it, and its own restart code stands; but -ERESTARTSYS is also what the
    // notification's wait leaves when the kernel dropped the accepted CONTINUE in a race with
    // the signal (docs/architecture.md, "A reply the kernel accepts and then drops"): the call
    // did not run, so it restarts. Among the calls the sentry continues only a terminal's
    // drain returns -ERESTARTSYS itself; restarting it is what SA_RESTART would do.
    if (static_cast<int64_t>(regs.rax) == -kErestartSys) {
      regs.rax = static_cast<uint64_t>(-kErestartNoIntr);
      platform_->SetRegs(t.host_tid, regs);
    }
    return;
  }

  const bool answered = t.late.nr == nr && t.late.ip == regs.rip;
  bool waited = false;
  if (!answered) {
    const bool held = t.current && t.current->nr == nr && t.current->ip == regs.rip;
    if (!held) {
      // Never seen: the signal came before the sentry received it. It runs here, on the
      // stopped thread (restarting it instead could livelock under a fast signal source,
      // each restart interrupted again before it is received). Its reply cannot land (no
      // notification), so the answer comes back through Task::late.
      platform::SyscallRequest req;
      req.id = 0;
      req.tid = t.host_tid;
      req.nr = static_cast<int>(nr);
      for (int i = 0; i < 6; ++i) req.args[i] = args[i];
      req.ip = regs.rip;
      t.current = req;
    }
    std::erase(ready_, &t);
    t.ready = false;
    t.at_stop = true;
    if (!t.busy) t.fiber->Resume();  // not started: it runs now
    if (t.busy) {                    // parked in a wait: the signal ends the wait
      waited = true;
      t.cancelled = true;
      t.interrupted_by_stop = true;
      t.fiber->Resume();
      t.interrupted_by_stop = false;
    }
    t.at_stop = false;
  }
  Task::LateResult late = t.late;
  t.late = {};
  const bool have = late.nr == nr && late.ip == regs.rip;
  if (have && late.result != -EINTR) {
    regs.rax = static_cast<uint64_t>(late.result);
    regs.orig_rax = static_cast<uint64_t>(-1);
  } else if (have && (waited || answered)) {
    // A wait the signal ended: EINTR after a handler, or a restart (SA_RESTART, no handler).
    if (NeverRestartedAfterHandler(nr)) regs.rax = static_cast<uint64_t>(-kErestartNoHand);
  } else {
    // No answer to give (the call is one the host runs after the sentry's check, or it
    // needed its notification): it restarts, whatever the handler's flags.
    regs.rax = static_cast<uint64_t>(-kErestartNoIntr);
  }
  platform_->SetRegs(t.host_tid, regs);
}

bool Kernel::ReplayLateResult(Task& t, const platform::SyscallRequest& req) {
  Task::LateResult late = t.late;
  t.late = {};
  if (late.result == -EINTR) return false;  // the restart of a wait: run it
  bool same = req.nr == late.nr && req.ip == late.ip;
  for (int i = 0; i < 6 && same; ++i) same = req.args[i] == late.args[i];
  if (!same) return false;  // no user code ran since, so this cannot happen; run it anew
  if (opts_.strace) StraceLine(t, req, late.result);
  if (!platform_->Reply(req, late.result) && !t.cancelled) t.late = late;  // again: keep it
  return true;
}

}  // namespace sentry
