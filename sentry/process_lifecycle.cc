// Process lifecycle in the kernel: tasks born from clone/fork/vfork (ptrace events), their
// first stops, exits, and the guest's own execve (validated by the loader, then carried out
// as a host execveat of the stub followed by the stub's load plan). Sentry thread only.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
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

namespace sentry {
namespace {

// Host fd number the stub memfd is installed at for an exec; the host table of a guest
// only holds mirrors, and exec closes this one (close-on-exec).
constexpr int kExecStubFd = 1000;
// An empty string in the stub's scratch region (the path of execveat(AT_EMPTY_PATH)).
constexpr uint64_t kScratchEmpty = platform::kStubScratch + platform::kStubScratchSize - 16;
constexpr size_t kMaxArgBytes = 2 << 20;   // total argv+envp
constexpr size_t kMaxArgCount = 1 << 17;

// The pid the guest sees for a host tid: the innermost NSpid field.
int SandboxTid(pid_t host_tid) {
  FILE* f = FopenHostProc(host_tid, "status");
  if (!f) return -1;
  char line[256];
  int result = -1;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "NSpid:", 6) != 0) continue;
    char* save = nullptr;
    for (char* tok = strtok_r(line + 6, " \t\n", &save); tok; tok = strtok_r(nullptr, " \t\n", &save))
      result = atoi(tok);
    break;
  }
  fclose(f);
  return result;
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
  int tid = SandboxTid(child_tid);
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
  tasks_.erase(it);
  for (auto& [tid, other] : tasks_) {
    if (other->process == p) return;
  }
  // The whole process is gone: children that asked for PR_SET_PDEATHSIG get their signal
  // (Linux sends it when the parent thread exits; processes are the unit here) and, like
  // on Linux after reparenting, have the sandbox init as parent from now on.
  for (auto& [pid, child] : processes_) {
    if (child->ppid != p->pid || child.get() == p) continue;
    if (child->pdeathsig > 0 && child->host_pid > 0) kill(child->host_pid, child->pdeathsig);
    child->ppid = 1;
  }
  if (p->pid != 1) processes_.erase(p->pid);
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

  // Committed: from here a failure can only kill the process. Turn the syscall into a
  // trapped carrier (the filter re-runs after a tracer changes the number) whose
  // notification installs the stub fd, and make it return onto the stub's int3.
  t.pending_exec = std::make_shared<ResolvedExec>(resolved.take());
  t.exec_saved_regs = regs;
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
  SysResult r = platform_->InstallFd(req, stub_fd_.get(), kExecStubFd, true);
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

// PTRACE_EVENT_EXEC of a guest exec: the stub is in place; load the program.
void Kernel::OnExecEvent(Task& t, pid_t old_tid) {
  pid_t tid = t.host_tid;
  Process& p = *t.process;
  std::shared_ptr<ResolvedExec> exe = std::move(t.pending_exec);
  t.exec_state = ExecState::kNone;
  if (!exe) {
    LOG_ERROR("unexpected exec in guest tid {}", tid);
    kill(tid, SIGKILL);
    return;
  }
  p.fds->CloseOnExec();
  SysResult r = LoadIntoGuest(*this, p, tid, *exe);
  if (!r.ok()) {
    fmt::print(stderr, "sentry: cannot load {}: {}\n", exe->path, strerror(r.error()));
    kill(tid, SIGKILL);
  }
  platform_->Resume(tid, 0);
}

}  // namespace sentry
