// goferfs: the filesystem, inode lookups and reads, and the regular-file and directory
// descriptions over the gofer (changes are in goferfs_write.cc).
// Ownership as described in vfs/goferfs.h; sentry thread only.
#include "vfs/goferfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "vfs/dentry.h"
#include "vfs/dirent.h"
#include "vfs/fifo.h"
#include "vfs/file_description.h"
#include "vfs/goferfs_inode.h"

namespace sentry::vfs {
namespace {

constexpr uint32_t kReadDirBatch = 512;

void AttrFromStat(const struct stat& st, gofer::Attr* a) {
  a->mode = st.st_mode;
  a->nlink = static_cast<uint32_t>(st.st_nlink);
  a->uid = st.st_uid;
  a->gid = st.st_gid;
  a->size = static_cast<uint64_t>(st.st_size);
  a->blocks = static_cast<uint64_t>(st.st_blocks);
  a->blksize = static_cast<uint32_t>(st.st_blksize);
  a->atime_sec = st.st_atim.tv_sec;
  a->atime_nsec = static_cast<uint32_t>(st.st_atim.tv_nsec);
  a->mtime_sec = st.st_mtim.tv_sec;
  a->mtime_nsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  a->ctime_sec = st.st_ctim.tv_sec;
  a->ctime_nsec = static_cast<uint32_t>(st.st_ctim.tv_nsec);
}

}  // namespace

GoferInode::GoferInode(std::shared_ptr<GoferFs> fs, gofer::Handle handle, const gofer::Attr& attr)
    : Inode(fs, attr.mode & S_IFMT), handle_(handle), attr_(attr), dev_(fs->MapDev(attr.dev)) {}

GoferInode::~GoferInode() {
  if (writable()) gfs()->ForgetInode(attr_.dev, attr_.ino, this);
  if (handle_ != 0) gfs()->ReleaseHandle(handle_);
}

void GoferInode::Refresh() {
  if (!writable()) return;  // a read-only mount's attributes are fixed
  if (IsRegular()) {
    std::shared_ptr<UniqueFd> fd = rw_fd_.lock();
    if (fd == nullptr) fd = fd_.lock();
    struct stat st;
    if (fd != nullptr && ::fstat(fd->get(), &st) == 0) {
      AttrFromStat(st, &attr_);
      stale_ = false;
      return;
    }
  }
  if (!stale_ || gfs()->client() == nullptr) return;
  ErrnoOr<gofer::Attr> a = gfs()->client()->Stat(handle_);
  if (!a.ok()) return;  // keep what we had; the node may be gone
  attr_ = *a;
  stale_ = false;
}

SysResult GoferInode::Stat(struct stat* out) {
  Refresh();
  std::memset(out, 0, sizeof(*out));
  out->st_dev = dev_;
  out->st_ino = attr_.ino;
  out->st_mode = attr_.mode;
  out->st_nlink = attr_.nlink;
  out->st_uid = attr_.uid;
  out->st_gid = attr_.gid;
  out->st_rdev = attr_.rdev;
  out->st_size = static_cast<off_t>(attr_.size);
  out->st_blksize = attr_.blksize ? attr_.blksize : 4096;
  out->st_blocks = static_cast<blkcnt_t>(attr_.blocks);
  out->st_atim = {attr_.atime_sec, attr_.atime_nsec};
  out->st_mtim = {attr_.mtime_sec, attr_.mtime_nsec};
  out->st_ctim = {attr_.ctime_sec, attr_.ctime_nsec};
  return 0;
}

InodePerm GoferInode::Perm() {
  if (stale_) Refresh();
  return {attr_.mode, attr_.uid, attr_.gid};
}

std::shared_ptr<GoferInode> GoferInode::NewInode(const gofer::WalkStep& step,
                                                 std::string_view name) {
  if (writable()) {
    if (std::shared_ptr<GoferInode> known = gfs()->FindInode(step.attr.dev, step.attr.ino);
        known != nullptr && known->type() == (step.attr.mode & S_IFMT)) {
      gfs()->ReleaseHandle(step.handle);  // the known inode keeps its own handle
      known->attr_ = step.attr;           // just read
      known->stale_ = false;
      return known;
    }
  }
  auto inode = std::make_shared<GoferInode>(std::static_pointer_cast<GoferFs>(fs_ref()),
                                            step.handle, step.attr);
  if (writable()) {
    gfs()->AddInode(step.attr.dev, step.attr.ino, inode);
  } else {
    inode->parent_ = std::static_pointer_cast<GoferInode>(shared_from_this());
    inode->name_ = std::string(name);
  }
  return inode;
}

void GoferInode::NoteChild(std::string_view name, const std::shared_ptr<GoferInode>& child) {
  if (!writable()) return;
  // Forget children that are gone before the map grows large.
  if (children_.size() >= 64 && children_.size() % 64 == 0) {
    absl::erase_if(children_, [](const auto& kv) { return kv.second.expired(); });
  }
  children_[std::string(name)] = child;
}

std::shared_ptr<GoferInode> GoferInode::Child(std::string_view name) {
  auto it = children_.find(std::string(name));
  return it == children_.end() ? nullptr : it->second.lock();
}

int GoferInode::LookupMany(const FsContext&, std::span<const std::string_view> names,
                           std::vector<std::shared_ptr<Inode>>* out) {
  if (!IsDir()) return ENOTDIR;
  if (names.empty()) return 0;
  if (gfs()->client() == nullptr) return EIO;
  std::shared_ptr<GoferInode> dir = std::static_pointer_cast<GoferInode>(shared_from_this());
  if (!writable()) {
    // Listed directories answer from their listing: no round trip, misses included.
    while (!names.empty() && dir->plus_ != nullptr) {
      GoferEntry* e = dir->plus_->Find(names.front());
      if (e == nullptr) {
        if (dir->plus_->complete) return ENOENT;
        break;
      }
      if (!e->has_attr) break;  // the gofer decides (a masked node is EACCES)
      std::shared_ptr<GoferInode> child = dir->FromEntry(e);
      out->push_back(child);
      names = names.subspan(1);
      if (child->IsSymlink()) return 0;  // the caller follows it
      if (!child->IsDir()) return names.empty() ? 0 : ENOTDIR;
      dir = std::move(child);
    }
    if (names.empty()) return 0;
  }
  // One walk for the rest, from the nearest node with a handle (which may be above `dir`).
  gofer::WalkResult res;
  if (int err = dir->WalkHere(names, &res)) return err;
  gofer::WalkResult* r = &res;
  GoferInode* parent = dir.get();
  for (size_t i = 0; i < r->steps.size(); ++i) {
    std::shared_ptr<GoferInode> inode = parent->NewInode(r->steps[i], names[i]);
    parent->NoteChild(names[i], inode);
    parent = inode.get();
    out->push_back(std::move(inode));
  }
  if (r->steps.empty() && r->error == 0) return EIO;  // nothing walked, no reason given
  return r->steps.size() < names.size() ? r->error : 0;
}

ErrnoOr<std::shared_ptr<Inode>> GoferInode::LookupOne(const FsContext& ctx, std::string_view name) {
  std::vector<std::shared_ptr<Inode>> out;
  std::string_view names[1] = {name};
  int err = LookupMany(ctx, names, &out);
  if (out.empty()) return ErrnoOr<std::shared_ptr<Inode>>::Errno(err ? err : EIO);
  return out.front();
}

ErrnoOr<std::string> GoferInode::ReadLink(const FsContext&) {
  if (!IsSymlink()) return ErrnoOr<std::string>::Errno(EINVAL);
  if (!link_.has_value()) {
    if (gfs()->client() == nullptr) return ErrnoOr<std::string>::Errno(EIO);
    if (int err = EnsureHandle()) return ErrnoOr<std::string>::Errno(err);
    ErrnoOr<std::string> r = gfs()->client()->ReadLink(handle_);
    if (!r.ok()) return r;
    link_ = r.take();  // a symlink's target never changes
  }
  return *link_;
}

ErrnoOr<std::shared_ptr<UniqueFd>> GoferInode::HostFd(bool write) {
  using Result = ErrnoOr<std::shared_ptr<UniqueFd>>;
  // A read-only description never gets the read-write fd: the guest may mmap it (a shared
  // writable mapping must fail as it does on Linux, EACCES).
  if (std::shared_ptr<UniqueFd> fd = (write ? rw_fd_ : fd_).lock()) return fd;
  if (gfs()->client() == nullptr) return Result::Errno(EIO);
  if (int err = EnsureHandle()) return Result::Errno(err);
  ErrnoOr<UniqueFd> r = gfs()->client()->Open(handle_, write ? O_RDWR : O_RDONLY);
  // A write-only file (mode 0200) still takes writes.
  if (write && !r.ok() && r.error() == EACCES) r = gfs()->client()->Open(handle_, O_WRONLY);
  if (!r.ok()) return Result::Errno(r.error());
  auto fd = std::make_shared<UniqueFd>(r.take());
  (write ? rw_fd_ : fd_) = fd;
  gfs()->KeepFd(fd);
  return fd;
}

std::shared_ptr<GoferDirListing> GoferInode::Listing() {
  if (std::shared_ptr<GoferDirListing> l = listing_.lock()) return l;
  auto l = std::make_shared<GoferDirListing>();
  listing_ = l;
  return l;
}

int GoferInode::EntryAt(GoferDirListing* l, size_t index, DirEntryInfo* out) {
  while (index >= l->entries.size() && !l->complete) {
    if (gfs()->client() == nullptr) return -EIO;
    ErrnoOr<std::vector<gofer::DirEntry>> r =
        gfs()->client()->ReadDir(handle_, l->next_cookie, kReadDirBatch);
    if (!r.ok()) return -r.error();
    if (r->empty()) {
      l->complete = true;
      break;
    }
    for (gofer::DirEntry& e : *r) {
      l->next_cookie = e.next_offset;
      l->entries.push_back(DirEntryInfo{std::move(e.name), e.ino, e.type});
    }
  }
  if (index >= l->entries.size()) return 0;
  *out = l->entries[index];
  return 1;
}

namespace {

class GoferRegularFile : public SeekableFile {
 public:
  GoferRegularFile(std::shared_ptr<Dentry> d, int flags, std::shared_ptr<GoferInode> inode,
                   std::shared_ptr<UniqueFd> fd)
      : SeekableFile(std::move(d), flags), inode_(std::move(inode)), fd_(std::move(fd)) {}

  SysResult PRead(std::span<char> buf, int64_t offset) override {
    if (int err = CheckReadable()) return SysResult::Errno(err);
    if (offset < 0) return SysResult::Errno(EINVAL);
    ssize_t r;
    do {
      r = ::pread(fd_->get(), buf.data(), std::min(buf.size(), kMaxRwCount), offset);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? SysResult::Errno(errno) : SysResult(r);
  }

  SysResult PWrite(std::span<const char> buf, int64_t offset) override {
    if (int err = CheckWritable()) return SysResult::Errno(err);
    if (dentry()->fs()->read_only()) return SysResult::Errno(EROFS);
    // Linux appends even for pwrite on an O_APPEND description; the host fd itself is not
    // O_APPEND (it is shared with the other descriptions of the file).
    if (status_flags() & O_APPEND) offset = Size();
    if (offset < 0) return SysResult::Errno(EINVAL);
    ssize_t r;
    do {
      r = ::pwrite(fd_->get(), buf.data(), std::min(buf.size(), kMaxRwCount), offset);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return SysResult::Errno(errno);
    inode_->MarkStale();
    return r;
  }

  SysResult Seek(int64_t offset, int whence) override {
    if (is_path()) return SysResult::Errno(EBADF);
    if (whence == SEEK_DATA || whence == SEEK_HOLE) {
      off_t r = ::lseek(fd_->get(), offset, whence);  // the host offset is never used
      if (r < 0) return SysResult::Errno(errno);
      offset_ = r;
      return r;
    }
    return SeekableFile::Seek(offset, whence);
  }

  int HostFd() const override { return fd_->get(); }

 protected:
  int64_t Size() override {
    struct stat st;
    if (::fstat(fd_->get(), &st) != 0) return 0;
    return st.st_size;
  }

 private:
  std::shared_ptr<GoferInode> inode_;
  std::shared_ptr<UniqueFd> fd_;
};

class GoferDirFile : public DirectoryFile {
 public:
  GoferDirFile(std::shared_ptr<Dentry> d, int flags, GoferInode* inode)
      : DirectoryFile(std::move(d), flags), inode_(inode) {
    if (inode->writable()) {
      listing_ = inode->Listing();
    } else {
      plus_ = inode->PlusListing();
    }
  }

 protected:
  int EntryAt(size_t index, DirEntryInfo* out) override {
    if (plus_ == nullptr) return inode_->EntryAt(listing_.get(), index, out);
    // A read-only tree's listing never changes: every description shares it.
    while (index >= plus_->entries.size() && !plus_->complete) {
      if (int err = inode_->FetchPage(plus_.get())) return -err;
    }
    if (index >= plus_->entries.size()) return 0;
    const GoferEntry& e = plus_->entries[index];
    out->name = e.name;
    out->ino = e.dirent_ino;
    out->type = e.type;
    return 1;
  }
  // rewinddir sees the sandbox's changes: the inode hands out a fresh listing after each.
  void Rewind() override {
    if (plus_ == nullptr) listing_ = inode_->Listing();
  }

 private:
  GoferInode* inode_;  // kept alive by the dentry
  std::shared_ptr<GoferDirListing> listing_;  // writable mounts
  std::shared_ptr<GoferListing> plus_;        // read-only mounts
};

}  // namespace

ErrnoOr<FileRef> GoferInode::Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) {
  using Result = ErrnoOr<FileRef>;
  switch (type()) {
    case S_IFREG: {
      const bool write = (flags & O_ACCMODE) != O_RDONLY;
      ErrnoOr<std::shared_ptr<UniqueFd>> fd = HostFd(write);
      if (!fd.ok()) return Result::Errno(fd.error());
      auto self = std::static_pointer_cast<GoferInode>(shared_from_this());
      return FileRef(std::make_shared<GoferRegularFile>(d, flags, std::move(self), fd.take()));
    }
    case S_IFDIR:
      // The subdirectories are likely next (find, tar, ls -R): list them in one batch.
      if (!writable() && plus_ != nullptr && plus_->complete) {
        if (plus_->from_prefetch) {
          plus_->from_prefetch = false;
          gfs()->PrefetchHit();
        }
        Prefetch();
      }
      return FileRef(std::make_shared<GoferDirFile>(d, flags, this));
    case S_IFIFO:
      // A pipe inside the sentry, met by the sandbox's other openers of the node (host
      // processes outside the sandbox do not take part).
      if (fifo_ == nullptr) fifo_ = gfs()->FifoFor(attr_.dev, attr_.ino);
      return fifo_->Open(d, flags);
    case S_IFCHR:
    case S_IFBLK:
      return Result::Errno(EACCES);  // host device nodes: the mount is "nodev"
    default:
      return Result::Errno(ENXIO);  // host sockets are not reachable
  }
}

GoferFs::GoferFs(gofer::Client* client, bool read_only)
    : Filesystem("9p", Traits{.read_only = read_only,
                              .cache_dentries = true,
                              // A writable tree gains names: missing ones are looked up again.
                              .cache_negative = read_only}),
      client_(client) {}

GoferFs::~GoferFs() { FlushReleases(); }

ErrnoOr<std::shared_ptr<GoferFs>> GoferFs::Create(gofer::Client* client, uint32_t index,
                                                  bool read_only) {
  using Result = ErrnoOr<std::shared_ptr<GoferFs>>;
  if (client == nullptr) return Result::Errno(EINVAL);
  std::shared_ptr<GoferFs> fs(new GoferFs(client, read_only));
  ErrnoOr<gofer::WalkStep> root = client->Mount(index);
  if (!root.ok()) return Result::Errno(root.error());
  if (!S_ISDIR(root->attr.mode)) {
    client->Close(absl::MakeConstSpan(&root->handle, 1));
    return Result::Errno(ENOTDIR);
  }
  fs->root_ = std::make_shared<GoferInode>(fs, root->handle, root->attr);
  if (!read_only) fs->AddInode(root->attr.dev, root->attr.ino, fs->root_);
  return fs;
}

std::shared_ptr<Inode> GoferFs::RootInode() { return root_; }

void GoferFs::StatFs(struct statfs* out) {
  Filesystem::StatFs(out);
  out->f_type = V9FS_MAGIC;
  if (read_only() || client_ == nullptr || root_ == nullptr) return;
  // A writable mount shows the host filesystem's space (df in the sandbox).
  ErrnoOr<gofer::FsStat> s = client_->StatFs(root_->handle());
  if (!s.ok()) return;
  out->f_bsize = static_cast<long>(s->bsize);
  out->f_frsize = static_cast<long>(s->frsize);
  out->f_blocks = s->blocks;
  out->f_bfree = s->bfree;
  out->f_bavail = s->bavail;
  out->f_files = s->files;
  out->f_ffree = s->ffree;
  out->f_namelen = static_cast<long>(s->namelen);
}

bool GoferFs::UsedSpace(uint64_t* bytes, uint64_t* inodes) {
  if (client_ == nullptr || root_ == nullptr) return false;
  ErrnoOr<gofer::FsStat> s = client_->StatFs(root_->handle());
  if (!s.ok() || s->blocks < s->bfree || s->files < s->ffree) return false;
  *bytes = (s->blocks - s->bfree) * (s->frsize ? s->frsize : s->bsize);
  *inodes = s->files - s->ffree;
  return true;
}

void GoferFs::DropCaches() {
  Filesystem::DropCaches();
  root_.reset();
  fd_cache_.clear();
  FlushReleases();
  // The Vfs is going away and the client may go with it: dentries still held elsewhere
  // (a task's cwd, an open file) must not reach it any more.
  client_ = nullptr;
}

dev_t GoferFs::MapDev(uint64_t host_dev) {
  auto it = devs_.find(host_dev);
  if (it != devs_.end()) return it->second;
  dev_t d = devs_.empty() ? dev() : NewAnonDev();
  devs_.emplace(host_dev, d);
  return d;
}

std::shared_ptr<GoferInode> GoferFs::FindInode(uint64_t host_dev, uint64_t ino) {
  auto it = inodes_.find(std::make_pair(host_dev, ino));
  return it == inodes_.end() ? nullptr : it->second.lock();
}

void GoferFs::AddInode(uint64_t host_dev, uint64_t ino, const std::shared_ptr<GoferInode>& inode) {
  inodes_[std::make_pair(host_dev, ino)] = inode;
}

void GoferFs::ForgetInode(uint64_t host_dev, uint64_t ino, const GoferInode* inode) {
  auto it = inodes_.find(std::make_pair(host_dev, ino));
  if (it == inodes_.end()) return;
  std::shared_ptr<GoferInode> cur = it->second.lock();
  if (cur == nullptr || cur.get() == inode) inodes_.erase(it);
}

std::shared_ptr<Fifo> GoferFs::FifoFor(uint64_t host_dev, uint64_t ino) {
  auto key = std::make_pair(host_dev, ino);
  if (std::shared_ptr<Fifo> live = fifos_[key].lock()) return live;
  // Forget the rendezvous nobody holds any more before the map grows large.
  if (fifos_.size() >= 64 && fifos_.size() % 64 == 0) {
    absl::erase_if(fifos_, [](const auto& kv) { return kv.second.expired(); });
  }
  auto fifo = std::make_shared<Fifo>();
  fifos_[key] = fifo;
  return fifo;
}

void GoferFs::ReleaseHandle(gofer::Handle h) {
  if (client_ == nullptr) return;  // detached: the gofer frees handles with the channel
  pending_close_.push_back(h);
  if (pending_close_.size() >= kReleaseBatch) FlushReleases();
}

void GoferFs::FlushReleases() {
  if (pending_close_.empty() || client_ == nullptr) return;
  std::vector<gofer::Handle> handles;
  handles.swap(pending_close_);
  client_->Close(handles);
}

void GoferFs::KeepFd(std::shared_ptr<UniqueFd> fd) {
  if (fd_cache_.size() < kFdCacheSize) {
    fd_cache_.push_back(std::move(fd));
    return;
  }
  fd_cache_[fd_cache_next_] = std::move(fd);
  fd_cache_next_ = (fd_cache_next_ + 1) % kFdCacheSize;
}

}  // namespace sentry::vfs
