// SIGCHLD delivery for the sentry's event loop without signalfd: a handler that writes to a
// self-pipe (so epoll wakes up) and, while the sentry is blocked directly in
// SECCOMP_IOCTL_NOTIF_RECV, makes that wait end. Installed once; sentry thread only.
#pragma once

#include <cstdint>

namespace sentry::platform {

// Installs the SIGCHLD handler. Returns the read end of the self-pipe (non-blocking) to put
// in the epoll set; drain it with DrainChildSignals().
int InstallChildSignalHandler();
void DrainChildSignals();
// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP and SIGWINCH sent to the sentry (by the terminal or the launcher)
// are caught the same way, to be forwarded to the guest. Returns and clears the set of
// those that arrived (bit N-1 for signal N).
uint64_t TakeForwardedSignals();

// Blocks in NOTIF_RECV on `listener_fd` (an ioctl that has no timeout and ignores
// O_NONBLOCK) until a request arrives or a SIGCHLD does. Race-free: if SIGCHLD lands between
// the check and the syscall, the handler dup2()s a non-seccomp fd over `listener_fd`, so
// the ioctl fails at once instead of sleeping (also when SA_RESTART restarts it); the
// listener is put back afterwards.
// Returns 0 with *notif filled, -EINTR when a child signal ended the wait, or -errno.
struct ArmedWait {
  int listener_fd;  // the fd number the ioctl uses
  int backup_fd;    // a dup of the listener, to restore it
  int dummy_fd;     // a harmless fd (e.g. /dev/null-like pipe) to shadow it
};
int BlockingReceive(const ArmedWait& w, void* notif);

}  // namespace sentry::platform
