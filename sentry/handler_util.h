// Helpers shared by syscall handlers: guest copies, path arguments, fd lookup, and the
// blocking-I/O pattern (wait, re-check the request, then commit). Sentry thread only.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <string>

#include "platform/guest_memory.h"
#include "sentry/kernel.h"

namespace sentry {

inline constexpr size_t kPathMax = 4096;

inline SysResult CopyIn(SyscallContext& c, uint64_t addr, void* buf, size_t len) {
  return platform::ReadGuest(c.tid(), addr, buf, len);
}
inline SysResult CopyOut(SyscallContext& c, uint64_t addr, const void* buf, size_t len) {
  return platform::WriteGuest(c.tid(), addr, buf, len);
}
template <typename T>
SysResult CopyInObj(SyscallContext& c, uint64_t addr, T* obj) {
  return CopyIn(c, addr, obj, sizeof(T));
}
template <typename T>
SysResult CopyOutObj(SyscallContext& c, uint64_t addr, const T& obj) {
  return CopyOut(c, addr, &obj, sizeof(T));
}

// Reads a path argument: EFAULT, ENAMETOOLONG (>= PATH_MAX).
SysResult ReadPath(SyscallContext& c, uint64_t addr, std::string* out);

// A path argument held in a buffer of the handler's own (fiber) stack: the hot path syscalls
// (stat family, open, access) read their path without allocating.
struct GuestPath {
  char buf[vfs::kPathMax];
  size_t len = 0;
  std::string_view view() const { return {buf, len}; }
  bool empty() const { return len == 0; }
  char front() const { return buf[0]; }
};
SysResult ReadPath(SyscallContext& c, uint64_t addr, GuestPath* out);

// Writes cannot be taken back (DESIGN §5): write/writev/sendto/sendmsg call
// ReplayUndeliveredWrite first — true (and the result in *out) when this call is the
// kernel's restart of one whose reply did not land (Task::write_replay) — and wrap their
// result in RecordWrite, which keeps what a failed reply must remember.
bool ReplayUndeliveredWrite(SyscallContext& c, const vfs::FileRef& f, SysResult* out);
SysResult RecordWrite(SyscallContext& c, const vfs::FileRef& f, SysResult r);

// The caller's FsContext for VFS calls.
vfs::FsContext FsFor(SyscallContext& c);

inline vfs::FileRef GetFile(SyscallContext& c, uint64_t fd) {
  if (static_cast<int64_t>(fd) < 0 || fd > INT32_MAX) return nullptr;
  return c.proc.fds->Get(static_cast<int>(fd));
}

// RLIMIT_NOFILE of the calling process (the fd table limit).
int FdLimit(SyscallContext& c);

// RLIMIT_FSIZE, which the sentry enforces itself because the host never sees guest file
// writes (docs/architecture.md "rlimits"). Only regular files are limited, as on Linux.
// A write of `count` bytes at `offset` (-1: the file position; O_APPEND: the end), as
// generic_write_check_limits: the count allowed (short when it would cross the limit), or
// EFBIG with SIGXFSZ raised when the write starts at or past the limit.
SysResult LimitFileWrite(SyscallContext& c, const vfs::FileRef& f, int64_t offset,
                         uint64_t count);
// Growing a file of `st` to `new_size` (truncate, fallocate; inode_newsize_ok): 0, or EFBIG
// with SIGXFSZ raised.
int LimitFileGrowth(SyscallContext& c, const struct stat& st, int64_t new_size);

// Runs `op` until it stops returning EAGAIN on a blocking description, waiting on the
// file's readiness fd in between. After each wait the request is re-validated before
// `op` runs again, so a cancelled syscall consumes nothing.
template <typename Op>
SysResult Blocking(SyscallContext& c, const vfs::FileRef& f, uint32_t events, Op op) {
  for (;;) {
    SysResult r = op();
    if (r.error() != EAGAIN || (f->status_flags() & O_NONBLOCK) || f->ReadinessFd() < 0)
      return r;
    int fd = events == EPOLLOUT ? f->WriteWaitFd() : f->ReadinessFd();
    if (!c.kernel.WaitForFd(c.task, fd, events)) return SysResult::Errno(EINTR);
    if (!c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
  }
}

}  // namespace sentry
