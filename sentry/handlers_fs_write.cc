// Syscalls that change files and the tree (mkdir, mknod, unlink, rename, link, symlink,
// truncate, fallocate, chmod/chown/utimes), the sync calls and statfs: argument checks in
// Linux's order, semantics in the VFS (vfs/vfs.h). Sentry thread only.
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <utime.h>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"

namespace sentry {
namespace {

using DentryRef = std::shared_ptr<vfs::Dentry>;
using Attr = vfs::Vfs::AttrRequest;

// fchmodat2 (Linux 6.6) is newer than the system headers.
constexpr int kSysFchmodat2 = 452;

int Int(uint64_t v) { return static_cast<int>(v); }

// A path argument and the directory a relative path starts from.
struct PathArg {
  std::string path;
  DentryRef dir;
};

// Reads the path at `addr` (EFAULT, ENAMETOOLONG; an empty path is ENOENT unless
// `allow_empty`) and resolves `dirfd` for a relative one (EBADF, ENOTDIR on the walk).
SysResult GetPathArg(SyscallContext& c, int dirfd, uint64_t addr, PathArg* out,
                     bool allow_empty = false) {
  SysResult r = ReadPath(c, addr, &out->path);
  if (!r.ok()) return r;
  if (out->path.empty()) {
    if (!allow_empty) return SysResult::Errno(ENOENT);
    return 0;
  }
  if (out->path[0] == '/') {
    out->dir = c.proc.fs.root;
    return 0;
  }
  ErrnoOr<DentryRef> d = c.kernel.DirFor(c.proc, dirfd);
  if (!d.ok()) return SysResult::Errno(d.error());
  out->dir = d.take();
  return 0;
}

// The absolute sandbox path of a path argument, for the audit log.
std::string AuditPath(SyscallContext& c, const PathArg& p) {
  if ((!p.path.empty() && p.path[0] == '/') || p.dir == nullptr) return p.path;
  std::string dir = c.kernel.vfs().PathOf(p.dir, c.proc.fs.root);
  return dir == "/" ? "/" + p.path : dir + "/" + p.path;
}

// Records a successful change in the audit log; returns `r` unchanged.
SysResult Audited(SyscallContext& c, SysResult r, std::string_view op, const PathArg& p,
                  const PathArg* to = nullptr, std::string_view target = {}) {
  if (r.ok() && c.kernel.audit().enabled()) {
    c.kernel.audit().Change(c.proc.pid, op, AuditPath(c, p), to ? AuditPath(c, *to) : target);
  }
  return r;
}

// ---- creating and removing names ----

SysResult MkdirImpl(SyscallContext& c, int dirfd, uint64_t path, uint32_t mode) {
  PathArg p;
  if (SysResult r = GetPathArg(c, dirfd, path, &p); !r.ok()) return r;
  return Audited(c, c.kernel.vfs().MkdirAt(FsFor(c), c.proc.creds, p.dir, p.path, mode), "mkdir",
                 p);
}
SysResult Mkdir(SyscallContext& c) {
  return MkdirImpl(c, AT_FDCWD, c.arg(0), static_cast<uint32_t>(c.arg(1)));
}
SysResult Mkdirat(SyscallContext& c) {
  return MkdirImpl(c, Int(c.arg(0)), c.arg(1), static_cast<uint32_t>(c.arg(2)));
}

SysResult MknodImpl(SyscallContext& c, int dirfd, uint64_t path, uint32_t mode, uint32_t dev) {
  // Linux's may_mknod, before the path is looked at.
  if (SysResult t = vfs::CheckMknodType(mode); !t.ok()) return t;
  PathArg p;
  if (SysResult r = GetPathArg(c, dirfd, path, &p); !r.ok()) return r;
  return Audited(c, c.kernel.vfs().MknodAt(FsFor(c), c.proc.creds, p.dir, p.path, mode, dev),
                 "mknod", p);
}
SysResult Mknod(SyscallContext& c) {
  return MknodImpl(c, AT_FDCWD, c.arg(0), static_cast<uint32_t>(c.arg(1)),
                   static_cast<uint32_t>(c.arg(2)));
}
SysResult Mknodat(SyscallContext& c) {
  return MknodImpl(c, Int(c.arg(0)), c.arg(1), static_cast<uint32_t>(c.arg(2)),
                   static_cast<uint32_t>(c.arg(3)));
}

SysResult UnlinkImpl(SyscallContext& c, int dirfd, uint64_t path, bool dir) {
  PathArg p;
  if (SysResult r = GetPathArg(c, dirfd, path, &p); !r.ok()) return r;
  return Audited(c, c.kernel.vfs().UnlinkAt(FsFor(c), c.proc.creds, p.dir, p.path, dir),
                 dir ? "rmdir" : "unlink", p);
}
SysResult Unlink(SyscallContext& c) { return UnlinkImpl(c, AT_FDCWD, c.arg(0), false); }
SysResult Rmdir(SyscallContext& c) { return UnlinkImpl(c, AT_FDCWD, c.arg(0), true); }
SysResult Unlinkat(SyscallContext& c) {
  int flags = Int(c.arg(2));
  if (flags & ~AT_REMOVEDIR) return SysResult::Errno(EINVAL);
  return UnlinkImpl(c, Int(c.arg(0)), c.arg(1), flags & AT_REMOVEDIR);
}

SysResult RenameImpl(SyscallContext& c, int olddirfd, uint64_t oldpath, int newdirfd,
                     uint64_t newpath, uint64_t flags64) {
  if (flags64 > UINT32_MAX) return SysResult::Errno(EINVAL);
  unsigned flags = static_cast<unsigned>(flags64);
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) {
    return SysResult::Errno(EINVAL);
  }
  if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE)) {
    return SysResult::Errno(EINVAL);
  }
  PathArg from, to;
  if (SysResult r = GetPathArg(c, olddirfd, oldpath, &from); !r.ok()) return r;
  if (SysResult r = GetPathArg(c, newdirfd, newpath, &to); !r.ok()) return r;
  return Audited(c,
                 c.kernel.vfs().RenameAt(FsFor(c), c.proc.creds, from.dir, from.path, to.dir,
                                         to.path, flags),
                 "rename", from, &to);
}
SysResult Rename(SyscallContext& c) {
  return RenameImpl(c, AT_FDCWD, c.arg(0), AT_FDCWD, c.arg(1), 0);
}
SysResult Renameat(SyscallContext& c) {
  return RenameImpl(c, Int(c.arg(0)), c.arg(1), Int(c.arg(2)), c.arg(3), 0);
}
SysResult Renameat2(SyscallContext& c) {
  return RenameImpl(c, Int(c.arg(0)), c.arg(1), Int(c.arg(2)), c.arg(3), c.arg(4));
}

SysResult LinkImpl(SyscallContext& c, int olddirfd, uint64_t oldpath, int newdirfd,
                   uint64_t newpath, int flags) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return SysResult::Errno(EINVAL);
  PathArg from, to;
  // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH: without it an empty path is just ENOENT.
  bool empty_ok = (flags & AT_EMPTY_PATH) && c.proc.creds.euid == 0;
  if (SysResult r = GetPathArg(c, olddirfd, oldpath, &from, empty_ok); !r.ok()) return r;
  if (from.path.empty()) {
    DentryRef target;
    if (olddirfd == AT_FDCWD) {
      target = c.proc.fs.cwd;
    } else {
      vfs::FileRef f = olddirfd < 0 ? nullptr : GetFile(c, static_cast<uint64_t>(olddirfd));
      if (!f) return SysResult::Errno(EBADF);
      if (!f->dentry()) return SysResult::Errno(EXDEV);  // a pipe or socket
      target = f->dentry();
    }
    if (SysResult r = GetPathArg(c, newdirfd, newpath, &to); !r.ok()) return r;
    from.path = c.kernel.vfs().PathOf(target, c.proc.fs.root);
    return Audited(c, c.kernel.vfs().LinkDentryAt(FsFor(c), c.proc.creds, target, to.dir, to.path),
                   "link", from, &to);
  }
  if (SysResult r = GetPathArg(c, newdirfd, newpath, &to); !r.ok()) return r;
  return Audited(c,
                 c.kernel.vfs().LinkAt(FsFor(c), c.proc.creds, from.dir, from.path, to.dir,
                                       to.path, flags & AT_SYMLINK_FOLLOW),
                 "link", from, &to);
}
SysResult Link(SyscallContext& c) { return LinkImpl(c, AT_FDCWD, c.arg(0), AT_FDCWD, c.arg(1), 0); }
SysResult Linkat(SyscallContext& c) {
  return LinkImpl(c, Int(c.arg(0)), c.arg(1), Int(c.arg(2)), c.arg(3), Int(c.arg(4)));
}

SysResult SymlinkImpl(SyscallContext& c, uint64_t target_addr, int newdirfd, uint64_t path) {
  std::string target;
  if (SysResult r = ReadPath(c, target_addr, &target); !r.ok()) return r;
  PathArg p;
  if (SysResult r = GetPathArg(c, newdirfd, path, &p); !r.ok()) return r;
  return Audited(c, c.kernel.vfs().SymlinkAt(FsFor(c), c.proc.creds, target, p.dir, p.path),
                 "symlink", p, nullptr, target);
}
SysResult Symlink(SyscallContext& c) { return SymlinkImpl(c, c.arg(0), AT_FDCWD, c.arg(1)); }
SysResult Symlinkat(SyscallContext& c) { return SymlinkImpl(c, c.arg(0), Int(c.arg(1)), c.arg(2)); }

// ---- sizes ----

// RLIMIT_FSIZE on growing a file to `size` (Linux checks it last, in notify_change; an
// error the VFS would give first still wins because only a writable regular file can grow).
int FileGrowthLimit(SyscallContext& c, const vfs::FileRef& f, int64_t size) {
  if (c.proc.rlimits[RLIMIT_FSIZE].rlim_cur == RLIM_INFINITY) return 0;
  struct stat st;
  if (f->is_path() || !f->writable() || !f->Stat(&st).ok() || !S_ISREG(st.st_mode)) return 0;
  return LimitFileGrowth(c, st, size);
}
int PathGrowthLimit(SyscallContext& c, const PathArg& p, int64_t size) {
  if (c.proc.rlimits[RLIMIT_FSIZE].rlim_cur == RLIM_INFINITY) return 0;
  struct stat st;
  if (!c.kernel.vfs().StatAt(FsFor(c), c.proc.creds, p.dir, p.path, true, &st).ok() ||
      !S_ISREG(st.st_mode)) {
    return 0;
  }
  return LimitFileGrowth(c, st, size);
}

SysResult Truncate(SyscallContext& c) {
  int64_t size = static_cast<int64_t>(c.arg(1));
  if (size < 0) return SysResult::Errno(EINVAL);
  PathArg p;
  if (SysResult r = GetPathArg(c, AT_FDCWD, c.arg(0), &p); !r.ok()) return r;
  if (int err = PathGrowthLimit(c, p, size)) return SysResult::Errno(err);
  return c.kernel.vfs().SetAttrAt(FsFor(c), c.proc.creds, p.dir, p.path, true,
                                  Attr{.kind = Attr::Kind::kTruncate, .size = size});
}

SysResult Ftruncate(SyscallContext& c) {
  int64_t size = static_cast<int64_t>(c.arg(1));
  if (size < 0) return SysResult::Errno(EINVAL);
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  if (int err = FileGrowthLimit(c, f, size)) return SysResult::Errno(err);
  return vfs::Vfs::TruncateFile(*f, size);
}

SysResult Fallocate(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  int mode = Int(c.arg(1));
  int64_t offset = static_cast<int64_t>(c.arg(2)), len = static_cast<int64_t>(c.arg(3));
  // Only a call that may change the size is limited (not FALLOC_FL_KEEP_SIZE, punch hole).
  if (offset >= 0 && len > 0 && offset <= INT64_MAX - len && !(mode & FALLOC_FL_KEEP_SIZE)) {
    if (int err = FileGrowthLimit(c, f, offset + len)) return SysResult::Errno(err);
  }
  return vfs::Vfs::AllocateFile(*f, mode, offset, len);
}

// ---- attributes ----

// The attribute change on (dirfd, path) with AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH flags.
SysResult SetAttrPath(SyscallContext& c, int dirfd, uint64_t path, int flags, const Attr& a) {
  PathArg p;
  if (SysResult r = GetPathArg(c, dirfd, path, &p, flags & AT_EMPTY_PATH); !r.ok()) return r;
  if (p.path.empty()) {
    if (dirfd == AT_FDCWD) return vfs::Vfs::SetAttrOf(c.proc.creds, c.proc.fs.cwd, a);
    vfs::FileRef f = dirfd < 0 ? nullptr : GetFile(c, static_cast<uint64_t>(dirfd));
    if (!f) return SysResult::Errno(EBADF);
    if (!f->dentry()) return vfs::Vfs::SetAttrOf(*f);
    return vfs::Vfs::SetAttrOf(c.proc.creds, f->dentry(), a);
  }
  return c.kernel.vfs().SetAttrAt(FsFor(c), c.proc.creds, p.dir, p.path,
                                  !(flags & AT_SYMLINK_NOFOLLOW), a);
}

// The attribute change on an open file (fchmod, fchown, futimens): O_PATH is EBADF.
SysResult SetAttrFd(SyscallContext& c, uint64_t fd, const Attr& a) {
  vfs::FileRef f = GetFile(c, fd);
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  if (!f->dentry()) return vfs::Vfs::SetAttrOf(*f);
  return vfs::Vfs::SetAttrOf(c.proc.creds, f->dentry(), a);
}

Attr Chmod(uint64_t mode) {
  return Attr{.kind = Attr::Kind::kChmod, .mode = static_cast<uint32_t>(mode) & 07777};
}
Attr Chown(uint64_t uid, uint64_t gid) {
  return Attr{.kind = Attr::Kind::kChown,
              .uid = static_cast<uint32_t>(uid),
              .gid = static_cast<uint32_t>(gid)};
}

SysResult ChmodSys(SyscallContext& c) {
  return SetAttrPath(c, AT_FDCWD, c.arg(0), 0, Chmod(c.arg(1)));
}
SysResult Fchmod(SyscallContext& c) { return SetAttrFd(c, c.arg(0), Chmod(c.arg(1))); }
SysResult Fchmodat(SyscallContext& c) {
  return SetAttrPath(c, Int(c.arg(0)), c.arg(1), 0, Chmod(c.arg(2)));
}
SysResult Fchmodat2(SyscallContext& c) {
  int flags = Int(c.arg(3));
  if (c.arg(3) > UINT32_MAX || (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))) {
    return SysResult::Errno(EINVAL);
  }
  return SetAttrPath(c, Int(c.arg(0)), c.arg(1), flags, Chmod(c.arg(2)));
}

SysResult ChownSys(SyscallContext& c) {
  return SetAttrPath(c, AT_FDCWD, c.arg(0), 0, Chown(c.arg(1), c.arg(2)));
}
SysResult Lchown(SyscallContext& c) {
  return SetAttrPath(c, AT_FDCWD, c.arg(0), AT_SYMLINK_NOFOLLOW, Chown(c.arg(1), c.arg(2)));
}
SysResult Fchown(SyscallContext& c) { return SetAttrFd(c, c.arg(0), Chown(c.arg(1), c.arg(2))); }
SysResult Fchownat(SyscallContext& c) {
  int flags = Int(c.arg(4));
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return SysResult::Errno(EINVAL);
  return SetAttrPath(c, Int(c.arg(0)), c.arg(1), flags, Chown(c.arg(2), c.arg(3)));
}

// Linux's do_utimes: a null path with a real dirfd means the open file itself.
SysResult UtimesImpl(SyscallContext& c, int dirfd, uint64_t path, const struct timespec* times,
                     int flags) {
  Attr a{.kind = Attr::Kind::kUtimes, .times_now = times == nullptr};
  if (times != nullptr) {
    if (times[0].tv_nsec == UTIME_NOW && times[1].tv_nsec == UTIME_NOW) {
      a.times_now = true;
    } else {
      a.times[0] = times[0];
      a.times[1] = times[1];
    }
  }
  if (path == 0 && dirfd != AT_FDCWD) {
    if (flags != 0) return SysResult::Errno(EINVAL);
    return SetAttrFd(c, static_cast<uint64_t>(static_cast<uint32_t>(dirfd)), a);
  }
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return SysResult::Errno(EINVAL);
  return SetAttrPath(c, dirfd, path, flags, a);
}

SysResult Utimensat(SyscallContext& c) {
  struct timespec ts[2];
  const struct timespec* times = nullptr;
  if (c.arg(2) != 0) {
    if (!CopyIn(c, c.arg(2), ts, sizeof(ts)).ok()) return SysResult::Errno(EFAULT);
    // Nothing to do: Linux does not even look at the path.
    if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT) return 0;
    times = ts;
  }
  return UtimesImpl(c, Int(c.arg(0)), c.arg(1), times, Int(c.arg(3)));
}

// utimes(2)/futimesat(2): microsecond timevals, checked before the nanosecond conversion.
SysResult TimevalImpl(SyscallContext& c, int dirfd, uint64_t path, uint64_t tv_addr) {
  if (tv_addr == 0) return UtimesImpl(c, dirfd, path, nullptr, 0);
  struct timeval tv[2];
  if (!CopyIn(c, tv_addr, tv, sizeof(tv)).ok()) return SysResult::Errno(EFAULT);
  for (const struct timeval& t : tv) {
    if (t.tv_usec < 0 || t.tv_usec >= 1000000) return SysResult::Errno(EINVAL);
  }
  struct timespec ts[2] = {{tv[0].tv_sec, tv[0].tv_usec * 1000},
                           {tv[1].tv_sec, tv[1].tv_usec * 1000}};
  return UtimesImpl(c, dirfd, path, ts, 0);
}
SysResult Utimes(SyscallContext& c) { return TimevalImpl(c, AT_FDCWD, c.arg(0), c.arg(1)); }
SysResult Futimesat(SyscallContext& c) { return TimevalImpl(c, Int(c.arg(0)), c.arg(1), c.arg(2)); }

SysResult Utime(SyscallContext& c) {
  if (c.arg(1) == 0) return UtimesImpl(c, AT_FDCWD, c.arg(0), nullptr, 0);
  struct utimbuf buf;
  if (!CopyInObj(c, c.arg(1), &buf).ok()) return SysResult::Errno(EFAULT);
  struct timespec ts[2] = {{buf.actime, 0}, {buf.modtime, 0}};
  return UtimesImpl(c, AT_FDCWD, c.arg(0), ts, 0);
}

// ---- sync and statfs ----

// fsync/fdatasync: files and directories are flushed by their filesystem (a rw --mount's
// reach the host; tmpfs and the read-only root have nothing to flush); pipes, sockets and
// devices have no fsync at all (EINVAL).
SysResult Fsync(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  struct stat st;
  if (SysResult r = f->Stat(&st); !r.ok()) return r;
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return SysResult::Errno(EINVAL);
  if (f->dentry() == nullptr) return 0;
  const int err = f->dentry()->inode()->Sync(c.req.nr == SYS_fdatasync);
  return err != 0 ? SysResult::Errno(err) : SysResult(0);
}

SysResult Syncfs(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  return 0;
}

SysResult Sync(SyscallContext&) { return 0; }

SysResult Statfs(SyscallContext& c) {
  PathArg p;
  if (SysResult r = GetPathArg(c, AT_FDCWD, c.arg(0), &p); !r.ok()) return r;
  struct statfs st;
  SysResult r = c.kernel.vfs().StatFsAt(FsFor(c), c.proc.creds, p.dir, p.path, &st);
  if (!r.ok()) return r;
  return CopyOutObj(c, c.arg(1), st).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

SysResult Fstatfs(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);  // O_PATH descriptions are fine (fdget_raw)
  struct statfs st;
  SysResult r = vfs::Vfs::StatFsOf(*f, &st);
  if (!r.ok()) return r;
  return CopyOutObj(c, c.arg(1), st).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

}  // namespace

void RegisterFsWriteHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_mkdir] = Mkdir;
  (*t)[SYS_mkdirat] = Mkdirat;
  (*t)[SYS_mknod] = Mknod;
  (*t)[SYS_mknodat] = Mknodat;
  (*t)[SYS_unlink] = Unlink;
  (*t)[SYS_unlinkat] = Unlinkat;
  (*t)[SYS_rmdir] = Rmdir;
  (*t)[SYS_rename] = Rename;
  (*t)[SYS_renameat] = Renameat;
  (*t)[SYS_renameat2] = Renameat2;
  (*t)[SYS_link] = Link;
  (*t)[SYS_linkat] = Linkat;
  (*t)[SYS_symlink] = Symlink;
  (*t)[SYS_symlinkat] = Symlinkat;
  (*t)[SYS_truncate] = Truncate;
  (*t)[SYS_ftruncate] = Ftruncate;
  (*t)[SYS_fallocate] = Fallocate;
  (*t)[SYS_chmod] = ChmodSys;
  (*t)[SYS_fchmod] = Fchmod;
  (*t)[SYS_fchmodat] = Fchmodat;
  (*t)[kSysFchmodat2] = Fchmodat2;
  (*t)[SYS_chown] = ChownSys;
  (*t)[SYS_fchown] = Fchown;
  (*t)[SYS_lchown] = Lchown;
  (*t)[SYS_fchownat] = Fchownat;
  (*t)[SYS_utimensat] = Utimensat;
  (*t)[SYS_utime] = Utime;
  (*t)[SYS_utimes] = Utimes;
  (*t)[SYS_futimesat] = Futimesat;
  (*t)[SYS_fsync] = Fsync;
  (*t)[SYS_fdatasync] = Fsync;
  (*t)[SYS_syncfs] = Syncfs;
  (*t)[SYS_sync] = Sync;
  (*t)[SYS_statfs] = Statfs;
  (*t)[SYS_fstatfs] = Fstatfs;
}

}  // namespace sentry
