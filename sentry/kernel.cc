// Kernel: event loop, task fibers, syscall dispatch and lifecycle handling.
// Single-threaded: everything here runs on the sentry thread.
#include "sentry/kernel.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "platform/child_signal.h"
#include "platform/guest_memory.h"
#include "platform/stub_image.h"
#include "sentry/async_io.h"
#include "sentry/ctty_open.h"
#include "sentry/exec_loader.h"
#include "sentry/host_devpts.h"
#include "sentry/host_facts.h"
#include "sentry/host_proc.h"
#include "sentry/sentry_seccomp.h"
#include "sentry/process_info.h"
#include "sentry/seccomp_filter.h"
#include "sentry/strace_format.h"
#include "sentry/syscall_markdown.h"
#include "sentry/syscall_table.h"
#include "sentry/zombie.h"
#include "vfs/goferfs.h"
#include "vfs/sysfs.h"

namespace sentry {
namespace {

enum EpollTag : uint64_t { kTagRequests = 1, kTagSigchld = 2, kTagAsync = 3, kTagFdBase = 16 };

std::vector<SyscallHandler>& Handlers() {
  static std::vector<SyscallHandler>* table = [] {
    auto* t = new std::vector<SyscallHandler>(kMaxSyscall + 1, nullptr);
    RegisterHandlers(t);
    return t;
  }();
  return *table;
}

// True when `sig` would terminate the thread's process by default: not caught, not ignored,
// and not a signal whose default action is to ignore or stop.
bool IsDefaultFatal(pid_t tid, int sig) {
  if (sig <= 0 || sig > 64) return false;
  switch (sig) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      return false;
    default:
      break;
  }
  FILE* f = FopenHostProc(tid, "status");
  if (!f) return false;
  char line[256];
  unsigned long long caught = 0, ignored = 0;
  while (fgets(line, sizeof(line), f)) {
    sscanf(line, "SigCgt: %llx", &caught);
    sscanf(line, "SigIgn: %llx", &ignored);
  }
  fclose(f);
  unsigned long long bit = 1ULL << (sig - 1);
  return !(caught & bit) && !(ignored & bit);
}

// Mounts the gofer's mount `m` (a --mount) at its target. A missing target is made: its
// parents as directories in the root (the overlay's in-memory layer), the last one as a
// placeholder, as for the standard tmpfs mounts.
absl::Status MountGoferDir(vfs::Vfs& vfs, gofer::Client* client, const GoferMountOption& m) {
  auto fs = vfs::GoferFs::Create(client, m.gofer_index, m.read_only);
  if (!fs.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--mount ", m.source, ":", m.target,
                                                   ": the gofer cannot serve it: ",
                                                   strerror(fs.error())));
  }
  SysResult r = vfs.Mount(m.target, *fs, m.source, /*placeholder=*/true);
  if (!r.ok() && r.error() == ENOENT) {
    vfs::FsContext ctx = vfs.RootContext();
    for (size_t slash = m.target.find('/', 1); slash != std::string::npos;
         slash = m.target.find('/', slash + 1)) {
      (void)vfs.MkdirAt(ctx, vfs::Credentials{}, nullptr, m.target.substr(0, slash), 0755);
    }
    r = vfs.Mount(m.target, *fs, m.source, /*placeholder=*/true);
  }
  if (!r.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--mount ", m.source, ":", m.target, ": ",
                                                   strerror(r.error())));
  }
  return absl::OkStatus();
}

}  // namespace

Kernel::Kernel(const SentryOptions& opts, std::unique_ptr<platform::Platform> platform,
               std::unique_ptr<gofer::Client> gofer)
    : opts_(opts),
      audit_(UniqueFd(opts.audit_fd)),
      platform_(std::move(platform)),
      gofer_(std::move(gofer)),
      io_buffer_(new char[kIoBufferSize]),
      async_io_(std::make_unique<AsyncIo>(this)),
      unsupported_logged_(kMaxSyscall + 1, false) {}

Kernel::~Kernel() {
  // Tasks first, while the scheduler's queues still exist: unwinding a parked fiber can drop
  // the last reference to a file, whose released locks wake other (still parked) tasks.
  tasks_.clear();
}

std::vector<Process*> Kernel::processes() {
  // Reaped zombies are skipped, not dropped: callers may hold pointers (SweepZombies drops
  // them from the event loop).
  std::vector<Process*> out;
  for (auto& [pid, p] : processes_) {
    if (!p->zombie || HostZombieAlive(p->host_pid, p->host_start_time)) out.push_back(p.get());
  }
  return out;
}

Process* Kernel::FindProcess(int pid) {
  auto it = processes_.find(pid);
  if (it == processes_.end()) return nullptr;
  Process* p = it->second.get();
  if (p->zombie && !HostZombieAlive(p->host_pid, p->host_start_time)) {
    processes_.erase(it);
    return nullptr;
  }
  return p;
}

absl::Status Kernel::Start() {
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) return absl::InternalError(absl::StrCat("epoll_create1: ", strerror(errno)));
  // A hostfd write to a pipe whose reader is gone must return EPIPE, not kill the sentry.
  signal(SIGPIPE, SIG_IGN);
  int child_fd = platform::InstallChildSignalHandler();
  if (child_fd < 0) return absl::InternalError(absl::StrCat("SIGCHLD pipe: ", strerror(errno)));
  sigchld_fd_.reset(child_fd);

  vfs::Vfs::Options vo;
  vo.gofer = gofer_.get();
  vo.processes = std::make_shared<KernelProcessInfo>(this);
  vo.host_tty_fd = isatty(0) ? 0 : -1;
  vo.ptys = MakeSandboxPtys(*this);  // /dev/ptmx, /dev/pts (host_devpts.h)
  vo.proc = HostFacts();  // read before the empty root (SentryMain)
  // /proc/meminfo shows the sandbox's memory limit (--memory) when it is below the host's RAM.
  vo.proc.memory_limit_bytes = opts_.memory_limit_bytes;  // /sys/fs/cgroup/memory.max
  if (opts_.memory_limit_bytes != 0 && opts_.memory_limit_bytes < vo.proc.mem_total_bytes) {
    vo.proc.mem_total_bytes = opts_.memory_limit_bytes;
  }
  // The root is an overlay: the host's files (through the gofer) under an in-memory layer
  // that takes every change, limited by --disk.
  uint64_t disk = opts_.disk_bytes;
  if (disk == 0) {
    disk = static_cast<uint64_t>(static_cast<double>(sysconf(_SC_PHYS_PAGES)) *
                                 static_cast<double>(sysconf(_SC_PAGE_SIZE)) * kDefaultDiskShare);
  }
  vo.upper_fs = vfs::MakeTmpfs({.size_bytes = disk});
  auto v = vfs::Vfs::Create(vo);
  if (!v.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot mount the sandbox root: ", strerror(v.error())));
  }
  vfs_ = v.take();
  // tmpfs: /dev/shm always (POSIX semaphores and shared memory need it; a placeholder
  // directory stands in where the root has none), then every --tmpfs in command-line order.
  // /tmp is the root overlay's (the host's files visible, changes private); `--tmpfs /tmp`
  // makes it a private empty tmpfs.
  std::vector<std::pair<TmpfsMount, bool>> tmpfs;  // mount, is a standard one
  bool user_shm = false;
  for (const TmpfsMount& m : opts_.tmpfs) {
    user_shm |= m.target == "/dev/shm";
  }
  if (!user_shm) tmpfs.push_back({{"/dev/shm", kDefaultShmSize}, true});
  for (const TmpfsMount& m : opts_.tmpfs) {
    tmpfs.push_back({m, m.target == "/tmp" || m.target == "/dev/shm"});
  }
  for (const auto& [m, standard] : tmpfs) {
    SysResult r = vfs_->Mount(m.target, vfs::MakeTmpfs({.size_bytes = m.size_bytes}), "tmpfs",
                              /*placeholder=*/standard);
    if (!r.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--tmpfs ", m.target, ": ",
          r.error() == ENOENT ? "no such directory in the sandbox" : strerror(r.error())));
    }
  }
  // --mount: after the tmpfs mounts, in command-line order (a --mount under a --tmpfs
  // target works; a --tmpfs under a --mount target must exist in the mounted directory).
  for (const GoferMountOption& m : opts_.mounts) {
    RETURN_IF_ERROR(MountGoferDir(*vfs_, gofer_.get(), m));
  }
  return StartInit();
}

// Like execvp for the first program: a name without '/' is looked up in the guest's PATH
// (or the usual default), inside the sandbox's filesystem. Returns the name unchanged when
// nothing executable is found, so the error names what the user typed.
std::string Kernel::FindInPath(Process& p, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const std::string& kv : opts_.envp) {
    if (kv.rfind("PATH=", 0) == 0) path = kv.substr(5);
  }
  vfs::FsContext ctx = p.fs;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (vfs_->StatAt(ctx, p.creds, p.fs.cwd, candidate, true, &st).ok() && S_ISREG(st.st_mode) &&
        vfs_->AccessAt(ctx, p.creds, p.fs.cwd, candidate, X_OK, true).ok()) {
      return candidate;
    }
  }
  return name;
}

absl::Status Kernel::StartInit() {
  // The guest init's process state exists before its host process does, so that the
  // program can be resolved (and a missing program reported) before anything starts.
  auto proc = std::make_unique<Process>();
  proc->pid = 1;
  proc->ppid = 0;
  proc->fds = std::make_shared<vfs::FdTable>();
  proc->fs.root = vfs_->root();
  proc->fs.cwd = vfs_->root();
  proc->fs.umask = 022;
  for (int r = 0; r < RLIM_NLIMITS; ++r) getrlimit(r, &proc->rlimits[r]);
  vfs::FsContext ctx = proc->fs;
  auto cwd = vfs_->LookupDirectory(ctx, proc->creds, vfs_->root(), opts_.cwd);
  if (cwd.ok()) proc->fs.cwd = *cwd;
  else
    fmt::print(stderr, "sentry: working directory {} is not visible in the sandbox{}; starting in /\n",
               opts_.cwd, opts_.cwd.rfind("/tmp", 0) == 0 ? " (--tmpfs /tmp hides the host's /tmp)" : "");

  // stdio from the launcher.
  static const int kModes[3] = {O_RDONLY, O_WRONLY, O_WRONLY};
  for (int fd = 0; fd < 3; ++fd) {
    int mode = kModes[fd];
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) continue;
    if ((fl & O_ACCMODE) == O_RDWR) mode = O_RDWR;
    auto file = vfs::MakeHostFile(fd, mode, vfs::HostStdioName(fd, fd));  // over a dup
    if (file == nullptr) continue;
    proc->fds->InstallAt(fd, std::move(file), false, 1 << 20);
  }

  ExecRequest req;
  req.path = FindInPath(*proc, opts_.argv[0]);
  req.argv = opts_.argv;
  req.envp = opts_.envp;
  auto resolved = ResolveExecutable(*this, *proc, req);
  if (!resolved.ok()) {
    int e = resolved.error();
    fmt::print(stderr, "sentry: {}: {}\n", opts_.argv[0], strerror(e));
    exit_code_ = (e == ENOENT || e == ENOTDIR) ? 127 : 126;
    return absl::CancelledError("program not runnable");
  }

  ASSIGN_OR_RETURN(std::vector<sock_filter> filter, BuildGuestFilter(audit_.enabled(), opts_.strace));
  ASSIGN_OR_RETURN(stub_fd_, platform::MakeStubMemfd());
  platform::SpawnSpec spec;
  spec.filter = std::move(filter);
  spec.stub_fd = stub_fd_.get();
  spec.trace_exit = opts_.strace;  // the exit stops only print strace lines
  ASSIGN_OR_RETURN(pid_t host_pid, platform_->SpawnInit(spec));
  init_host_pid_ = host_pid;
  sandbox_pidns_fd_ = UniqueFd(OpenHostProc(host_pid, "ns/pid"));  // -1: the /proc fallback
  // The guest init exists and carries only the guest filter: from here on the sentry runs
  // under its own allowlist (sentry_seccomp.cc): no host open but its /proc, no exec.
  RETURN_IF_ERROR(LockDownSentry());
  proc->host_pid = host_pid;
  Process* p = proc.get();
  processes_[1] = std::move(proc);
  Task* init = NewTask(p, host_pid, 1);

  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kTagRequests;
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, platform_->RequestFd(), &ev);
  ev.data.u64 = kTagSigchld;
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, sigchld_fd_.get(), &ev);
  ev.data.u64 = kTagAsync;
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, async_io_->fd(), &ev);

  // The stub is on its way; its plan request loads the program (HandlePlanRequest).
  init->pending_exec = std::make_shared<ResolvedExec>(resolved.take());
  init->exec_state = ExecState::kStubExec;
  if (opts_.strace) {
    fmt::print(stderr, "[{}] execve(\"{}\", [...{} args], [...{} vars]) = 0\n", 1,
               opts_.argv[0], opts_.argv.size(), opts_.envp.size());
  }
  audit_.Exec(1, req.path, req.argv);
  return absl::OkStatus();
}

int Kernel::Run() {
  absl::Status st = Start();
  if (!st.ok()) {
    if (absl::IsCancelled(st)) return exit_code_;
    fmt::print(stderr, "sentry: {}\n", std::string(st.message()));
    if (init_host_pid_ > 0) kill(init_host_pid_, SIGKILL);
    return 125;
  }
  EventLoop();
  audit_.Exit(exit_code_);
  return exit_code_;
}

Task* Kernel::NewTask(Process* p, pid_t host_tid, int tid) {
  auto t = std::make_unique<Task>();
  t->host_tid = host_tid;
  t->tid = tid;
  t->process = p;
  Task* raw = t.get();
  t->fiber = std::make_unique<Fiber>([this, raw] { TaskLoop(raw); });
  tasks_[host_tid] = std::move(t);
  return raw;
}

void Kernel::MakeReady(Task* t) {
  if (t->ready) return;
  t->ready = true;
  ready_.push_back(t);
}

void Kernel::RunReadyTasks() {
  while (!ready_.empty()) {
    Task* t = ready_.front();
    ready_.pop_front();
    t->ready = false;
    t->fiber->Resume();
  }
}

void Kernel::TaskLoop(Task* t) {
  for (;;) {
    while (!t->current) {
      if (t->retiring) return;  // ends the fiber without unwinding it (ReleaseTaskState)
      t->fiber->Yield();
    }
    platform::SyscallRequest req = *t->current;
    t->busy = true;
    t->cancelled = false;
    HandleSyscall(*t, req);
    t->busy = false;
    t->current.reset();
    if (t->next) {
      t->current = t->next;
      t->next.reset();
    }
  }
}

bool Kernel::WaitForFd(Task& task, int host_fd, uint32_t events) {
  std::pair<int, uint32_t> one{host_fd, events};
  return WaitForFds(task, std::span<const std::pair<int, uint32_t>>(&one, 1), -1);
}

void Kernel::WatchFd(Task& task, int host_fd, uint32_t events) {
  uint32_t& want = fd_events_[host_fd];
  uint32_t before = want;
  want |= events;
  if (before != want) {
    epoll_event ev{};
    ev.events = want | EPOLLONESHOT;
    ev.data.u64 = kTagFdBase + static_cast<uint64_t>(host_fd);
    if (epoll_ctl(epoll_.get(), before ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, host_fd, &ev) != 0) {
      epoll_ctl(epoll_.get(), before ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, host_fd, &ev);
    }
  }
  fd_waiters_[host_fd].push_back(&task);
}

void Kernel::UnwatchFd(Task& task, int host_fd) {
  auto it = fd_waiters_.find(host_fd);
  if (it == fd_waiters_.end()) return;
  std::erase(it->second, &task);
  if (it->second.empty()) {
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, host_fd, nullptr);
    fd_waiters_.erase(it);
    fd_events_.erase(host_fd);
  }
}

bool Kernel::WaitForFds(Task& task, std::span<const std::pair<int, uint32_t>> fds,
                        int64_t timeout_ns) {
  UniqueFd timer;
  if (timeout_ns >= 0) {
    timer.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    itimerspec its{};
    int64_t ns = std::max<int64_t>(timeout_ns, 1);  // 0 would disarm the timer
    its.it_value.tv_sec = ns / 1000000000;
    its.it_value.tv_nsec = ns % 1000000000;
    if (timer) timerfd_settime(timer.get(), 0, &its, nullptr);
  }
  for (const auto& [fd, events] : fds) WatchFd(task, fd, events);
  if (timer) WatchFd(task, timer.get(), EPOLLIN);
  task.fiber->Yield();
  for (const auto& [fd, events] : fds) UnwatchFd(task, fd);
  if (timer) UnwatchFd(task, timer.get());
  return !task.cancelled;
}

void Kernel::EventLoop() {
  epoll_event events[64];
  while (!done_) {
    RunReadyTasks();
    if (done_) break;
    if (fd_waiters_.empty() && !async_io_->watching()) {
      // Idle fast path: nothing but guest syscalls and child events can wake us, so wait
      // in NOTIF_RECV itself (the guest's synchronous wake-up then lands here directly).
      platform::SyscallRequest req;
      int r = platform_->WaitRequest(&req);
      if (r > 0) {
        OnRequest(req);
        continue;
      }
      if (r < 0) {
        LOG_ERROR("waiting for guest syscalls: {}", strerror(-r));
        exit_code_ = 125;
        break;
      }
      platform::DrainChildSignals();
      ForwardSignals();
      platform::StopEvent ev;
      while (!done_ && platform_->NextStop(&ev)) OnStop(ev);
      continue;
    }
    int n = epoll_wait(epoll_.get(), events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      LOG_ERROR("epoll_wait: {}", strerror(errno));
      exit_code_ = 125;
      break;
    }
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kTagRequests) {
        // One request per wake-up: epoll is level-triggered, so more pending requests
        // wake us again at once, and we save a poll(2) per syscall.
        platform::SyscallRequest req;
        if (platform_->ReceiveRequest(&req)) OnRequest(req);
      } else if (tag == kTagAsync) {
        async_io_->OnReady();
      } else if (tag == kTagSigchld) {
        platform::DrainChildSignals();
        ForwardSignals();
        platform::StopEvent ev;
        while (!done_ && platform_->NextStop(&ev)) OnStop(ev);
      } else if (tag >= kTagFdBase) {
        int fd = static_cast<int>(tag - kTagFdBase);
        epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
        auto it = fd_waiters_.find(fd);
        if (it != fd_waiters_.end()) {
          std::vector<Task*> woken = std::move(it->second);
          fd_waiters_.erase(it);
          fd_events_.erase(fd);
          for (Task* t : woken) MakeReady(t);
        }
      }
    }
  }
  if (init_host_pid_ > 0 && !done_) kill(init_host_pid_, SIGKILL);
}

void Kernel::OnRequest(const platform::SyscallRequest& req) {
  auto it = tasks_.find(req.tid);
  if (req.nr == platform::kStubPlanRequestNr &&
      (it == tasks_.end() || it->second->exec_state != ExecState::kStubExec) &&
      AdoptExecingThread(req.tid)) {
    it = tasks_.find(req.tid);
  }
  Task* t;
  if (it == tasks_.end()) {
    // A thread we have not been told about (should not happen before clone support):
    // refuse rather than guess its process.
    LOG_WARN("syscall {} from unknown host tid {}", req.nr, req.tid);
    platform_->Reply(req, -ENOSYS);
    return;
  }
  t = it->second.get();
  if (t->busy) {
    // The blocked request was interrupted by a signal: abandon it without effect.
    t->cancelled = true;
    t->next = req;
    MakeReady(t);  // its wait returns "cancelled" and unregisters itself
    return;
  }
  t->current = req;
  MakeReady(t);
}

void Kernel::HandleSyscall(Task& t, const platform::SyscallRequest& req) {
  Process& p = *t.process;
  t.read_undo = {};
  t.write_done = {};
  t.after_reply = nullptr;
  // A new request means the call the host last ran for this thread has ended: a signal stop
  // at the same call site is about this request, not that one (interrupted_call.cc).
  t.continued_nr = -1;
  if (t.late.nr >= 0 && ReplayLateResult(t, req)) return;
  if (t.call_mask.state != Task::CallMask::State::kNone && DropStaleCallMask(t, req)) return;
  if (opts_.strace && PassesThrough(req.nr, req.args)) {
    // --strace routes passthrough calls through the sentry: print, then the host runs it.
    if (platform_->ReplyContinue(req)) {
      t.continued_nr = req.nr;
      t.continued_ip = req.ip;
    }
    StraceLine(t, req, kContinueSyscall);
    return;
  }
  if (t.exec_state == ExecState::kNeedStubFd && HandleExecCarrier(t, req)) return;
  if (t.exec_state == ExecState::kStubExec && HandlePlanRequest(t, req)) return;
  if (p.loading && HandleLoaderSyscall(t, req)) return;
  SysResult result = SysResult::Errno(ENOSYS);
  SyscallHandler h = (req.nr >= 0 && req.nr <= kMaxSyscall) ? Handlers()[req.nr] : nullptr;
  if (h) {
    SyscallContext ctx{*this, t, p, req};
    result = h(ctx);
  } else if (const SyscallEntry* e = LookupSyscall(req.nr);
             e != nullptr && e->action == SyscallAction::kRefuse) {
    // Refused in the filter itself, unless the audit log wants to see them.
    result = SysResult::Errno(e->refuse_errno);
    audit_.Refused(p.pid, req.nr, e->name, result.error());
  } else if (req.nr >= 0 && req.nr <= kMaxSyscall) {
    const char* name = SyscallName(req.nr);
    if (!unsupported_logged_[req.nr]) {
      unsupported_logged_[req.nr] = true;
      LOG_WARN("unsupported syscall {} ({}): ENOSYS", name ? name : "?", req.nr);
    }
    audit_.Refused(p.pid, req.nr, name ? name : "?", ENOSYS);
  }
  if (result.raw() == -ENOSPC && audit_.enabled()) {
    // The overlay's upper layer or a --tmpfs is full (--disk): a limit hit.
    const char* name = SyscallName(req.nr);
    audit_.Limit(p.pid, "disk", fmt::format("{}: ENOSPC", name ? name : "?"));
  }
  if (result.raw() == kNoReply) {
    // The thread is being stopped; the stop settles the call (call_sigmask.h).
    const Task::CallMask& m = t.call_mask;
    if (opts_.strace && m.state == Task::CallMask::State::kRestoreAtStop && !m.restart)
      StraceLine(t, req, m.result);
    return;
  }
  if (result.raw() == kContinueSyscall) {
    if (platform_->ReplyContinue(req)) {
      t.continued_nr = req.nr;
      t.continued_ip = req.ip;
    }
    if (opts_.strace) StraceLine(t, req, kContinueSyscall);
    return;
  }
  if (t.cancelled && !t.interrupted_by_stop) result = SysResult::Errno(EINTR);
  // Linux raises SIGPIPE before the failing write returns. A signal the thread catches (and
  // does not block) would interrupt the notification, so it is raised right after the reply;
  // any other (default action, blocked, ignored) is raised first, so that the guest cannot
  // change its disposition in between.
  const bool signal_first = t.post_signal != 0 && !CatchesUnblocked(t.host_tid, t.post_signal);
  if (signal_first) {
    SendSignal(p, t.host_tid, SelfSigInfo(t.post_signal, p));
    t.post_signal = 0;
  }
  const bool replied = platform_->Reply(req, result.raw());
  if (!replied && (!t.cancelled || t.interrupted_by_stop)) {
    // A signal interrupted the notification: the answer reaches the guest late (Task::late).
    t.late = {req.nr, req.ip, {}, result.raw()};
    for (int i = 0; i < 6; ++i) t.late.args[i] = req.args[i];
  }
  const bool delivered =
      (replied || (t.late.nr >= 0 && t.late.result != -EINTR)) &&
      (!t.cancelled || t.interrupted_by_stop);
  if (t.read_undo.file != nullptr) {
    // A signal interrupted the notification after the read took its bytes: they go back
    // to the file, and the restarted (or next) read gets them (DESIGN §5: undo the commit
    // when the reply fails).
    if (!delivered && t.read_undo.restore_offset >= 0) {
      t.read_undo.file->Seek(t.read_undo.restore_offset, SEEK_SET);
    } else if (!delivered && t.read_undo.len > 0) {
      t.read_undo.file->GiveBack(t.read_undo.in_buffer ? io_buffer() : nullptr,
                                 t.read_undo.len);
    }
    t.read_undo = {};
  }
  if (t.write_done.file != nullptr) {
    if (!delivered) t.write_replay = std::move(t.write_done);
    t.write_done = {};
  }
  if (t.after_reply != nullptr) {
    t.after_reply(t, delivered);
    t.after_reply = nullptr;
  }
  if (opts_.strace) StraceLine(t, req, result.raw());
  if (t.post_signal) {
    SendSignal(p, t.host_tid, SelfSigInfo(t.post_signal, p));
    t.post_signal = 0;
  }
}

bool Kernel::CatchesUnblocked(pid_t host_tid, int sig) {
  std::string status;
  if (!ReadHostProc(host_tid, "status", &status)) return true;  // the old, safe order
  uint64_t bit = uint64_t{1} << (sig - 1);
  return (StatusSigMask(status, "\nSigCgt:") & bit) && !(StatusSigMask(status, "\nSigBlk:") & bit);
}

bool Kernel::IgnoresOrBlocks(pid_t host_tid, int sig) {
  std::string status;
  if (!ReadHostProc(host_tid, "status", &status)) return false;
  uint64_t bit = uint64_t{1} << (sig - 1);
  return ((StatusSigMask(status, "\nSigIgn:") | StatusSigMask(status, "\nSigBlk:")) & bit) != 0;
}

bool Kernel::HandleLoaderSyscall(Task& t, const platform::SyscallRequest& req) {
  Process& p = *t.process;
  int fd = static_cast<int>(req.args[req.nr == SYS_mmap ? 4 : 0]);
  auto it = p.loader_fds.find(fd);
  if ((req.nr != SYS_mmap && req.nr != SYS_close) || it == p.loader_fds.end()) return false;
  if (req.nr == SYS_mmap) {
    if (!p.loader_fds_installed[fd]) {
      SysResult r = platform_->InstallFd(req, it->second, fd, true);
      if (!r.ok()) {
        platform_->Reply(req, r.raw());
        return true;
      }
      p.loader_fds_installed[fd] = true;
    }
    platform_->ReplyContinue(req);
    return true;
  }
  // close of a loader fd: the host closes its copy; loading ends with the last one.
  platform_->ReplyContinue(req);
  p.loader_fds.erase(it);
  p.loader_fds_installed.erase(fd);
  if (p.loader_fds.empty()) {
    p.loading = false;
    ReleaseLoaderFiles(p);
  }
  return true;
}

void Kernel::StraceLine(Task& t, const platform::SyscallRequest& req, int64_t result) {
  const SyscallEntry* e = LookupSyscall(req.nr);
  pid_t tid = t.host_tid;
  ReadGuestFn reader = [tid](uint64_t addr, void* buf, size_t len) {
    return platform::ReadGuest(tid, addr, buf, len).ok();
  };
  (void)e;
  std::span<const uint64_t, 6> args(req.args, 6);
  std::string line =
      FormatStraceLine(req.nr, args, result == kContinueSyscall ? 0 : result, reader);
  if (result == kContinueSyscall) {
    // The host runs it after this line: its result is not known here.
    size_t at = line.rfind(") = ");
    if (at != std::string::npos) line.resize(at + 4);
    line += "? (host)";
  }
  fmt::print(stderr, "[{}] {}\n", t.tid, line);
}

void Kernel::OnStop(const platform::StopEvent& ev) {
  using platform::StopKind;
  auto it = tasks_.find(ev.tid);
  Task* t = it == tasks_.end() ? nullptr : it->second.get();
  if (ev.kind == StopKind::kExited) {
    FinishTask(ev.tid, ev.status);
    return;
  }
  // The first stop of a task born from clone/fork/vfork holds it until we know it.
  if ((!t || t->awaiting_first_stop) &&
      (ev.kind == StopKind::kEventStop || ev.kind == StopKind::kGroupStop ||
       (ev.kind == StopKind::kSignal && ev.sig == SIGSTOP))) {
    if (OnFirstStop(ev.tid)) return;
  }
  switch (ev.kind) {
    case StopKind::kExited:
      return;
    case StopKind::kExitEvent: {
      if (opts_.strace && t) {
        user_regs_struct regs;
        int st = static_cast<int>(ev.msg);
        if (platform_->GetRegs(ev.tid, &regs) && WIFEXITED(st)) {
          const char* name = regs.orig_rax == SYS_exit ? "exit" : "exit_group";
          fmt::print(stderr, "[{}] {}({}) = ?\n", t->tid, name, WEXITSTATUS(st));
        } else if (WIFSIGNALED(st)) {
          fmt::print(stderr, "[{}] +++ killed by signal {} +++\n", t->tid, WTERMSIG(st));
        }
      }
      platform_->Resume(ev.tid, 0);
      return;
    }
    case StopKind::kSignal: {
      Kernel::CallMaskStop mask_stop = t ? CallMaskAtSignalStop(*t, ev.sig) : CallMaskStop::kGoOn;
      if (mask_stop == CallMaskStop::kSettled) return;
      if (t && t->process->loading && ev.sig == SIGTRAP) {
        user_regs_struct regs{};
        platform_->GetRegs(ev.tid, &regs);
        LOG_ERROR("loading {} failed at plan op {}: {}", t->process->exe_path, regs.rbx,
                  strerror(static_cast<int>(-regs.rax)));
        fmt::print(stderr, "sentry: cannot load {}: {}\n", t->process->exe_path,
                   strerror(static_cast<int>(-regs.rax)));
        kill(ev.tid, SIGKILL);
        platform_->Resume(ev.tid, 0);
        return;
      }
      if (t && t->ctty_open && OnCttyOpenStop(*this, *t, ev.sig)) return;
      if (t && ev.sig == SIGTRAP && OnExecTrap(*t)) return;
      if (t && t->process->pid == 1 && IsDefaultFatal(t->host_tid, ev.sig)) {
        // The guest init is pid 1 of its namespace: while traced, the kernel keeps it
        // unkillable even by a fault, so re-injecting would loop on the faulting instruction.
        // Natively the signal kills: do that, and report it as the cause.
        init_fatal_signal_ = ev.sig;
        kill(ev.tid, SIGKILL);
        platform_->Resume(ev.tid, 0);
        return;
      }
      if (t && mask_stop == CallMaskStop::kGoOn) ResolveInterruptedCall(*t);
      if (t && !sent_signals_.empty()) InstallSentSignalInfo(ev.tid, *t->process, ev.sig);
      if (t) ResumeAfterSignal(*t, ev.sig);
      else platform_->Resume(ev.tid, ev.sig);
      return;
    }
    case StopKind::kGroupStop:
      platform_->Listen(ev.tid);
      return;
    case StopKind::kSeccompTrace: {
      if (t) {
        OnExecRequest(*t);
        return;
      }
      user_regs_struct regs;
      if (platform_->GetRegs(ev.tid, &regs)) {
        regs.orig_rax = static_cast<uint64_t>(-1);
        regs.rax = static_cast<uint64_t>(-ENOSYS);
        platform_->SetRegs(ev.tid, regs);
      }
      platform_->Resume(ev.tid, 0);
      return;
    }
    case StopKind::kFork:
      OnNewTask(ev.tid, static_cast<pid_t>(ev.msg));
      platform_->Resume(ev.tid, 0);
      return;
    case StopKind::kEventStop:
      if (t) CallMaskAtEventStop(*t);  // resumes
      else platform_->Resume(ev.tid, 0);
      return;
  }
}

void Kernel::FinishTask(pid_t host_tid, int status) {
  ReleaseTaskState(host_tid);
  if (host_tid == init_host_pid_) {
    if (init_load_failed_) exit_code_ = 126;
    else if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
      exit_code_ = 128 + (init_fatal_signal_ ? init_fatal_signal_ : WTERMSIG(status));
    done_ = true;
  }
}

void Kernel::ForwardSignals() {
  uint64_t sigs = platform::TakeForwardedSignals();
  if (!sigs || init_host_pid_ <= 0) return;
  for (int sig = 1; sig <= 64; ++sig) {
    if (!(sigs & (1ULL << (sig - 1)))) continue;
    // Terminal signals go to the guest's foreground job; SIGTERM/SIGHUP from the launcher
    // go there too (the guest's whole session when no job control is in use).
    pid_t group = HostPgrpOf(fg_pgrp_);
    if (group == 0) group = init_host_pid_;
    if (group == init_host_pid_ && sig != SIGTSTP && IsDefaultFatal(init_host_pid_, sig)) {
      // pid 1 of the guest's namespace ignores default-action signals from outside; natively
      // the program would die of it, so it does here (and the sandbox ends with 128+sig).
      init_fatal_signal_ = sig;
      kill(init_host_pid_, SIGKILL);
    } else {
      kill(-group, sig);
    }
  }
}

int Kernel::GuestPgrpOf(const Process& p) const {
  FILE* f = FopenHostProc(p.host_pid, "stat");
  if (!f) return -1;
  char buf[512];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  char* close_paren = strrchr(buf, ')');
  int ppid = 0, pgrp = 0;
  char state;
  if (!close_paren || sscanf(close_paren + 2, "%c %d %d", &state, &ppid, &pgrp) != 3) return -1;
  for (const auto& [pid, q] : processes_) {
    if (q->host_pid == pgrp) return q->pid;
  }
  return -1;
}

pid_t Kernel::HostPgrpOf(int guest_pgid) const {
  if (guest_pgid <= 0) return 0;
  for (const auto& [pid, p] : processes_) {
    if (GuestPgrpOf(*p) == guest_pgid) {
      auto leader = processes_.find(guest_pgid);
      return leader != processes_.end() ? leader->second->host_pid : 0;
    }
  }
  return 0;
}

pid_t Kernel::HostTidOf(int tid) const {
  for (const auto& [host, t] : tasks_) {
    if (t->tid == tid) return host;
  }
  return 0;
}

ErrnoOr<std::shared_ptr<vfs::Dentry>> Kernel::DirFor(Process& p, int dirfd) {
  if (dirfd == AT_FDCWD) return p.fs.cwd;
  vfs::FileRef f = p.fds->Get(dirfd);
  if (!f) return ErrnoOr<std::shared_ptr<vfs::Dentry>>::Errno(EBADF);
  if (!f->dentry()) return ErrnoOr<std::shared_ptr<vfs::Dentry>>::Errno(ENOTDIR);
  return f->dentry();
}

void PrintSyscallTableMarkdown(std::string* out) { *out = SyscallTableMarkdown(); }

}  // namespace sentry
