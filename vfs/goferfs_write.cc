// goferfs changes on a writable mount: create, link, remove, rename, setattr and fallocate
// through the gofer, with the attribute, listing and child caches brought up to date.
// Ownership as described in vfs/goferfs.h; sentry thread only.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "gofer/protocol.h"
#include "vfs/goferfs_inode.h"

namespace sentry::vfs {

void GoferInode::DirChanged() {
  stale_ = true;      // mtime, ctime, nlink (subdirectories), size
  listing_.reset();   // the next open or rewinddir lists afresh
}

void GoferInode::AdoptWriteFd(UniqueFd fd) {
  auto shared = std::make_shared<UniqueFd>(std::move(fd));
  rw_fd_ = shared;
  gfs()->KeepFd(std::move(shared));
}

ErrnoOr<std::shared_ptr<Inode>> GoferInode::CreateChild(std::string_view name,
                                                        const NewNode& node) {
  using Result = ErrnoOr<std::shared_ptr<Inode>>;
  if (!writable()) return Result::Errno(EROFS);
  if (!IsDir()) return Result::Errno(ENOTDIR);
  gofer::Client* c = gfs()->client();
  if (c == nullptr) return Result::Errno(EIO);
  gfs()->FlushReleases();
  const uint32_t perm = node.mode & 07777;
  std::shared_ptr<GoferInode> child;
  switch (node.mode & S_IFMT) {
    case S_IFREG: {
      // The fd the gofer opens with the new file serves the Open that usually follows.
      ErrnoOr<gofer::Created> r = c->Create(handle_, name, perm, O_RDWR, node.uid, node.gid);
      if (!r.ok()) return Result::Errno(r.error());
      child = NewInode(r->node, name);
      child->AdoptWriteFd(std::move(r->fd));
      break;
    }
    case S_IFDIR: {
      ErrnoOr<gofer::WalkStep> r = c->Mkdir(handle_, name, perm, node.uid, node.gid);
      if (!r.ok()) return Result::Errno(r.error());
      child = NewInode(*r, name);
      break;
    }
    case S_IFLNK: {
      ErrnoOr<gofer::WalkStep> r = c->Symlink(handle_, name, node.symlink_target, node.uid,
                                              node.gid);
      if (!r.ok()) return Result::Errno(r.error());
      child = NewInode(*r, name);
      break;
    }
    case S_IFIFO: {
      ErrnoOr<gofer::WalkStep> r = c->Mknod(handle_, name, node.mode, node.uid, node.gid);
      if (!r.ok()) return Result::Errno(r.error());
      child = NewInode(*r, name);
      break;
    }
    default:
      return Result::Errno(EPERM);  // device nodes and sockets are not made on the host
  }
  DirChanged();
  NoteChild(name, child);
  return std::shared_ptr<Inode>(std::move(child));
}

int GoferInode::LinkChild(std::string_view name, const std::shared_ptr<Inode>& target) {
  if (!writable()) return EROFS;
  if (!IsDir()) return ENOTDIR;
  auto* t = dynamic_cast<GoferInode*>(target.get());
  if (t == nullptr || t->fs() != fs()) return EXDEV;
  gofer::Client* c = gfs()->client();
  if (c == nullptr) return EIO;
  ErrnoOr<gofer::WalkStep> r = c->Link(handle_, name, t->handle_);
  if (!r.ok()) return r.error();
  gfs()->ReleaseHandle(r->handle);  // the target keeps its own handle
  t->attr_ = r->attr;               // nlink, ctime
  t->stale_ = false;
  DirChanged();
  NoteChild(name, std::static_pointer_cast<GoferInode>(target));
  return 0;
}

int GoferInode::RemoveChild(std::string_view name, bool dir) {
  if (!writable()) return EROFS;
  if (!IsDir()) return ENOTDIR;
  gofer::Client* c = gfs()->client();
  if (c == nullptr) return EIO;
  if (int err = c->Unlink(handle_, name, dir)) return err;
  if (std::shared_ptr<GoferInode> child = Child(name)) child->MarkStale();  // nlink
  children_.erase(std::string(name));
  DirChanged();
  return 0;
}

int GoferInode::RenameChild(std::string_view old_name, Inode* new_dir_base,
                            std::string_view new_name, unsigned flags) {
  if (!writable()) return EROFS;
  auto* new_dir = dynamic_cast<GoferInode*>(new_dir_base);
  if (new_dir == nullptr || new_dir->fs() != fs()) return EXDEV;
  gofer::Client* c = gfs()->client();
  if (c == nullptr) return EIO;
  if (int err = c->Rename(handle_, old_name, new_dir->handle_, new_name, flags)) return err;
  std::shared_ptr<GoferInode> moved = Child(old_name);
  std::shared_ptr<GoferInode> other = new_dir->Child(new_name);
  children_.erase(std::string(old_name));
  new_dir->children_.erase(std::string(new_name));
  if (moved != nullptr) {
    moved->MarkStale();  // ctime
    new_dir->NoteChild(new_name, moved);
  }
  if (other != nullptr) {
    other->MarkStale();  // replaced (nlink) or exchanged (ctime)
    if (flags & RENAME_EXCHANGE) NoteChild(old_name, other);
  }
  DirChanged();
  new_dir->DirChanged();
  return 0;
}

int GoferInode::Sync(bool datasync) {
  if (!writable()) return 0;  // nothing of the sandbox's is on the host
  // A live read-write fd is the file itself: flush it here, without a round trip.
  if (std::shared_ptr<UniqueFd> fd = rw_fd_.lock()) {
    const int r = datasync ? ::fdatasync(fd->get()) : ::fsync(fd->get());
    return r == 0 ? 0 : errno;
  }
  gofer::Client* c = gfs()->client();
  if (c == nullptr) return EIO;
  return c->Fsync(handle_, datasync);
}

int GoferInode::SetAttr(const AttrChange& ch) {
  if (!writable()) return EROFS;
  gofer::Client* c = gfs()->client();
  if (c == nullptr) return EIO;
  gofer::SetAttrRequest req;
  if (ch.mask & AttrChange::kMode) {
    req.mask |= gofer::wire::kSetAttrMode;
    req.mode = ch.mode & 07777;
  }
  if (ch.mask & AttrChange::kUid) {
    req.mask |= gofer::wire::kSetAttrUid;
    req.uid = ch.uid;
  }
  if (ch.mask & AttrChange::kGid) {
    req.mask |= gofer::wire::kSetAttrGid;
    req.gid = ch.gid;
  }
  if (ch.mask & AttrChange::kSize) {
    req.mask |= gofer::wire::kSetAttrSize;
    req.size = static_cast<uint64_t>(ch.size);
  }
  if (ch.mask & (AttrChange::kAtime | AttrChange::kAtimeNow)) {
    req.mask |= gofer::wire::kSetAttrAtime;
    if (ch.mask & AttrChange::kAtimeNow) {
      req.atime_nsec = UTIME_NOW;
    } else {
      req.atime_sec = ch.atime.tv_sec;
      req.atime_nsec = static_cast<uint32_t>(ch.atime.tv_nsec);
    }
  }
  if (ch.mask & (AttrChange::kMtime | AttrChange::kMtimeNow)) {
    req.mask |= gofer::wire::kSetAttrMtime;
    if (ch.mask & AttrChange::kMtimeNow) {
      req.mtime_nsec = UTIME_NOW;
    } else {
      req.mtime_sec = ch.mtime.tv_sec;
      req.mtime_nsec = static_cast<uint32_t>(ch.mtime.tv_nsec);
    }
  }
  if (ch.mask & AttrChange::kCtimeNow) req.mask |= gofer::wire::kSetAttrCtime;
  if (req.mask == 0) return 0;
  ErrnoOr<gofer::Attr> r = c->SetAttr(handle_, req);
  if (!r.ok()) {
    stale_ = true;  // part of the change may have happened
    return r.error();
  }
  attr_ = *r;
  stale_ = false;
  return 0;
}

int GoferInode::Allocate(int mode, int64_t offset, int64_t len) {
  if (!writable()) return EROFS;
  if (!IsRegular()) return ENODEV;
  ErrnoOr<std::shared_ptr<UniqueFd>> fd = HostFd(/*write=*/true);
  if (!fd.ok()) return fd.error();
  if (::fallocate((*fd)->get(), mode, offset, len) != 0) return errno;
  stale_ = true;
  return 0;
}

}  // namespace sentry::vfs
