// Process lifecycle in the kernel: tasks born from clone/fork/vfork (ptrace events), their
// first stops, exits, and the guest's own execve (validated by the loader, then carried out
// as a host execveat of the stub followed by the stub's load plan). Sentry thread only.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/log.h"
#include "platform/guest_memory.h"
#include "platform/stub_image.h"
#include "sentry/exec_loader.h"
#include "sentry/host_proc.h"
#include "sentry/kernel.h"
#include "sentry/zombie.h"

namespace sentry {
namespace {

// Host fd number of the stub memfd in every guest (platform/stub_image.h).
constexpr int kExecStubFd = platform::kGuestStubFd;
// An empty string in the stub's scratch region (the path of execveat(AT_EMPTY_PATH)).
constexpr uint64_t kScratchEmpty = platform::kStubScratch + platform::kStubScratchSize - 16;
constexpr size_t kMaxArgBytes = 2 << 20;   // total argv+envp
constexpr size_t kMaxArgCount = 1 << 17;

// NS_GET_PID_IN_PIDNS of <linux/nsfs.h> (Linux 6.11; Debian 12's headers predate it).
constexpr unsigned long kNsGetPidInPidns = _IOR(0xb7, 0x8, int);

// The pid the guest sees for a host tid (this runs for every new task): one ioctl on the
// guest's pid namespace where the kernel has it, else the innermost NSpid field of the
// task's host status (one read into a stack buffer).
int SandboxTid(int pidns_fd, pid_t host_tid) {
  if (pidns_fd >= 0) {
    int tid = ioctl(pidns_fd, kNsGetPidInPidns, host_tid);
    if (tid > 0) return tid;
  }
  int fd = OpenHostProc(host_tid, "status");
  if (fd < 0) return -1;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  const char* line = strstr(buf, "\nNSpid:");
  if (line == nullptr) return -1;
  const char* end = strchr(line + 1, '\n');
  if (end == nullptr) end = buf + n;
  // The last number before the end of the line.
  const char* p = end;
  while (p > line && (p[-1] < '0' || p[-1] > '9')) --p;
  const char* digits_end = p;
  while (p > line && p[-1] >= '0' && p[-1] <= '9') --p;
  if (p == digits_end) return -1;
  return atoi(p);
}

// Reads a NULL-terminated array of guest strings (argv/envp); E2BIG past the limits.
SysResult ReadStringArray(pid_t tid, uint64_t addr, size_t* budget, std::vector<std::string>* out) {
  out->clear();
  if (addr == 0) return 0;  // Linux treats NULL as empty
  for (size_t i = 0;; ++i) {
    if (i >= kMaxArgCount) return SysResult::Errno(E2BIG);
    uint64_t ptr;
    SysResult r = platform::ReadGuest(tid, addr + i * 8, &ptr, 8);
    if (!r.ok()) return r;
    if (ptr == 0) return 0;
    std::string s;
    r = platform::ReadGuestString(tid, ptr, 32 * 4096, &s);
    if (r.error() == ENAMETOOLONG) return SysResult::Errno(E2BIG);
    if (!r.ok()) return r;
    if (s.size() + 1 > *budget) return SysResult::Errno(E2BIG);
    *budget -= s.size() + 1;
    out->push_back(std::move(s));
  }
}

// Whether host fd kExecStubFd of thread `tid` is the stub memfd `stub_fd` (a guest mmap of
// its virtual fd 1000 puts a mirror there): its fdinfo names the memfd's inode.
bool StubInstalled(pid_t tid, int stub_fd) {
  static uint64_t stub_ino = [stub_fd] {
    struct stat st;
    return fstat(stub_fd, &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
  }();
  char rel[32];
  snprintf(rel, sizeof(rel), "fdinfo/%d", kExecStubFd);
  int fd = OpenHostProc(tid, rel);
  if (fd < 0) return false;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0 || stub_ino == 0) return false;
  buf[n] = 0;
  const char* ino = strstr(buf, "\nino:");
  return ino != nullptr && strtoull(ino + 5, nullptr, 10) == stub_ino;
}

}  // namespace

void Kernel::OnNewTask(pid_t parent_tid, pid_t child_tid) {
  auto it = tasks_.find(parent_tid);
  if (it == tasks_.end()) {
    LOG_WARN("clone event from unknown tid {}", parent_tid);
    return;
  }
  Task* parent = it->second.get();
  user_regs_struct regs{};
  platform_->GetRegs(parent_tid, &regs);
  uint64_t flags = SIGCHLD;
  if (regs.orig_rax == SYS_clone) flags = regs.rdi;
  else if (regs.orig_rax == SYS_vfork) flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
  int tid = SandboxTid(sandbox_pidns_fd_.get(), child_tid);
  Process* p = parent->process;
  if (!(flags & CLONE_THREAD)) {
    auto np = std::make_unique<Process>();
    np->pid = tid;
    np->host_pid = child_tid;
    np->ppid = (flags & CLONE_PARENT) ? p->ppid : p->pid;
    np->fds = (flags & CLONE_FILES) ? p->fds : p->fds->Clone();
    np->fs = p->fs;
    np->creds = p->creds;
    np->rlimits = p->rlimits;
    np->exe_path = p->exe_path;
    np->argv = p->argv;
    np->envp = p->envp;
    np->comm = p->comm;
    np->nice = p->nice;
    np->mirrors = p->mirrors;  // the host fd table was copied (or shared) the same way
    Process* raw = np.get();
    processes_[tid] = std::move(np);
    p = raw;
  }
  Task* t = NewTask(p, child_tid, tid);
  if (unborn_stops_.erase(child_tid)) {
    platform_->Resume(child_tid, 0);
  } else {
    t->awaiting_first_stop = true;
  }
}

bool Kernel::OnFirstStop(pid_t tid) {
  auto it = tasks_.find(tid);
  if (it == tasks_.end()) {
    // Born before its parent's clone event was seen: hold it until then.
    unborn_stops_.insert(tid);
    return true;
  }
  if (it->second->awaiting_first_stop) {
    it->second->awaiting_first_stop = false;
    platform_->Resume(tid, 0);
    return true;
  }
  return false;
}

void Kernel::ReleaseTaskState(pid_t host_tid) {
  auto it = tasks_.find(host_tid);
  if (it == tasks_.end()) return;
  Task* t = it->second.get();
  Process* p = t->process;
  std::erase(ready_, t);
  std::vector<int> watched;
  for (auto& [fd, waiters] : fd_waiters_) {
    if (std::find(waiters.begin(), waiters.end(), t) != waiters.end()) watched.push_back(fd);
  }
  for (int fd : watched) UnwatchFd(*t, fd);
  if (!t->busy && !t->current && t->fiber) {
    // Idle in TaskLoop: let the loop return, so the fiber ends normally instead of being
    // unwound with an exception when it is destroyed. Its stack goes back to the pool.
    t->retiring = true;
    t->fiber->Resume();
  }
  tasks_.erase(it);
  for (auto& [tid, other] : tasks_) {
    if (other->process == p) return;
  }
  sent_signals_.Forget(p->host_pid);
  // The whole process is gone: children that asked for PR_SET_PDEATHSIG get their signal
  // (Linux sends it when the parent thread exits; processes are the unit here) and, like
  // on Linux after reparenting, have the sandbox init as parent from now on.
  for (auto& [pid, child] : processes_) {
    if (child->ppid != p->pid || child.get() == p) continue;
    if (child->pdeathsig > 0 && child->host_pid > 0 && !child->zombie) {
      kill(child->host_pid, child->pdeathsig);
    }
    child->ppid = 1;
  }
  ProcessExited(p);
}

// The host keeps an exited process as a zombie until its parent reaps it with wait4/waitid
// (which pass through) or, orphaned, the sandbox's init does. The sentry mirrors that: the
// record stays, with what Linux frees at exit released, and is checked against the host's
// /proc whenever it is looked up (FindProcess, processes()) and swept at every exit. No
// syscall is trapped for it and nothing runs on the syscall path.
void Kernel::ProcessExited(Process* p) {
  SweepZombies();
  if (p->pid == 1) return;
  uint64_t start = HostZombieStartTime(p->host_pid);
  if (start == 0) {  // already reaped (a parent ignoring SIGCHLD, or the sentry's own child)
    processes_.erase(p->pid);
    return;
  }
  p->zombie = true;
  p->host_start_time = start;
  p->fds = std::make_shared<vfs::FdTable>();  // drops the files (and their POSIX locks)
  p->mirrors.clear();
  p->loader_fds.clear();
  p->loader_fds_installed.clear();
  p->loader_files.clear();
  p->argv.clear();
  p->envp.clear();
  p->argv.shrink_to_fit();
  p->envp.shrink_to_fit();
}

void Kernel::SweepZombies() {
  for (auto it = processes_.begin(); it != processes_.end();) {
    const Process& z = *it->second;
    if (z.zombie && !HostZombieAlive(z.host_pid, z.host_start_time)) {
      it = processes_.erase(it);
    } else {
      ++it;
    }
  }
}

// The guest asked for execve/execveat (a SECCOMP_RET_TRACE stop).
void Kernel::OnExecRequest(Task& t) {
  pid_t tid = t.host_tid;
  user_regs_struct regs;
  if (!platform_->GetRegs(tid, &regs)) return;
  if (t.exec_state == ExecState::kStubExec) {
    platform_->Resume(tid, 0);  // our own execveat of the stub
    return;
  }
  Process& p = *t.process;
  bool at = regs.orig_rax == SYS_execveat;
  int dirfd = at ? static_cast<int>(regs.rdi) : AT_FDCWD;
  uint64_t path_addr = at ? regs.rsi : regs.rdi;
  uint64_t argv_addr = at ? regs.rdx : regs.rsi;
  uint64_t envp_addr = at ? regs.r10 : regs.rdx;
  int flags = at ? static_cast<int>(regs.r8) : 0;

  auto fail = [&](int err) {
    if (opts_.strace) fmt::print(stderr, "[{}] execve(...) = -1 {}\n", t.tid, strerror(err));
    regs.orig_rax = static_cast<uint64_t>(-1);
    regs.rax = static_cast<uint64_t>(-err);
    platform_->SetRegs(tid, regs);
    platform_->Resume(tid, 0);
  };
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return fail(EINVAL);
  ExecRequest req;
  SysResult r = platform::ReadGuestString(tid, path_addr, 4095, &req.path);
  if (!r.ok()) return fail(r.error());
  size_t budget = kMaxArgBytes;
  r = ReadStringArray(tid, argv_addr, &budget, &req.argv);
  if (!r.ok()) return fail(r.error());
  r = ReadStringArray(tid, envp_addr, &budget, &req.envp);
  if (!r.ok()) return fail(r.error());
  if (req.path.empty()) {
    if (!(flags & AT_EMPTY_PATH)) return fail(ENOENT);
    vfs::FileRef f = dirfd >= 0 ? p.fds->Get(dirfd) : nullptr;
    if (!f) return fail(EBADF);
    req.path = f->Path();
  } else if (req.path[0] != '/' && dirfd != AT_FDCWD) {
    auto dir = DirFor(p, dirfd);
    if (!dir.ok()) return fail(dir.error());
    req.path = vfs_->PathOf(*dir, p.fs.root) + "/" + req.path;
  }
  auto resolved = ResolveExecutable(*this, p, req);
  if (!resolved.ok()) return fail(resolved.error());
  audit_.Exec(p.pid, req.path, req.argv);
  if (opts_.strace) {
    fmt::print(stderr, "[{}] execve(\"{}\", [...{} args], [...{} vars]) = 0\n", t.tid, req.path,
               req.argv.size(), req.envp.size());
  }

  // Committed: from here a failure can only kill the process.
  t.pending_exec = std::make_shared<ResolvedExec>(resolved.take());
  t.exec_saved_regs = regs;
  uint64_t zero[2] = {0, 0};
  if ((!platform_->StubFdEverReplaced() || StubInstalled(tid, stub_fd_.get())) &&
      platform::WriteGuest(tid, kScratchEmpty, zero, sizeof(zero)).ok()) {
    // The usual case: the stub is at its fd. Run execveat(stub) in place of the guest's
    // call (the filter lets a changed syscall through after a trace stop) and make a
    // failure return onto the stub's int3, where OnExecTrap restores the guest's registers.
    // One stop instead of the carrier's three.
    t.exec_state = ExecState::kStubExec;
    regs.orig_rax = SYS_execveat;
    regs.rdi = kExecStubFd;
    regs.rsi = kScratchEmpty;
    regs.rdx = 0;
    regs.r10 = 0;
    regs.r8 = AT_EMPTY_PATH;
    regs.rip = platform::kStubSyscallInsn + 2;
    platform_->SetRegs(tid, regs);
    platform_->Resume(tid, 0);
    return;
  }
  // The stub's fd was replaced: turn the syscall into a trapped carrier (the filter re-runs
  // after a tracer changes the number) whose notification installs the stub fd again, and
  // make it return onto the stub's int3.
  t.exec_state = ExecState::kNeedStubFd;
  regs.orig_rax = SYS_dup;
  regs.rdi = static_cast<uint64_t>(-1);
  regs.rip = platform::kStubSyscallInsn + 2;  // the int3 after the stub's syscall
  platform_->SetRegs(tid, regs);
  platform_->Resume(tid, 0);
}

// The carrier notification of an exec in progress: install the stub fd.
bool Kernel::HandleExecCarrier(Task& t, const platform::SyscallRequest& req) {
  if (t.exec_state != ExecState::kNeedStubFd || req.nr != SYS_dup) return false;
  SysResult r = platform_->InstallFd(req, stub_fd_.get(), kExecStubFd, /*cloexec=*/false);
  // The stub may have replaced a mirror at that number: forget it, so that if the exec
  // still fails, the next mmap of virtual fd 1000 installs the right file again.
  t.process->mirrors.erase(kExecStubFd);
  platform_->Reply(req, r.ok() ? 0 : r.raw());
  t.exec_state = ExecState::kAwaitTrap;
  return true;
}

// The thread stopped at the stub's int3 after the carrier: run execveat(stub).
bool Kernel::OnExecTrap(Task& t) {
  pid_t tid = t.host_tid;
  if (t.exec_state == ExecState::kAwaitTrap) {
    uint64_t zero[2] = {0, 0};
    user_regs_struct regs;
    if (!platform_->GetRegs(tid, &regs) ||
        !platform::WriteGuest(tid, kScratchEmpty, zero, sizeof(zero)).ok()) {
      kill(tid, SIGKILL);
      return true;
    }
    regs.rax = SYS_execveat;
    regs.orig_rax = static_cast<uint64_t>(-1);
    regs.rdi = kExecStubFd;
    regs.rsi = kScratchEmpty;
    regs.rdx = 0;
    regs.r10 = 0;
    regs.r8 = AT_EMPTY_PATH;
    regs.rip = platform::kStubSyscallInsn;
    t.exec_state = ExecState::kStubExec;
    platform_->SetRegs(tid, regs);
    platform_->Resume(tid, 0);
    return true;
  }
  if (t.exec_state == ExecState::kStubExec) {
    // execveat of the stub failed (the thread came back to the int3): fail the execve.
    user_regs_struct regs;
    platform_->GetRegs(tid, &regs);
    int64_t err = static_cast<int64_t>(regs.rax);
    regs = t.exec_saved_regs;
    regs.rax = static_cast<uint64_t>(err < 0 ? err : -ENOEXEC);
    regs.orig_rax = static_cast<uint64_t>(-1);
    t.exec_state = ExecState::kNone;
    t.pending_exec.reset();
    platform_->SetRegs(tid, regs);
    platform_->Resume(tid, 0);
    return true;
  }
  return false;
}

// The fresh stub's plan request: the host exec succeeded (the old image and its other
// threads are gone), so what Linux does at exec happens here, and the program is loaded.
bool Kernel::HandlePlanRequest(Task& t, const platform::SyscallRequest& req) {
  // Only a thread whose exec is in flight is asked; from any other it is an unknown syscall.
  if (req.nr != platform::kStubPlanRequestNr) return false;
  pid_t tid = t.host_tid;
  Process& p = *t.process;
  std::shared_ptr<ResolvedExec> exe = t.pending_exec;
  if (!exe) {
    LOG_ERROR("plan request without an exec in guest tid {}", tid);
    kill(tid, SIGKILL);
    return true;
  }
  p.fds->CloseOnExec();
  SysResult r = LoadIntoGuest(*this, p, tid, *exe, req.args[0]);
  if (!r.ok()) {
    fmt::print(stderr, "sentry: cannot load {}: {}\n", exe->path, strerror(r.error()));
    if (tid == init_host_pid_) init_load_failed_ = true;
    kill(tid, SIGKILL);
    return true;
  }
  // If the answer does not land (a signal interrupted the request), the kernel restarts the
  // stub's syscall with the same stack pointer and the plan is written again.
  if (platform_->Reply(req, 0)) {
    t.exec_state = ExecState::kNone;
    t.pending_exec.reset();
  }
  return true;
}

Task* Kernel::AdoptExecingThread(pid_t leader_tid) {
  Process* p = nullptr;
  if (auto it = tasks_.find(leader_tid); it != tasks_.end()) {
    p = it->second->process;
  } else {
    for (auto& [pid, proc] : processes_) {
      if (proc->host_pid == leader_tid && !proc->zombie) p = proc.get();
    }
  }
  if (p == nullptr) return nullptr;
  pid_t execing = 0;
  for (auto& [tid, task] : tasks_) {
    if (task->process == p && tid != leader_tid && task->exec_state == ExecState::kStubExec) {
      execing = tid;
    }
  }
  if (execing == 0) return nullptr;
  ReleaseTaskState(leader_tid);  // the old leader is gone (p lives on in the exec'ing thread)
  auto node = tasks_.extract(execing);
  Task* t = node.mapped().get();
  t->host_tid = leader_tid;
  t->tid = p->pid;
  node.key() = leader_tid;
  tasks_.insert(std::move(node));
  return t;
}

}  // namespace sentry
