// Kernel: the sentry's core. One epoll event loop drives the platform's syscall requests
// and lifecycle stops, host-fd readiness, and the fibers of guest tasks; syscalls are
// dispatched through the single syscall table. Single-threaded: the sentry thread only.
#pragma once

#include <sys/epoll.h>

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sys_result.h"
#include "common/unique_fd.h"
#include "common/wait_queue.h"
#include "gofer/client.h"
#include "platform/platform.h"
#include "sentry/audit_log.h"
#include "sentry/sent_signals.h"
#include "sentry/sentry_main.h"
#include "sentry/task.h"
#include "vfs/vfs.h"

namespace sentry {

class AsyncIo;
class Kernel;

// What a handler sees: the calling task and its trapped syscall.
struct SyscallContext {
  Kernel& kernel;
  Task& task;
  Process& proc;
  const platform::SyscallRequest& req;
  uint64_t arg(int i) const { return req.args[i]; }
  pid_t tid() const { return task.host_tid; }
};

using SyscallHandler = SysResult (*)(SyscallContext& ctx);

// A handler result meaning "let the host run the syscall as issued".
inline constexpr int64_t kContinueSyscall = INT64_MIN;
// Restart codes the kernel leaves in rax of a syscall a signal or PTRACE_INTERRUPT ended
// (the guest never sees them; signal delivery turns them into EINTR or a restart).
inline constexpr int64_t kErestartSys = 512, kErestartNoIntr = 513, kErestartNoHand = 514,
                         kErestartRestartBlock = 516;
// A thread stopped while in a syscall something interrupted: orig_rax holds its number, rax
// a restart code, rip points after the syscall instruction.
inline bool InterruptedSyscall(const user_regs_struct& regs) {
  const int64_t rax = static_cast<int64_t>(regs.rax);
  return static_cast<int64_t>(regs.orig_rax) >= 0 && rax <= -kErestartSys &&
         rax >= -kErestartRestartBlock;
}
// A handler result meaning "no answer": the handler made the thread stop (PTRACE_INTERRUPT),
// which ends the notification; the call is settled at that stop (call_sigmask.h).
inline constexpr int64_t kNoReply = INT64_MIN + 1;

class Kernel {
 public:
  Kernel(const SentryOptions& opts, std::unique_ptr<platform::Platform> platform,
         std::unique_ptr<gofer::Client> gofer);
  ~Kernel();

  // Builds the VFS, starts the guest init, runs until it exits. Returns the exit code.
  int Run();

  // --- used by handlers (sentry thread, inside a task fiber) ---
  vfs::Vfs& vfs() { return *vfs_; }
  platform::Platform& platform() { return *platform_; }
  const SentryOptions& options() const { return opts_; }
  // The --audit-log record (disabled without the flag).
  AuditLog& audit() { return audit_; }
  // O_ASYNC descriptions and their signals (async_io.h).
  AsyncIo& async_io() { return *async_io_; }
  // Blocks the calling task until `host_fd` is readable (events = EPOLLIN) or writable.
  // Returns false when the syscall was cancelled meanwhile (answer EINTR).
  bool WaitForFd(Task& task, int host_fd, uint32_t events);
  // Blocks the calling task until any of (host fd, epoll events) is ready or `timeout_ns`
  // passed (< 0: no timeout). Wake-ups may be spurious: callers re-check readiness.
  bool WaitForFds(Task& task, std::span<const std::pair<int, uint32_t>> fds, int64_t timeout_ns);
  // Sentry-internal events (kernel_wait.cc): blocks the calling task until one of `queues`
  // is woken (WaitQueue::WakeAll), one of `fds` is ready or `timeout_ns` passed (< 0: none).
  // Returns false when the syscall was cancelled. Wake-ups may be spurious: re-check.
  bool WaitForEvents(Task& task, std::span<WaitQueue* const> queues,
                     std::span<const std::pair<int, uint32_t>> fds, int64_t timeout_ns);
  // After the sentry sent the calling thread a signal that must interrupt its syscall (a
  // SIGTTOU/SIGTTIN stop): waits until the notification is gone (the signal took it, and the
  // host restarts the call or reports EINTR itself) or a newer request came, at most `max_ns`.
  // Replying at once could beat the signal and hand the guest a bare EINTR.
  void AwaitInterruption(Task& task, const platform::SyscallRequest& req, int64_t max_ns);
  // Makes a parked task run again (what a WaitQueue entry of a waiting task calls).
  void WakeTask(Task& task) { MakeReady(&task); }
  // A shared I/O buffer for copying between guest memory and files (no allocation on the
  // hot path). Valid until the calling fiber next yields.
  char* io_buffer() { return io_buffer_.get(); }
  static constexpr size_t kIoBufferSize = 1 << 20;
  // Resolves a dirfd for *at() calls: AT_FDCWD → cwd; else the fd's dentry (ENOTDIR/EBADF).
  ErrnoOr<std::shared_ptr<vfs::Dentry>> DirFor(Process& p, int dirfd);
  // Every process of the table, zombies included (those already reaped are left out).
  std::vector<Process*> processes();
  // The live guest threads of `p`, any order (procfs's /proc/PID/task).
  std::vector<const Task*> TasksOf(const Process* p) const {
    std::vector<const Task*> out;
    for (const auto& [host_tid, t] : tasks_) {
      if (t->process == p) out.push_back(t.get());
    }
    return out;
  }
  // The host tid of the guest thread the guest calls `tid`, or 0.
  pid_t HostTidOf(int tid) const;

  // Job control on the host terminal, emulated: the terminal's foreground process group as
  // the guest sees it (a guest pgid). Terminal signals go to it; others reading the
  // terminal get SIGTTIN. See docs/architecture.md.
  int foreground_pgrp() const { return fg_pgrp_; }
  void set_foreground_pgrp(int pgid) { fg_pgrp_ = pgid; }
  // The guest pgid of a process (from the host's view), or -1.
  int GuestPgrpOf(const Process& p) const;
  // The host pgid of a guest process group that exists, or 0.
  pid_t HostPgrpOf(int guest_pgid) const;
  // Sends info.si_signo to guest process `p` (to its thread `host_tid` when > 0) so that
  // the guest sees `info` as its siginfo (SentSignals). False when the host refused.
  bool SendSignal(const Process& p, pid_t host_tid, const siginfo_t& info);
  // The same to every live process of host process group `host_pgrp`.
  void SendGroupSignal(pid_t host_pgrp, const siginfo_t& info);
  // siginfo Linux gives a signal its kernel sends on its own (SEND_SIG_PRIV: SI_KERNEL).
  static siginfo_t KernelSigInfo(int sig);
  // siginfo of a signal the kernel raises in the calling process for the process itself
  // (send_sig with SEND_SIG_NOINFO: SIGPIPE): SI_USER from its own pid and uid.
  static siginfo_t SelfSigInfo(int sig, const Process& p);
  // The live or zombie process with sandbox pid `pid`, or null (zombies are checked
  // against the host first: a reaped one is dropped here).
  Process* FindProcess(int pid);

 private:
  absl::Status Start();
  absl::Status StartInit();
  std::string FindInPath(Process& p, const std::string& name);
  void EventLoop();
  void RunReadyTasks();
  void MakeReady(Task* t);
  void OnRequest(const platform::SyscallRequest& req);
  void OnStop(const platform::StopEvent& ev);
  void TaskLoop(Task* t);
  void HandleSyscall(Task& t, const platform::SyscallRequest& req);
  bool HandleLoaderSyscall(Task& t, const platform::SyscallRequest& req);
  void StraceLine(Task& t, const platform::SyscallRequest& req, int64_t result);
  Task* NewTask(Process* p, pid_t host_tid, int tid);
  void FinishTask(pid_t host_tid, int status);
  void WatchFd(Task& task, int host_fd, uint32_t events);
  // SIGINT/TERM/HUP/QUIT the sentry received go to the guest's process group.
  void ForwardSignals();
  void UnwatchFd(Task& task, int host_fd);
  // process_lifecycle.cc
  void OnNewTask(pid_t parent_tid, pid_t child_tid);
  bool OnFirstStop(pid_t tid);
  void ReleaseTaskState(pid_t host_tid);
  // The last thread of `p` is gone: keep it as a zombie while the host has one, else drop it.
  void ProcessExited(Process* p);
  // Drops the zombies their parents have reaped since.
  void SweepZombies();
  void OnExecRequest(Task& t);
  bool HandleExecCarrier(Task& t, const platform::SyscallRequest& req);
  // True when thread `host_tid` has a handler for `sig` and does not block it (host /proc).
  static bool CatchesUnblocked(pid_t host_tid, int sig);

 public:
  // True when thread `host_tid` ignores or blocks `sig` (host /proc).
  static bool IgnoresOrBlocks(pid_t host_tid, int sig);

 private:
  bool OnExecTrap(Task& t);
  // A signal-delivery stop of `t` in the middle of a syscall: settles what the signal does
  // to it as Linux would (interrupted_call.cc).
  void ResolveInterruptedCall(Task& t);
  // The restart of a call whose committed result did not land (Task::late): answers `req`
  // with it when `req` is that call. True when `req` was answered.
  bool ReplayLateResult(Task& t, const platform::SyscallRequest& req);
  // call_sigmask.cc: the swap of a call's own signal mask, at the thread's stops.
  enum class CallMaskStop { kGoOn, kCallEnded, kSettled };
  // At a signal-delivery stop, first: kSettled (resumed) for the stop at a handler's entry;
  // kCallEnded when the call returned here (skip ResolveInterruptedCall); else kGoOn.
  CallMaskStop CallMaskAtSignalStop(Task& t, int sig);
  // At a signal-delivery stop, last: resumes the thread with `sig`, single-stepping into the
  // handler when the call's mask is still in place (the handler's frame must get the
  // thread's own mask).
  void ResumeAfterSignal(Task& t, int sig);
  // At a PTRACE_INTERRUPT stop: puts the call's mask in place or takes it off; resumes.
  void CallMaskAtEventStop(Task& t);
  // A request that finds a call mask in place for another call (lost track): true when the
  // thread is being stopped to put its own mask back (the request is left unanswered).
  bool DropStaleCallMask(Task& t, const platform::SyscallRequest& req);
  // At a signal-delivery stop of thread `tid` of `p`: a signal the sentry sent gets the
  // siginfo it noted (kernel_signals.cc).
  void InstallSentSignalInfo(pid_t tid, const Process& p, int sig);
  // The fresh stub's plan request (stub_layout.h): the exec succeeded; load the program.
  bool HandlePlanRequest(Task& t, const platform::SyscallRequest& req);
  // A non-leader thread that execs takes over the leader's host tid: re-key its Task under
  // `leader_tid` (dropping the old leader's) and return it, or null if none is exec'ing.
  Task* AdoptExecingThread(pid_t leader_tid);

  SentryOptions opts_;
  AuditLog audit_;
  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<gofer::Client> gofer_;
  std::unique_ptr<vfs::Vfs> vfs_;
  UniqueFd epoll_;
  UniqueFd sigchld_fd_;
  UniqueFd stub_fd_;
  // The guest pid namespace (the init's /proc/<pid>/ns/pid): maps a host tid to the tid the
  // guest sees with one ioctl (NS_GET_PID_IN_PIDNS, Linux 6.11) instead of a /proc read.
  UniqueFd sandbox_pidns_fd_;
  std::unique_ptr<char[]> io_buffer_;
  std::unique_ptr<AsyncIo> async_io_;

  std::map<int, std::unique_ptr<Process>> processes_;     // by sandbox pid
  std::unordered_map<pid_t, std::unique_ptr<Task>> tasks_;  // by host tid
  std::deque<Task*> ready_;
  // Tasks waiting for host fd readiness, by host fd.
  std::map<int, std::vector<Task*>> fd_waiters_;
  std::map<int, uint32_t> fd_events_;  // union of the events waited for, per host fd
  // New tasks whose first ptrace stop came before their parent's clone event.
  std::set<pid_t> unborn_stops_;
  pid_t init_host_pid_ = 0;
  bool done_ = false;
  int exit_code_ = 0;
  int init_fatal_signal_ = 0;      // a default-fatal signal the sentry applied to pid 1
  bool init_load_failed_ = false;  // the first program could not be mapped: exit 126
  SentSignals sent_signals_;
  int fg_pgrp_ = 1;  // the guest's foreground process group on the host terminal
  std::vector<bool> unsupported_logged_;
  friend class ExecLoader;
};

// Registers every handler into `table` (indexed by syscall number).
void RegisterHandlers(std::vector<SyscallHandler>* table);

}  // namespace sentry
