// SIGCHLD handler with a self-pipe and the armed-wait fd shadowing (see child_signal.h).
// Sentry thread only; the handler uses async-signal-safe calls only.
#include "platform/child_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <initializer_list>

namespace sentry::platform {
namespace {

int g_pipe[2] = {-1, -1};
volatile sig_atomic_t g_pending = 0;     // a SIGCHLD arrived since the last check
volatile sig_atomic_t g_armed = 0;       // the sentry is (about to be) blocked in NOTIF_RECV
volatile sig_atomic_t g_shadowed = 0;    // the handler replaced the listener fd number
volatile int g_listener = -1, g_dummy = -1;
volatile sig_atomic_t g_forward[65];  // forwarded signals that arrived

void OnChild(int sig) {
  int saved = errno;
  g_pending = 1;
  if (sig != SIGCHLD && sig > 0 && sig < 65) g_forward[sig] = 1;
  if (g_armed && !g_shadowed) {
    dup2(g_dummy, g_listener);
    g_shadowed = 1;
  }
  char c = 0;
  ssize_t unused = write(g_pipe[1], &c, 1);
  (void)unused;
  errno = saved;
}

}  // namespace

int InstallChildSignalHandler() {
  if (g_pipe[0] < 0 && pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnChild;
  sigemptyset(&sa.sa_mask);
  // SA_RESTART: every other blocking call of the sentry (SECCOMP_IOCTL_NOTIF_ADDFD, gofer
  // socket I/O, host writes) restarts instead of failing with EINTR. The armed NOTIF_RECV
  // still ends: the handler shadowed its fd number, so the restarted ioctl fails at once.
  sa.sa_flags = SA_RESTART;
  sigaction(SIGCHLD, &sa, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGWINCH}) sigaction(sig, &sa, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGWINCH}) sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  return g_pipe[0];
}

void DrainChildSignals() {
  char buf[64];
  while (read(g_pipe[0], buf, sizeof(buf)) > 0) {
  }
  g_pending = 0;
}

uint64_t TakeForwardedSignals() {
  uint64_t out = 0;
  for (int sig = 1; sig < 65; ++sig) {
    if (g_forward[sig]) {
      g_forward[sig] = 0;
      out |= 1ULL << (sig - 1);
    }
  }
  return out;
}

int BlockingReceive(const ArmedWait& w, void* notif) {
  g_listener = w.listener_fd;
  g_dummy = w.dummy_fd;
  g_shadowed = 0;
  g_armed = 1;
  int r = 0;
  if (g_pending) {
    r = -EINTR;
  } else {
    memset(notif, 0, sizeof(seccomp_notif));
    if (ioctl(w.listener_fd, SECCOMP_IOCTL_NOTIF_RECV, notif) != 0) r = -errno;
  }
  g_armed = 0;
  if (g_shadowed) {
    dup3(w.backup_fd, w.listener_fd, O_CLOEXEC);
    g_shadowed = 0;
    if (r == 0) return 0;  // received before the shadowing: still a valid request
    return -EINTR;
  }
  return r;
}

}  // namespace sentry::platform
