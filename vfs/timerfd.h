// timerfd: an emulated timerfd backed by a sentry-owned host timerfd (non-blocking,
// close-on-exec) on the same clock: expiration counting, TFD_TIMER_ABSTIME and
// TFD_TIMER_CANCEL_ON_SET are the host's; blocking reads wait on the host fd. Sentry thread.
#pragma once

#include <time.h>

#include "common/sys_result.h"
#include "vfs/anon_inode.h"

namespace sentry::vfs {

class TimerFd : public AnonHostFile {
 public:
  using AnonHostFile::AnonHostFile;
  // The expiration count (8 bytes): EINVAL for a shorter buffer, -EAGAIN when none,
  // ECANCELED after a clock change with TFD_TIMER_CANCEL_ON_SET.
  SysResult Read(std::span<char> buf) override;
  SysResult Write(std::span<const char> buf) override;  // EINVAL, as Linux
  // timerfd_settime/gettime on already validated copies. `old` may be null.
  SysResult SetTime(int flags, const itimerspec& value, itimerspec* old);
  SysResult GetTime(itimerspec* cur);
};

// timerfd_create(clockid, flags): flags of TFD_NONBLOCK | TFD_CLOEXEC, else EINVAL; the
// clock is checked by the host (EINVAL; EPERM for the alarm clocks without CAP_WAKE_ALARM).
ErrnoOr<FileRef> MakeTimerFd(int clockid, int flags);

// The settime flags Linux accepts.
bool ValidTimerFdSetFlags(int flags);

}  // namespace sentry::vfs
