// TmpfsData: one tmpfs file's bytes, charged to its mount's limit: in the heap while small,
// in a sentry memfd once past kInlineMax or when its host fd is wanted (mmap, exec).
// Owned by its tmpfs inode; sentry thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/sys_result.h"
#include "common/unique_fd.h"

namespace sentry::vfs {

// A tmpfs mount's space: bytes allowed and bytes in use (whole pages, as Linux counts them).
struct TmpfsSpace {
  uint64_t limit = 0;
  uint64_t used = 0;
  uint64_t available() const { return used >= limit ? 0 : limit - used; }
};

class TmpfsData {
 public:
  static constexpr int64_t kPage = 4096;
  // Past this size data moves to a memfd; if the sentry cannot make one (out of fds), it
  // stays in the heap: bounded by the same limit, but not mappable.
  static constexpr int64_t kInlineMax = 64 * 1024;
  // Linux's MAX_LFS_FILESIZE.
  static constexpr int64_t kMaxFileSize = INT64_MAX;

  // `space` must outlive this object (it belongs to the filesystem the inode keeps alive).
  explicit TmpfsData(TmpfsSpace* space) : space_(space) {}
  ~TmpfsData();
  TmpfsData(const TmpfsData&) = delete;
  TmpfsData& operator=(const TmpfsData&) = delete;

  int64_t size() const { return size_; }
  // Bytes charged to the mount (st_blocks * 512).
  uint64_t allocated() const { return charged_; }

  // Bytes read (0 at or past the end), or -errno.
  SysResult PRead(std::span<char> buf, int64_t offset) const;
  // Writes at `offset`, extending the file. A write that does not fit in the mount is cut
  // short at the last page that fits; nothing fits: ENOSPC. EFBIG past the maximum size,
  // EINVAL for a negative offset.
  SysResult PWrite(std::span<const char> buf, int64_t offset);
  // truncate(2): shrinking frees the tail; growing makes a hole (costs nothing). 0 or errno.
  int Truncate(int64_t size);
  // fallocate(2) with mode 0, FALLOC_FL_KEEP_SIZE or FALLOC_FL_PUNCH_HOLE|KEEP_SIZE.
  // ENOSPC when the new pages do not fit (nothing is allocated then). 0 or errno.
  int Allocate(int mode, int64_t offset, int64_t len);
  // SEEK_DATA / SEEK_HOLE from `offset`: the position, or -ENXIO.
  SysResult SeekDataOrHole(int64_t offset, int whence) const;
  // The memfd holding the data (moving it there first), or -1 if none can be made.
  int HostFd();
  // Frees everything (the file's last link and last open are gone).
  void Clear();

 private:
  bool inline_mode() const { return !memfd_.valid(); }
  // Moves the data into a memfd. 0 or errno.
  int Promote();
  // Recomputes what the data occupies and charges the difference to the mount.
  void Recharge();
  // Pages of [offset, offset+len) not backed yet (an upper bound for memfd gaps past EOF).
  int64_t NewPages(int64_t offset, int64_t len) const;
  // How many bytes from `offset` can be written without exceeding `budget_pages` new pages.
  int64_t FittingLength(int64_t offset, int64_t len, int64_t budget_pages) const;

  TmpfsSpace* space_;
  std::string inline_;  // inline data: bytes [0, inline_.size()); the rest up to size_ is a hole
  UniqueFd memfd_;
  int64_t size_ = 0;
  uint64_t charged_ = 0;
};

}  // namespace sentry::vfs
