// seccomp user-notification ioctls. Sentry thread.
#include "platform/seccomp_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace sentry::platform {

bool SeccompListener::EnableSyncWakeUp() {
  return ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0) ==
         0;
}

SysResult SeccompListener::Receive(seccomp_notif* out) {
  memset(out, 0, sizeof(*out));
  // The listener is blocking; only call after epoll said it is readable.
  pollfd p{fd_.get(), POLLIN, 0};
  if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) return SysResult::Errno(EAGAIN);
  if (ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_RECV, out) < 0) return SysResult::Errno(errno);
  return 0;
}

bool SeccompListener::Respond(uint64_t id, int64_t raw, bool continue_syscall) {
  seccomp_notif_resp resp{};
  resp.id = id;
  if (continue_syscall) {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else if (raw < 0 && raw >= -4095) {
    resp.error = static_cast<int32_t>(raw);
  } else {
    resp.val = raw;
  }
  return ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}

SysResult SeccompListener::AddFd(uint64_t id, int host_fd, int target_fd, bool cloexec) {
  seccomp_notif_addfd add{};
  add.id = id;
  add.srcfd = host_fd;
  add.newfd = target_fd;
  add.flags = SECCOMP_ADDFD_FLAG_SETFD;
  add.newfd_flags = cloexec ? O_CLOEXEC : 0;
  // The kernel drops an interrupted, unprocessed ADDFD, so retrying is safe (and SETFD makes
  // it idempotent anyway).
  int r;
  do {
    r = ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_ADDFD, &add);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return SysResult::Errno(errno);
  return r;
}

bool SeccompListener::IdValid(uint64_t id) {
  return ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

}  // namespace sentry::platform
