// Vfs: mounts and path-based operations.
// Ownership as described in vfs/vfs.h; sentry thread only.
#include "vfs/vfs.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "vfs/devfs.h"
#include "vfs/goferfs.h"
#include "vfs/path.h"
#include "vfs/synthetic.h"

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

bool IsNormalName(const std::string& name) { return !name.empty() && name != "." && name != ".."; }

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
  vfs->mounts_->AddRoot(rootfs, "none");

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
       {Standard{"/dev", MakeDevfs(std::move(tty)), "dev"},
        Standard{"/proc", MakeProcfs(opts.processes, opts.proc, vfs->mounts_), "proc"}}) {
    FsContext ctx = vfs->RootContext();
    Credentials root_creds;
    ErrnoOr<Resolved> r = vfs->Resolve(ctx, root_creds, nullptr, m.path, true);
    if (!r.ok()) return Result::Errno(r.error());
    std::shared_ptr<Dentry> target = r->dentry;
    if (target == nullptr) {
      // Stand in for the missing directory; the mount table pins the placeholder, so the
      // parent's (weak) child cache keeps finding it.
      auto dir = std::make_shared<StaticDir>(vfs->placeholder_fs_, 0755);
      target = std::make_shared<Dentry>(dir, r->parent, r->name);
      r->parent->CacheChild(target);
    }
    if (!target->IsDir()) return Result::Errno(ENOTDIR);
    vfs->mounts_->Add(target, m.fs, m.source);
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

SysResult Vfs::Mount(std::string_view target, std::shared_ptr<Filesystem> fs, std::string source) {
  if (fs == nullptr) return SysResult::Errno(EINVAL);
  ErrnoOr<Resolved> r = Resolve(RootContext(), Credentials{}, nullptr, target, true);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->dentry == nullptr) return SysResult::Errno(ENOENT);
  if (!r->dentry->IsDir()) return SysResult::Errno(ENOTDIR);
  mounts_->Add(r->dentry, std::move(fs), std::move(source));
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
    return Result::Errno((*d)->fs()->read_only() ? EROFS : EOPNOTSUPP);
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
    Filesystem* fs = res.parent->fs();
    if (fs->read_only()) return Result::Errno(EROFS);
    if (CheckInodePermission(creds, res.parent->inode().get(), kMayWrite | kMayExec, IdKind::kFs)) {
      return Result::Errno(EACCES);
    }
    (void)mode;  // no filesystem creates files yet; mode & ~ctx.umask when one does
    return Result::Errno(EACCES);
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
  // O_TRUNC of a regular file on a writable filesystem: none exists yet.
  return inode->Open(d, flags | kOLargeFile, ctx);
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

SysResult Vfs::CheckModify(const Credentials& creds, const std::shared_ptr<Dentry>& parent,
                           int otherwise) const {
  if (parent->fs()->read_only()) return SysResult::Errno(EROFS);
  if (CheckInodePermission(creds, parent->inode().get(), kMayWrite | kMayExec, IdKind::kFs)) {
    return SysResult::Errno(EACCES);
  }
  return SysResult::Errno(otherwise);
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

SysResult Vfs::MkdirAt(const FsContext& ctx, const Credentials& creds,
                       const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t) {
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, dir, path);
  if (!r.ok()) return SysResult::Errno(r.error());
  return CheckModify(creds, r->parent, EPERM);
}

SysResult Vfs::MknodAt(const FsContext& ctx, const Credentials& creds,
                       const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t mode,
                       dev_t) {
  switch (mode & S_IFMT) {
    case 0:
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    case S_IFDIR:
      return SysResult::Errno(EPERM);
    default:
      return SysResult::Errno(EINVAL);
  }
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, dir, path);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->trailing_slash) return SysResult::Errno(ENOENT);
  return CheckModify(creds, r->parent, EPERM);
}

SysResult Vfs::SymlinkAt(const FsContext& ctx, const Credentials& creds, std::string_view target,
                         const std::shared_ptr<Dentry>& dir, std::string_view path) {
  if (CString(target).empty()) return SysResult::Errno(ENOENT);
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, dir, path);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->trailing_slash) return SysResult::Errno(ENOENT);
  return CheckModify(creds, r->parent, EPERM);
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
  if (r->dentry == nullptr && r->magic_file == nullptr) return SysResult::Errno(ENOENT);
  bool is_dir = r->dentry != nullptr && r->dentry->IsDir();
  if (remove_dir && !is_dir) return SysResult::Errno(ENOTDIR);
  if (!remove_dir && trailing) return SysResult::Errno(is_dir ? EISDIR : ENOTDIR);
  if (CheckInodePermission(creds, r->parent->inode().get(), kMayWrite | kMayExec, IdKind::kFs)) {
    return SysResult::Errno(EACCES);
  }
  if (!remove_dir && is_dir) return SysResult::Errno(EISDIR);
  if (r->dentry != nullptr && r->dentry->mountpoint() != nullptr) return SysResult::Errno(EBUSY);
  return SysResult::Errno(EPERM);
}

SysResult Vfs::LinkAt(const FsContext& ctx, const Credentials& creds,
                      const std::shared_ptr<Dentry>& old_dir, std::string_view old_path,
                      const std::shared_ptr<Dentry>& new_dir, std::string_view new_path,
                      bool follow) {
  ErrnoOr<Resolved> old_r = Resolve(ctx, creds, old_dir, old_path, follow);
  if (!old_r.ok()) return SysResult::Errno(old_r.error());
  if (old_r->dentry == nullptr) return SysResult::Errno(ENOENT);
  ErrnoOr<Resolved> r = ResolveForCreate(ctx, creds, new_dir, new_path);
  if (!r.ok()) return SysResult::Errno(r.error());
  if (r->trailing_slash) return SysResult::Errno(ENOENT);
  if (r->parent->fs()->read_only()) return SysResult::Errno(EROFS);
  if (r->parent->fs() != old_r->dentry->fs()) return SysResult::Errno(EXDEV);
  if (old_r->dentry->IsDir()) return SysResult::Errno(EPERM);
  return CheckModify(creds, r->parent, EPERM);
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
  if ((flags & RENAME_NOREPLACE) && n->dentry != nullptr) return SysResult::Errno(EEXIST);
  if ((flags & RENAME_EXCHANGE) && n->dentry == nullptr) return SysResult::Errno(ENOENT);
  if ((old_trailing || new_trailing) && !o->dentry->IsDir()) return SysResult::Errno(ENOTDIR);
  if (CheckInodePermission(creds, o->parent->inode().get(), kMayWrite | kMayExec, IdKind::kFs) ||
      CheckInodePermission(creds, n->parent->inode().get(), kMayWrite | kMayExec, IdKind::kFs)) {
    return SysResult::Errno(EACCES);
  }
  return SysResult::Errno(EPERM);
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

}  // namespace sentry::vfs
