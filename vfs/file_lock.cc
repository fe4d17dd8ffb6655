// FileLockTable: range arithmetic, conflicts, owners and deadlock detection of the
// sandbox's file locks. See vfs/file_lock.h; sentry thread only.
#include "vfs/file_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "vfs/file_description.h"

namespace sentry::vfs {
namespace {

bool Overlaps(const RecordLock& a, const RecordLock& b) {
  return a.start <= b.end && b.start <= a.end;
}

// True when one range ends right before the other starts.
bool Touches(const RecordLock& a, const RecordLock& b) {
  return (a.end != kLockOffsetMax && a.end + 1 == b.start) ||
         (b.end != kLockOffsetMax && b.end + 1 == a.start);
}

bool Conflicts(LockType held, LockType wanted) {
  return held == LockType::kWrite || wanted == LockType::kWrite;
}

bool ByStart(const RecordLock& a, const RecordLock& b) {
  if (a.start != b.start) return a.start < b.start;
  return std::less<LockOwner>()(a.owner, b.owner);
}

// Linux follows at most this many "owner waits for owner" links (MAX_DEADLK_ITERATIONS).
constexpr int kMaxDeadlockSteps = 10;

}  // namespace

int LockRangeFromFlock(int whence, int64_t l_start, int64_t l_len, int64_t cur, int64_t size,
                       int64_t* start, int64_t* end) {
  int64_t base;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = cur;
      break;
    case SEEK_END:
      base = size;
      break;
    default:
      return EINVAL;
  }
  int64_t s;
  if (__builtin_add_overflow(base, l_start, &s)) return l_start > 0 ? EOVERFLOW : EINVAL;
  if (s < 0) return EINVAL;
  int64_t e;
  if (l_len > 0) {
    if (l_len - 1 > kLockOffsetMax - s) return EOVERFLOW;
    e = s + (l_len - 1);
  } else if (l_len < 0) {
    e = s - 1;
    if (__builtin_add_overflow(s, l_len, &s) || s < 0) return EINVAL;
  } else {
    e = kLockOffsetMax;
  }
  *start = s;
  *end = e;
  return 0;
}

FileLockTable::FileState* FileLockTable::Find(const LockKey& key) const {
  auto it = files_.find(key);
  return it == files_.end() ? nullptr : it->second.get();
}

FileLockTable::FileState& FileLockTable::Get(const LockKey& key) {
  std::unique_ptr<FileState>& fs = files_[key];
  if (!fs) fs = std::make_unique<FileState>();
  return *fs;
}

void FileLockTable::Reindex(const LockKey& key, const FileState& fs, LockOwner owner) {
  bool holds = std::any_of(fs.records.begin(), fs.records.end(),
                           [&](const RecordLock& l) { return l.owner == owner; }) ||
               std::any_of(fs.flocks.begin(), fs.flocks.end(),
                           [&](const auto& f) { return f.first == owner; });
  if (holds) {
    by_owner_[owner].insert(key);
    return;
  }
  auto it = by_owner_.find(owner);
  if (it == by_owner_.end()) return;
  it->second.erase(key);
  if (it->second.empty()) by_owner_.erase(it);
}

void FileLockTable::PruneIfIdle(const LockKey& key) {
  auto it = files_.find(key);
  if (it == files_.end()) return;
  const FileState& fs = *it->second;
  if (fs.records.empty() && fs.flocks.empty() && !fs.queue.has_waiters()) files_.erase(it);
}

std::optional<RecordLock> FileLockTable::TestRecord(const LockKey& key,
                                                    const RecordLock& req) const {
  const FileState* fs = Find(key);
  if (fs == nullptr || req.type == LockType::kUnlock) return std::nullopt;
  for (const RecordLock& l : fs->records) {  // sorted by start: the first is the lowest
    if (l.owner != req.owner && Overlaps(l, req) && Conflicts(l.type, req.type)) return l;
  }
  return std::nullopt;
}

int FileLockTable::SetRecord(const LockKey& key, const RecordLock& req, LockOwner* blocker) {
  if (req.start < 0 || req.end < req.start) return EINVAL;
  FileState* fs = Find(key);
  if (fs == nullptr) {
    if (req.type == LockType::kUnlock) return 0;
    fs = &Get(key);
  }
  if (req.type != LockType::kUnlock) {
    for (const RecordLock& l : fs->records) {
      if (l.owner != req.owner && Overlaps(l, req) && Conflicts(l.type, req.type)) {
        if (blocker) *blocker = l.owner;
        PruneIfIdle(key);
        return EAGAIN;
      }
    }
  }
  // Rebuild the owner's part: other owners' locks stay as they are; the owner's locks that
  // overlap or touch a same-type request merge into it; the rest keep what lies outside.
  std::vector<RecordLock> out;
  out.reserve(fs->records.size() + 2);
  int64_t start = req.start, end = req.end;
  bool loosened = false;  // something was unlocked or downgraded: waiters may proceed
  for (const RecordLock& l : fs->records) {
    if (l.owner != req.owner) {
      out.push_back(l);
      continue;
    }
    bool overlaps = Overlaps(l, req);
    if (req.type != LockType::kUnlock && l.type == req.type && (overlaps || Touches(l, req))) {
      start = std::min(start, l.start);
      end = std::max(end, l.end);
      continue;
    }
    if (!overlaps) {
      out.push_back(l);
      continue;
    }
    if (l.type == LockType::kWrite || req.type == LockType::kUnlock) loosened = true;
    if (l.start < req.start) {
      RecordLock left = l;
      left.end = req.start - 1;
      out.push_back(left);
    }
    if (l.end > req.end) {
      RecordLock right = l;
      right.start = req.end + 1;
      out.push_back(right);
    }
  }
  if (req.type != LockType::kUnlock) {
    RecordLock merged = req;
    merged.start = start;
    merged.end = end;
    out.push_back(merged);
  }
  std::sort(out.begin(), out.end(), ByStart);
  fs->records = std::move(out);
  Reindex(key, *fs, req.owner);
  if (loosened) fs->queue.WakeAll();
  PruneIfIdle(key);
  return 0;
}

void FileLockTable::ReleaseRecords(const LockKey& key, LockOwner owner) {
  FileState* fs = Find(key);
  if (fs == nullptr) return;
  size_t removed =
      std::erase_if(fs->records, [&](const RecordLock& l) { return l.owner == owner; });
  if (removed == 0) return;
  Reindex(key, *fs, owner);
  fs->queue.WakeAll();
  PruneIfIdle(key);
}

int FileLockTable::Flock(const LockKey& key, LockOwner owner, LockType type, LockOwner* blocker) {
  FileState* fs = Find(key);
  if (fs == nullptr) {
    if (type == LockType::kUnlock) return 0;
    fs = &Get(key);
  }
  auto mine = std::find_if(fs->flocks.begin(), fs->flocks.end(),
                           [&](const auto& f) { return f.first == owner; });
  if (mine != fs->flocks.end()) {
    if (mine->second == type) return 0;
    // Unlock, or a conversion: the old lock goes first (others may get in meanwhile).
    fs->flocks.erase(mine);
    fs->queue.WakeAll();
  }
  int result = 0;
  if (type != LockType::kUnlock) {
    for (const auto& [other, held] : fs->flocks) {
      if (Conflicts(held, type)) {
        if (blocker) *blocker = other;
        result = EAGAIN;
        break;
      }
    }
    if (result == 0) fs->flocks.emplace_back(owner, type);
  }
  Reindex(key, *fs, owner);
  PruneIfIdle(key);
  return result;
}

void FileLockTable::ReleaseOwner(LockOwner owner) {
  auto it = by_owner_.find(owner);
  if (it == by_owner_.end()) return;
  absl::flat_hash_set<LockKey> keys = std::move(it->second);
  by_owner_.erase(it);
  for (const LockKey& key : keys) {
    FileState* fs = Find(key);
    if (fs == nullptr) continue;
    std::erase_if(fs->records, [&](const RecordLock& l) { return l.owner == owner; });
    std::erase_if(fs->flocks, [&](const auto& f) { return f.first == owner; });
    fs->queue.WakeAll();
    PruneIfIdle(key);
  }
}

WaitQueue& FileLockTable::QueueFor(const LockKey& key) { return Get(key).queue; }

void FileLockTable::Forget(const LockKey& key) { PruneIfIdle(key); }

bool FileLockTable::WouldDeadlock(LockOwner waiter, LockOwner blocker) const {
  LockOwner cur = blocker;
  for (int step = 0; step < kMaxDeadlockSteps; ++step) {
    auto w = std::find_if(waiting_.begin(), waiting_.end(),
                          [&](const Waiting& x) { return x.waiter == cur; });
    if (w == waiting_.end()) return false;
    cur = w->blocker;
    if (cur == waiter) return true;
  }
  return false;
}

uint64_t FileLockTable::BeginWait(LockOwner waiter, LockOwner blocker) {
  uint64_t id = next_wait_id_++;
  waiting_.push_back({id, waiter, blocker});
  return id;
}

void FileLockTable::EndWait(uint64_t id) {
  std::erase_if(waiting_, [&](const Waiting& w) { return w.id == id; });
}

std::vector<RecordLock> FileLockTable::Records(const LockKey& key) const {
  const FileState* fs = Find(key);
  return fs ? fs->records : std::vector<RecordLock>{};
}

std::vector<std::pair<LockOwner, LockType>> FileLockTable::Flocks(const LockKey& key) const {
  const FileState* fs = Find(key);
  return fs ? fs->flocks : std::vector<std::pair<LockOwner, LockType>>{};
}

FileLockTable& FileLocks() {
  static FileLockTable* table = new FileLockTable();  // outlives every description
  return *table;
}

int LockKeyOf(FileDescription& f, LockKey* key, int64_t* size) {
  struct stat st;
  SysResult r = f.Stat(&st);
  if (!r.ok()) return r.error();
  key->dev = st.st_dev;
  key->ino = st.st_ino;
  if (size) *size = st.st_size;
  return 0;
}

void ReleasePosixLocksOnClose(LockOwner fd_table, FileDescription& f) {
  FileLockTable& t = FileLocks();
  if (!t.HasLocks(fd_table)) return;  // the common case: no Stat at all
  LockKey key;
  if (LockKeyOf(f, &key) == 0) t.ReleaseRecords(key, fd_table);
}

}  // namespace sentry::vfs
