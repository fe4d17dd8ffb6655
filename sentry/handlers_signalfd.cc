// signalfd and signalfd4 over vfs::SignalFd: the host signalfd is mirrored into the guest at
// the virtual fd number and read/readv are continued, so the host dequeues the reading guest's
// own signals (blocking, EINTR and EAGAIN are native). poll/select/epoll readiness comes from
// the poller's pending signals in host /proc, re-checked on a short tick. Sentry thread only.
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "sentry/host_proc.h"
#include "vfs/signalfd.h"

namespace sentry {
namespace {

// The signals pending for the host thread `tid`: its own and its process's.
uint64_t PendingOf(pid_t tid) {
  std::string status;
  if (!ReadHostProc(tid, "status", &status)) return 0;
  return StatusSigMask(status, "\nSigPnd:") | StatusSigMask(status, "\nShdPnd:");
}

SysResult SignalfdImpl(SyscallContext& c, uint64_t fd_arg, uint64_t mask_addr, uint64_t size,
                       uint64_t flags) {
  if (flags & ~uint64_t{SFD_CLOEXEC | SFD_NONBLOCK}) return SysResult::Errno(EINVAL);
  if (size != sizeof(uint64_t)) return SysResult::Errno(EINVAL);
  uint64_t mask;
  if (!CopyInObj(c, mask_addr, &mask).ok()) return SysResult::Errno(EFAULT);
  int fd = static_cast<int>(fd_arg);
  if (fd == -1) {
    auto f = vfs::SignalFd::Create(mask, static_cast<int>(flags));
    if (!f.ok()) return SysResult::Errno(f.error());
    return c.proc.fds->Install(*f, flags & SFD_CLOEXEC, 0, FdLimit(c));
  }
  vfs::FileRef f = GetFile(c, static_cast<uint64_t>(static_cast<int64_t>(fd)));
  if (!f) return SysResult::Errno(EBADF);
  auto* s = dynamic_cast<vfs::SignalFd*>(f.get());
  if (!s) return SysResult::Errno(EINVAL);
  if (int err = s->SetMask(mask)) return SysResult::Errno(err);
  return fd;
}

SysResult Signalfd(SyscallContext& c) { return SignalfdImpl(c, c.arg(0), c.arg(1), c.arg(2), 0); }
SysResult Signalfd4(SyscallContext& c) {
  return SignalfdImpl(c, c.arg(0), c.arg(1), c.arg(2), c.arg(3));
}

// Epoll instances with signalfds registered: (the epoll, the signalfd), pruned when either
// is gone. Usually empty, so epoll_wait pays one emptiness check.
struct EpollSignalFds {
  std::weak_ptr<vfs::FileDescription> epoll;
  std::vector<std::weak_ptr<vfs::FileDescription>> signalfds;
};
absl::flat_hash_map<const vfs::FileDescription*, EpollSignalFds>& EpollMap() {
  static auto* m = new absl::flat_hash_map<const vfs::FileDescription*, EpollSignalFds>();
  return *m;
}

}  // namespace

bool ContinueGuestRead(SyscallContext& c, uint64_t fd, const vfs::FileRef& f, SysResult* r) {
  auto* s = dynamic_cast<vfs::SignalFd*>(f.get());
  if (!s) return false;
  int n = static_cast<int>(fd);
  auto it = c.proc.mirrors.find(n);
  if (it == c.proc.mirrors.end() || it->second != f) {
    SysResult add = c.kernel.platform().InstallFd(c.req, s->HostFd(), n, true);
    if (!add.ok()) {
      *r = add;
      return true;
    }
    c.proc.mirrors[n] = f;
  }
  s->SyncHostFlags();
  *r = SysResult(kContinueSyscall);
  return true;
}

bool RefreshPollerReadiness(SyscallContext& c, const vfs::FileRef& f) {
  auto* s = dynamic_cast<vfs::SignalFd*>(f.get());
  if (!s) return false;
  s->SetPending(PendingOf(c.task.host_tid));
  return true;
}

void NoteEpollTarget(const vfs::FileRef& epoll, const vfs::FileRef& target) {
  if (!dynamic_cast<vfs::SignalFd*>(target.get())) return;
  EpollSignalFds& e = EpollMap()[epoll.get()];
  if (e.epoll.lock() != epoll) e = EpollSignalFds{epoll, {}};
  for (const auto& w : e.signalfds) {
    if (w.lock() == target) return;
  }
  e.signalfds.push_back(target);
}

bool RefreshEpollReadiness(SyscallContext& c, const vfs::FileRef& epoll) {
  auto& m = EpollMap();
  if (m.empty()) return false;
  auto it = m.find(epoll.get());
  if (it == m.end()) return false;
  if (it->second.epoll.lock() != epoll) {
    m.erase(it);
    return false;
  }
  auto& list = it->second.signalfds;
  uint64_t pending = 0;
  bool read = false;
  for (size_t i = 0; i < list.size();) {
    vfs::FileRef f = list[i].lock();
    if (!f) {
      list[i] = std::move(list.back());
      list.pop_back();
      continue;
    }
    if (!read) {
      pending = PendingOf(c.task.host_tid);
      read = true;
    }
    static_cast<vfs::SignalFd*>(f.get())->SetPending(pending);
    ++i;
  }
  if (list.empty()) {
    m.erase(it);
    return false;
  }
  return true;
}

void RegisterSignalFdHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_signalfd] = Signalfd;
  (*t)[SYS_signalfd4] = Signalfd4;
}

}  // namespace sentry
