// eventfd: an emulated eventfd backed by a sentry-owned host eventfd (non-blocking,
// close-on-exec), so the counter, EFD_SEMAPHORE, overflow and readiness are the host's;
// blocking and O_NONBLOCK are the sentry's (waits on the host fd). Sentry thread only.
#pragma once

#include <cstdint>

#include "common/sys_result.h"
#include "vfs/anon_inode.h"

namespace sentry::vfs {

class EventFd : public AnonHostFile {
 public:
  using AnonHostFile::AnonHostFile;
  // 8-byte counter transfers: EINVAL for a shorter buffer, -EAGAIN when the counter is 0
  // (read) or would overflow (write); EINVAL for a write of 0xffffffffffffffff.
  SysResult Read(std::span<char> buf) override;
  // Adds the first 8 bytes once and reports the whole buffer consumed (Linux reports 8; the
  // generic write loop would otherwise add the rest of a longer buffer again).
  SysResult Write(std::span<const char> buf) override;
};

// eventfd2(initval, flags): flags of EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC, else EINVAL.
// EFD_CLOEXEC is the caller's (fd table) business.
ErrnoOr<FileRef> MakeEventFd(uint32_t initval, int flags);

}  // namespace sentry::vfs
