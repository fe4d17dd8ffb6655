// Vfs: mounts and path-based operations.
// Ownership as described in vfs/vfs.h; sentry thread only.
#include "vfs/vfs.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "vfs/devfs.h"
#include "vfs/devpts.h"
#include "vfs/fsnotify.h"
#include "vfs/goferfs.h"
#include "vfs/overlayfs.h"
#include "vfs/path.h"
#include "vfs/synthetic.h"
#include "vfs/sysfs.h"

namespace sentry::vfs {
namespace {

// The kernel's __O_TMPFILE bit (O_TMPFILE is it plus O_DIRECTORY).
constexpr int kOTmpFileBit = O_TMPFILE & ~O_DIRECTORY;

bool WriteNeedsRwMount(uint32_t type) {
  return type == S_IFREG || type == S_IFDIR || type == S_IFLNK;
}

int AccessToMay(int acc) {
  switch (acc) {
    case O_RDONLY:
      return kMayRead;
    case O_WRONLY:
      return kMayWrite;
    default:
      return kMayRead | kMayWrite;  // O_RDWR and the ioctl-only mode 3
  }
}

int CheckInodePermission(const Credentials& creds, Inode* inode, int may, IdKind ids) {
  InodePerm p = inode->Perm();
  return CheckPermission(creds, p.mode, p.uid, p.gid, may, ids);
}

// Drops trailing slashes (keeping one slash for a path of slashes only).
std::string_view StripTrailingSlashes(std::string_view path, bool* had) {
  *had = false;
  while (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
    *had = true;
  }
  return path;
}

std::string_view CString(std::string_view path) {
  size_t nul = path.find('\0');
  return nul == std::string_view::npos ? path : path.substr(0, nul);
}

bool IsNormalName(std::string_view name) { return !name.empty() && name != "." && name != ".."; }

bool IsRoot(const Credentials& creds) { return creds.fsuid == 0; }

// The mode and owner of a node created in `dir` (Linux's inode_init_owner): mode & ~umask,
// the caller's fs ids, or the directory's group when it is set-group-ID (new directories then
// inherit the bit).
NewNode NewNodeFor(const FsContext& ctx, const Credentials& creds, Inode* dir, uint32_t type,
                   uint32_t perm) {
  NewNode n;
  n.uid = creds.fsuid;
  n.gid = creds.fsgid;
  uint32_t mode = perm & ~(ctx.umask & 0777);
  InodePerm dp = dir->Perm();
  if (dp.mode & S_ISGID) {
    n.gid = dp.gid;
    if (type == S_IFDIR) mode |= S_ISGID;
  }
  if (type != S_IFDIR && (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && !IsRoot(creds) &&
      !InGroup(creds, n.gid)) {
    mode &= ~S_ISGID;
  }
  n.mode = type | mode;
  return n;
}

// Linux's may_delete for the entry `victim` of `dir`: EACCES, the sticky bit (EPERM), then
// the type (EISDIR, ENOTDIR).
int MayDelete(const Credentials& creds, Inode* dir, Inode* victim, bool isdir) {
  if (CheckInodePermission(creds, dir, kMayWrite | kMayExec, IdKind::kFs)) return EACCES;
  InodePerm dp = dir->Perm();
  if (dp.mode & S_ISVTX) {
    InodePerm vp = victim->Perm();
    if (!IsRoot(creds) && creds.fsuid != vp.uid && creds.fsuid != dp.uid) return EPERM;
  }
  if (isdir) {
    if (!victim->IsDir()) return ENOTDIR;
  } else if (victim->IsDir()) {
    return EISDIR;
  }
  return 0;
}

// The dentry a mount root covers, or `d` itself: what a name in the parent really is.
std::shared_ptr<Dentry> Covered(const std::shared_ptr<Dentry>& d) {
  std::shared_ptr<Dentry> cur = d;
  while (std::shared_ptr<Dentry> mp = cur->mountpoint()) cur = std::move(mp);
  return cur;
}

// True when `ancestor` is `d` or above it (within one filesystem's tree of dentries).
bool IsAncestorOrSelf(const Dentry* ancestor, std::shared_ptr<Dentry> d) {
  while (d != nullptr) {
    if (d.get() == ancestor) return true;
    d = d->parent();
  }
  return false;
}

bool ValidNsec(long nsec) {
  return nsec == UTIME_NOW || nsec == UTIME_OMIT || (nsec >= 0 && nsec <= 999999999);
}

// chmod/chown/utimes/truncate on `inode` with Linux's checks.
SysResult ChangeAttr(const Credentials& creds, Inode* inode, const Vfs::AttrRequest& req) {
  using Kind = Vfs::AttrRequest::Kind;
  const bool ro = inode->fs()->read_only();
  const InodePerm p = inode->Perm();
  const bool owner_or_root = IsRoot(creds) || creds.fsuid == p.uid;
  AttrChange c;
  switch (req.kind) {
    case Kind::kTruncate:
      if (inode->IsDir()) return SysResult::Errno(EISDIR);
      if (!inode->IsRegular()) return SysResult::Errno(EINVAL);
      if (ro) return SysResult::Errno(EROFS);
      if (CheckPermission(creds, p.mode, p.uid, p.gid, kMayWrite)) return SysResult::Errno(EACCES);
      if (req.size < 0) return SysResult::Errno(EINVAL);
      c.mask = AttrChange::kSize;
      c.size = req.size;
      break;
    case Kind::kChmod:
      if (ro) return SysResult::Errno(EROFS);
      if (inode->IsSymlink()) return SysResult::Errno(EOPNOTSUPP);
      if (!owner_or_root) return SysResult::Errno(EPERM);
      c.mask = AttrChange::kMode;
      c.mode = req.mode & 07777;
      if (!IsRoot(creds) && !InGroup(creds, p.gid)) c.mode &= ~S_ISGID;
      break;
    case Kind::kChown: {
      if (ro) return SysResult::Errno(EROFS);
      c.mask = AttrChange::kCtimeNow;
      if (req.uid != UINT32_MAX) {
        if (!IsRoot(creds) && !(creds.fsuid == p.uid && req.uid == p.uid)) {
          return SysResult::Errno(EPERM);
        }
        c.mask |= AttrChange::kUid;
        c.uid = req.uid;
      }
      if (req.gid != UINT32_MAX) {
        if (!IsRoot(creds) &&
            !(creds.fsuid == p.uid && (req.gid == p.gid || InGroup(creds, req.gid)))) {
          return SysResult::Errno(EPERM);
        }
        c.mask |= AttrChange::kGid;
        c.gid = req.gid;
      }
      // A changed owner drops set-user-ID, and set-group-ID where it means "exec as group".
      if (!inode->IsDir() && !inode->IsSymlink()) {
        uint32_t mode = p.mode & 07777;
        if (mode & S_ISUID) mode &= ~S_ISUID;
        if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) mode &= ~S_ISGID;
        if (mode != (p.mode & 07777)) {
          c.mask |= AttrChange::kMode;
          c.mode = mode;
        }
      }
      break;
    }
    case Kind::kUtimes:
      if (!req.times_now &&
          (!ValidNsec(req.times[0].tv_nsec) || !ValidNsec(req.times[1].tv_nsec))) {
        return SysResult::Errno(EINVAL);
      }
      if (ro) return SysResult::Errno(EROFS);
      if (req.times_now) {
        if (!owner_or_root && CheckPermission(creds, p.mode, p.uid, p.gid, kMayWrite)) {
          return SysResult::Errno(EACCES);
        }
        c.mask = AttrChange::kAtimeNow | AttrChange::kMtimeNow;
        break;
      }
      if (!owner_or_root) return SysResult::Errno(EPERM);
      c.mask = AttrChange::kCtimeNow;
      for (int i = 0; i < 2; ++i) {
        const struct timespec& t = req.times[i];
        if (t.tv_nsec == UTIME_OMIT) continue;
        if (t.tv_nsec == UTIME_NOW) {
          c.mask |= i == 0 ? AttrChange::kAtimeNow : AttrChange::kMtimeNow;
        } else if (i == 0) {
          c.mask |= AttrChange::kAtime;
          c.atime = t;
        } else {
          c.mask |= AttrChange::kMtime;
          c.mtime = t;
        }
      }
      break;
  }
  int err = inode->SetAttr(c);
  return err ? SysResult::Errno(err) : SysResult(0);
}

// The inotify event of an attribute change (Linux's fsnotify_change).
uint32_t AttrEvent(const Vfs::AttrRequest& req) {
  using Kind = Vfs::AttrRequest::Kind;
  if (req.kind == Kind::kTruncate) return IN_MODIFY;
  if (req.kind != Kind::kUtimes || req.times_now) return IN_ATTRIB;
  bool a = req.times[0].tv_nsec != UTIME_OMIT, m = req.times[1].tv_nsec != UTIME_OMIT;
  return (a && m) ? IN_ATTRIB : a ? IN_ACCESS : IN_MODIFY;
}

}  // namespace

Vfs::Vfs() = default;

Vfs::~Vfs() {
  if (mounts_ != nullptr) mounts_->Clear();
  if (placeholder_fs_ != nullptr) placeholder_fs_->DropCaches();
}

ErrnoOr<std::unique_ptr<Vfs>> Vfs::Create(const Options& opts) {
  using Result = ErrnoOr<std::unique_ptr<Vfs>>;
  std::unique_ptr<Vfs> vfs(new Vfs());
  vfs->mounts_ = std::make_shared<MountTable>();
  vfs->placeholder_fs_ = std::make_shared<SyntheticFs>("none", Filesystem::Traits{}, 0);

  std::shared_ptr<Filesystem> rootfs = opts.root_fs;
  if (rootfs == nullptr) {
    ErrnoOr<std::shared_ptr<GoferFs>> g = GoferFs::Create(opts.gofer);
    if (!g.ok()) return Result::Errno(g.error());
    rootfs = g.take();
  }
  const bool overlay = opts.upper_fs != nullptr;
  if (overlay) rootfs = MakeOverlayFs(std::move(rootfs), opts.upper_fs);
  vfs->mounts_->AddRoot(rootfs, overlay ? "overlay" : "none");

  UniqueFd tty;
  if (opts.host_tty_fd >= 0) {
    tty.reset(::fcntl(opts.host_tty_fd, F_DUPFD_CLOEXEC, 0));
    if (!tty.valid()) return Result::Errno(errno);
  }
  struct Standard {
    const char* path;
    std::shared_ptr<Filesystem> fs;
    const char* source;
  };
  for (const Standard& m :
       {Standard{"/dev", MakeDevfs(std::move(tty), opts.ptys), "dev"},
        Standard{"/proc", MakeProcfs(opts.processes, opts.proc, vfs->mounts_), "proc"},
        Standard{"/sys", MakeSysfs(opts.proc), "sysfs"}}) {
    SysResult r = vfs->Mount(m.path, m.fs, m.source, /*placeholder=*/true);
    if (!r.ok()) return Result::Errno(r.error());
  }
  if (opts.ptys != nullptr) {
    SysResult r = vfs->Mount("/dev/pts", MakeDevpts(opts.ptys), "devpts");
    if (!r.ok()) return Result::Errno(r.error());
  }
  return vfs;
}

std::shared_ptr<Dentry> Vfs::root() const { return mounts_->root(); }

FsContext Vfs::RootContext() const {
  FsContext ctx;
  ctx.root = root();
  ctx.cwd = ctx.root;
  return ctx;
}

const FsContext& Vfs::Effective(const FsContext& ctx, FsContext* storage) const {
  if (ctx.root != nullptr && ctx.cwd != nullptr) return ctx;
  *storage = ctx;
  if (storage->root == nullptr) storage->root = root();
  if (storage->cwd == nullptr) storage->cwd = storage->root;
  return *storage;
}

ErrnoOr<Resolved> Vfs::Resolve(const FsContext& ctx, const Credentials& creds,
                               const std::shared_ptr<Dentry>& dir, std::string_view path,
                               bool follow) const {
  FsContext storage;
  const FsContext& c = Effective(ctx, &storage);
  return vfs::Resolve(c, creds, dir, path, ResolveOptions{.follow_final = follow});
}

SysResult Vfs::Mount(std::string_view target, std::shared_ptr<Filesystem> fs, std::string source,
                     bool placeholder) {
  if (fs == nullptr) return SysResult::Errno(EINVAL);
  ErrnoOr<Resolved> r = Resolve(RootContext(), Credentials{}, nullptr, target, true);
  if (!r.ok()) return SysResult::Errno(r.error());
  std::shared_ptr<Dentry> d = r->dentry;
  if (d == nullptr) {
    if (!placeholder || r->magic_file != nullptr || !IsNormalName(r->name)) {
      return SysResult::Errno(ENOENT);
    }
    // Stand in for the missing directory; the mount table pins the placeholder, so the
    // parent's (weak) child cache keeps finding it.
    auto dir = std::make_shared<StaticDir>(placeholder_fs_, 0755);
    d = std::make_shared<Dentry>(dir, r->parent, std::string(r->name));
    r->parent->CacheChild(d);
  }
  if (!d->IsDir()) return SysResult::Errno(ENOTDIR);
  mounts_->Add(d, std::move(fs), std::move(source));
  return 0;
}

ErrnoOr<FileRef> Vfs::OpenAt(const FsContext& ctx_in, const Credentials& creds,
                             const std::shared_ptr<Dentry>& dir, std::string_view path, int flags,
                             uint32_t mode) {
  using Result = ErrnoOr<FileRef>;
  FsContext storage;
  const FsContext& ctx = Effective(ctx_in, &storage);
  path = CString(path);

  if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY)) return Result::Errno(EINVAL);
  if (flags & kOTmpFileBit) {
    if (!(flags & O_DIRECTORY)) return Result::Errno(EINVAL);
    int acc = flags & O_ACCMODE;
    if (acc != O_WRONLY && acc != O_RDWR) return Result::Errno(EINVAL);
    ErrnoOr<std::shared_ptr<Dentry>> d = LookupDirectory(ctx, creds, dir, path);
    if (!d.ok()) return Result::Errno(d.error());
    if (int err = CheckModify(creds, *d)) return Result::Errno(err);
    NewNode node = NewNodeFor(ctx, creds, (*d)->inode().get(), S_IFREG, mode & 07777);
    node.linkable = !(flags & O_EXCL);
    ErrnoOr<std::shared_ptr<Inode>> inode = (*d)->inode()->CreateTmpFile(node);
    if (!inode.ok()) return Result::Errno(inode.error());
    // A dentry of its own, never cached: the file has no name until linkat gives it one.
    struct stat st;
    (*inode)->Stat(&st);
    auto anon = std::make_shared<Dentry>(*inode, *d, "#" + std::to_string(st.st_ino));
    return (*inode)->Open(anon, (flags & ~(kOTmpFileBit | O_DIRECTORY | O_EXCL)) | kOLargeFile,
                          ctx);
  }
  const bool path_only = (flags & O_PATH) != 0;
  if (path_only) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  const bool creat = (flags & O_CREAT) != 0;
  const bool excl = creat && (flags & O_EXCL);
  const int acc = flags & O_ACCMODE;

  // O_CREAT with a trailing slash: EISDIR once the parent is found, whatever is there.
  bool trailing = false;
  std::string_view walk_path = path;
  if (creat) walk_path = StripTrailingSlashes(path, &trailing);
  const bool follow = !(flags & O_NOFOLLOW) && !excl && !trailing;

  ErrnoOr<Resolved> r = vfs::Resolve(ctx, creds, dir, walk_path, {.follow_final = follow});
  if (!r.ok()) return Result::Errno(r.error());
  Resolved& res = *r;
  if (creat && trailing) {
    if (IsNormalName(res.name)) return Result::Errno(EISDIR);
    return Result::Errno(excl ? EEXIST : EISDIR);  // "dir/./" or "///"
  }

  if (res.magic_file != nullptr) {
    if (excl) return Result::Errno(EEXIST);
    if (flags & O_DIRECTORY) return Result::Errno(ENOTDIR);
    if (path_only) {
      return FileRef(std::make_shared<PathFile>(nullptr, flags, res.magic_file->Path()));
    }
    return res.magic_file->Reopen(flags | kOLargeFile);
  }

  if (res.dentry == nullptr) {
    if (!creat) return Result::Errno(ENOENT);
    if (res.trailing_slash) return Result::Errno(EISDIR);
    if (int err = CheckModify(creds, res.parent)) return Result::Errno(err);
    NewNode node = NewNodeFor(ctx, creds, res.parent->inode().get(), S_IFREG, mode & 07777);
    ErrnoOr<std::shared_ptr<Inode>> inode = res.parent->inode()->CreateChild(res.name, node);
    // A directory that cannot hold files (procfs, devfs) answers EACCES, like Linux's
    // directories without a ->create operation.
    if (!inode.ok()) return Result::Errno(inode.error() == EPERM ? EACCES : inode.error());
    std::shared_ptr<Dentry> created = Instantiate(res.parent, res.name, *inode);
    fsnotify::Created(*res.parent, res.name, false);
    // The creator may open the new file whatever its mode says.
    return fsnotify::Opened((*inode)->Open(created, flags | kOLargeFile, ctx));
  }

  const std::shared_ptr<Dentry>& d = res.dentry;
  Inode* inode = d->inode().get();
  if (creat) {
    if (excl) return Result::Errno(EEXIST);
    if (d->IsDir()) return Result::Errno(EISDIR);
  }
  if ((flags & O_DIRECTORY) && !d->IsDir()) return Result::Errno(ENOTDIR);
  if (path_only) return FileRef(std::make_shared<PathFile>(d, flags));

  const bool read_only_fs = d->fs()->read_only();
  if ((flags & O_TRUNC) && inode->IsRegular() && read_only_fs) return Result::Errno(EROFS);
  int may = AccessToMay(acc);
  if (flags & O_TRUNC) may |= kMayWrite;  // Linux: O_TRUNC needs write permission
  switch (inode->type()) {
    case S_IFLNK:
      return Result::Errno(ELOOP);
    case S_IFDIR:
      if (may & kMayWrite) return Result::Errno(EISDIR);
      break;
    default:
      break;
  }
  if ((may & kMayWrite) && read_only_fs && WriteNeedsRwMount(inode->type())) {
    return Result::Errno(EROFS);
  }
  if (CheckInodePermission(creds, inode, may, IdKind::kFs)) return Result::Errno(EACCES);
  if ((flags & O_TRUNC) && inode->IsRegular()) {
    AttrChange trunc;
    trunc.mask = AttrChange::kSize | AttrChange::kMtimeNow;
    // Filesystems without attributes of their own (procfs) ignore O_TRUNC, as Linux's do.
    if (int err = inode->SetAttr(trunc); err != 0 && err != EPERM) return Result::Errno(err);
    fsnotify::Changed(*d, IN_MODIFY);
  }
  return fsnotify::Opened(inode->Open(d, flags | kOLargeFile, ctx));
}

SysResult Vfs::StatAt(const FsContext& ctx, const Credentials& creds,
                      const std::shared_ptr<Dentry>& dir, std::string_view path, bool follow,
                      struct stat* out) {
  ErrnoOr<Resolved> r = Resolve(ctx, creds, dir, path, follow);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->magic_file != nullptr) return r->magic_file->Stat(out);
  if (r->dentry == nullptr) return SysResult::Errno(ENOENT);
  return r->dentry->inode()->Stat(out);
}

ErrnoOr<std::string> Vfs::ReadLinkAt(const FsContext& ctx_in, const Credentials& creds,
                                     const std::shared_ptr<Dentry>& dir, std::string_view path) {
  using Result = ErrnoOr<std::string>;
  FsContext storage;
  const FsContext& ctx = Effective(ctx_in, &storage);
  ErrnoOr<Resolved> r = vfs::Resolve(ctx, creds, dir, path, {.follow_final = false});
  if (!r.ok()) return Result::Errno(r.error());
  if (r->dentry == nullptr) return Result::Errno(r->magic_file ? EINVAL : ENOENT);
  if (!r->dentry->IsSymlink()) return Result::Errno(EINVAL);
  return r->dentry->inode()->ReadLink(ctx);
}

SysResult Vfs::AccessAt(const FsContext& ctx, const Credentials& creds,
                        const std::shared_ptr<Dentry>& dir, std::string_view path, int mode,
                        bool follow, bool effective_ids) {
  if (mode & ~(R_OK | W_OK | X_OK)) return SysResult::Errno(EINVAL);
  IdKind ids = effective_ids ? IdKind::kFs : IdKind::kReal;
  // The walk itself uses the same ids (Linux's access(2) overrides the creds for it).
  Credentials walker = creds;
  if (!effective_ids) {
    walker.fsuid = creds.uid;
    walker.fsgid = creds.gid;
  }
  ErrnoOr<Resolved> r = Resolve(ctx, walker, dir, path, follow);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->magic_file != nullptr) {
    struct stat st;
    SysResult s = r->magic_file->Stat(&st);
    if (!s.ok()) return s;
    if (mode == F_OK) return 0;
    return CheckPermission(creds, st.st_mode, st.st_uid, st.st_gid, mode, ids)
               ? SysResult::Errno(EACCES)
               : SysResult(0);
  }
  if (r->dentry == nullptr) return SysResult::Errno(ENOENT);
  if (mode == F_OK) return 0;
  Inode* inode = r->dentry->inode().get();
  if ((mode & W_OK) && r->dentry->fs()->read_only() && WriteNeedsRwMount(inode->type())) {
    return SysResult::Errno(EROFS);
  }
  if (CheckInodePermission(creds, inode, mode, ids)) return SysResult::Errno(EACCES);
  return 0;
}

ErrnoOr<std::shared_ptr<Dentry>> Vfs::LookupDirectory(const FsContext& ctx,
                                                      const Credentials& creds,
                                                      const std::shared_ptr<Dentry>& dir,
                                                      std::string_view path) {
  using Result = ErrnoOr<std::shared_ptr<Dentry>>;
  ErrnoOr<Resolved> r = Resolve(ctx, creds, dir, path, true);
  if (!r.ok()) return Result::Errno(r.error());
  if (r->magic_file != nullptr) return Result::Errno(ENOTDIR);
  if (r->dentry == nullptr) return Result::Errno(ENOENT);
  if (!r->dentry->IsDir()) return Result::Errno(ENOTDIR);
  if (CheckInodePermission(creds, r->dentry->inode().get(), kMayExec, IdKind::kFs)) {
    return Result::Errno(EACCES);
  }
  return r->dentry;
}

std::string Vfs::PathOf(const std::shared_ptr<Dentry>& d,
                        const std::shared_ptr<Dentry>& root) const {
  return AbsolutePath(d, root != nullptr ? root : this->root());
}

SysResult Vfs::StatFsAt(const FsContext& ctx, const Credentials& creds,
                        const std::shared_ptr<Dentry>& dir, std::string_view path,
                        struct statfs* out) {
  ErrnoOr<Resolved> r = Resolve(ctx, creds, dir, path, true);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->magic_file != nullptr) return StatFsOf(*r->magic_file, out);
  if (r->dentry == nullptr) return SysResult::Errno(ENOENT);
  r->dentry->fs()->StatFs(out);
  return 0;
}

SysResult Vfs::StatFsOf(const FileDescription& file, struct statfs* out) {
  if (file.dentry() == nullptr) {
    // Anonymous files (pipes, sockets, ...): Linux reports their pseudo filesystem.
    std::memset(out, 0, sizeof(*out));
    out->f_type = 0x50495045;  // PIPEFS_MAGIC
    out->f_bsize = 4096;
    out->f_namelen = 255;
    return 0;
  }
  file.dentry()->fs()->StatFs(out);
  return 0;
}

// ---- operations that change the tree ----

int Vfs::CheckModify(const Credentials& creds, const std::shared_ptr<Dentry>& parent) {
  if (parent->fs()->read_only()) return EROFS;
  if (CheckInodePermission(creds, parent->inode().get(), kMayWrite | kMayExec, IdKind::kFs)) {
    return EACCES;
  }
  return 0;
}

std::shared_ptr<Dentry> Vfs::Instantiate(const std::shared_ptr<Dentry>& parent,
                                         std::string_view name, std::shared_ptr<Inode> inode) {
  auto d = std::make_shared<Dentry>(std::move(inode), parent, std::string(name));
  Filesystem* fs = parent->fs();
  if (fs->traits().cache_dentries) {
    parent->CacheChild(d);
    fs->KeepAlive(d);
  }
  return d;
}

ErrnoOr<Resolved> Vfs::ResolveForCreate(const FsContext& ctx, const Credentials& creds,
                                        const std::shared_ptr<Dentry>& dir, std::string_view path) {
  using Result = ErrnoOr<Resolved>;
  bool trailing;
  std::string_view p = StripTrailingSlashes(CString(path), &trailing);
  ErrnoOr<Resolved> r = Resolve(ctx, creds, dir, p, false);
  if (!r.ok()) return r;
  if (!IsNormalName(r->name) || r->dentry != nullptr || r->magic_file != nullptr) {
    return Result::Errno(EEXIST);
  }
  r->trailing_slash = trailing;
  return r;
}

SysResult Vfs::CreateNode(const FsContext& ctx, const Credentials& creds, const Resolved& r,
                          uint32_t type, uint32_t perm, std::string_view symlink_target) {
  if (int err = CheckModify(creds, r.parent)) return SysResult::Errno(err);
  NewNode node = NewNodeFor(ctx, creds, r.parent->inode().get(), type, perm);
  if (type == S_IFLNK) node.mode = S_IFLNK | 0777;
  node.symlink_target = symlink_target;
  ErrnoOr<std::shared_ptr<Inode>> inode = r.parent->inode()->CreateChild(r.name, node);
  if (!inode.ok()) return SysResult::Errno(inode.error());
  Instantiate(r.parent, r.name, inode.take());  // also forgets a cached absence
  fsnotify::Created(*r.parent, r.name, type == S_IFDIR);
  return 0;
}

SysResult Vfs::MkdirAt(const FsContext& ctx, const Credentials& creds,
                       const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t mode) {
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, dir, path);
  if (!r.ok()) return SysResult::Errno(r.error());
  return CreateNode(ctx, creds, *r, S_IFDIR, mode & (0777 | S_ISVTX), {});
}

SysResult Vfs::MknodAt(const FsContext& ctx, const Credentials& creds,
                       const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t mode,
                       dev_t) {
  if (SysResult t = CheckMknodType(mode); !t.ok()) return t;
  uint32_t type = (mode & S_IFMT) == 0 ? S_IFREG : (mode & S_IFMT);
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, dir, path);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->trailing_slash) return SysResult::Errno(ENOENT);
  if (int err = CheckModify(creds, r->parent)) return SysResult::Errno(err);
  // Device nodes need CAP_MKNOD in the host's user namespace, which the sandbox never has.
  if (type == S_IFCHR || type == S_IFBLK) return SysResult::Errno(EPERM);
  return CreateNode(ctx, creds, *r, type, mode & 07777, {});
}

SysResult Vfs::SymlinkAt(const FsContext& ctx, const Credentials& creds, std::string_view target,
                         const std::shared_ptr<Dentry>& dir, std::string_view path) {
  target = CString(target);
  if (target.empty()) return SysResult::Errno(ENOENT);
  if (target.size() >= kPathMax) return SysResult::Errno(ENAMETOOLONG);
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, dir, path);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->trailing_slash) return SysResult::Errno(ENOENT);
  return CreateNode(ctx, creds, *r, S_IFLNK, 0777, target);
}

SysResult Vfs::UnlinkAt(const FsContext& ctx, const Credentials& creds,
                        const std::shared_ptr<Dentry>& dir, std::string_view path,
                        bool remove_dir) {
  bool trailing;
  std::string_view p = StripTrailingSlashes(CString(path), &trailing);
  ErrnoOr<Resolved> r = Resolve(ctx, creds, dir, p, false);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (remove_dir) {
    if (r->name == "..") return SysResult::Errno(ENOTEMPTY);
    if (r->name == ".") return SysResult::Errno(EINVAL);
    if (r->name.empty()) return SysResult::Errno(EBUSY);
  } else if (!IsNormalName(r->name)) {
    return SysResult::Errno(EISDIR);
  }
  if (r->parent->fs()->read_only()) return SysResult::Errno(EROFS);
  if (r->dentry == nullptr) return SysResult::Errno(ENOENT);
  std::shared_ptr<Dentry> victim = Covered(r->dentry);
  if (!remove_dir && trailing) return SysResult::Errno(victim->IsDir() ? EISDIR : ENOTDIR);
  if (int err = MayDelete(creds, r->parent->inode().get(), victim->inode().get(), remove_dir)) {
    return SysResult::Errno(err);
  }
  if (victim != r->dentry || victim->parent() == nullptr) return SysResult::Errno(EBUSY);
  if (int err = r->parent->inode()->RemoveChild(r->name, remove_dir)) return SysResult::Errno(err);
  r->parent->ForgetChild(r->name);
  fsnotify::Removed(*r->parent, r->name, victim->inode(), victim->IsDir());
  return 0;
}

SysResult Vfs::LinkAt(const FsContext& ctx, const Credentials& creds,
                      const std::shared_ptr<Dentry>& old_dir, std::string_view old_path,
                      const std::shared_ptr<Dentry>& new_dir, std::string_view new_path,
                      bool follow) {
  ErrnoOr<Resolved> old_r = Resolve(ctx, creds, old_dir, old_path, follow);
  if (!old_r.ok()) return SysResult::Errno(old_r.error());
  if (old_r->magic_file != nullptr) {
    // A pipe or socket behind /proc/self/fd/N: its inode lives on another (pseudo) mount.
    ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, new_dir, new_path);
    return SysResult::Errno(r.ok() ? EXDEV : r.error());
  }
  if (old_r->dentry == nullptr) return SysResult::Errno(ENOENT);
  return LinkDentryAt(ctx, creds, old_r->dentry, new_dir, new_path);
}

SysResult Vfs::LinkDentryAt(const FsContext& ctx, const Credentials& creds,
                            const std::shared_ptr<Dentry>& target,
                            const std::shared_ptr<Dentry>& new_dir, std::string_view new_path) {
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, new_dir, new_path);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->trailing_slash) return SysResult::Errno(ENOENT);
  if (r->parent->fs()->read_only()) return SysResult::Errno(EROFS);
  if (r->parent->fs() != target->fs()) return SysResult::Errno(EXDEV);
  Inode* inode = target->inode().get();
  // fs.protected_hardlinks: others' files only when they are plain, readable and writable.
  InodePerm tp = inode->Perm();
  if (!IsRoot(creds) && creds.fsuid != tp.uid) {
    bool safe = inode->IsRegular() && !(tp.mode & S_ISUID) &&
                (tp.mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) &&
                CheckPermission(creds, tp.mode, tp.uid, tp.gid, kMayRead | kMayWrite) == 0;
    if (!safe) return SysResult::Errno(EPERM);
  }
  if (CheckInodePermission(creds, r->parent->inode().get(), kMayWrite | kMayExec, IdKind::kFs)) {
    return SysResult::Errno(EACCES);
  }
  if (inode->IsDir()) return SysResult::Errno(EPERM);
  int err = r->parent->inode()->LinkChild(r->name, target->inode());
  if (err) return SysResult::Errno(err);
  r->parent->ForgetChild(r->name);  // a cached absence of the name is stale now
  fsnotify::Linked(*target, *r->parent, r->name);
  return 0;
}

SysResult Vfs::RenameAt(const FsContext& ctx, const Credentials& creds,
                        const std::shared_ptr<Dentry>& old_dir, std::string_view old_path,
                        const std::shared_ptr<Dentry>& new_dir, std::string_view new_path,
                        unsigned flags) {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) {
    return SysResult::Errno(EINVAL);
  }
  if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE)) {
    return SysResult::Errno(EINVAL);
  }
  const bool exchange = (flags & RENAME_EXCHANGE) != 0;
  bool old_trailing, new_trailing;
  std::string_view op = StripTrailingSlashes(CString(old_path), &old_trailing);
  std::string_view np = StripTrailingSlashes(CString(new_path), &new_trailing);
  ErrnoOr<Resolved> o = Resolve(ctx, creds, old_dir, op, false);
  if (!o.ok()) return SysResult::Errno(o.error());
  ErrnoOr<Resolved> n = Resolve(ctx, creds, new_dir, np, false);
  if (!n.ok()) return SysResult::Errno(n.error());
  if (o->parent->fs() != n->parent->fs()) return SysResult::Errno(EXDEV);
  if (!IsNormalName(o->name)) return SysResult::Errno(EBUSY);
  if (!IsNormalName(n->name)) return SysResult::Errno((flags & RENAME_NOREPLACE) ? EEXIST : EBUSY);
  if (o->parent->fs()->read_only()) return SysResult::Errno(EROFS);
  if (o->dentry == nullptr) return SysResult::Errno(ENOENT);
  std::shared_ptr<Dentry> src = Covered(o->dentry);
  std::shared_ptr<Dentry> dst = n->dentry ? Covered(n->dentry) : nullptr;
  if (exchange) {
    if (dst == nullptr) return SysResult::Errno(ENOENT);
    if (!dst->IsDir() && new_trailing) return SysResult::Errno(ENOTDIR);
  }
  if ((flags & RENAME_NOREPLACE) && dst != nullptr) return SysResult::Errno(EEXIST);
  const bool is_dir = src->IsDir();
  if (!is_dir) {
    if (old_trailing) return SysResult::Errno(ENOTDIR);
    if (!exchange && new_trailing) return SysResult::Errno(ENOTDIR);
  }
  // The source must not be an ancestor of the target's directory (EINVAL), nor the target
  // an ancestor of the source's directory (ENOTEMPTY; EINVAL for an exchange).
  if (IsAncestorOrSelf(src.get(), n->parent)) return SysResult::Errno(EINVAL);
  if (dst != nullptr && IsAncestorOrSelf(dst.get(), o->parent)) {
    return SysResult::Errno(exchange ? EINVAL : ENOTEMPTY);
  }
  if (dst != nullptr && dst->inode() == src->inode()) return 0;  // two links to one file
  Inode* old_parent = o->parent->inode().get();
  Inode* new_parent = n->parent->inode().get();
  if (int err = MayDelete(creds, old_parent, src->inode().get(), is_dir)) {
    return SysResult::Errno(err);
  }
  if (dst == nullptr) {
    if (CheckInodePermission(creds, new_parent, kMayWrite | kMayExec, IdKind::kFs)) {
      return SysResult::Errno(EACCES);
    }
  } else if (int err = MayDelete(creds, new_parent, dst->inode().get(),
                                 exchange ? dst->IsDir() : is_dir)) {
    return SysResult::Errno(err);
  }
  // A directory that changes parent gets a new "..": that needs write permission on it.
  if (o->parent != n->parent) {
    if (is_dir && CheckInodePermission(creds, src->inode().get(), kMayWrite, IdKind::kFs)) {
      return SysResult::Errno(EACCES);
    }
    if (exchange && dst->IsDir() &&
        CheckInodePermission(creds, dst->inode().get(), kMayWrite, IdKind::kFs)) {
      return SysResult::Errno(EACCES);
    }
  }
  if (flags & RENAME_WHITEOUT) return SysResult::Errno(EPERM);
  if (src != o->dentry || (dst != nullptr && dst != n->dentry)) return SysResult::Errno(EBUSY);
  if (int err = old_parent->RenameChild(o->name, new_parent, n->name, flags)) {
    return SysResult::Errno(err);
  }
  fsnotify::Moved(*o->parent, o->name, *n->parent, n->name, src->inode(),
                  dst ? dst->inode() : nullptr, exchange);
  // The dentry cache follows: the moved dentries take their new places.
  std::shared_ptr<Dentry> moved = o->parent->CachedChild(o->name);
  std::shared_ptr<Dentry> replaced = n->parent->CachedChild(n->name);
  if (moved != nullptr && moved->inode() != src->inode()) moved = nullptr;
  if (exchange) {
    if (moved) moved->MoveTo(n->parent, std::string(n->name));
    if (replaced) replaced->MoveTo(o->parent, std::string(o->name));
    if (!moved) n->parent->ForgetChild(n->name);
    if (!replaced) o->parent->ForgetChild(o->name);
  } else {
    n->parent->ForgetChild(n->name);
    if (moved) {
      moved->MoveTo(n->parent, std::string(n->name));
    } else {
      o->parent->ForgetChild(o->name);
    }
  }
  return 0;
}

SysResult Vfs::SetAttrAt(const FsContext& ctx, const Credentials& creds,
                         const std::shared_ptr<Dentry>& dir, std::string_view path, bool follow,
                         const AttrRequest& req) {
  ErrnoOr<Resolved> r = Resolve(ctx, creds, dir, path, follow);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->magic_file != nullptr) {
    if (r->magic_file->dentry() != nullptr) return SetAttrOf(creds, r->magic_file->dentry(), req);
    return SetAttrOf(*r->magic_file);
  }
  if (r->dentry == nullptr) return SysResult::Errno(ENOENT);
  return SetAttrOf(creds, r->dentry, req);
}

SysResult Vfs::SetAttrOf(const Credentials& creds, const std::shared_ptr<Dentry>& d,
                         const AttrRequest& req) {
  SysResult r = ChangeAttr(creds, d->inode().get(), req);
  if (r.ok() && fsnotify::Active()) fsnotify::Changed(*d, AttrEvent(req));
  return r;
}

SysResult Vfs::SetAttrAt(const FsContext& ctx, const Credentials& creds,
                         const std::shared_ptr<Dentry>& dir, std::string_view path, bool follow) {
  ErrnoOr<Resolved> r = Resolve(ctx, creds, dir, path, follow);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->magic_file != nullptr) return SetAttrOf(*r->magic_file);
  if (r->dentry == nullptr) return SysResult::Errno(ENOENT);
  return SysResult::Errno(r->dentry->fs()->read_only() ? EROFS : EPERM);
}

SysResult Vfs::SetAttrOf(const FileDescription& file) {
  if (file.dentry() == nullptr) return SysResult::Errno(EPERM);
  return SysResult::Errno(file.dentry()->fs()->read_only() ? EROFS : EPERM);
}

SysResult Vfs::TruncateFile(FileDescription& file, int64_t size) {
  if (file.is_path()) return SysResult::Errno(EBADF);
  if (size < 0) return SysResult::Errno(EINVAL);
  if (file.dentry() == nullptr || !file.writable()) return SysResult::Errno(EINVAL);
  Inode* inode = file.dentry()->inode().get();
  if (!inode->IsRegular()) return SysResult::Errno(EINVAL);
  AttrChange c;
  c.mask = AttrChange::kSize | AttrChange::kMtimeNow;
  c.size = size;
  int err = inode->SetAttr(c);
  if (err) return SysResult::Errno(err);
  fsnotify::Changed(*file.dentry(), IN_MODIFY);
  return 0;
}

SysResult Vfs::AllocateFile(FileDescription& file, int mode, int64_t offset, int64_t len) {
  // Linux's vfs_fallocate, in its order.
  constexpr int kSupported = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_NO_HIDE_STALE |
                             FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE |
                             FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE;
  if (file.is_path()) return SysResult::Errno(EBADF);
  if (offset < 0 || len <= 0) return SysResult::Errno(EINVAL);
  if (mode & ~kSupported) return SysResult::Errno(EOPNOTSUPP);
  if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) ==
      (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
    return SysResult::Errno(EOPNOTSUPP);
  }
  if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)) {
    return SysResult::Errno(EOPNOTSUPP);
  }
  if ((mode & FALLOC_FL_COLLAPSE_RANGE) && (mode & ~FALLOC_FL_COLLAPSE_RANGE)) {
    return SysResult::Errno(EINVAL);
  }
  if ((mode & FALLOC_FL_INSERT_RANGE) && (mode & ~FALLOC_FL_INSERT_RANGE)) {
    return SysResult::Errno(EINVAL);
  }
  if ((mode & FALLOC_FL_UNSHARE_RANGE) &&
      (mode & ~(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE))) {
    return SysResult::Errno(EINVAL);
  }
  if (!file.writable()) return SysResult::Errno(EBADF);
  struct stat st;
  SysResult s = file.Stat(&st);
  if (!s.ok()) return s;
  if (S_ISFIFO(st.st_mode)) return SysResult::Errno(ESPIPE);
  if (S_ISDIR(st.st_mode)) return SysResult::Errno(EISDIR);
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) return SysResult::Errno(ENODEV);
  if (offset > INT64_MAX - len) return SysResult::Errno(EFBIG);
  if (file.dentry() == nullptr) return SysResult::Errno(EOPNOTSUPP);
  // What tmpfs supports (Linux's shmem_fallocate).
  if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) return SysResult::Errno(EOPNOTSUPP);
  int err = file.dentry()->inode()->Allocate(mode, offset, len);
  return err ? SysResult::Errno(err) : SysResult(0);
}

SysResult CheckMknodType(uint32_t mode) {
  switch (mode & S_IFMT) {
    case 0:
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      return 0;
    case S_IFDIR:
      return SysResult::Errno(EPERM);
    default:
      return SysResult::Errno(EINVAL);
  }
}

}  // namespace sentry::vfs
