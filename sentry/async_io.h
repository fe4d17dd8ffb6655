// AsyncIo: O_ASYNC for the guest. An O_ASYNC description with a ReadinessFd() is watched
// edge-triggered in a host epoll set of its own (watched in turn by the event loop); on a
// readiness change the owner's signal (SIGIO or F_SETSIG's) is raised with kill/tgkill.
// Owned by the Kernel; sentry thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/sys_result.h"
#include "common/unique_fd.h"
#include "vfs/file_description.h"

namespace sentry {

class Kernel;
struct SyscallContext;

class AsyncIo {
 public:
  explicit AsyncIo(Kernel* kernel);
  ~AsyncIo();
  AsyncIo(const AsyncIo&) = delete;
  AsyncIo& operator=(const AsyncIo&) = delete;

  // The host epoll set: readable when a watched description changed readiness.
  int fd() const { return epoll_.get(); }
  // Whether any description is watched (the event loop must then poll fd()).
  bool watching() const { return live_ > 0; }
  // After F_SETFL: watches `f` while it is O_ASYNC (and has a readiness fd), else stops.
  void Update(const vfs::FileRef& f);
  // The event loop saw fd() readable: raises the signals that are due.
  void OnReady();
  // Raises the owner's signal of `f` for `band` (POLLIN, POLLOUT, ...) now.
  void Raise(vfs::FileDescription& f, uint32_t band);

 private:
  struct Watch {
    std::weak_ptr<vfs::FileDescription> file;
    const vfs::FileDescription* key = nullptr;  // in slot_of_
    int fd = -1;
    uint32_t gen = 0;
    bool live = false;
  };
  // Collects pending events, raising signals for all but slot `skip` (-1: none).
  void Collect(int64_t skip);
  void Drop(uint32_t slot);

  Kernel* kernel_;
  UniqueFd epoll_;
  std::vector<Watch> watches_;
  std::vector<uint32_t> free_;
  std::unordered_map<const vfs::FileDescription*, uint32_t> slot_of_;
  int live_ = 0;
};

// Whether `f` has Linux's fasync (pipes, FIFOs, ttys, sockets, inotify): F_SETFL keeps
// O_ASYNC only on those, as Linux does (eventfd, timerfd, epoll, signalfd, regular files and
// /dev/null drop it).
bool SupportsAsync(vfs::FileDescription& f);

// fcntl F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_SETSIG and F_GETSIG on `f`.
SysResult FcntlAsync(SyscallContext& c, vfs::FileDescription& f, int cmd, uint64_t arg);

}  // namespace sentry
