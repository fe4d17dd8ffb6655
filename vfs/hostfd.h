// hostfd: file descriptions over host fds handed in by the launcher (the guest's stdio,
// the terminal behind /dev/tty). A terminal stays a terminal: tty ioctls pass through.
// Sentry thread only; never blocks the sentry (not-ready I/O returns -EAGAIN).
#pragma once

#include <memory>
#include <string>

#include "common/unique_fd.h"
#include "vfs/file_description.h"

namespace sentry::vfs {

// Non-blocking I/O on a host fd the sentry owns (stdio, pipe and FIFO buffers): -EAGAIN
// when poll says it is not ready (errors and hangups count as ready), EINTR retried.
SysResult ReadHostFdIfReady(int fd, std::span<char> buf);
SysResult WriteHostFdIfReady(int fd, std::span<const char> buf);

class HostFile : public FileDescription {
 public:
  // Owns `fd`. `dentry` may be null (stdio); `name` is the anonymous Path() then.
  HostFile(UniqueFd fd, int flags, std::shared_ptr<Dentry> dentry, std::string name);

  // -EAGAIN when poll(fd, POLLIN, 0) says nothing is ready (EOF and errors are ready).
  SysResult Read(std::span<char> buf) override;
  // -EAGAIN when poll(fd, POLLOUT, 0) says the fd is not writable.
  SysResult Write(std::span<const char> buf) override;
  SysResult PRead(std::span<char> buf, int64_t offset) override;
  SysResult PWrite(std::span<const char> buf, int64_t offset) override;
  SysResult Seek(int64_t offset, int whence) override;
  // fstat of the host fd, or the dentry's inode when there is one (/dev/tty).
  SysResult Stat(struct stat* out) override;
  // TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, TIOCSPGRP,
  // FIONREAD, TIOCINQ, TIOCOUTQ go to the host fd; the rest is ENOTTY.
  SysResult Ioctl(uint32_t cmd, void* arg) override;
  int ReadinessFd() const override { return fd_.get(); }
  uint32_t Readiness(uint32_t mask) override;
  ErrnoOr<std::shared_ptr<FileDescription>> Reopen(int flags) override;
  SysResult PipeSize(int cmd, uint64_t arg) override;
  int host_fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

// F_GETPIPE_SZ / F_SETPIPE_SZ on a host fd (a pipe that is the buffer of a guest pipe or
// FIFO, or a launcher's stdio pipe); EBADF when it is no pipe.
SysResult HostPipeSize(int host_fd, int cmd, uint64_t arg);

// stdio handed in by the launcher: a description over a dup of `host_fd` (the caller keeps
// its own fd). `access_mode` is O_RDONLY/O_WRONLY/O_RDWR. Returns nullptr if dup fails.
std::shared_ptr<FileDescription> MakeHostFile(int host_fd, int access_mode, std::string name);

// The name /proc/PID/fd shows for such a host fd, guest fd `fd`: "pipe:[INO]" and
// "socket:[INO]" as Linux names them, "/dev/null" for it; anything else (a terminal, a host
// file) "host:[FD]", so that no host path shows.
std::string HostStdioName(int host_fd, int fd);

}  // namespace sentry::vfs
