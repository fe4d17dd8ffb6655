// Directory descriptions: linux_dirent64 encoding and DirectoryFile, the base of every
// directory's open file ("." and ".." are synthesized here, d_off cookies are positions).
// Sentry thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "vfs/file_description.h"

namespace sentry::vfs {

// Appends linux_dirent64 records to a buffer.
// The inode number of ".." for directory `d` (crossing mount roots; the global root is its
// own parent), for the synthesized ".." entry of getdents.
uint64_t DotDotIno(const std::shared_ptr<Dentry>& d);

class DirentWriter {
 public:
  explicit DirentWriter(std::span<char> buf) : buf_(buf) {}
  // False (and nothing written) when the record does not fit.
  bool Add(uint64_t ino, int64_t next_off, uint8_t type, std::string_view name);
  size_t used() const { return used_; }
  static size_t RecordSize(size_t name_len);

 private:
  std::span<char> buf_;
  size_t used_ = 0;
};

// A directory's open file. Positions: 0 is ".", 1 is "..", 2+i is EntryAt(i); each record's
// d_off is its position + 1, so Seek(d_off) continues after it and Seek(0) rewinds.
class DirectoryFile : public FileDescription {
 public:
  using FileDescription::FileDescription;
  SysResult Read(std::span<char> buf) override;
  SysResult PRead(std::span<char> buf, int64_t offset) override;
  SysResult Seek(int64_t offset, int whence) override;
  SysResult GetDents64(std::span<char> buf) override;

 protected:
  // Entry `index` of the directory: 1 and *out filled, 0 at the end, or -errno.
  virtual int EntryAt(size_t index, DirEntryInfo* out) = 0;
  // Called on a seek to position 0 (rewinddir): refresh a snapshot if there is one.
  virtual void Rewind() {}
};

// A DirectoryFile over a list taken at open (and again at rewind).
class SnapshotDirFile : public DirectoryFile {
 public:
  SnapshotDirFile(std::shared_ptr<Dentry> dentry, int flags,
                  std::function<std::vector<DirEntryInfo>()> list);

 protected:
  int EntryAt(size_t index, DirEntryInfo* out) override;
  void Rewind() override;

 private:
  std::function<std::vector<DirEntryInfo>()> list_;
  std::vector<DirEntryInfo> entries_;
};

}  // namespace sentry::vfs
