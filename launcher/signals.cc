// Implementation of the signal relay (sigtimedwait loop, forwarding, reaping).
// Owned by the launcher; main thread of the launcher and of the sandbox init.
#include "launcher/signals.h"

#include <sys/wait.h>

#include <cerrno>

#include "common/log.h"

namespace sentry::launcher {
namespace {

void NoopHandler(int) {}

sigset_t RelaySet() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwardedSignals) sigaddset(&set, sig);
  sigaddset(&set, SIGCHLD);
  return set;
}

void SetDisposition(int sig, void (*handler)(int)) {
  struct sigaction sa = {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(sig, &sa, nullptr);
}

}  // namespace

void SetUpSignalRelay(sigset_t* old_mask) {
  sigset_t set = RelaySet();
  ::sigprocmask(SIG_BLOCK, &set, old_mask);
  for (int sig : kForwardedSignals) SetDisposition(sig, NoopHandler);
  SetDisposition(SIGCHLD, NoopHandler);
  SetDisposition(SIGPIPE, SIG_IGN);
  SetDisposition(SIGTTOU, SIG_IGN);
  SetDisposition(SIGTTIN, SIG_IGN);
  // ^Z stops the guest's foreground job (the sentry forwards it), not the sandbox itself.
  SetDisposition(SIGTSTP, SIG_IGN);
}

void ResetSignalsForChild() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction sa = {};
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);  // fails harmlessly for glibc-reserved signals
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
}

bool ShouldForward(const siginfo_t& info) { return info.si_code != SI_KERNEL; }

void WaitAndRelay(int timeout_ms, pid_t forward_to,
                  const std::function<void(pid_t, int)>& on_exit) {
  sigset_t set = RelaySet();
  struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  siginfo_t info = {};
  int sig = ::sigtimedwait(&set, &info, &ts);
  if (sig > 0 && sig != SIGCHLD) {
    if (forward_to > 0 && ShouldForward(info)) {
      LOG_DEBUG("forwarding signal {} to pid {}", sig, forward_to);
      ::kill(forward_to, sig);
    } else {
      LOG_DEBUG("not forwarding signal {} (si_code {})", sig, info.si_code);
    }
  }
  // Reap on every wake-up: SIGCHLD coalesces, and a timeout doubles as a safety net.
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    on_exit(pid, status);
  }
}

int ExitCodeFromWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 128;
}

}  // namespace sentry::launcher
