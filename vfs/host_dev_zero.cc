// Implementation of HostDevZeroFd (see host_dev_zero.h). Sentry thread only.
#include "vfs/host_dev_zero.h"

#include <fcntl.h>

namespace sentry::vfs {

int HostDevZeroFd() {
  static const int fd = ::open("/dev/zero", O_RDWR | O_CLOEXEC);
  return fd;
}

}  // namespace sentry::vfs
