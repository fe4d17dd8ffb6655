// SignalFd: a guest signalfd backed by a sentry-created host signalfd that the guest itself
// reads (it is mirrored at the guest's fd number and read/readv are continued), so the signals
// dequeued are the reading guest's. Readiness is set by the sentry from the poller's pending
// signals (a doorbell eventfd as ReadinessFd). Sentry thread only.
#pragma once

#include <cstdint>
#include <memory>

#include "common/sys_result.h"
#include "common/unique_fd.h"
#include "vfs/anon_inode.h"

namespace sentry::vfs {

class SignalFd final : public AnonHostFile {
 public:
  // `mask` is the guest's sigset (bit N-1 for signal N); SIGKILL and SIGSTOP are dropped.
  static ErrnoOr<std::shared_ptr<SignalFd>> Create(uint64_t mask, int flags);
  SignalFd(UniqueFd fd, UniqueFd doorbell, uint64_t mask, int flags);

  // The sentry never reads a signalfd (that would dequeue its own signals): EINVAL, as for
  // splice/sendfile from a signalfd on Linux.
  SysResult Read(std::span<char> buf) override;
  SysResult Write(std::span<const char> buf) override;  // EINVAL
  // The host signalfd, for the guest's mirror.
  int HostFd() const override { return host_fd(); }
  int ReadinessFd() const override { return doorbell_.get(); }
  std::string FdInfo() const override;  // "sigmask:\t%016x\n"

  // POLLIN when the last SetPending saw a masked signal pending.
  uint32_t Readiness(uint32_t mask) override;

  // signalfd4 on an existing fd: the host signalfd's mask changes (mirrors share it).
  int SetMask(uint64_t mask);
  uint64_t mask() const { return mask_; }
  // The pending signals of the thread that polls (thread | process set): updates the
  // readiness and the doorbell (readable exactly while a masked signal is pending).
  void SetPending(uint64_t pending);
  // Makes the host file's O_NONBLOCK match this description's before the guest reads it.
  void SyncHostFlags();

  static uint64_t Sanitize(uint64_t mask);

 private:
  UniqueFd doorbell_;
  uint64_t mask_;
  bool ready_ = false;
  bool bell_ = false;  // the doorbell's counter is non-zero
};

}  // namespace sentry::vfs
