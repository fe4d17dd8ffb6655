// InotifyFile: an inotify instance (inotify_init1) for changes made inside the sandbox. Watches
// are kept per inode in a sentry-wide registry that vfs/fsnotify.cc delivers to; events queue
// in the instance (coalesced, IN_Q_OVERFLOW at 16384) and a doorbell eventfd is its readiness
// fd. Read-only, like Linux's (write is EBADF). Sentry thread only.
#pragma once

#include <sys/inotify.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "common/sys_result.h"
#include "common/unique_fd.h"
#include "vfs/hostfd.h"

namespace sentry::vfs {

class Dentry;
class Inode;
class InotifyFile;

// One watch: an (instance, inode) pair. The dentry keeps the inode (and its cache entry)
// alive, so later lookups of the same file find the same inode.
struct InotifyWatch {
  InotifyFile* owner = nullptr;
  int wd = 0;
  uint32_t mask = 0;  // events | IN_ONESHOT | IN_EXCL_UNLINK
  std::shared_ptr<Dentry> dentry;
  const Inode* inode = nullptr;
};

namespace inotify {
inline constexpr size_t kMaxQueuedEvents = 16384;  // /proc/sys/fs/inotify/max_queued_events
inline constexpr uint32_t kWatchBits = IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK;
// The bits inotify_add_watch accepts (Linux ALL_INOTIFY_BITS).
inline constexpr uint32_t kAllBits = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED |
                                     IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK |
                                     IN_MASK_ADD | IN_MASK_CREATE | IN_ISDIR | IN_ONESHOT;

// Delivers `mask` (IN_* event bits, maybe IN_ISDIR) to every watch on `inode` that asked for
// it. `name` empty: the event is about the inode itself; else about its child `name`.
// `subject`: the file the event is about, for IN_EXCL_UNLINK (null for name events).
void Deliver(const Inode* inode, uint32_t mask, uint32_t cookie, std::string_view name,
             Inode* subject);
// IN_DELETE_SELF to the watches on `inode` (when they asked), then IN_IGNORED; they end.
void EndWatches(const Inode* inode, bool is_dir);
bool Watched(const Inode* inode);
}  // namespace inotify

class InotifyFile final : public HostFile {
 public:
  // inotify_init1 flags: IN_NONBLOCK | IN_CLOEXEC, else EINVAL (IN_CLOEXEC is the fd table's).
  static ErrnoOr<std::shared_ptr<InotifyFile>> Create(int flags);
  InotifyFile(UniqueFd doorbell, int flags);
  ~InotifyFile() override;

  // Whole events that fit; EINVAL when the first does not; -EAGAIN when none is queued.
  SysResult Read(std::span<char> buf) override;
  SysResult Ioctl(uint32_t cmd, void* arg) override;  // FIONREAD: queued bytes
  SysResult Stat(struct stat* out) override;          // the doorbell's anon inode, root-owned
  ErrnoOr<std::shared_ptr<FileDescription>> Reopen(int flags) override;  // ENXIO
  uint32_t Readiness(uint32_t mask) override;
  std::string Path() const override { return "anon_inode:inotify"; }
  std::string FdInfo() const override;

  // inotify_add_watch on the resolved `d` (the caller checked IN_ONLYDIR and permissions):
  // the watch descriptor, or EEXIST (IN_MASK_CREATE on a watched inode).
  SysResult AddWatch(const std::shared_ptr<Dentry>& d, uint32_t mask);
  // inotify_rm_watch: queues IN_IGNORED; EINVAL for an unknown wd.
  int RemoveWatch(int wd);

  // Registry side (inotify::Deliver): queue one event; end one watch (IN_IGNORED).
  void Queue(int wd, uint32_t mask, uint32_t cookie, std::string_view name);
  void EndWatch(InotifyWatch* w);

  size_t queued_events() const { return events_.size(); }
  size_t watch_count() const { return watches_.size(); }

 private:
  struct Event {
    int32_t wd;
    uint32_t mask;
    uint32_t cookie;
    std::string name;
    size_t Size() const;
  };
  void Ring(bool ready);

  std::deque<Event> events_;
  size_t bytes_ = 0;             // FIONREAD
  bool overflow_queued_ = false;
  bool bell_ = false;  // the doorbell's counter is non-zero
  int next_wd_ = 1;
  absl::flat_hash_map<int, std::unique_ptr<InotifyWatch>> watches_;
  absl::flat_hash_map<const Inode*, InotifyWatch*> by_inode_;
};

}  // namespace sentry::vfs
