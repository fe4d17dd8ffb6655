// timerfd descriptions over host timerfds. Sentry thread only.
#include "vfs/timerfd.h"

#include <sys/timerfd.h>

#include <cerrno>
#include <cstdint>

namespace sentry::vfs {

SysResult TimerFd::Read(std::span<char> buf) {
  if (buf.size() < sizeof(uint64_t)) return SysResult::Errno(EINVAL);
  return HostFile::Read(buf.first(sizeof(uint64_t)));
}

SysResult TimerFd::Write(std::span<const char>) { return SysResult::Errno(EINVAL); }

SysResult TimerFd::SetTime(int flags, const itimerspec& value, itimerspec* old) {
  itimerspec prev{};
  if (::timerfd_settime(host_fd(), flags, &value, &prev) != 0) return SysResult::Errno(errno);
  if (old) *old = prev;
  return 0;
}

SysResult TimerFd::GetTime(itimerspec* cur) {
  if (::timerfd_gettime(host_fd(), cur) != 0) return SysResult::Errno(errno);
  return 0;
}

bool ValidTimerFdSetFlags(int flags) {
  return (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) == 0;
}

ErrnoOr<FileRef> MakeTimerFd(int clockid, int flags) {
  using R = ErrnoOr<FileRef>;
  if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC)) return R::Errno(EINVAL);
  int fd = ::timerfd_create(clockid, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return R::Errno(errno);
  return FileRef(std::make_shared<TimerFd>(UniqueFd(fd), flags & TFD_NONBLOCK, "timerfd"));
}

}  // namespace sentry::vfs
