// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2 over
// vfs::EpollFile. A waiter with nothing ready parks on the instance's host epoll fd (plus
// a timer) in the event loop, then collects again. The signal mask of epoll_pwait and
// epoll_pwait2 is in force while the call waits (call_sigmask.h). Sentry thread only.
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>

#include <algorithm>
#include <climits>
#include <optional>

#include "sentry/call_sigmask.h"
#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "vfs/epoll.h"

namespace sentry {
namespace {

// Linux's cap on maxevents.
constexpr int64_t kMaxEvents = INT_MAX / sizeof(epoll_event);
// The end of the x86-64 user address space (access_ok).
constexpr uint64_t kUserEnd = 0x7ffffffff000ULL;

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

SysResult CreateImpl(SyscallContext& c, int flags) {
  auto ep = vfs::EpollFile::Create();
  if (!ep.ok()) return SysResult::Errno(ep.error());
  return c.proc.fds->Install(*ep, flags & EPOLL_CLOEXEC, 0, FdLimit(c));
}

SysResult EpollCreate(SyscallContext& c) {
  if (static_cast<int>(c.arg(0)) <= 0) return SysResult::Errno(EINVAL);
  return CreateImpl(c, 0);
}

SysResult EpollCreate1(SyscallContext& c) {
  int flags = static_cast<int>(c.arg(0));
  if (flags & ~EPOLL_CLOEXEC) return SysResult::Errno(EINVAL);
  return CreateImpl(c, flags);
}

SysResult EpollCtl(SyscallContext& c) {
  int op = static_cast<int>(c.arg(1));
  int fd = static_cast<int>(c.arg(2));
  epoll_event ev{};
  if (op != EPOLL_CTL_DEL && !CopyInObj(c, c.arg(3), &ev).ok()) return SysResult::Errno(EFAULT);
  vfs::FileRef epf = GetFile(c, static_cast<uint64_t>(static_cast<int>(c.arg(0))));
  vfs::FileRef target = GetFile(c, static_cast<uint64_t>(fd));
  if (!epf || !target) return SysResult::Errno(EBADF);
  // Files without a wait queue (regular files, directories, /dev/null, …) are refused.
  if (target->ReadinessFd() < 0) return SysResult::Errno(EPERM);
  auto* ep = dynamic_cast<vfs::EpollFile*>(epf.get());
  if (!ep || target == epf) return SysResult::Errno(EINVAL);
  int err = ep->Ctl(op, fd, target, ev);
  if (err) return SysResult::Errno(err);
  if (op != EPOLL_CTL_DEL) NoteEpollTarget(epf, target);  // signalfd readiness
  return 0;
}

// The core of the epoll_wait family. deadline_ns < 0: wait forever; 0: don't wait.
SysResult WaitImpl(SyscallContext& c, uint64_t events_addr, int maxevents, int64_t deadline_ns) {
  if (maxevents <= 0 || maxevents > kMaxEvents) return SysResult::Errno(EINVAL);
  uint64_t bytes = static_cast<uint64_t>(maxevents) * sizeof(epoll_event);
  if (events_addr > kUserEnd || bytes > kUserEnd - events_addr) return SysResult::Errno(EFAULT);
  vfs::FileRef f = GetFile(c, static_cast<uint64_t>(static_cast<int>(c.arg(0))));
  if (!f) return SysResult::Errno(EBADF);
  auto* ep = dynamic_cast<vfs::EpollFile*>(f.get());
  if (!ep) return SysResult::Errno(EINVAL);
  // Collected events go through the shared I/O buffer (no allocation; no yield before the
  // copy-out).
  auto* buf = reinterpret_cast<epoll_event*>(c.kernel.io_buffer());
  size_t cap = std::min<size_t>(maxevents, Kernel::kIoBufferSize / sizeof(epoll_event));
  for (;;) {
    const bool tick = RefreshEpollReadiness(c, f);  // signalfds: the waiter's pending signals
    SysResult n = ep->Collect(std::span<epoll_event>(buf, cap));
    if (!n.ok()) return n;
    if (n.value() > 0) {
      size_t bytes = static_cast<size_t>(n.value()) * sizeof(epoll_event);
      if (!CopyOut(c, events_addr, buf, bytes).ok()) {
        ep->PushBack(std::span<const char>(reinterpret_cast<const char*>(buf), bytes));
        return SysResult::Errno(EFAULT);  // like Linux, the events stay for the next wait
      }
      // The host has consumed them (edge-triggered, one-shot): an undelivered reply gives
      // them back to this epoll (Kernel::HandleSyscall).
      c.task.read_undo = {f, bytes, true};
      return n;
    }
    int64_t remaining = -1;
    if (deadline_ns >= 0) {
      remaining = deadline_ns - NowNs();
      if (remaining <= 0) return 0;
    }
    if (tick && (remaining < 0 || remaining > kPollerTickNs)) remaining = kPollerTickNs;
    std::pair<int, uint32_t> wait{ep->ReadinessFd(), EPOLLIN};
    if (!c.kernel.WaitForFds(c.task, std::span(&wait, 1), remaining))
      return SysResult::Errno(EINTR);
    if (!c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
  }
}

int64_t DeadlineFromMs(int timeout_ms) {
  if (timeout_ms < 0) return -1;
  return NowNs() + static_cast<int64_t>(timeout_ms) * 1000000;
}

// WaitImpl under the call's signal mask (NULL: the thread's own).
SysResult MaskedWait(SyscallContext& c, int64_t deadline_ns) {
  std::optional<uint64_t> mask;
  SysResult r = ReadCallSigmask(c, c.arg(4), c.arg(5), &mask);
  if (!r.ok()) return r;
  r = EnterCallMask(c, mask);
  if (r.raw() == kNoReply) return r;
  return LeaveCallMask(c, WaitImpl(c, c.arg(1), static_cast<int>(c.arg(2)), deadline_ns));
}

SysResult EpollWait(SyscallContext& c) {
  return WaitImpl(c, c.arg(1), static_cast<int>(c.arg(2)),
                  DeadlineFromMs(static_cast<int>(c.arg(3))));
}

SysResult EpollPwait(SyscallContext& c) {
  return MaskedWait(c, DeadlineFromMs(static_cast<int>(c.arg(3))));
}

SysResult EpollPwait2(SyscallContext& c) {
  int64_t deadline = -1;
  if (c.arg(3)) {
    struct timespec ts;
    if (!CopyInObj(c, c.arg(3), &ts).ok()) return SysResult::Errno(EFAULT);
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return SysResult::Errno(EINVAL);
    int64_t max_sec = (INT64_MAX / 1000000000) / 2;
    deadline = ts.tv_sec > max_sec ? -1 : NowNs() + ts.tv_sec * 1000000000LL + ts.tv_nsec;
  }
  return MaskedWait(c, deadline);
}

}  // namespace

void RegisterEpollHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_epoll_create] = EpollCreate;
  (*t)[SYS_epoll_create1] = EpollCreate1;
  (*t)[SYS_epoll_ctl] = EpollCtl;
  (*t)[SYS_epoll_wait] = EpollWait;
  (*t)[SYS_epoll_pwait] = EpollPwait;
  (*t)[SYS_epoll_pwait2] = EpollPwait2;
}

}  // namespace sentry
