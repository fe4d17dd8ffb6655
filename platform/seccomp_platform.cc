// SeccompPlatform: guest syscalls arrive as seccomp user notifications (with the synchronous
// wake-up flag where the kernel has it); exec, clone, exit and signals through ptrace.
// Owned by the Kernel; sentry thread only (ptrace requires the tracer thread).
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "platform/child_signal.h"
#include "platform/platform.h"
#include "platform/seccomp_listener.h"
#include "platform/stub_image.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

namespace sentry::platform {
namespace {

// PTRACE_O_TRACEEXIT is added only when asked for (SpawnSpec::trace_exit): its stop costs
// every exiting thread a round trip to the sentry.
// No PTRACE_O_TRACEEXEC: the stub asks for its load plan with a user notification
// (stub_layout.h), and a seized tracee gets no SIGTRAP after execve without the option.
constexpr int kPtraceOptions = PTRACE_O_TRACESYSGOOD |
                               PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                               PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;

absl::Status Errno(const char* what) { return absl::InternalError(absl::StrCat(what, ": ", strerror(errno))); }

// Runs in the forked guest child: becomes a guest by installing the filter and executing
// the stub. Async-signal-safe calls only (we forked).
[[noreturn]] void GuestChild(const SpawnSpec& spec, int go_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char c;
  while (read(go_fd, &c, 1) < 0 && errno == EINTR) {
  }
  // A session (and process group) of its own: kill(0, ...) and kill(-pgid, ...) walk host
  // process groups regardless of pid namespaces, so sharing the launcher's group would let
  // the guest signal the launcher, the sentry and the gofer.
  if (setsid() < 0) _exit(126);
  if (spec.stub_fd != 3) {
    if (dup3(spec.stub_fd, 3, O_CLOEXEC) < 0) _exit(126);
  } else {
    fcntl(3, F_SETFD, FD_CLOEXEC);
  }
  syscall(SYS_close_range, 4, ~0U, 0);
  // The stub at its fixed number, inherited by every guest process (stub_image.h); if this
  // fails, a guest execve installs it first (the slower way).
  dup2(3, kGuestStubFd);
  close(0);
  close(1);
  close(2);
  // Dispositions as a freshly started program has them: the sentry ignores SIGPIPE (and
  // the launcher the job-control signals), and an ignored signal would survive the exec
  // (`yes | head -1` must end `yes` with SIGPIPE, status 141).
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
  }
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(126);
  sock_fprog prog{static_cast<unsigned short>(spec.filter.size()),
                  const_cast<sock_filter*>(spec.filter.data())};
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                          &prog);
  if (listener != 0) _exit(126);
  const char* argv[] = {"sentry-stub", nullptr};
  const char* envp[] = {nullptr};
  syscall(SYS_execveat, 3, "", argv, envp, AT_EMPTY_PATH);
  _exit(127);
}

class SeccompPlatform : public Platform {
 public:
  std::string Name() const override { return "seccomp"; }

  absl::StatusOr<pid_t> SpawnInit(const SpawnSpec& spec) override {
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) return Errno("pipe2");
    pid_t pid = static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0));
    if (pid < 0) {
      close(go[0]);
      close(go[1]);
      return Errno("clone(CLONE_NEWPID) for the guest");
    }
    if (pid == 0) {
      close(go[1]);
      GuestChild(spec, go[0]);
    }
    close(go[0]);
    UniqueFd go_w(go[1]);
    int options = kPtraceOptions | (spec.trace_exit ? PTRACE_O_TRACEEXIT : 0);
    if (ptrace(PTRACE_SEIZE, pid, 0, options) != 0) {
      kill(pid, SIGKILL);
      return Errno("PTRACE_SEIZE of the guest");
    }
    if (write(go_w.get(), "g", 1) != 1) return Errno("release guest");
    go_w.reset();

    // First stop: the stub's execveat traced by the filter (SECCOMP_RET_TRACE).
    int status = 0;
    if (waitpid(pid, &status, __WALL) != pid) return Errno("waitpid(guest)");
    if (!WIFSTOPPED(status) || (status >> 8) != (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
      return absl::InternalError(
          absl::StrCat("guest failed before exec (status 0x", absl::Hex(status), ")"));
    }
    UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) return Errno("pidfd_open");
    UniqueFd lfd(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), 0, 0)));
    if (!lfd) return Errno("pidfd_getfd(listener)");
    listener_ = std::make_unique<SeccompListener>(std::move(lfd));
    sync_wakeup_ = listener_->EnableSyncWakeUp();
    listener_backup_.reset(fcntl(listener_->fd(), F_DUPFD_CLOEXEC, 0));
    int dummy[2];
    if (!listener_backup_ || pipe2(dummy, O_CLOEXEC) != 0) return Errno("listener backup");
    dummy_fd_.reset(dummy[0]);
    close(dummy[1]);
    LOG_INFO("seccomp platform: sync wake-up {}", sync_wakeup_ ? "on" : "unavailable");

    // The stub runs next; its first syscall asks the sentry for the load plan.
    if (ptrace(PTRACE_CONT, pid, 0, 0) != 0) return Errno("PTRACE_CONT");
    return pid;
  }

  int RequestFd() const override { return listener_ ? listener_->fd() : -1; }

  bool ReceiveRequest(SyscallRequest* req) override {
    seccomp_notif n;
    if (!listener_->Receive(&n).ok()) return false;
    req->id = n.id;
    req->tid = static_cast<pid_t>(n.pid);
    req->nr = n.data.nr;
    for (int i = 0; i < 6; ++i) req->args[i] = n.data.args[i];
    req->ip = n.data.instruction_pointer;
    return true;
  }

  int WaitRequest(SyscallRequest* req) override {
    seccomp_notif n;
    ArmedWait w{listener_->fd(), listener_backup_.get(), dummy_fd_.get()};
    int r = BlockingReceive(w, &n);
    if (r == -EINTR) return 0;
    if (r == -ENOENT) return 0;  // the request vanished (its thread got a signal)
    if (r < 0) return r;
    req->id = n.id;
    req->tid = static_cast<pid_t>(n.pid);
    req->nr = n.data.nr;
    for (int i = 0; i < 6; ++i) req->args[i] = n.data.args[i];
    req->ip = n.data.instruction_pointer;
    return 1;
  }

  bool Reply(const SyscallRequest& req, int64_t raw) override {
    return listener_->Respond(req.id, raw, false);
  }
  bool ReplyContinue(const SyscallRequest& req) override {
    return listener_->Respond(req.id, 0, true);
  }
  SysResult InstallFd(const SyscallRequest& req, int host_fd, int target_fd,
                      bool cloexec) override {
    // A request the sentry runs at a signal-delivery stop has no notification (id 0) to
    // install through: EINTR makes the caller's answer a restart (interrupted_call.cc).
    if (req.id == 0) return SysResult::Errno(EINTR);
    SysResult r = listener_->AddFd(req.id, host_fd, target_fd, cloexec);
    if (target_fd == kGuestStubFd && cloexec && r.ok()) stub_fd_replaced_ = true;
    return r;
  }
  bool StubFdEverReplaced() const override { return stub_fd_replaced_; }
  bool StillValid(const SyscallRequest& req) override { return listener_->IdValid(req.id); }

  bool NextStop(StopEvent* ev) override {
    int status = 0;
    pid_t tid = waitpid(-1, &status, WNOHANG | __WALL);
    if (tid <= 0) return false;
    *ev = StopEvent{};
    ev->tid = tid;
    ev->status = status;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      ev->kind = StopKind::kExited;
      return true;
    }
    if (!WIFSTOPPED(status)) {
      ev->kind = StopKind::kEventStop;
      return true;
    }
    int sig = WSTOPSIG(status);
    int event = status >> 16;
    ev->sig = sig;
    switch (event) {
      case PTRACE_EVENT_SECCOMP:
        ev->kind = StopKind::kSeccompTrace;
        break;
      case PTRACE_EVENT_FORK:
      case PTRACE_EVENT_VFORK:
      case PTRACE_EVENT_CLONE:
        ev->kind = StopKind::kFork;
        ptrace(PTRACE_GETEVENTMSG, tid, 0, &ev->msg);
        break;
      case PTRACE_EVENT_EXIT:
        ev->kind = StopKind::kExitEvent;
        ptrace(PTRACE_GETEVENTMSG, tid, 0, &ev->msg);
        break;
      case PTRACE_EVENT_STOP:
        ev->kind = (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
                       ? StopKind::kGroupStop
                       : StopKind::kEventStop;
        break;
      default:
        ev->kind = StopKind::kSignal;
        break;
    }
    return true;
  }

  bool Resume(pid_t tid, int sig) override { return ptrace(PTRACE_CONT, tid, 0, sig) == 0; }
  bool Listen(pid_t tid) override { return ptrace(PTRACE_LISTEN, tid, 0, 0) == 0; }
  bool ResumeStep(pid_t tid, int sig) override {
    return ptrace(PTRACE_SINGLESTEP, tid, 0, sig) == 0;
  }
  bool Interrupt(pid_t tid) override { return ptrace(PTRACE_INTERRUPT, tid, 0, 0) == 0; }
  bool GetSigMask(pid_t tid, uint64_t* mask) override {
    return ptrace(PTRACE_GETSIGMASK, tid, sizeof(*mask), mask) == 0;
  }
  bool SetSigMask(pid_t tid, uint64_t mask) override {
    return ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask) == 0;
  }
  bool GetRegs(pid_t tid, user_regs_struct* regs) override {
    return ptrace(PTRACE_GETREGS, tid, 0, regs) == 0;
  }
  bool SetRegs(pid_t tid, const user_regs_struct& regs) override {
    return ptrace(PTRACE_SETREGS, tid, 0, &regs) == 0;
  }
  bool GetSigInfo(pid_t tid, siginfo_t* info) override {
    return ptrace(PTRACE_GETSIGINFO, tid, 0, info) == 0;
  }
  bool SetSigInfo(pid_t tid, const siginfo_t& info) override {
    return ptrace(PTRACE_SETSIGINFO, tid, 0, &info) == 0;
  }

 private:
  std::unique_ptr<SeccompListener> listener_;
  bool stub_fd_replaced_ = false;
  UniqueFd listener_backup_;  // restores the listener's fd number after an armed wait
  UniqueFd dummy_fd_;         // shadows the listener to end an armed wait (child_signal.h)
  bool sync_wakeup_ = false;
};

}  // namespace

absl::Status CheckSeccompPlatformFeatures() {
  uint32_t action = SECCOMP_RET_USER_NOTIF;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
    return absl::FailedPreconditionError(
        "this kernel lacks seccomp user notification (SECCOMP_RET_USER_NOTIF, Linux 5.0+); "
        "the seccomp platform cannot run");
  }
  // pidfd_getfd (5.6) and ADDFD (5.9) are probed by use; report a clear error there.
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Platform>> CreateSeccompPlatform() {
  absl::Status st = CheckSeccompPlatformFeatures();
  if (!st.ok()) return st;
  return std::unique_ptr<Platform>(new SeccompPlatform());
}

}  // namespace sentry::platform
