// hostfd descriptions.
// Ownership as described in vfs/hostfd.h; sentry thread only.
#include "vfs/hostfd.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "vfs/dentry.h"

namespace sentry::vfs {
namespace {

SysResult FromHost(ssize_t r) { return r < 0 ? SysResult::Errno(errno) : SysResult(r); }

// poll(fd, events, 0): true when something is ready (errors and hangups count as ready:
// the following read or write reports them).
bool ReadyNow(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r != 0;
}

}  // namespace

HostFile::HostFile(UniqueFd fd, int flags, std::shared_ptr<Dentry> dentry, std::string name)
    : FileDescription(std::move(dentry), flags, std::move(name)), fd_(std::move(fd)) {}

SysResult ReadHostFdIfReady(int fd, std::span<char> buf) {
  if (buf.empty()) return 0;
  if (!ReadyNow(fd, POLLIN)) return SysResult::Errno(EAGAIN);
  ssize_t r;
  do {
    r = ::read(fd, buf.data(), std::min(buf.size(), kMaxRwCount));
  } while (r < 0 && errno == EINTR);
  return FromHost(r);
}

SysResult WriteHostFdIfReady(int fd, std::span<const char> buf) {
  if (!ReadyNow(fd, POLLOUT)) return SysResult::Errno(EAGAIN);
  ssize_t r;
  do {
    r = ::write(fd, buf.data(), std::min(buf.size(), kMaxRwCount));
  } while (r < 0 && errno == EINTR);
  return FromHost(r);
}

SysResult HostFile::Read(std::span<char> buf) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  return ReadHostFdIfReady(fd_.get(), buf);
}

SysResult HostFile::Write(std::span<const char> buf) {
  if (int err = CheckWritable()) return SysResult::Errno(err);
  return WriteHostFdIfReady(fd_.get(), buf);
}

SysResult HostFile::PRead(std::span<char> buf, int64_t offset) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  if (offset < 0) return SysResult::Errno(EINVAL);
  return FromHost(::pread(fd_.get(), buf.data(), std::min(buf.size(), kMaxRwCount), offset));
}

SysResult HostFile::PWrite(std::span<const char> buf, int64_t offset) {
  if (int err = CheckWritable()) return SysResult::Errno(err);
  if (offset < 0) return SysResult::Errno(EINVAL);
  return FromHost(::pwrite(fd_.get(), buf.data(), std::min(buf.size(), kMaxRwCount), offset));
}

SysResult HostFile::Seek(int64_t offset, int whence) {
  if (is_path()) return SysResult::Errno(EBADF);
  return FromHost(::lseek(fd_.get(), offset, whence));
}

SysResult HostFile::Stat(struct stat* out) {
  if (dentry() != nullptr) return FileDescription::Stat(out);
  return FromHost(::fstat(fd_.get(), out));
}

SysResult HostFile::Ioctl(uint32_t cmd, void* arg) {
  if (is_path()) return SysResult::Errno(EBADF);
  switch (cmd) {
    case TCGETS:
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
    case TIOCGWINSZ:
    case TIOCSWINSZ:
    case TIOCGPGRP:
    case TIOCSPGRP:
    case FIONREAD:  // == TIOCINQ
    case TIOCOUTQ:
      if (arg == nullptr) return SysResult::Errno(EFAULT);
      return FromHost(::ioctl(fd_.get(), cmd, arg));
    default:
      return SysResult::Errno(ENOTTY);
  }
}

SysResult HostFile::PipeSize(int cmd, uint64_t arg) {
  if (is_path()) return SysResult::Errno(EBADF);
  return HostPipeSize(fd_.get(), cmd, arg);  // EBADF from the host unless a pipe
}

SysResult HostPipeSize(int host_fd, int cmd, uint64_t arg) {
  // The host applies Linux's rules itself: the size as an unsigned int, rounded up to a
  // power-of-two number of pages, EBUSY below the content, EPERM above pipe-max-size.
  long r = ::syscall(SYS_fcntl, host_fd, cmd, static_cast<unsigned long>(arg));
  return r < 0 ? SysResult::Errno(errno) : SysResult(static_cast<int64_t>(r));
}

uint32_t HostFile::Readiness(uint32_t mask) {
  struct pollfd p = {fd_.get(), static_cast<short>(mask), 0};
  if (::poll(&p, 1, 0) <= 0) return 0;
  return static_cast<uint16_t>(p.revents);
}

ErrnoOr<FileRef> HostFile::Reopen(int flags) {
  int fd = ::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return ErrnoOr<FileRef>::Errno(errno);
  return FileRef(std::make_shared<HostFile>(UniqueFd(fd), flags, dentry(), Path()));
}

std::shared_ptr<FileDescription> MakeHostFile(int host_fd, int access_mode, std::string name) {
  int fd = ::fcntl(host_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  return std::make_shared<HostFile>(UniqueFd(fd), access_mode & O_ACCMODE, nullptr,
                                    std::move(name));
}

std::string HostStdioName(int host_fd, int fd) {
  struct stat st;
  if (::fstat(host_fd, &st) == 0) {
    if (S_ISFIFO(st.st_mode)) return "pipe:[" + std::to_string(st.st_ino) + "]";
    if (S_ISSOCK(st.st_mode)) return "socket:[" + std::to_string(st.st_ino) + "]";
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) return "/dev/null";
  }
  return "host:[" + std::to_string(fd) + "]";
}

}  // namespace sentry::vfs
