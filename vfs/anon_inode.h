// AnonHostFile: base of the anonymous-inode descriptions (eventfd, timerfd, epoll) that are
// backed by a host object of the same kind owned by the sentry (non-blocking, close-on-exec).
// The host fd is also the readiness fd. Sentry thread only.
#pragma once

#include <string>

#include "common/unique_fd.h"
#include "vfs/hostfd.h"

namespace sentry::vfs {

class AnonHostFile : public HostFile {
 public:
  // `kind` names the inode: "eventfd" → Path() "anon_inode:[eventfd]". Always O_RDWR plus
  // the status bits of `flags` (O_NONBLOCK).
  AnonHostFile(UniqueFd fd, int flags, const char* kind);

  // fstat of the host object (mode 0600, no file type, the anon inode's device and inode),
  // owned by root as on a native kernel.
  SysResult Stat(struct stat* out) override;
  SysResult Ioctl(uint32_t cmd, void* arg) override;  // ENOTTY
  // Linux refuses to reopen anonymous inodes through /proc/self/fd.
  ErrnoOr<std::shared_ptr<FileDescription>> Reopen(int flags) override;
};

}  // namespace sentry::vfs
