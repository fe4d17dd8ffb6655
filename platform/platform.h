// The platform seam: how the kernel core learns that a guest thread wants a syscall or
// stopped (exec, clone, exit, signal), reads/changes its registers, answers it, and resumes
// it. The seccomp platform delivers syscalls as user notifications and lifecycle events
// through ptrace; a pure-ptrace platform can produce the same events from waitpid alone.
// Owned by the Kernel; every method is called from the sentry thread.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>
#include <linux/filter.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sys_result.h"
#include "common/unique_fd.h"

namespace sentry::platform {

// One trapped syscall of one guest thread. `tid` is the host tid (sentry's pid namespace).
struct SyscallRequest {
  uint64_t id = 0;
  pid_t tid = 0;
  int nr = -1;
  uint64_t args[6] = {};
  uint64_t ip = 0;
};

enum class StopKind {
  kSeccompTrace,  // SECCOMP_RET_TRACE (execve/execveat); syscall not yet run
  kFork,          // PTRACE_EVENT_FORK/VFORK/CLONE: msg = new host tid
  kExitEvent,     // PTRACE_EVENT_EXIT: about to exit; msg = wait status
  kSignal,        // signal-delivery stop: `sig` pending, to re-inject or suppress
  kGroupStop,     // group stop (SIGSTOP/TSTP/TTIN/TTOU)
  kEventStop,     // PTRACE_EVENT_STOP not a group stop (PTRACE_INTERRUPT, new child start)
  kExited,        // the thread/process is gone; status = wait status
};

struct StopEvent {
  pid_t tid = 0;
  StopKind kind = StopKind::kExited;
  int sig = 0;
  int status = 0;        // raw wait status
  unsigned long msg = 0; // PTRACE_GETEVENTMSG
};

// How a guest process starts: the stub is executed by the host kernel after the filter.
struct SpawnSpec {
  std::vector<sock_filter> filter;  // the guest seccomp program (generated from the table)
  int stub_fd = -1;                 // memfd with the stub image
  bool trace_exit = false;          // report PTRACE_EVENT_EXIT stops (only --strace needs them)
};

class Platform {
 public:
  virtual ~Platform() = default;
  virtual std::string Name() const = 0;

  // Creates the guest init (pid 1 of a new pid namespace) and lets it execute the stub
  // image, whose first syscall asks for its load plan (stub_layout.h). Returns its host pid.
  virtual absl::StatusOr<pid_t> SpawnInit(const SpawnSpec& spec) = 0;

  // Readable when syscall requests are pending (for the event loop).
  virtual int RequestFd() const = 0;
  // Non-blocking: false when nothing is pending.
  virtual bool ReceiveRequest(SyscallRequest* req) = 0;
  // Blocks until a request arrives (1) or a lifecycle stop may be pending (0: a SIGCHLD
  // came in; call NextStop). -errno on failure. The sentry's idle path: it avoids epoll
  // so that the guest's synchronous wake-up lands on the sentry directly.
  virtual int WaitRequest(SyscallRequest* req) = 0;
  // Answers with a raw kernel return value (-errno for errors). False if the request is no
  // longer valid (the thread was interrupted by a signal or died).
  virtual bool Reply(const SyscallRequest& req, int64_t raw_value) = 0;
  // Lets the host kernel run the syscall as issued (only for register-only arguments the
  // sentry has checked).
  virtual bool ReplyContinue(const SyscallRequest& req) = 0;
  // Installs host_fd into the requesting thread's host fd table at exactly target_fd.
  virtual SysResult InstallFd(const SyscallRequest& req, int host_fd, int target_fd,
                              bool cloexec) = 0;
  // Whether a mirror (always close-on-exec; only the stub is installed without it) was ever
  // put at the stub's fd number (kGuestStubFd) in some guest. While false, every guest
  // still holds the stub there and an exec need not check its host fd table.
  virtual bool StubFdEverReplaced() const = 0;
  virtual bool StillValid(const SyscallRequest& req) = 0;

  // Next lifecycle stop, non-blocking (false when none is pending).
  virtual bool NextStop(StopEvent* ev) = 0;
  virtual bool Resume(pid_t tid, int sig) = 0;
  virtual bool Listen(pid_t tid) = 0;
  // Resumes a thread in single-step mode: with a signal whose handler runs, it stops again
  // (SIGTRAP, no event) at the handler's first instruction, its signal frame built.
  virtual bool ResumeStep(pid_t tid, int sig) = 0;
  // Makes a running thread stop (PTRACE_INTERRUPT): a syscall it waits in is interrupted
  // (and restarted unless the tracer changes its result), then a kEventStop is reported.
  virtual bool Interrupt(pid_t tid) = 0;
  // A stopped thread's blocked-signal mask (bit sig-1), read and replaced.
  virtual bool GetSigMask(pid_t tid, uint64_t* mask) = 0;
  virtual bool SetSigMask(pid_t tid, uint64_t mask) = 0;
  virtual bool GetRegs(pid_t tid, user_regs_struct* regs) = 0;
  virtual bool SetRegs(pid_t tid, const user_regs_struct& regs) = 0;
  // The siginfo of the signal a thread stopped in a signal-delivery stop is about to get,
  // and its replacement (PTRACE_GETSIGINFO / PTRACE_SETSIGINFO).
  virtual bool GetSigInfo(pid_t tid, siginfo_t* info) = 0;
  virtual bool SetSigInfo(pid_t tid, const siginfo_t& info) = 0;
};

// The default platform: SECCOMP_RET_USER_NOTIF (+ sync wake-up) and ptrace for lifecycle.
absl::StatusOr<std::unique_ptr<Platform>> CreateSeccompPlatform();

// Checks the kernel features the seccomp platform needs; a clear message when missing.
absl::Status CheckSeccompPlatformFeatures();

}  // namespace sentry::platform
