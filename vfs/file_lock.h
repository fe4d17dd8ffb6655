// FileLockTable: the sandbox's advisory file locks — flock(2) locks and fcntl record locks
// (POSIX ones owned by an fd table, open-file-description ones owned by a description),
// keyed by the file's (st_dev, st_ino). Bookkeeping only: blocking callers wait on
// QueueFor(key). One table for the sentry (FileLocks()); sentry thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/wait_queue.h"

namespace sentry::vfs {

class FileDescription;

// Linux's OFFSET_MAX: a range ending here reaches past any end of file.
inline constexpr int64_t kLockOffsetMax = INT64_MAX;

struct LockKey {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const LockKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const LockKey& k) {
    return H::combine(std::move(h), k.dev, k.ino);
  }
};

enum class LockType : uint8_t { kRead, kWrite, kUnlock };

// An owner is an identity only, never dereferenced: the FdTable of a process (POSIX locks,
// as Linux keys them by files_struct) or a FileDescription (OFD and flock locks).
using LockOwner = const void*;

// One record lock on [start, end] (inclusive; end == kLockOffsetMax: to EOF and beyond).
// A request has the same shape (type kUnlock removes).
struct RecordLock {
  LockOwner owner = nullptr;
  LockType type = LockType::kRead;
  int64_t start = 0;
  int64_t end = kLockOffsetMax;
  bool ofd = false;  // an open-file-description lock (F_OFD_*): F_GETLK reports l_pid -1
  int pid = 0;       // sandbox pid of the process that set it (POSIX), for F_GETLK
  bool operator==(const RecordLock&) const = default;
};

// struct flock's (l_whence, l_start, l_len) as an inclusive range, like Linux: `cur` is the
// description's offset (SEEK_CUR), `size` the file's size (SEEK_END). l_len < 0 locks the
// bytes before the start, 0 to EOF. Returns 0, EINVAL (bad whence, negative start) or
// EOVERFLOW.
int LockRangeFromFlock(int whence, int64_t l_start, int64_t l_len, int64_t cur, int64_t size,
                       int64_t* start, int64_t* end);
// l_len reported for [start, end]: 0 when it reaches kLockOffsetMax.
inline int64_t LockLength(int64_t start, int64_t end) {
  return end == kLockOffsetMax ? 0 : end - start + 1;
}

class FileLockTable {
 public:
  FileLockTable() = default;
  FileLockTable(const FileLockTable&) = delete;
  FileLockTable& operator=(const FileLockTable&) = delete;

  // --- Record locks. POSIX and OFD locks share one space and conflict with each other;
  // an owner's own locks never conflict with a request of that owner.
  // The lowest-starting lock of another owner that conflicts with `req` (kRead/kWrite).
  std::optional<RecordLock> TestRecord(const LockKey& key, const RecordLock& req) const;
  // Sets (or with kUnlock clears) req.owner's locks on [req.start, req.end]: overlapped
  // locks of the owner are split or replaced, touching and overlapping ones of the same
  // type merged. Returns 0, or EAGAIN if another owner holds a conflicting lock (nothing
  // changes; *blocker gets that owner).
  int SetRecord(const LockKey& key, const RecordLock& req, LockOwner* blocker = nullptr);
  // Drops every record lock `owner` holds on `key` (a POSIX owner closing any fd of it).
  void ReleaseRecords(const LockKey& key, LockOwner owner);

  // --- flock locks (a separate space). kRead = LOCK_SH, kWrite = LOCK_EX, kUnlock = LOCK_UN.
  // Converting drops the old lock first, as Linux does (not atomic). Returns 0, or EAGAIN
  // (EWOULDBLOCK) on conflict with *blocker set.
  int Flock(const LockKey& key, LockOwner owner, LockType type, LockOwner* blocker = nullptr);

  // --- Owners.
  bool HasLocks(LockOwner owner) const { return by_owner_.contains(owner); }
  // Drops all locks of `owner` on every file (its fd table or description went away).
  void ReleaseOwner(LockOwner owner);

  // --- Waiting. A blocked caller arms an entry on QueueFor(key); the queue is woken
  // whenever a lock on that file is dropped, narrowed or downgraded. The queue lives while
  // it has armed entries or the file has locks; call Forget(key) after a wait ends.
  WaitQueue& QueueFor(const LockKey& key);
  void Forget(const LockKey& key);
  // POSIX deadlock detection (as Linux, F_SETLKW only): would `waiter` waiting for a lock
  // of `blocker` close a cycle of owners waiting for each other?
  bool WouldDeadlock(LockOwner waiter, LockOwner blocker) const;
  // Records that `waiter` waits for `blocker` until EndWait(id).
  uint64_t BeginWait(LockOwner waiter, LockOwner blocker);
  void EndWait(uint64_t id);

  // --- Introspection (tests, /proc/locks later).
  // The record locks on `key`, by start then owner.
  std::vector<RecordLock> Records(const LockKey& key) const;
  // flock holders on `key` with their type.
  std::vector<std::pair<LockOwner, LockType>> Flocks(const LockKey& key) const;
  size_t file_count() const { return files_.size(); }

 private:
  struct FileState {
    std::vector<RecordLock> records;  // sorted by start; one owner's ranges never overlap
    std::vector<std::pair<LockOwner, LockType>> flocks;
    WaitQueue queue;
  };
  struct Waiting {
    uint64_t id;
    LockOwner waiter;
    LockOwner blocker;
  };

  FileState* Find(const LockKey& key) const;
  FileState& Get(const LockKey& key);
  // Keeps by_owner_ in step after `owner`'s locks on `key` changed.
  void Reindex(const LockKey& key, const FileState& fs, LockOwner owner);
  // Erases the file's state when it holds no locks and nobody waits on it.
  void PruneIfIdle(const LockKey& key);

  absl::flat_hash_map<LockKey, std::unique_ptr<FileState>> files_;
  absl::flat_hash_map<LockOwner, absl::flat_hash_set<LockKey>> by_owner_;
  std::vector<Waiting> waiting_;
  uint64_t next_wait_id_ = 1;
};

// While alive, a blocked caller waits on the file's queue; a POSIX waiter is registered for
// deadlock detection. Destroy it after the WaitQueue entry (declare it first).
class LockWaitScope {
 public:
  LockWaitScope(FileLockTable& table, const LockKey& key, LockOwner waiter, LockOwner blocker,
                bool posix)
      : table_(table), key_(key), id_(posix ? table.BeginWait(waiter, blocker) : 0) {}
  ~LockWaitScope() {
    if (id_ != 0) table_.EndWait(id_);
    table_.Forget(key_);
  }
  LockWaitScope(const LockWaitScope&) = delete;
  LockWaitScope& operator=(const LockWaitScope&) = delete;
  WaitQueue& queue() { return table_.QueueFor(key_); }

 private:
  FileLockTable& table_;
  LockKey key_;
  uint64_t id_;
};

// The sentry's lock table.
FileLockTable& FileLocks();

// Hooks for the fd table and descriptions (the close paths of Linux):
// `fd_table` closed an fd of `f`: its POSIX locks on that file go (only when it holds any).
void ReleasePosixLocksOnClose(LockOwner fd_table, FileDescription& f);
// The key of a description's file (and its size) from its Stat: 0 or Stat's errno.
int LockKeyOf(FileDescription& f, LockKey* key, int64_t* size = nullptr);

}  // namespace sentry::vfs
