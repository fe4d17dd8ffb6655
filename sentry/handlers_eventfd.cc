// eventfd, eventfd2, timerfd_create, timerfd_settime, timerfd_gettime over vfs::EventFd
// and vfs::TimerFd (host-backed; read/write/poll go through the generic I/O handlers).
// Sentry thread only.
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "vfs/eventfd.h"
#include "vfs/timerfd.h"

namespace sentry {
namespace {

SysResult Install(SyscallContext& c, ErrnoOr<vfs::FileRef> f, bool cloexec) {
  if (!f.ok()) return SysResult::Errno(f.error());
  return c.proc.fds->Install(*f, cloexec, 0, FdLimit(c));
}

SysResult Eventfd(SyscallContext& c) {
  return Install(c, vfs::MakeEventFd(static_cast<uint32_t>(c.arg(0)), 0), false);
}

SysResult Eventfd2(SyscallContext& c) {
  int flags = static_cast<int>(c.arg(1));
  return Install(c, vfs::MakeEventFd(static_cast<uint32_t>(c.arg(0)), flags), flags & EFD_CLOEXEC);
}

SysResult TimerfdCreate(SyscallContext& c) {
  int flags = static_cast<int>(c.arg(1));
  return Install(c, vfs::MakeTimerFd(static_cast<int>(c.arg(0)), flags), flags & TFD_CLOEXEC);
}

bool ValidTimespec(const timespec& ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000;
}

// EBADF, or EINVAL when the fd is not a timerfd.
ErrnoOr<std::shared_ptr<vfs::TimerFd>> GetTimerFd(SyscallContext& c, uint64_t fd) {
  using R = ErrnoOr<std::shared_ptr<vfs::TimerFd>>;
  vfs::FileRef f = GetFile(c, static_cast<uint64_t>(static_cast<int>(fd)));
  if (!f) return R::Errno(EBADF);
  auto t = std::dynamic_pointer_cast<vfs::TimerFd>(f);
  if (!t) return R::Errno(EINVAL);
  return t;
}

SysResult TimerfdSettime(SyscallContext& c) {
  int flags = static_cast<int>(c.arg(1));
  itimerspec value;
  if (!CopyInObj(c, c.arg(2), &value).ok()) return SysResult::Errno(EFAULT);
  if (!vfs::ValidTimerFdSetFlags(flags) || !ValidTimespec(value.it_value) ||
      !ValidTimespec(value.it_interval))
    return SysResult::Errno(EINVAL);
  auto t = GetTimerFd(c, c.arg(0));
  if (!t.ok()) return SysResult::Errno(t.error());
  itimerspec old{};
  SysResult r = (*t)->SetTime(flags, value, &old);
  if (!r.ok()) return r;
  if (c.arg(3) && !CopyOutObj(c, c.arg(3), old).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult TimerfdGettime(SyscallContext& c) {
  auto t = GetTimerFd(c, c.arg(0));
  if (!t.ok()) return SysResult::Errno(t.error());
  itimerspec cur{};
  SysResult r = (*t)->GetTime(&cur);
  if (!r.ok()) return r;
  if (!CopyOutObj(c, c.arg(1), cur).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

}  // namespace

void RegisterEventFdHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_eventfd] = Eventfd;
  (*t)[SYS_eventfd2] = Eventfd2;
  (*t)[SYS_timerfd_create] = TimerfdCreate;
  (*t)[SYS_timerfd_settime] = TimerfdSettime;
  (*t)[SYS_timerfd_gettime] = TimerfdGettime;
}

}  // namespace sentry
