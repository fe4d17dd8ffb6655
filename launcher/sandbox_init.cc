// Implementation of the sandbox init (pid 1 of the sandbox's pid namespace).
// Owned by the launcher; the init's only thread, and the gofer/sentry children right after fork.
#include "launcher/sandbox_init.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/capabilities.h"
#include "common/empty_root.h"
#include "common/status_macros.h"
#include "launcher/fd_util.h"
#include "launcher/options.h"
#include "launcher/signals.h"

namespace sentry::launcher {
namespace {

// Where the sandbox's channel end lands in the gofer and the sentry.
constexpr int kChannelFd = 3;
constexpr int kAuditFd = 4;  // the sentry's --audit-log fd

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Namespace-internal setup; we are uid 0 with all capabilities of the new user namespace.
absl::Status SetUpNamespaces(const SandboxConfig& config) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Errno("prctl(PR_SET_NO_NEW_PRIVS)");
  // Nothing we mount may propagate back to the host's mount namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return Errno("making mounts private (mount / MS_REC|MS_PRIVATE)");
  }
  if (::sethostname(config.hostname.data(), config.hostname.size()) != 0) {
    return Errno("sethostname");
  }
  // A procfs of our own pid namespace: pids under /proc then match the pids the sentry sees
  // from fork/ptrace, and the host's processes vanish from view. The kernel refuses this when
  // the host's /proc is partly masked (e.g. inside some containers); carry on without it.
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    LOG_INFO("could not mount a private /proc ({}); keeping the inherited one",
             std::strerror(errno));
  }
  return absl::OkStatus();
}

[[noreturn]] void ExitChild(int code) {
  std::fflush(nullptr);
  ::_exit(code);
}

[[noreturn]] void RunGoferChild(const SandboxConfig& config, int channel) {
  ResetSignalsForChild();
  // Own session: no controlling terminal, so ^C/^Z aimed at the guest never hit the gofer
  // while the sentry may still need files (e.g. a shell that catches SIGINT).
  ::setsid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  log::SetPrefix("gofer");
  if (!RedirectToDevNull(0) || !RedirectToDevNull(1) || !MoveFdTo(channel, kChannelFd)) {
    std::fprintf(stderr, "sentry: gofer: setting up stdio: %s\n", std::strerror(errno));
    ExitChild(kExitLauncherError);
  }
  CloseFdsFrom(kChannelFd + 1);
  gofer::GoferOptions opts = config.gofer;
  opts.contain = true;  // empty root with the served trees only, limited capabilities
  ExitChild(config.entry.gofer_main(UniqueFd(kChannelFd), opts));
}

[[noreturn]] void RunSentryChild(const SandboxConfig& config, int channel) {
  ResetSignalsForChild();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  log::SetPrefix("sentry");
  SentryOptions opts = config.sentry;
  opts.contain = true;  // empty root, limited capabilities (SentryMain's start-up order)
  // Out of the way first: the audit fd may sit where the channel goes.
  if (opts.audit_fd >= 0) opts.audit_fd = ::fcntl(opts.audit_fd, F_DUPFD_CLOEXEC, 64);
  if (!MoveFdTo(channel, kChannelFd)) {
    std::fprintf(stderr, "sentry: moving the gofer channel: %s\n", std::strerror(errno));
    ExitChild(kExitLauncherError);
  }
  if (config.sentry.audit_fd >= 0) {
    if (opts.audit_fd < 0 || !MoveFdTo(opts.audit_fd, kAuditFd)) {
      std::fprintf(stderr, "sentry: moving the audit log: %s\n", std::strerror(errno));
      ExitChild(kExitLauncherError);
    }
    opts.audit_fd = kAuditFd;
  }
  CloseFdsFrom(kAuditFd + 1);
  if (opts.audit_fd < 0) ::close(kAuditFd);
  ExitChild(config.entry.sentry_main(UniqueFd(kChannelFd), opts));
}

// The init's own containment once the gofer and the sentry exist (they inherited its
// capabilities for their own set-up): an empty root of its own (its unshare leaves theirs
// alone), non-dumpable (a compromised sentry cannot reach the init's root, cwd or fds through
// /proc/1/...: that needs CAP_SYS_PTRACE over the host's user namespace), no capabilities.
absl::Status ContainInit() {
  RETURN_IF_ERROR(EnterEmptyRoot());
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return Errno("prctl(PR_SET_DUMPABLE)");
  return caps::LimitCapabilities(0);
}

absl::StatusOr<pid_t> ForkInto(const char* what, const std::function<void()>& child) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Errno(absl::StrCat("fork (", what, ")"));
  if (pid == 0) {
    child();
    ::_exit(kExitLauncherError);  // not reached
  }
  LOG_DEBUG("{} is pid {}", what, pid);
  return pid;
}

// Forks gofer and sentry, then waits: returns the init's exit code.
absl::StatusOr<int> Supervise(const SandboxConfig& config) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return Errno("socketpair (gofer channel)");
  }
  UniqueFd gofer_end(sv[0]), sentry_end(sv[1]);

  ASSIGN_OR_RETURN(pid_t gofer_pid, ForkInto("gofer", [&] {
                     sentry_end.reset();
                     RunGoferChild(config, gofer_end.get());
                   }));
  absl::StatusOr<pid_t> sentry_pid_or = ForkInto("sentry", [&] {
    gofer_end.reset();
    RunSentryChild(config, sentry_end.get());
  });
  // Only the two children hold channel ends: when the sentry exits, the gofer sees EOF.
  gofer_end.reset();
  sentry_end.reset();
  if (!sentry_pid_or.ok()) return sentry_pid_or.status();  // returning kills the gofer
  pid_t sentry_pid = *sentry_pid_or;
  if (absl::Status st = ContainInit(); !st.ok()) {
    ::kill(sentry_pid, SIGKILL);
    ::kill(gofer_pid, SIGKILL);
    return st;
  }

  bool sentry_done = false, gofer_done = false, gofer_killed = false;
  int sentry_status = 0;
  std::chrono::steady_clock::time_point gofer_deadline;
  auto on_exit = [&](pid_t pid, int status) {
    if (pid == sentry_pid) {
      sentry_done = true;
      sentry_status = status;
      gofer_deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(config.gofer_grace_ms);
      LOG_DEBUG("sentry exited (status {:#x})", status);
    } else if (pid == gofer_pid) {
      gofer_done = true;
      if (!sentry_done && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        LOG_WARN("gofer exited early (status {:#x}); file access will fail", status);
      }
    }
    // Anything else is an orphan reparented to us (pid 1): reaped, nothing more.
  };

  while (!(sentry_done && gofer_done)) {
    int timeout_ms = 1000;
    if (sentry_done) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      gofer_deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0 && !gofer_killed) {
        LOG_WARN("gofer still running {} ms after the sentry exited; killing it",
                 config.gofer_grace_ms);
        ::kill(gofer_pid, SIGKILL);
        gofer_killed = true;
      }
      timeout_ms = static_cast<int>(std::clamp<long>(left, 10, 1000));
    }
    WaitAndRelay(timeout_ms, sentry_done ? 0 : sentry_pid, on_exit);
  }
  return ExitCodeFromWaitStatus(sentry_status);
}

}  // namespace

int RunSandboxInit(const SandboxConfig& config) {
  log::SetPrefix("init");
  log::SetLevel(config.log_level);
  // No host fd the launcher inherited may reach the sandbox, except the audit log (which
  // only the sentry keeps).
  const int keep = config.sentry.audit_fd;
  if (keep >= 3) {
    for (int fd = 3; fd < keep; ++fd) ::close(fd);
    CloseFdsFrom(keep + 1);
  } else {
    CloseFdsFrom(3);
  }
  EnsureStdioOpen();
  SetUpSignalRelay(nullptr);
  absl::Status st = SetUpNamespaces(config);
  if (!st.ok()) {
    std::fprintf(stderr, "sentry: setting up the sandbox: %s\n", std::string(st.message()).c_str());
    return kExitLauncherError;
  }
  absl::StatusOr<int> code = Supervise(config);
  if (!code.ok()) {
    std::fprintf(stderr, "sentry: %s\n", std::string(code.status().message()).c_str());
    return kExitLauncherError;
  }
  return *code;
}

}  // namespace sentry::launcher
