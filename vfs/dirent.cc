// linux_dirent64 encoding and the generic directory description.
// Ownership as described in vfs/dirent.h; sentry thread only.
#include "vfs/dirent.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "vfs/dentry.h"

namespace sentry::vfs {
namespace {

// struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
constexpr size_t kNameOffset = 19;

}  // namespace

uint64_t DotDotIno(const std::shared_ptr<Dentry>& d) {
  std::shared_ptr<Dentry> cur = d;
  while (std::shared_ptr<Dentry> mp = cur->mountpoint()) cur = std::move(mp);
  std::shared_ptr<Dentry> parent = cur->parent() ? CrossMounts(cur->parent()) : d;
  struct stat st;
  if (!parent->inode()->Stat(&st).ok()) return 0;
  return st.st_ino;
}

size_t DirentWriter::RecordSize(size_t name_len) {
  return (kNameOffset + name_len + 1 + 7) & ~size_t{7};
}

bool DirentWriter::Add(uint64_t ino, int64_t next_off, uint8_t type, std::string_view name) {
  size_t reclen = RecordSize(name.size());
  if (reclen > buf_.size() - used_) return false;
  char* rec = buf_.data() + used_;
  std::memset(rec, 0, reclen);
  uint16_t reclen16 = static_cast<uint16_t>(reclen);
  std::memcpy(rec, &ino, 8);
  std::memcpy(rec + 8, &next_off, 8);
  std::memcpy(rec + 16, &reclen16, 2);
  std::memcpy(rec + 18, &type, 1);
  std::memcpy(rec + kNameOffset, name.data(), name.size());
  used_ += reclen;
  return true;
}

SysResult DirectoryFile::Read(std::span<char>) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  return SysResult::Errno(EISDIR);
}

SysResult DirectoryFile::PRead(std::span<char>, int64_t) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  return SysResult::Errno(EISDIR);
}

SysResult DirectoryFile::Seek(int64_t offset, int whence) {
  if (is_path()) return SysResult::Errno(EBADF);
  int64_t pos;
  switch (whence) {
    case SEEK_SET:
      pos = offset;
      break;
    case SEEK_CUR:
      if (__builtin_add_overflow(offset_, offset, &pos)) return SysResult::Errno(EINVAL);
      break;
    default:
      return SysResult::Errno(EINVAL);
  }
  if (pos < 0) return SysResult::Errno(EINVAL);
  if (pos == 0) Rewind();
  offset_ = pos;
  return pos;
}

SysResult DirectoryFile::GetDents64(std::span<char> buf) {
  if (is_path()) return SysResult::Errno(EBADF);
  if (dentry() == nullptr) return SysResult::Errno(ENOTDIR);
  DirentWriter w(buf);
  while (true) {
    int64_t pos = offset_;
    DirEntryInfo e;
    if (pos == 0 || pos == 1) {
      e.name = pos == 0 ? "." : "..";
      e.type = DT_DIR;
      if (pos == 0) {
        struct stat st;
        if (dentry()->inode()->Stat(&st).ok()) e.ino = st.st_ino;
      } else {
        e.ino = DotDotIno(dentry());
      }
    } else {
      int r = EntryAt(static_cast<size_t>(pos - 2), &e);
      if (r < 0) {
        if (w.used() > 0) break;
        return SysResult::Errno(-r);
      }
      if (r == 0) break;
    }
    if (!w.Add(e.ino, pos + 1, e.type, e.name)) {
      if (w.used() == 0) return SysResult::Errno(EINVAL);
      break;
    }
    offset_ = pos + 1;
  }
  return static_cast<int64_t>(w.used());
}

SnapshotDirFile::SnapshotDirFile(std::shared_ptr<Dentry> dentry, int flags,
                                 std::function<std::vector<DirEntryInfo>()> list)
    : DirectoryFile(std::move(dentry), flags), list_(std::move(list)) {
  entries_ = list_();
}

int SnapshotDirFile::EntryAt(size_t index, DirEntryInfo* out) {
  if (index >= entries_.size()) return 0;
  *out = entries_[index];
  return 1;
}

void SnapshotDirFile::Rewind() { entries_ = list_(); }

}  // namespace sentry::vfs
