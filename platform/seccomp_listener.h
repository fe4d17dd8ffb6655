// Thin wrapper over a seccomp user-notification listener fd (the ioctls of seccomp_unotify(2)).
// Owned by SeccompPlatform; sentry thread.
#pragma once

#include <linux/seccomp.h>

#include <cstdint>

#include "common/sys_result.h"
#include "common/unique_fd.h"

// Newer than Debian 12's headers (kernel 6.6).
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

namespace sentry::platform {

class SeccompListener {
 public:
  explicit SeccompListener(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }
  // Asks the kernel to wake the guest on the current CPU (6.6+). False if unsupported.
  bool EnableSyncWakeUp();
  // -EAGAIN/-ENOENT when nothing is pending or the request vanished.
  SysResult Receive(seccomp_notif* out);
  bool Respond(uint64_t id, int64_t raw, bool continue_syscall);
  SysResult AddFd(uint64_t id, int host_fd, int target_fd, bool cloexec);
  bool IdValid(uint64_t id);

 private:
  UniqueFd fd_;
};

}  // namespace sentry::platform
