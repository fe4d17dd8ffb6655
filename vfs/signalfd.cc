// SignalFd over a host signalfd plus a doorbell eventfd (see signalfd.h). Sentry thread only.
#include "vfs/signalfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sentry::vfs {

uint64_t SignalFd::Sanitize(uint64_t mask) {
  return mask & ~((uint64_t{1} << (SIGKILL - 1)) | (uint64_t{1} << (SIGSTOP - 1)));
}

ErrnoOr<std::shared_ptr<SignalFd>> SignalFd::Create(uint64_t mask, int flags) {
  using R = ErrnoOr<std::shared_ptr<SignalFd>>;
  mask = Sanitize(mask);
  sigset_t set;
  std::memset(&set, 0, sizeof(set));
  std::memcpy(&set, &mask, sizeof(mask));
  // The host file's O_NONBLOCK follows the guest description (SyncHostFlags before reads).
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | (flags & SFD_NONBLOCK));
  if (fd < 0) return R::Errno(errno);
  UniqueFd sfd(fd);
  int bell = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (bell < 0) return R::Errno(errno);
  return std::make_shared<SignalFd>(std::move(sfd), UniqueFd(bell), mask, flags & SFD_NONBLOCK);
}

SignalFd::SignalFd(UniqueFd fd, UniqueFd doorbell, uint64_t mask, int flags)
    : AnonHostFile(std::move(fd), flags, "signalfd"), doorbell_(std::move(doorbell)),
      mask_(Sanitize(mask)) {}

SysResult SignalFd::Read(std::span<char>) { return SysResult::Errno(EINVAL); }
SysResult SignalFd::Write(std::span<const char>) { return SysResult::Errno(EINVAL); }

std::string SignalFd::FdInfo() const {
  char line[40];
  std::snprintf(line, sizeof(line), "sigmask:\t%016llx\n", static_cast<unsigned long long>(mask_));
  return line;
}

uint32_t SignalFd::Readiness(uint32_t mask) { return ready_ ? (mask & POLLIN) : 0; }

int SignalFd::SetMask(uint64_t mask) {
  mask = Sanitize(mask);
  sigset_t set;
  std::memset(&set, 0, sizeof(set));
  std::memcpy(&set, &mask, sizeof(mask));
  if (::signalfd(host_fd(), &set, 0) < 0) return errno;
  mask_ = mask;
  return 0;
}

void SignalFd::SetPending(uint64_t pending) {
  ready_ = (pending & mask_) != 0;
  if (ready_ == bell_) return;
  uint64_t v = 1;
  if (ready_) {
    (void)!::write(doorbell_.get(), &v, sizeof(v));
  } else {
    (void)!::read(doorbell_.get(), &v, sizeof(v));
  }
  bell_ = ready_;
}

void SignalFd::SyncHostFlags() {
  int fl = ::fcntl(host_fd(), F_GETFL);
  if (fl < 0) return;
  int want = (status_flags() & O_NONBLOCK) ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
  if (want != fl) ::fcntl(host_fd(), F_SETFL, want);
}

}  // namespace sentry::vfs
