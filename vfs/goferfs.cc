// goferfs: inodes, regular files and directories over the gofer.
// Ownership as described in vfs/goferfs.h; sentry thread only.
#include "vfs/goferfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "common/log.h"
#include "vfs/dentry.h"
#include "vfs/dirent.h"
#include "vfs/file_description.h"

namespace sentry::vfs {
namespace {

constexpr uint32_t kReadDirBatch = 512;

// A directory listing fetched lazily from the gofer; shared by the open descriptions of
// one directory, dropped when the last one closes.
struct DirListing {
  std::vector<DirEntryInfo> entries;
  uint64_t next_cookie = 0;
  bool complete = false;
};

}  // namespace

class GoferInode : public Inode {
 public:
  GoferInode(std::shared_ptr<GoferFs> fs, gofer::Handle handle, const gofer::Attr& attr)
      : Inode(fs, attr.mode & S_IFMT), handle_(handle), attr_(attr), dev_(fs->MapDev(attr.dev)) {}

  ~GoferInode() override { gfs()->ReleaseHandle(handle_); }

  GoferFs* gfs() const { return static_cast<GoferFs*>(fs()); }

  SysResult Stat(struct stat* out) override {
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

  InodePerm Perm() override { return {attr_.mode, attr_.uid, attr_.gid}; }

  int LookupMany(const FsContext&, std::span<const std::string_view> names,
                 std::vector<std::shared_ptr<Inode>>* out) override {
    if (!IsDir()) return ENOTDIR;
    if (names.empty()) return 0;
    if (gfs()->client() == nullptr) return EIO;
    gfs()->FlushReleases();
    ErrnoOr<gofer::WalkResult> r =
        gfs()->client()->Walk(handle_, absl::MakeConstSpan(names.data(), names.size()));
    if (!r.ok()) return r.error();
    auto fs = std::static_pointer_cast<GoferFs>(fs_ref());
    for (const gofer::WalkStep& step : r->steps) {
      out->push_back(std::make_shared<GoferInode>(fs, step.handle, step.attr));
    }
    if (r->steps.empty() && r->error == 0) return EIO;  // nothing walked, no reason given
    return r->steps.size() < names.size() ? r->error : 0;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext& ctx, std::string_view name) override {
    std::vector<std::shared_ptr<Inode>> out;
    std::string_view names[1] = {name};
    int err = LookupMany(ctx, names, &out);
    if (out.empty()) return ErrnoOr<std::shared_ptr<Inode>>::Errno(err ? err : EIO);
    return out.front();
  }

  ErrnoOr<std::string> ReadLink(const FsContext&) override {
    if (!IsSymlink()) return ErrnoOr<std::string>::Errno(EINVAL);
    if (!link_.has_value()) {
      if (gfs()->client() == nullptr) return ErrnoOr<std::string>::Errno(EIO);
      ErrnoOr<std::string> r = gfs()->client()->ReadLink(handle_);
      if (!r.ok()) return r;
      link_ = r.take();
    }
    return *link_;
  }

  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;

  // The donated host fd, shared by the open descriptions of this file.
  ErrnoOr<std::shared_ptr<UniqueFd>> HostFd() {
    if (std::shared_ptr<UniqueFd> fd = fd_.lock()) return fd;
    if (gfs()->client() == nullptr) return ErrnoOr<std::shared_ptr<UniqueFd>>::Errno(EIO);
    ErrnoOr<UniqueFd> r = gfs()->client()->Open(handle_, O_RDONLY);
    if (!r.ok()) return ErrnoOr<std::shared_ptr<UniqueFd>>::Errno(r.error());
    auto fd = std::make_shared<UniqueFd>(r.take());
    fd_ = fd;
    gfs()->KeepFd(fd);
    return fd;
  }

  std::shared_ptr<DirListing> Listing() {
    if (std::shared_ptr<DirListing> l = listing_.lock()) return l;
    auto l = std::make_shared<DirListing>();
    listing_ = l;
    return l;
  }

  // Entry `index` of `l`, fetching batches as needed: 1, 0 at the end, or -errno.
  int EntryAt(DirListing* l, size_t index, DirEntryInfo* out) {
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

 private:
  gofer::Handle handle_;
  gofer::Attr attr_;
  dev_t dev_;
  std::optional<std::string> link_;
  std::weak_ptr<UniqueFd> fd_;
  std::weak_ptr<DirListing> listing_;
};

namespace {

class GoferRegularFile : public SeekableFile {
 public:
  GoferRegularFile(std::shared_ptr<Dentry> d, int flags, std::shared_ptr<UniqueFd> fd)
      : SeekableFile(std::move(d), flags), fd_(std::move(fd)) {}

  SysResult PRead(std::span<char> buf, int64_t offset) override {
    if (int err = CheckReadable()) return SysResult::Errno(err);
    if (offset < 0) return SysResult::Errno(EINVAL);
    ssize_t r;
    do {
      r = ::pread(fd_->get(), buf.data(), std::min(buf.size(), kMaxRwCount), offset);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? SysResult::Errno(errno) : SysResult(r);
  }

  SysResult PWrite(std::span<const char>, int64_t) override {
    if (int err = CheckWritable()) return SysResult::Errno(err);
    return SysResult::Errno(EROFS);
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
  std::shared_ptr<UniqueFd> fd_;
};

class GoferDirFile : public DirectoryFile {
 public:
  GoferDirFile(std::shared_ptr<Dentry> d, int flags, GoferInode* inode,
               std::shared_ptr<DirListing> listing)
      : DirectoryFile(std::move(d), flags), inode_(inode), listing_(std::move(listing)) {}

 protected:
  int EntryAt(size_t index, DirEntryInfo* out) override {
    return inode_->EntryAt(listing_.get(), index, out);
  }

 private:
  GoferInode* inode_;  // kept alive by the dentry
  std::shared_ptr<DirListing> listing_;
};

}  // namespace

ErrnoOr<FileRef> GoferInode::Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) {
  using Result = ErrnoOr<FileRef>;
  switch (type()) {
    case S_IFREG: {
      ErrnoOr<std::shared_ptr<UniqueFd>> fd = HostFd();
      if (!fd.ok()) return Result::Errno(fd.error());
      return FileRef(std::make_shared<GoferRegularFile>(d, flags, fd.take()));
    }
    case S_IFDIR:
      return FileRef(std::make_shared<GoferDirFile>(d, flags, this, Listing()));
    case S_IFCHR:
    case S_IFBLK:
      return Result::Errno(EACCES);  // host device nodes: the mount is "nodev"
    default:
      return Result::Errno(ENXIO);  // host FIFOs and sockets are not reachable
  }
}

GoferFs::GoferFs(gofer::Client* client)
    : Filesystem("9p", Traits{.read_only = true, .cache_dentries = true, .cache_negative = true}),
      client_(client) {}

GoferFs::~GoferFs() { FlushReleases(); }

ErrnoOr<std::shared_ptr<GoferFs>> GoferFs::Create(gofer::Client* client) {
  using Result = ErrnoOr<std::shared_ptr<GoferFs>>;
  if (client == nullptr) return Result::Errno(EINVAL);
  std::shared_ptr<GoferFs> fs(new GoferFs(client));
  ErrnoOr<gofer::WalkStep> root = client->Mount();
  if (!root.ok()) return Result::Errno(root.error());
  if (!S_ISDIR(root->attr.mode)) {
    client->Close(absl::MakeConstSpan(&root->handle, 1));
    return Result::Errno(ENOTDIR);
  }
  fs->root_ = std::make_shared<GoferInode>(fs, root->handle, root->attr);
  return fs;
}

std::shared_ptr<Inode> GoferFs::RootInode() { return root_; }

void GoferFs::StatFs(struct statfs* out) {
  Filesystem::StatFs(out);
  out->f_type = V9FS_MAGIC;
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
