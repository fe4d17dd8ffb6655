// AnonHostFile: see anon_inode.h. Sentry thread only.
#include "vfs/anon_inode.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

namespace sentry::vfs {

AnonHostFile::AnonHostFile(UniqueFd fd, int flags, const char* kind)
    : HostFile(std::move(fd), O_RDWR | (flags & ~O_ACCMODE), nullptr,
               std::string("anon_inode:[") + kind + "]") {}

SysResult AnonHostFile::Stat(struct stat* out) {
  if (::fstat(host_fd(), out) != 0) return SysResult::Errno(errno);
  out->st_uid = 0;
  out->st_gid = 0;
  return 0;
}

SysResult AnonHostFile::Ioctl(uint32_t, void*) { return SysResult::Errno(ENOTTY); }

ErrnoOr<FileRef> AnonHostFile::Reopen(int) { return ErrnoOr<FileRef>::Errno(ENXIO); }

}  // namespace sentry::vfs
