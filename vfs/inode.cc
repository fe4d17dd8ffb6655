// Filesystem and Inode base behaviour.
// Ownership as described in vfs/inode.h; sentry thread only.
#include "vfs/inode.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

#include "vfs/dentry.h"
#include "vfs/file_description.h"

namespace sentry::vfs {

Filesystem::Filesystem(std::string type, Traits traits)
    : type_(std::move(type)), traits_(traits), dev_(NewAnonDev()) {}

Filesystem::~Filesystem() = default;

dev_t Filesystem::NewAnonDev() {
  // Linux hands out 0:N for virtual filesystems; start above what a small system uses.
  static unsigned next_minor = 40;
  return makedev(0, next_minor++);
}

void Filesystem::StatFs(struct statfs* out) {
  std::memset(out, 0, sizeof(*out));
  out->f_type = TMPFS_MAGIC;
  out->f_bsize = 4096;
  out->f_frsize = 4096;
  out->f_namelen = 255;
  if (read_only()) out->f_flags |= ST_RDONLY;
}

void Filesystem::KeepAlive(std::shared_ptr<Dentry> d) {
  if (ring_.size() < kRingSize) {
    ring_.push_back(std::move(d));
    return;
  }
  // Move the old entry out first: its destruction may re-enter (a dentry's death can drop
  // inodes that release gofer handles), so the ring must be consistent by then.
  std::shared_ptr<Dentry> old = std::move(ring_[ring_next_]);
  ring_[ring_next_] = std::move(d);
  ring_next_ = (ring_next_ + 1) % kRingSize;
}

void Filesystem::DropCaches() {
  std::vector<std::shared_ptr<Dentry>> ring;
  ring.swap(ring_);
  ring_next_ = 0;
}

Inode::Inode(std::shared_ptr<Filesystem> fs, uint32_t type) : fs_(std::move(fs)), type_(type) {}

Inode::~Inode() = default;

InodePerm Inode::Perm() {
  struct stat st;
  if (!Stat(&st).ok()) return InodePerm{type_, 0, 0};
  return InodePerm{st.st_mode, st.st_uid, st.st_gid};
}

int Inode::LookupMany(const FsContext& ctx, std::span<const std::string_view> names,
                      std::vector<std::shared_ptr<Inode>>* out) {
  Inode* dir = this;
  std::shared_ptr<Inode> keep;
  for (std::string_view name : names) {
    if (!dir->IsDir()) return ENOTDIR;
    ErrnoOr<std::shared_ptr<Inode>> child = dir->LookupOne(ctx, name);
    if (!child.ok()) return child.error();
    keep = child.take();
    out->push_back(keep);
    dir = keep.get();
    if (dir->IsSymlink()) break;
  }
  return 0;
}

ErrnoOr<std::shared_ptr<Inode>> Inode::LookupOne(const FsContext&, std::string_view) {
  return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOTDIR);
}

ErrnoOr<std::string> Inode::ReadLink(const FsContext&) {
  return ErrnoOr<std::string>::Errno(EINVAL);
}

ErrnoOr<FileRef> Inode::Open(const std::shared_ptr<Dentry>&, int, const FsContext&) {
  return ErrnoOr<FileRef>::Errno(ENXIO);
}

ErrnoOr<std::shared_ptr<Inode>> Inode::CreateChild(std::string_view, const NewNode&) {
  return ErrnoOr<std::shared_ptr<Inode>>::Errno(EPERM);
}

ErrnoOr<std::shared_ptr<Inode>> Inode::CreateTmpFile(const NewNode&) {
  return ErrnoOr<std::shared_ptr<Inode>>::Errno(EOPNOTSUPP);
}

int Inode::LinkChild(std::string_view, const std::shared_ptr<Inode>&) { return EPERM; }

int Inode::RemoveChild(std::string_view, bool) { return EPERM; }

int Inode::RenameChild(std::string_view, Inode*, std::string_view, unsigned) { return EPERM; }

int Inode::SetAttr(const AttrChange&) { return EPERM; }

int Inode::Allocate(int, int64_t, int64_t) { return EOPNOTSUPP; }

int Inode::Sync(bool) { return 0; }

ErrnoOr<std::string> Inode::GetXattr(std::string_view) {
  return ErrnoOr<std::string>::Errno(EOPNOTSUPP);
}

int Inode::SetXattr(std::string_view, std::string_view, int) { return EOPNOTSUPP; }

ErrnoOr<std::vector<std::string>> Inode::ListXattr() {
  return ErrnoOr<std::vector<std::string>>::Errno(EOPNOTSUPP);
}

int Inode::RemoveXattr(std::string_view) { return EOPNOTSUPP; }

uint8_t DirentType(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return DT_REG;
    case S_IFDIR:
      return DT_DIR;
    case S_IFLNK:
      return DT_LNK;
    case S_IFCHR:
      return DT_CHR;
    case S_IFBLK:
      return DT_BLK;
    case S_IFIFO:
      return DT_FIFO;
    case S_IFSOCK:
      return DT_SOCK;
    default:
      return DT_UNKNOWN;
  }
}

}  // namespace sentry::vfs
