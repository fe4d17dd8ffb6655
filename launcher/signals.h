// Signal relay used by the launcher and by the sandbox init: both wait for their children
// synchronously (sigtimedwait) and pass user-sent termination signals on. Single-threaded
// processes only; call from the main thread.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>

namespace sentry::launcher {

// Signals passed on to the child (launcher → init → sentry).
inline constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Makes the caller receive kForwardedSignals and SIGCHLD only through WaitAndRelay: installs
// no-op handlers (a pid-namespace init only accepts signals it has a handler for) and blocks
// them. SIGCHLD goes back to SIG_DFL semantics (no auto-reaping even if our parent ignored it).
// SIGPIPE, SIGTTOU and SIGTTIN are ignored so diagnostics never stop or kill the relay.
// Stores the previous mask in `old_mask` (may be null).
void SetUpSignalRelay(sigset_t* old_mask);

// Undoes SetUpSignalRelay and anything inherited: every signal back to SIG_DFL, empty mask.
// Called in a freshly forked child before it runs the sentry or the gofer.
void ResetSignalsForChild();

// Whether a received signal is passed on. Signals raised by the terminal (^C, ^\, hangup)
// have si_code SI_KERNEL and already reach the whole foreground process group, sandbox
// included, so forwarding them would deliver them twice.
bool ShouldForward(const siginfo_t& info);

// Waits up to `timeout_ms` for one relay signal. Every exited child is reaped and reported
// through `on_exit(pid, wait_status)`; a forwardable signal is sent to `forward_to` if > 0.
void WaitAndRelay(int timeout_ms, pid_t forward_to, const std::function<void(pid_t, int)>& on_exit);

// Exit code for a wait(2) status: the exit code, or 128+N when killed by signal N.
int ExitCodeFromWaitStatus(int status);

}  // namespace sentry::launcher
