// tmpfs inodes (directory, file, symlink, FIFO, socket) and their descriptions: Linux's tmpfs
// bookkeeping (nlink, sizes, times, space and inode limits); permission checks are the VFS's.
// Ownership as described in vfs/tmpfs.h; sentry thread only.
#include "vfs/tmpfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "vfs/dentry.h"
#include "vfs/dirent.h"
#include "vfs/fifo.h"
#include "vfs/file_description.h"
#include "vfs/tmpfs_data.h"

namespace sentry::vfs {
namespace {

constexpr int64_t kBogoDirentSize = 20;     // Linux's BOGO_DIRENT_SIZE: a directory's st_size step
constexpr size_t kShortSymlinkLen = 128;    // longer targets take a page (Linux's shmem)
constexpr unsigned long kStValid = 0x0020;  // ST_VALID: f_flags is meaningful

absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct timespec Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return ts;
}

class TmpfsInode;
class TmpfsDir;

class TmpfsFs : public Filesystem {
 public:
  explicit TmpfsFs(const TmpfsOptions& opts)
      : Filesystem("tmpfs",
                   Traits{.read_only = false, .cache_dentries = true, .cache_negative = false}) {
    uint64_t pages = (opts.size_bytes + TmpfsData::kPage - 1) / TmpfsData::kPage;
    space_.limit = pages * TmpfsData::kPage;
    max_inodes_ = opts.max_inodes ? opts.max_inodes
                                  : std::max<uint64_t>(4096, space_.limit / TmpfsData::kPage);
  }

  std::shared_ptr<Inode> RootInode() override;
  void StatFs(struct statfs* out) override {
    Filesystem::StatFs(out);
    out->f_type = TMPFS_MAGIC;
    out->f_blocks = space_.limit / TmpfsData::kPage;
    out->f_bfree = out->f_bavail = space_.available() / TmpfsData::kPage;
    out->f_files = max_inodes_;
    out->f_ffree = max_inodes_ - std::min(inodes_, max_inodes_);
    out->f_flags = kStValid | ST_NOSUID | ST_NODEV | ST_RELATIME;
  }
  std::string MountOptions() const override {
    return absl::StrFormat("nosuid,nodev,relatime,size=%uk,nr_inodes=%u", space_.limit / 1024,
                           max_inodes_);
  }
  void DropCaches() override;

  TmpfsSpace* space() { return &space_; }
  // Inode accounting: ENOSPC when the mount's inode limit is reached.
  bool ReserveInode() {
    if (inodes_ >= max_inodes_) return false;
    ++inodes_;
    return true;
  }
  bool HasInodeRoom() const { return inodes_ < max_inodes_; }
  void ReleaseInode() {
    if (inodes_ > 0) --inodes_;
  }
  void set_root(std::shared_ptr<TmpfsDir> root) { root_ = std::move(root); }

 private:
  TmpfsSpace space_;
  uint64_t max_inodes_ = 0;
  uint64_t inodes_ = 0;
  std::shared_ptr<TmpfsDir> root_;
};

// Attributes and bookkeeping common to every tmpfs inode.
class TmpfsInode : public Inode {
 public:
  TmpfsInode(std::shared_ptr<TmpfsFs> fs, const NewNode& node)
      : Inode(fs, node.mode & S_IFMT),
        ino_(fs->NextIno()),
        mode_(node.mode),
        uid_(node.uid),
        gid_(node.gid),
        rdev_(node.rdev) {
    atime_ = mtime_ = ctime_ = Now();
  }

  TmpfsFs* tfs() const { return static_cast<TmpfsFs*>(fs()); }
  uint64_t ino() const { return ino_; }
  uint32_t nlink() const { return nlink_; }

  SysResult Stat(struct stat* out) override {
    std::memset(out, 0, sizeof(*out));
    out->st_dev = fs()->dev();
    out->st_ino = ino_;
    out->st_mode = mode_;
    out->st_nlink = nlink_;
    out->st_uid = uid_;
    out->st_gid = gid_;
    out->st_rdev = rdev_;
    out->st_size = StatSize();
    out->st_blksize = TmpfsData::kPage;
    out->st_blocks = StatBlocks();
    out->st_atim = atime_;
    out->st_mtim = mtime_;
    out->st_ctim = ctime_;
    return 0;
  }

  InodePerm Perm() override { return {mode_, uid_, gid_}; }

  int SetAttr(const AttrChange& c) override {
    struct timespec now = Now();
    bool changed = false;
    if (c.mask & AttrChange::kSize) {
      int64_t before = StatSize();
      if (int err = Resize(c.size)) return err;
      if (StatSize() != before) {
        mtime_ = now;
        changed = true;
      }
    }
    if (c.mask & AttrChange::kMode) mode_ = (mode_ & S_IFMT) | (c.mode & 07777);
    if (c.mask & AttrChange::kUid) uid_ = c.uid;
    if (c.mask & AttrChange::kGid) gid_ = c.gid;
    if (c.mask & AttrChange::kAtime) atime_ = c.atime;
    if (c.mask & AttrChange::kAtimeNow) atime_ = now;
    if (c.mask & AttrChange::kMtime) mtime_ = c.mtime;
    if (c.mask & AttrChange::kMtimeNow) mtime_ = now;
    if ((c.mask & ~AttrChange::kSize) != 0 || changed) ctime_ = now;
    return 0;
  }

  ErrnoOr<std::string> GetXattr(std::string_view name) override {
    auto it = xattrs_.find(name);
    if (it == xattrs_.end()) return ErrnoOr<std::string>::Errno(ENODATA);
    return it->second;
  }
  int SetXattr(std::string_view name, std::string_view value, int flags) override {
    auto it = xattrs_.find(name);
    if ((flags & XATTR_CREATE) && it != xattrs_.end()) return EEXIST;
    if ((flags & XATTR_REPLACE) && it == xattrs_.end()) return ENODATA;
    size_t old = it == xattrs_.end() ? 0 : it->first.size() + it->second.size();
    size_t bytes = xattr_bytes_ - old + name.size() + value.size();
    if (bytes > kMaxXattrBytes) return ENOSPC;
    if (it == xattrs_.end()) {
      xattrs_.emplace(std::string(name), std::string(value));
    } else {
      it->second.assign(value.data(), value.size());
    }
    xattr_bytes_ = bytes;
    TouchChange();
    return 0;
  }
  ErrnoOr<std::vector<std::string>> ListXattr() override {
    std::vector<std::string> names;
    names.reserve(xattrs_.size());
    for (const auto& [name, value] : xattrs_) names.push_back(name);
    return names;
  }
  int RemoveXattr(std::string_view name) override {
    auto it = xattrs_.find(name);
    if (it == xattrs_.end()) return ENODATA;
    xattr_bytes_ -= it->first.size() + it->second.size();
    xattrs_.erase(it);
    TouchChange();
    return 0;
  }

  // Link count changes. The last link of a non-directory frees its inode slot.
  void AddLink() {
    ++nlink_;
    ctime_ = Now();
  }
  void DropLink() {
    if (nlink_ > 0) --nlink_;
    ctime_ = Now();
    if (nlink_ == 0) OnLastLink();
  }
  void set_nlink(uint32_t n) { nlink_ = n; }
  void TouchChange() { ctime_ = Now(); }
  void TouchModify() { mtime_ = ctime_ = Now(); }
  // Linux's relatime: atime moves when it is not newer than mtime/ctime, or a day old.
  void TouchAccess() {
    struct timespec now = Now();
    auto le = [](const timespec& a, const timespec& b) {
      return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
    };
    if (le(atime_, mtime_) || le(atime_, ctime_) || now.tv_sec - atime_.tv_sec >= 24 * 3600) {
      atime_ = now;
    }
  }

 protected:
  virtual int64_t StatSize() const { return 0; }
  virtual int64_t StatBlocks() const { return 0; }
  virtual int Resize(int64_t) { return EINVAL; }
  virtual void OnLastLink() { tfs()->ReleaseInode(); }

  uint64_t ino_;
  uint32_t mode_;
  uint32_t uid_, gid_;
  dev_t rdev_;
  uint32_t nlink_ = 1;
  struct timespec atime_, mtime_, ctime_;

 private:
  // Names and values of all of an inode's xattrs together (Linux's tmpfs allows about this).
  static constexpr size_t kMaxXattrBytes = 64 * 1024;
  std::map<std::string, std::string, std::less<>> xattrs_;
  size_t xattr_bytes_ = 0;
};

// ---- regular files ----

class TmpfsFile : public TmpfsInode {
 public:
  TmpfsFile(std::shared_ptr<TmpfsFs> fs, const NewNode& node)
      : TmpfsInode(fs, node), data_(fs->space()) {}

  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;

  int Allocate(int mode, int64_t offset, int64_t len) override {
    int64_t before = data_.size();
    if (int err = data_.Allocate(mode, offset, len)) return err;
    if (!(mode & FALLOC_FL_KEEP_SIZE) || (mode & FALLOC_FL_PUNCH_HOLE) || data_.size() != before) {
      TouchModify();
    }
    return 0;
  }

  SysResult Read(std::span<char> buf, int64_t offset) {
    SysResult r = data_.PRead(buf, offset);
    if (r.ok() && !buf.empty()) TouchAccess();
    return r;
  }
  SysResult Write(std::span<const char> buf, int64_t offset) {
    SysResult r = data_.PWrite(buf, offset);
    if (r.ok() && r.value() > 0) TouchModify();
    return r;
  }
  SysResult SeekDataOrHole(int64_t offset, int whence) const {
    return data_.SeekDataOrHole(offset, whence);
  }
  int64_t size() const { return data_.size(); }
  int HostFd() { return data_.HostFd(); }

  void Opened() { ++opens_; }
  void Closed() {
    if (opens_ > 0) --opens_;
    MaybeFree();
  }
  // O_TMPFILE files start unlinked; linkat may give them a name unless opened O_EXCL.
  void MakeTmpFile(bool linkable) {
    nlink_ = 0;
    linkable_ = linkable;
  }
  bool linkable() const { return nlink_ > 0 || linkable_; }
  void ClearLinkable() { linkable_ = false; }  // named once: like any other file from now on

 protected:
  int64_t StatSize() const override { return data_.size(); }
  int64_t StatBlocks() const override { return static_cast<int64_t>(data_.allocated() / 512); }
  int Resize(int64_t size) override { return data_.Truncate(size); }
  void OnLastLink() override {
    TmpfsInode::OnLastLink();
    MaybeFree();
  }

 private:
  void MaybeFree() {
    if (nlink_ == 0 && opens_ == 0) data_.Clear();
  }

  TmpfsData data_;
  int opens_ = 0;
  bool linkable_ = false;
};

class TmpfsFileDescription : public SeekableFile {
 public:
  TmpfsFileDescription(std::shared_ptr<Dentry> d, int flags, std::shared_ptr<TmpfsFile> file)
      : SeekableFile(std::move(d), flags), file_(std::move(file)) {
    file_->Opened();
  }
  ~TmpfsFileDescription() override { file_->Closed(); }

  SysResult PRead(std::span<char> buf, int64_t offset) override {
    if (int err = CheckReadable()) return SysResult::Errno(err);
    return file_->Read(buf, offset);
  }
  SysResult PWrite(std::span<const char> buf, int64_t offset) override {
    if (int err = CheckWritable()) return SysResult::Errno(err);
    // Linux appends even for pwrite on an O_APPEND description.
    if (status_flags() & O_APPEND) offset = file_->size();
    return file_->Write(buf, offset);
  }
  SysResult Seek(int64_t offset, int whence) override {
    if (is_path()) return SysResult::Errno(EBADF);
    if (whence == SEEK_DATA || whence == SEEK_HOLE) {
      SysResult r = file_->SeekDataOrHole(offset, whence);
      if (r.ok()) offset_ = r.value();
      return r;
    }
    return SeekableFile::Seek(offset, whence);
  }
  int HostFd() const override { return file_->HostFd(); }

 protected:
  int64_t Size() override { return file_->size(); }

 private:
  std::shared_ptr<TmpfsFile> file_;
};

ErrnoOr<FileRef> TmpfsFile::Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) {
  auto self = std::static_pointer_cast<TmpfsFile>(shared_from_this());
  return FileRef(std::make_shared<TmpfsFileDescription>(d, flags, std::move(self)));
}

// ---- symlinks ----

class TmpfsSymlink : public TmpfsInode {
 public:
  TmpfsSymlink(std::shared_ptr<TmpfsFs> fs, const NewNode& node)
      : TmpfsInode(fs, node), target_(node.symlink_target) {
    mode_ = S_IFLNK | 0777;
    if (target_.size() > kShortSymlinkLen) tfs()->space()->used += TmpfsData::kPage;
  }
  ~TmpfsSymlink() override {
    if (target_.size() > kShortSymlinkLen) {
      TmpfsSpace* s = tfs()->space();
      s->used -= std::min<uint64_t>(s->used, TmpfsData::kPage);
    }
  }
  ErrnoOr<std::string> ReadLink(const FsContext&) override {
    TouchAccess();
    return target_;
  }

 protected:
  int64_t StatSize() const override { return static_cast<int64_t>(target_.size()); }
  int64_t StatBlocks() const override {
    return target_.size() > kShortSymlinkLen ? TmpfsData::kPage / 512 : 0;
  }

 private:
  std::string target_;
};

// FIFOs and socket nodes (mknod); sockets cannot be opened (ENXIO).
class TmpfsNode : public TmpfsInode {
 public:
  using TmpfsInode::TmpfsInode;

  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) override {
    if (type() != S_IFIFO) return ErrnoOr<FileRef>::Errno(ENXIO);
    if (fifo_ == nullptr) fifo_ = std::make_shared<Fifo>();
    return fifo_->Open(d, flags);
  }

 private:
  std::shared_ptr<Fifo> fifo_;  // FIFOs: made at the first open
};

// ---- directories ----

class TmpfsDir : public TmpfsInode {
 public:
  TmpfsDir(std::shared_ptr<TmpfsFs> fs, const NewNode& node) : TmpfsInode(fs, node) { nlink_ = 2; }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext&, std::string_view name) override {
    auto it = by_name_.find(Key(name));
    if (it == by_name_.end()) return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOENT);
    return std::shared_ptr<Inode>(entries_.at(it->second).inode);
  }

  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;

  ErrnoOr<std::shared_ptr<Inode>> CreateChild(std::string_view name, const NewNode& node) override {
    using Result = ErrnoOr<std::shared_ptr<Inode>>;
    if (dead_) return Result::Errno(ENOENT);
    if (by_name_.contains(Key(name))) return Result::Errno(EEXIST);
    if (S_ISLNK(node.mode) && node.symlink_target.size() > kShortSymlinkLen &&
        tfs()->space()->available() < static_cast<uint64_t>(TmpfsData::kPage)) {
      return Result::Errno(ENOSPC);
    }
    if (!tfs()->ReserveInode()) return Result::Errno(ENOSPC);
    auto fs = std::static_pointer_cast<TmpfsFs>(fs_ref());
    std::shared_ptr<TmpfsInode> child;
    switch (node.mode & S_IFMT) {
      case S_IFREG:
        child = std::make_shared<TmpfsFile>(fs, node);
        break;
      case S_IFDIR:
        child = std::make_shared<TmpfsDir>(fs, node);
        ++nlink_;
        break;
      case S_IFLNK:
        child = std::make_shared<TmpfsSymlink>(fs, node);
        break;
      case S_IFIFO:
      case S_IFSOCK:
      case S_IFCHR:
      case S_IFBLK:
        child = std::make_shared<TmpfsNode>(fs, node);
        break;
      default:
        tfs()->ReleaseInode();
        return Result::Errno(EINVAL);
    }
    Insert(name, child);
    return std::shared_ptr<Inode>(child);
  }

  ErrnoOr<std::shared_ptr<Inode>> CreateTmpFile(const NewNode& node) override {
    using Result = ErrnoOr<std::shared_ptr<Inode>>;
    if (dead_) return Result::Errno(ENOENT);
    // The slot is taken when the file gets a name (LinkChild).
    if (!tfs()->HasInodeRoom()) return Result::Errno(ENOSPC);
    auto file = std::make_shared<TmpfsFile>(std::static_pointer_cast<TmpfsFs>(fs_ref()), node);
    file->MakeTmpFile(node.linkable);
    return std::shared_ptr<Inode>(file);
  }

  int LinkChild(std::string_view name, const std::shared_ptr<Inode>& target) override {
    if (dead_) return ENOENT;
    if (target->fs() != fs()) return EXDEV;
    if (target->IsDir()) return EPERM;
    auto t = std::static_pointer_cast<TmpfsInode>(target);
    if (t->nlink() == 0) {
      auto* file = dynamic_cast<TmpfsFile*>(t.get());
      if (file == nullptr || !file->linkable()) return ENOENT;
      if (!tfs()->ReserveInode()) return ENOSPC;  // its slot was released when unlinked
    }
    if (by_name_.contains(Key(name))) return EEXIST;
    t->AddLink();
    if (auto* file = dynamic_cast<TmpfsFile*>(t.get())) file->ClearLinkable();
    Insert(name, t);
    return 0;
  }

  int RemoveChild(std::string_view name, bool dir) override {
    auto it = by_name_.find(Key(name));
    if (it == by_name_.end()) return ENOENT;
    std::shared_ptr<TmpfsInode> child = entries_.at(it->second).inode;
    if (dir != child->IsDir()) return dir ? ENOTDIR : EISDIR;
    if (dir) {
      auto* sub = static_cast<TmpfsDir*>(child.get());
      if (!sub->entries_.empty()) return ENOTEMPTY;
      sub->Kill();
      --nlink_;
    } else {
      child->DropLink();
    }
    Erase(it);
    return 0;
  }

  int RenameChild(std::string_view old_name, Inode* new_dir_base, std::string_view new_name,
                  unsigned flags) override {
    if (new_dir_base->fs() != fs() || !new_dir_base->IsDir()) return EXDEV;
    auto* new_dir = static_cast<TmpfsDir*>(new_dir_base);
    auto src_it = by_name_.find(Key(old_name));
    if (src_it == by_name_.end()) return ENOENT;
    if (new_dir->dead_) return ENOENT;
    std::shared_ptr<TmpfsInode> src = entries_.at(src_it->second).inode;
    auto dst_it = new_dir->by_name_.find(Key(new_name));
    std::shared_ptr<TmpfsInode> dst =
        dst_it == new_dir->by_name_.end() ? nullptr : new_dir->entries_.at(dst_it->second).inode;

    if (flags & RENAME_EXCHANGE) {
      if (dst == nullptr) return ENOENT;
      if (src->IsDir() != dst->IsDir() && new_dir != this) {
        // A directory changes parent: the parents' link counts follow it.
        if (src->IsDir()) {
          --nlink_;
          ++new_dir->nlink_;
        } else {
          ++nlink_;
          --new_dir->nlink_;
        }
      }
      entries_.at(src_it->second).inode = dst;
      new_dir->entries_.at(dst_it->second).inode = src;
      src->TouchChange();
      dst->TouchChange();
      TouchModify();
      new_dir->TouchModify();
      return 0;
    }
    if (dst != nullptr) {
      if ((flags & RENAME_NOREPLACE)) return EEXIST;
      if (dst == src) return 0;
      if (src->IsDir() != dst->IsDir()) return src->IsDir() ? ENOTDIR : EISDIR;
      if (dst->IsDir()) {
        auto* victim = static_cast<TmpfsDir*>(dst.get());
        if (!victim->entries_.empty()) return ENOTEMPTY;
        victim->Kill();
        --new_dir->nlink_;
      } else {
        dst->DropLink();
      }
      new_dir->Erase(dst_it);
    }
    // Re-find: erasing in new_dir may have been erasing in this directory.
    src_it = by_name_.find(Key(old_name));
    Erase(src_it);
    if (src->IsDir() && new_dir != this) {
      --nlink_;
      ++new_dir->nlink_;
    }
    new_dir->Insert(new_name, src);
    src->TouchChange();
    TouchModify();
    return 0;
  }

  // The first entry whose cookie is >= `seq`: true and *out, *found filled; false at the end.
  bool EntryFrom(uint64_t seq, DirEntryInfo* out, uint64_t* found) const {
    auto it = entries_.lower_bound(seq);
    if (it == entries_.end()) return false;
    *found = it->first;
    out->name = it->second.name;
    out->ino = it->second.inode->ino();
    out->type = DirentType(it->second.inode->type());
    return true;
  }
  bool EntryAt(size_t index, DirEntryInfo* out) const {
    if (index >= entries_.size()) return false;
    auto it = entries_.begin();
    std::advance(it, static_cast<ptrdiff_t>(index));
    uint64_t found;
    return EntryFrom(it->first, out, &found);
  }

  // Breaks the tree up without recursion (teardown of a whole filesystem).
  void DetachAll(std::vector<std::shared_ptr<TmpfsInode>>* out) {
    for (auto& [seq, e] : entries_) out->push_back(std::move(e.inode));
    entries_.clear();
    by_name_.clear();
  }

 protected:
  int64_t StatSize() const override {
    return 2 * kBogoDirentSize + kBogoDirentSize * static_cast<int64_t>(entries_.size());
  }
  void OnLastLink() override {}  // directories release their slot in Kill()

 private:
  struct Entry {
    std::string name;
    std::shared_ptr<TmpfsInode> inode;
  };
  using NameMap = absl::flat_hash_map<std::string, uint64_t>;

  void Insert(std::string_view name, std::shared_ptr<TmpfsInode> inode) {
    uint64_t seq = next_seq_++;
    entries_.emplace(seq, Entry{std::string(name), std::move(inode)});
    by_name_.emplace(std::string(name), seq);
    TouchModify();
  }
  void Erase(NameMap::iterator it) {
    entries_.erase(it->second);
    by_name_.erase(it);
    TouchModify();
  }
  // rmdir, or replaced by rename: nothing can be created in it any more.
  void Kill() {
    dead_ = true;
    nlink_ = 0;
    TouchChange();
    tfs()->ReleaseInode();
  }

  // Entries by creation sequence: a directory offset is a sequence number, so listings stay
  // stable while entries come and go.
  std::map<uint64_t, Entry> entries_;
  NameMap by_name_;
  uint64_t next_seq_ = 0;
  bool dead_ = false;
};


// A tmpfs directory's open file. Offsets: 0 ".", 1 "..", then 2 + the sequence number of the
// next entry to return; entries created or removed meanwhile never shift the others.
class TmpfsDirFile : public DirectoryFile {
 public:
  TmpfsDirFile(std::shared_ptr<Dentry> d, int flags, std::shared_ptr<TmpfsDir> dir)
      : DirectoryFile(std::move(d), flags), dir_(std::move(dir)) {}

  SysResult GetDents64(std::span<char> buf) override {
    if (is_path()) return SysResult::Errno(EBADF);
    DirentWriter w(buf);
    while (true) {
      int64_t pos = offset_;
      int64_t next;
      DirEntryInfo e;
      if (pos == 0 || pos == 1) {
        e.name = pos == 0 ? "." : "..";
        e.type = DT_DIR;
        e.ino = pos == 0 ? dir_->ino() : DotDotIno(dentry());
        next = pos + 1;
      } else {
        uint64_t found;
        if (!dir_->EntryFrom(static_cast<uint64_t>(pos - 2), &e, &found)) break;
        next = static_cast<int64_t>(found) + 3;
      }
      if (!w.Add(e.ino, next, e.type, e.name)) {
        if (w.used() == 0) return SysResult::Errno(EINVAL);
        break;
      }
      offset_ = next;
    }
    dir_->TouchAccess();
    return static_cast<int64_t>(w.used());
  }

 protected:
  int EntryAt(size_t index, DirEntryInfo* out) override { return dir_->EntryAt(index, out); }

 private:
  std::shared_ptr<TmpfsDir> dir_;
};

ErrnoOr<FileRef> TmpfsDir::Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) {
  auto self = std::static_pointer_cast<TmpfsDir>(shared_from_this());
  return FileRef(std::make_shared<TmpfsDirFile>(d, flags, std::move(self)));
}

std::shared_ptr<Inode> TmpfsFs::RootInode() { return root_; }

void TmpfsFs::DropCaches() {
  Filesystem::DropCaches();
  // Tear the tree down level by level: a deep tree must not recurse in destructors.
  std::vector<std::shared_ptr<TmpfsInode>> pending;
  if (root_ != nullptr) pending.push_back(std::move(root_));
  while (!pending.empty()) {
    std::shared_ptr<TmpfsInode> inode = std::move(pending.back());
    pending.pop_back();
    if (inode->IsDir()) static_cast<TmpfsDir*>(inode.get())->DetachAll(&pending);
  }
}

}  // namespace

std::shared_ptr<Filesystem> MakeTmpfs(const TmpfsOptions& opts) {
  auto fs = std::make_shared<TmpfsFs>(opts);
  fs->ReserveInode();
  NewNode root{
      .mode = S_IFDIR | (opts.root_mode & 07777), .uid = opts.root_uid, .gid = opts.root_gid};
  fs->set_root(std::make_shared<TmpfsDir>(fs, root));
  return fs;
}

}  // namespace sentry::vfs
