// eventfd descriptions over host eventfds. Sentry thread only.
#include "vfs/eventfd.h"

#include <sys/eventfd.h>

#include <cerrno>

namespace sentry::vfs {

SysResult EventFd::Read(std::span<char> buf) {
  if (buf.size() < sizeof(uint64_t)) return SysResult::Errno(EINVAL);
  return HostFile::Read(buf.first(sizeof(uint64_t)));
}

SysResult EventFd::Write(std::span<const char> buf) {
  if (buf.size() < sizeof(uint64_t)) return SysResult::Errno(EINVAL);
  SysResult r = HostFile::Write(buf.first(sizeof(uint64_t)));
  if (!r.ok()) return r;
  return static_cast<int64_t>(buf.size());
}

ErrnoOr<FileRef> MakeEventFd(uint32_t initval, int flags) {
  using R = ErrnoOr<FileRef>;
  if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)) return R::Errno(EINVAL);
  int fd = ::eventfd(initval, EFD_NONBLOCK | EFD_CLOEXEC | (flags & EFD_SEMAPHORE));
  if (fd < 0) return R::Errno(errno);
  return FileRef(std::make_shared<EventFd>(UniqueFd(fd), flags & EFD_NONBLOCK, "eventfd"));
}

}  // namespace sentry::vfs
