// EpollFile: an emulated epoll instance. It owns a host epoll fd; each guest registration
// registers the description's readiness fd (a dup when that host fd is already in the set)
// with the guest's events, tagged with a slot that maps back to the guest's epoll_data, so
// level/edge triggering, EPOLLONESHOT, EPOLLEXCLUSIVE and nesting are the host kernel's.
// See docs/architecture.md ("epoll"). Sentry thread only.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/sys_result.h"
#include "vfs/anon_inode.h"

namespace sentry::vfs {

class EpollFile : public AnonHostFile {
 public:
  // epoll_create1: EMFILE/ENFILE/ENOMEM from the host.
  static ErrnoOr<std::shared_ptr<EpollFile>> Create(int status_flags = 0);
  EpollFile(UniqueFd fd, int flags);
  ~EpollFile() override;

  SysResult Read(std::span<char> buf) override;         // EINVAL
  SysResult Write(std::span<const char> buf) override;  // EINVAL

  // epoll_ctl on the sentry's copy of the guest's event (ignored for DEL). `fd` is the guest
  // fd number of `target` (the registration key is the pair, as in Linux). The caller has
  // checked EBADF, EPERM (target->ReadinessFd() < 0) and EINVAL for target == this.
  // Returns 0 or an errno: EEXIST, ENOENT, EINVAL (op, EPOLLEXCLUSIVE misuse), ELOOP.
  int Ctl(int op, int fd, const FileRef& target, const epoll_event& ev);

  // Moves up to out.size() ready events into `out` without blocking, with the guest's
  // epoll_data. Returns the count (0: none ready) or -errno.
  SysResult Collect(std::span<epoll_event> out);

  // Registrations whose description is still open (tests).
  size_t size() const;

 private:
  struct Item {
    int fd = -1;                          // guest fd number
    std::weak_ptr<FileDescription> file;  // released description → stale item
    const FileDescription* raw = nullptr;
    uint64_t data = 0;  // guest epoll_data, verbatim
    uint32_t events = 0;  // the guest's interest mask
    int host_fd = -1;   // registered host fd (the readiness fd, or `dup`)
    UniqueFd dup;       // owned when the readiness fd was already in use
    uint32_t gen = 0;   // bumped on reuse, so stale host events are dropped
    bool used = false;
  };

  // The live item for (fd, target), dropping a stale one with that key; -1 if none.
  int Find(int fd, const FileDescription* target);
  void Release(int idx);
  // Closes the dups of released descriptions (they would keep the host object open).
  void PruneDups();
  uint64_t Tag(int idx) const { return (uint64_t{items_[idx].gen} << 32) | uint32_t(idx); }

  std::vector<Item> items_;
  absl::flat_hash_map<std::pair<int, const FileDescription*>, int> index_;
  std::vector<int> free_;
  std::vector<int> dup_items_;  // indices of items that own a dup (usually empty)
};

}  // namespace sentry::vfs
