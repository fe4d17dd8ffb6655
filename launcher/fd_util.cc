// Implementation of the post-fork fd helpers.
// Owned by the launcher; child processes right after fork/clone.
#include "launcher/fd_util.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

namespace sentry::launcher {

void CloseFdsFrom(int first) {
  if (::syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  struct rlimit rl = {};
  long max = 65536;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    max = std::min<long>(static_cast<long>(rl.rlim_cur), 1 << 20);
  }
  for (long fd = first; fd < max; ++fd) ::close(static_cast<int>(fd));
}

void EnsureStdioOpen() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) RedirectToDevNull(fd);
  }
}

bool MoveFdTo(int fd, int target) {
  if (fd == target) return true;
  if (::dup3(fd, target, O_CLOEXEC) < 0) return false;
  ::close(fd);
  return true;
}

bool RedirectToDevNull(int target) {
  int fd = ::open("/dev/null", O_RDWR);
  if (fd < 0) return false;
  if (fd == target) return true;
  bool ok = ::dup2(fd, target) >= 0;
  ::close(fd);
  return ok;
}

}  // namespace sentry::launcher
