// Building blocks for in-memory filesystems whose content the sentry generates (devfs,
// procfs, test trees): simple inodes with fixed attributes, static directories, text files
// generated on open, symlinks. Owned by shared_ptr; sentry thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/dirent.h"
#include "vfs/file_description.h"
#include "vfs/fs_context.h"
#include "vfs/inode.h"

namespace sentry::vfs {

// A filesystem of synthetic inodes with a settable root.
class SyntheticFs : public Filesystem {
 public:
  SyntheticFs(std::string type, Traits traits, uint32_t statfs_magic);
  std::shared_ptr<Inode> RootInode() override { return root_; }
  void set_root(std::shared_ptr<Inode> root) { root_ = std::move(root); }
  void StatFs(struct statfs* out) override;
  // Also drops the root inode (it holds the filesystem: a cycle).
  void DropCaches() override;
  int64_t created_sec() const { return created_sec_; }

 private:
  std::shared_ptr<Inode> root_;
  uint32_t magic_;
  int64_t created_sec_;
};

// Attributes of a synthetic inode.
struct SimpleAttr {
  uint32_t mode = 0;  // type and permission bits
  uint32_t uid = 0, gid = 0;
  uint64_t ino = 0;  // 0: allocate from the filesystem
  dev_t rdev = 0;
  int64_t size = 0;
  uint32_t nlink = 1;
};

// An inode whose stat comes from a SimpleAttr.
class SimpleInode : public Inode {
 public:
  SimpleInode(std::shared_ptr<Filesystem> fs, SimpleAttr attr);
  SysResult Stat(struct stat* out) override;
  InodePerm Perm() override { return {attr_.mode, attr_.uid, attr_.gid}; }
  const SimpleAttr& attr() const { return attr_; }
  SimpleAttr& mutable_attr() { return attr_; }
  uint64_t ino() const { return attr_.ino; }

 protected:
  SimpleAttr attr_;
};

// A directory with a fixed set of children (insertion order is the listing order).
class StaticDir : public SimpleInode {
 public:
  StaticDir(std::shared_ptr<Filesystem> fs, uint32_t perm = 0755);
  // Adds a child; replaces one of the same name.
  void Add(std::string name, std::shared_ptr<Inode> child);
  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext& ctx, std::string_view name) override;
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;
  std::vector<DirEntryInfo> List() const;

 private:
  std::vector<std::pair<std::string, std::shared_ptr<Inode>>> children_;
};

// A directory whose children are computed on every lookup and listing (procfs).
class DynamicDir : public SimpleInode {
 public:
  using SimpleInode::SimpleInode;
  virtual std::vector<DirEntryInfo> List(const FsContext& ctx) = 0;
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;
};

// Generates a file's text when it is opened.
using TextGenerator = std::function<std::string(const FsContext& ctx)>;

// A read-only file whose content is generated on open (procfs style: st_size 0 unless
// attr.size says otherwise, seekable, pread-able). Writes are EINVAL.
class TextFile : public SimpleInode {
 public:
  TextFile(std::shared_ptr<Filesystem> fs, uint32_t perm, TextGenerator gen);
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;

 private:
  TextGenerator gen_;
};

// The open file of a TextFile: a snapshot of the text.
class TextFileDescription : public SeekableFile {
 public:
  TextFileDescription(std::shared_ptr<Dentry> d, int flags, std::string text);
  SysResult PRead(std::span<char> buf, int64_t offset) override;
  SysResult PWrite(std::span<const char> buf, int64_t offset) override;
  const std::string& text() const { return text_; }

 protected:
  int64_t Size() override { return static_cast<int64_t>(text_.size()); }

 private:
  std::string text_;
};

// A symlink with a (possibly context-dependent) target.
class SymlinkInode : public SimpleInode {
 public:
  SymlinkInode(std::shared_ptr<Filesystem> fs, TextGenerator target, uint32_t perm = 0777,
               bool size_is_length = true);
  SymlinkInode(std::shared_ptr<Filesystem> fs, std::string target);
  SysResult Stat(struct stat* out) override;
  ErrnoOr<std::string> ReadLink(const FsContext& ctx) override;

 private:
  TextGenerator target_;
  bool size_is_length_;
};

// A character device whose descriptions come from a factory.
class DeviceInode : public SimpleInode {
 public:
  using Factory = std::function<ErrnoOr<FileRef>(const std::shared_ptr<Dentry>& d, int flags)>;
  DeviceInode(std::shared_ptr<Filesystem> fs, uint32_t perm, dev_t rdev, Factory factory);
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;

 private:
  Factory factory_;
};

}  // namespace sentry::vfs
