// Synthetic inodes.
// Ownership as described in vfs/synthetic.h; sentry thread only.
#include "vfs/synthetic.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace sentry::vfs {

SyntheticFs::SyntheticFs(std::string type, Traits traits, uint32_t statfs_magic)
    : Filesystem(std::move(type), traits), magic_(statfs_magic) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  created_sec_ = ts.tv_sec;
}

void SyntheticFs::StatFs(struct statfs* out) {
  Filesystem::StatFs(out);
  out->f_type = magic_;
}

void SyntheticFs::DropCaches() {
  Filesystem::DropCaches();
  root_.reset();
}

SimpleInode::SimpleInode(std::shared_ptr<Filesystem> fs, SimpleAttr attr)
    : Inode(std::move(fs), attr.mode & S_IFMT), attr_(attr) {
  if (attr_.ino == 0) attr_.ino = this->fs()->NextIno();
}

SysResult SimpleInode::Stat(struct stat* out) {
  std::memset(out, 0, sizeof(*out));
  out->st_dev = fs()->dev();
  out->st_ino = attr_.ino;
  out->st_mode = attr_.mode;
  out->st_nlink = attr_.nlink;
  out->st_uid = attr_.uid;
  out->st_gid = attr_.gid;
  out->st_rdev = attr_.rdev;
  out->st_size = attr_.size;
  out->st_blksize = 4096;
  out->st_blocks = 0;
  int64_t t = 0;
  if (auto* sfs = dynamic_cast<SyntheticFs*>(fs())) t = sfs->created_sec();
  out->st_atim.tv_sec = out->st_mtim.tv_sec = out->st_ctim.tv_sec = t;
  return 0;
}

StaticDir::StaticDir(std::shared_ptr<Filesystem> fs, uint32_t perm)
    : SimpleInode(std::move(fs), SimpleAttr{.mode = S_IFDIR | (perm & 07777), .nlink = 2}) {}

void StaticDir::Add(std::string name, std::shared_ptr<Inode> child) {
  if (child->IsDir()) ++attr_.nlink;
  for (auto& [n, c] : children_) {
    if (n == name) {
      c = std::move(child);
      return;
    }
  }
  children_.emplace_back(std::move(name), std::move(child));
}

ErrnoOr<std::shared_ptr<Inode>> StaticDir::LookupOne(const FsContext&, std::string_view name) {
  for (const auto& [n, c] : children_) {
    if (n == name) return c;
  }
  return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOENT);
}

std::vector<DirEntryInfo> StaticDir::List() const {
  std::vector<DirEntryInfo> out;
  out.reserve(children_.size());
  for (const auto& [n, c] : children_) {
    struct stat st;
    c->Stat(&st);
    out.push_back(DirEntryInfo{n, st.st_ino, DirentType(st.st_mode)});
  }
  return out;
}

ErrnoOr<FileRef> StaticDir::Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) {
  return FileRef(std::make_shared<SnapshotDirFile>(d, flags, [this] { return List(); }));
}

ErrnoOr<FileRef> DynamicDir::Open(const std::shared_ptr<Dentry>& d, int flags,
                                  const FsContext& ctx) {
  // The description keeps the dentry, hence this inode, alive; the context is copied.
  return FileRef(std::make_shared<SnapshotDirFile>(d, flags, [this, ctx] { return List(ctx); }));
}

TextFile::TextFile(std::shared_ptr<Filesystem> fs, uint32_t perm, TextGenerator gen)
    : SimpleInode(std::move(fs), SimpleAttr{.mode = S_IFREG | (perm & 07777)}),
      gen_(std::move(gen)) {}

ErrnoOr<FileRef> TextFile::Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) {
  return FileRef(std::make_shared<TextFileDescription>(d, flags, gen_(ctx)));
}

TextFileDescription::TextFileDescription(std::shared_ptr<Dentry> d, int flags, std::string text)
    : SeekableFile(std::move(d), flags), text_(std::move(text)) {}

SysResult TextFileDescription::PRead(std::span<char> buf, int64_t offset) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  if (offset < 0) return SysResult::Errno(EINVAL);
  if (static_cast<uint64_t>(offset) >= text_.size()) return 0;
  size_t n = std::min({buf.size(), text_.size() - static_cast<size_t>(offset), kMaxRwCount});
  std::memcpy(buf.data(), text_.data() + offset, n);
  return static_cast<int64_t>(n);
}

SysResult TextFileDescription::PWrite(std::span<const char>, int64_t) {
  if (int err = CheckWritable()) return SysResult::Errno(err);
  return SysResult::Errno(EINVAL);
}

SymlinkInode::SymlinkInode(std::shared_ptr<Filesystem> fs, TextGenerator target, uint32_t perm,
                           bool size_is_length)
    : SimpleInode(std::move(fs), SimpleAttr{.mode = S_IFLNK | (perm & 07777)}),
      target_(std::move(target)),
      size_is_length_(size_is_length) {}

SymlinkInode::SymlinkInode(std::shared_ptr<Filesystem> fs, std::string target)
    : SymlinkInode(std::move(fs), [t = std::move(target)](const FsContext&) { return t; }) {}

SysResult SymlinkInode::Stat(struct stat* out) {
  SimpleInode::Stat(out);
  if (size_is_length_) out->st_size = static_cast<off_t>(target_(FsContext{}).size());
  return 0;
}

ErrnoOr<std::string> SymlinkInode::ReadLink(const FsContext& ctx) { return target_(ctx); }

DeviceInode::DeviceInode(std::shared_ptr<Filesystem> fs, uint32_t perm, dev_t rdev, Factory factory)
    : SimpleInode(std::move(fs), SimpleAttr{.mode = S_IFCHR | (perm & 07777), .rdev = rdev}),
      factory_(std::move(factory)) {}

ErrnoOr<FileRef> DeviceInode::Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) {
  return factory_(d, flags);
}

}  // namespace sentry::vfs
