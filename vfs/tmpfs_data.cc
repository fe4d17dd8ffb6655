// TmpfsData: inline bytes or a memfd, with page accounting against the mount's limit.
// Ownership as described in vfs/tmpfs_data.h; sentry thread only.
#include "vfs/tmpfs_data.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vfs/file_description.h"

namespace sentry::vfs {
namespace {

constexpr int64_t kPage = TmpfsData::kPage;

int64_t PagesUpTo(int64_t end) { return end / kPage + (end % kPage != 0); }

}  // namespace

TmpfsData::~TmpfsData() { space_->used -= std::min<uint64_t>(space_->used, charged_); }

SysResult TmpfsData::PRead(std::span<char> buf, int64_t offset) const {
  if (offset < 0) return SysResult::Errno(EINVAL);
  if (offset >= size_) return 0;
  size_t n = static_cast<size_t>(std::min<int64_t>(size_ - offset, kMaxRwCount));
  n = std::min(n, buf.size());
  if (!inline_mode()) {
    ssize_t r;
    do {
      r = ::pread(memfd_.get(), buf.data(), n, offset);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? SysResult::Errno(errno) : SysResult(r);
  }
  size_t have = 0;
  if (static_cast<uint64_t>(offset) < inline_.size()) {
    have = std::min(n, inline_.size() - static_cast<size_t>(offset));
    std::memcpy(buf.data(), inline_.data() + offset, have);
  }
  std::memset(buf.data() + have, 0, n - have);
  return static_cast<int64_t>(n);
}

SysResult TmpfsData::PWrite(std::span<const char> buf, int64_t offset) {
  if (offset < 0) return SysResult::Errno(EINVAL);
  int64_t len = static_cast<int64_t>(std::min(buf.size(), kMaxRwCount));
  if (len == 0) return 0;
  if (offset >= kMaxFileSize) return SysResult::Errno(EFBIG);
  len = std::min(len, kMaxFileSize - offset);
  int64_t end = offset + len;
  // Past the inline limit the data moves to a memfd; when none can be made (the sentry is
  // out of fds) it stays inline: still bounded by the mount's limit, just not mappable.
  if (inline_mode() && end > kInlineMax) Promote();
  const int64_t budget = static_cast<int64_t>(space_->available() / kPage);
  // In a memfd only the pages written can be new (cheap upper bound first); inline data
  // grows contiguously, so its exact count is just arithmetic.
  int64_t bound = inline_mode() ? NewPages(offset, len) : PagesUpTo(end) - offset / kPage;
  if (bound > budget && (inline_mode() || NewPages(offset, len) > budget)) {
    len = FittingLength(offset, len, budget);
    if (len <= 0) return SysResult::Errno(ENOSPC);
    end = offset + len;
  }
  if (inline_mode()) {
    if (inline_.size() < static_cast<uint64_t>(end)) inline_.resize(static_cast<size_t>(end));
    std::memcpy(inline_.data() + offset, buf.data(), static_cast<size_t>(len));
    size_ = std::max(size_, end);
    Recharge();
    return len;
  }
  ssize_t r;
  do {
    r = ::pwrite(memfd_.get(), buf.data(), static_cast<size_t>(len), offset);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return SysResult::Errno(errno == ENOMEM ? ENOSPC : errno);
  size_ = std::max(size_, offset + r);
  Recharge();
  return r;
}

int TmpfsData::Truncate(int64_t size) {
  if (size < 0) return EINVAL;
  if (inline_mode()) {
    if (static_cast<uint64_t>(size) < inline_.size()) {
      inline_.resize(static_cast<size_t>(size));
      if (inline_.capacity() > 2 * inline_.size() + kPage) inline_.shrink_to_fit();
    }
  } else if (::ftruncate(memfd_.get(), size) != 0) {
    return errno;
  }
  size_ = size;
  Recharge();
  return 0;
}

int TmpfsData::Allocate(int mode, int64_t offset, int64_t len) {
  if (offset < 0 || len <= 0) return EINVAL;
  if (offset > kMaxFileSize - len) return EFBIG;
  const int64_t end = offset + len;
  const bool keep_size = (mode & FALLOC_FL_KEEP_SIZE) != 0;
  if (mode & FALLOC_FL_PUNCH_HOLE) {
    if (inline_mode()) {
      if (static_cast<uint64_t>(offset) < inline_.size()) {
        if (static_cast<uint64_t>(end) >= inline_.size()) {
          inline_.resize(static_cast<size_t>(offset));
        } else {
          std::memset(inline_.data() + offset, 0, static_cast<size_t>(len));
        }
      }
    } else if (::fallocate(memfd_.get(), mode, offset, len) != 0) {
      return errno;
    }
    Recharge();
    return 0;
  }
  if (inline_mode() && end > kInlineMax) Promote();  // stays inline if it cannot move
  const int64_t budget = static_cast<int64_t>(space_->available() / kPage);
  if (inline_mode()) {
    int64_t target = keep_size ? std::min(end, size_) : end;
    if (PagesUpTo(target) - PagesUpTo(static_cast<int64_t>(inline_.size())) > budget) {
      return ENOSPC;
    }
    if (static_cast<uint64_t>(target) > inline_.size()) inline_.resize(static_cast<size_t>(target));
  } else {
    if (NewPages(offset, len) > budget) return ENOSPC;
    if (::fallocate(memfd_.get(), mode, offset, len) != 0) return errno == ENOMEM ? ENOSPC : errno;
  }
  if (!keep_size) size_ = std::max(size_, end);
  Recharge();
  return 0;
}

SysResult TmpfsData::SeekDataOrHole(int64_t offset, int whence) const {
  if (offset < 0 || offset >= size_) return SysResult::Errno(ENXIO);
  if (!inline_mode()) {
    off_t r = ::lseek(memfd_.get(), offset, whence);  // the memfd's own offset is never used
    return r < 0 ? SysResult::Errno(errno) : SysResult(r);
  }
  int64_t data_end = std::min(PagesUpTo(static_cast<int64_t>(inline_.size())) * kPage, size_);
  if (whence == SEEK_DATA) return offset < data_end ? SysResult(offset) : SysResult::Errno(ENXIO);
  return offset < data_end ? data_end : offset;
}

int TmpfsData::HostFd() {
  if (inline_mode() && Promote() != 0) return -1;
  return memfd_.get();
}

void TmpfsData::Clear() {
  memfd_.reset();
  std::string().swap(inline_);
  size_ = 0;
  Recharge();
}

int TmpfsData::Promote() {
  UniqueFd fd(::memfd_create("sentry-tmpfs", MFD_CLOEXEC));
  if (!fd.valid()) return errno;
  if (::ftruncate(fd.get(), size_) != 0) return errno;
  size_t done = 0;
  while (done < inline_.size()) {
    ssize_t r =
        ::pwrite(fd.get(), inline_.data() + done, inline_.size() - done, static_cast<off_t>(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<size_t>(r);
  }
  memfd_ = std::move(fd);
  std::string().swap(inline_);
  Recharge();
  return 0;
}

void TmpfsData::Recharge() {
  uint64_t now = charged_;
  if (inline_mode()) {
    now = static_cast<uint64_t>(PagesUpTo(static_cast<int64_t>(inline_.size())) * kPage);
  } else {
    struct stat st;
    if (::fstat(memfd_.get(), &st) == 0) now = static_cast<uint64_t>(st.st_blocks) * 512;
  }
  space_->used -= std::min<uint64_t>(space_->used, charged_);
  space_->used += now;
  charged_ = now;
}

int64_t TmpfsData::NewPages(int64_t offset, int64_t len) const {
  const int64_t first = offset / kPage;
  const int64_t last = PagesUpTo(offset + len);  // exclusive
  if (inline_mode()) {  // inline data grows contiguously: the gap before `offset` counts too
    return std::max<int64_t>(0, last - PagesUpTo(static_cast<int64_t>(inline_.size())));
  }
  int64_t count = 0;
  int64_t pos = first * kPage;
  const int64_t stop = last * kPage;
  while (pos < stop) {
    off_t d = ::lseek(memfd_.get(), pos, SEEK_DATA);
    if (d < 0) {  // ENXIO: no data from pos on
      count += (stop - pos) / kPage;
      break;
    }
    if (d > pos) count += PagesUpTo(std::min<int64_t>(d, stop) - pos);
    if (d >= stop) break;
    off_t h = ::lseek(memfd_.get(), d, SEEK_HOLE);
    if (h < 0 || h <= d) break;
    pos = PagesUpTo(h) * kPage;
  }
  return count;
}

int64_t TmpfsData::FittingLength(int64_t offset, int64_t len, int64_t budget_pages) const {
  if (budget_pages < 0) budget_pages = 0;
  const int64_t end = offset + len;
  if (inline_mode()) {
    int64_t have = PagesUpTo(static_cast<int64_t>(inline_.size()));
    int64_t cut = (have + budget_pages) * kPage;
    return std::clamp<int64_t>(cut - offset, 0, len);
  }
  int64_t pos = (offset / kPage) * kPage;
  while (pos < end) {
    off_t d = ::lseek(memfd_.get(), pos, SEEK_DATA);
    int64_t hole_end = d < 0 ? end : std::min<int64_t>(d, end);
    if (hole_end > pos) {
      int64_t pages = PagesUpTo(hole_end - pos);
      if (pages > budget_pages) {
        int64_t cut = pos + budget_pages * kPage;
        return std::clamp<int64_t>(cut - offset, 0, len);
      }
      budget_pages -= pages;
    }
    if (d < 0 || d >= end) break;
    off_t h = ::lseek(memfd_.get(), d, SEEK_HOLE);
    if (h < 0 || h <= d) break;
    pos = PagesUpTo(h) * kPage;
  }
  return len;
}

}  // namespace sentry::vfs
