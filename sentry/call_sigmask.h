// The signal mask of ppoll, pselect6, epoll_pwait and epoll_pwait2: the call's mask is in
// force while it waits, the thread's own mask when it returns. Sentry thread, in a fiber.
//
// Signals belong to the host (DESIGN §5), so the host must block exactly the call's mask
// while the thread waits in its notification: a signal the mask lets through must end the
// wait, one it blocks must not. The host's mask can only be changed at a ptrace stop, so:
//   1. a call whose mask differs from the thread's (host /proc SigBlk) is not answered; the
//      thread is interrupted (PTRACE_INTERRUPT), and at its stop the sentry puts the call's
//      mask in place (PTRACE_SETSIGMASK) and lets the kernel restart the call;
//   2. the restarted call waits under that mask; when it ends, the thread is interrupted
//      again, and at that stop the thread's mask goes back and the call's result is set in
//      rax (nothing to restart); a signal pending meanwhile is then delivered or stays
//      pending, as on Linux;
//   3. a signal the call's mask lets through ends the wait at its delivery stop (EINTR, never
//      restarted after a handler, ResolveInterruptedCall); the thread is resumed single-
//      stepping, stops at the handler's first instruction with the frame built, and the
//      frame's saved mask (uc_sigmask) is set to the thread's own mask, so that sigreturn
//      restores it: the handler runs under mask | sa_mask | sig, as on Linux.
// A call whose mask equals the thread's needs none of this. The price of a swap is two
// extra stops and one restart of the call.
#pragma once

#include <cstdint>
#include <optional>

#include "sentry/kernel.h"

namespace sentry {

// The sigset argument of ppoll/epoll_pwait/epoll_pwait2 (address, size): none when the
// address is 0; EINVAL unless size is 8; EFAULT when unreadable.
SysResult ReadCallSigmask(SyscallContext& c, uint64_t addr, uint64_t size,
                          std::optional<uint64_t>* mask);
// pselect6's sixth argument, {const sigset_t* ss; size_t ss_len}: the same rules.
SysResult ReadPselectSigmask(SyscallContext& c, uint64_t addr, std::optional<uint64_t>* mask);

// Before the call waits: puts `mask` in force. kNoReply: return it from the handler (the
// thread stops, the call comes again with the mask in place). No mask: nothing to do.
SysResult EnterCallMask(SyscallContext& c, const std::optional<uint64_t>& mask);
// After the call's work (outputs written): the call returns `r` under the thread's own
// mask; may be kNoReply (the result is set at the thread's stop). A wait that a signal
// cancelled returns `r` unchanged, its mask left for the signal's stop to settle.
SysResult LeaveCallMask(SyscallContext& c, SysResult r);

}  // namespace sentry
