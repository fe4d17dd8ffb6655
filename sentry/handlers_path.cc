// Path syscalls: open/openat/openat2, the stat family, readlink(at), access family,
// getcwd, chdir, fchdir.
// Sentry thread only.
#include <linux/openat2.h>
#include <linux/stat.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#include <cstring>

#include "sentry/ctty_open.h"
#include "sentry/handler_util.h"
#include "sentry/handlers.h"

namespace sentry {
namespace {

using DentryRef = std::shared_ptr<vfs::Dentry>;

SysResult OpenImpl(SyscallContext& c, int dirfd, uint64_t path_addr, int flags, uint32_t mode) {
  GuestPath path;
  SysResult r = ReadPath(c, path_addr, &path);
  if (!r.ok()) return r;
  if (path.empty()) return SysResult::Errno(ENOENT);
  auto dir = path.front() == '/' ? ErrnoOr<DentryRef>(c.proc.fs.root) : c.kernel.DirFor(c.proc, dirfd);
  if (!dir.ok()) return SysResult::Errno(dir.error());
  auto f = c.kernel.vfs().OpenAt(FsFor(c), c.proc.creds, *dir, path.view(), flags, mode);
  if (!f.ok()) return SysResult::Errno(f.error());
  // A FIFO opened for one side waits for the other (the description, dropped on EINTR,
  // leaves the FIFO as it was).
  while (!(*f)->OpenComplete()) {
    WaitQueue* q[] = {(*f)->OpenWaitQueue()};
    if (!c.kernel.WaitForEvents(c.task, q, {}, -1)) return SysResult::Errno(EINTR);
    if (!c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
  }
  if (c.kernel.audit().enabled() && (flags & (O_ACCMODE | O_CREAT | O_TRUNC)) != O_RDONLY &&
      !(*f)->is_path()) {
    c.kernel.audit().Open(c.proc.pid, (*f)->Path(), flags);
  }
  return InstallOpenedFile(c, *f, flags);  // ctty_open.h: a terminal may become the ctty
}

SysResult Open(SyscallContext& c) {
  return OpenImpl(c, AT_FDCWD, c.arg(0), static_cast<int>(c.arg(1)),
                  static_cast<uint32_t>(c.arg(2)));
}
SysResult Creat(SyscallContext& c) {
  return OpenImpl(c, AT_FDCWD, c.arg(0), O_CREAT | O_WRONLY | O_TRUNC,
                  static_cast<uint32_t>(c.arg(1)));
}
SysResult Openat(SyscallContext& c) {
  return OpenImpl(c, static_cast<int>(c.arg(0)), c.arg(1), static_cast<int>(c.arg(2)),
                  static_cast<uint32_t>(c.arg(3)));
}
SysResult Openat2(SyscallContext& c) {
  open_how how{};
  size_t size = c.arg(3);
  if (size < sizeof(open_how) || size > 4096) return SysResult::Errno(EINVAL);
  if (!CopyIn(c, c.arg(2), &how, sizeof(how)).ok()) return SysResult::Errno(EFAULT);
  // RESOLVE_* restrictions are not implemented yet: refuse rather than ignore them.
  if (how.resolve != 0) return SysResult::Errno(EINVAL);
  if (how.flags > 0xffffffffULL) return SysResult::Errno(EINVAL);
  return OpenImpl(c, static_cast<int>(c.arg(0)), c.arg(1), static_cast<int>(how.flags),
                  static_cast<uint32_t>(how.mode));
}

// stat of (dirfd, path) with AT_* flags; AT_EMPTY_PATH on an empty path stats dirfd.
SysResult StatImpl(SyscallContext& c, int dirfd, uint64_t path_addr, int flags, struct stat* st) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
    return SysResult::Errno(EINVAL);
  GuestPath path;
  SysResult r = ReadPath(c, path_addr, &path);
  if (!r.ok()) return r;
  if (path.empty()) {
    if (!(flags & AT_EMPTY_PATH)) return SysResult::Errno(ENOENT);
    if (dirfd == AT_FDCWD) {
      return c.kernel.vfs().StatAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, ".", true, st);
    }
    vfs::FileRef f = GetFile(c, static_cast<uint64_t>(static_cast<uint32_t>(dirfd)));
    if (dirfd < 0 || !f) return SysResult::Errno(EBADF);
    return f->Stat(st);
  }
  auto dir = path.front() == '/' ? ErrnoOr<DentryRef>(c.proc.fs.root) : c.kernel.DirFor(c.proc, dirfd);
  if (!dir.ok()) return SysResult::Errno(dir.error());
  return c.kernel.vfs().StatAt(FsFor(c), c.proc.creds, *dir, path.view(),
                               !(flags & AT_SYMLINK_NOFOLLOW), st);
}

SysResult Stat(SyscallContext& c) {
  struct stat st;
  SysResult r = StatImpl(c, AT_FDCWD, c.arg(0), 0, &st);
  if (!r.ok()) return r;
  return CopyOutObj(c, c.arg(1), st).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}
SysResult Lstat(SyscallContext& c) {
  struct stat st;
  SysResult r = StatImpl(c, AT_FDCWD, c.arg(0), AT_SYMLINK_NOFOLLOW, &st);
  if (!r.ok()) return r;
  return CopyOutObj(c, c.arg(1), st).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}
SysResult Fstat(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  struct stat st;
  SysResult r = f->Stat(&st);
  if (!r.ok()) return r;
  return CopyOutObj(c, c.arg(1), st).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}
SysResult Newfstatat(SyscallContext& c) {
  struct stat st;
  SysResult r = StatImpl(c, static_cast<int>(c.arg(0)), c.arg(1), static_cast<int>(c.arg(3)), &st);
  if (!r.ok()) return r;
  return CopyOutObj(c, c.arg(2), st).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

SysResult Statx(SyscallContext& c) {
  int flags = static_cast<int>(c.arg(2));
  if (c.arg(3) & STATX__RESERVED) return SysResult::Errno(EINVAL);
  if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return SysResult::Errno(EINVAL);
  struct stat st;
  SysResult r = StatImpl(c, static_cast<int>(c.arg(0)), c.arg(1), flags, &st);
  if (!r.ok()) return r;
  struct statx sx;
  memset(&sx, 0, sizeof(sx));
  sx.stx_mask = STATX_BASIC_STATS;
  sx.stx_blksize = static_cast<uint32_t>(st.st_blksize);
  sx.stx_nlink = static_cast<uint32_t>(st.st_nlink);
  sx.stx_uid = st.st_uid;
  sx.stx_gid = st.st_gid;
  sx.stx_mode = static_cast<uint16_t>(st.st_mode);
  sx.stx_ino = st.st_ino;
  sx.stx_size = static_cast<uint64_t>(st.st_size);
  sx.stx_blocks = static_cast<uint64_t>(st.st_blocks);
  sx.stx_atime = {st.st_atim.tv_sec, static_cast<uint32_t>(st.st_atim.tv_nsec), 0};
  sx.stx_mtime = {st.st_mtim.tv_sec, static_cast<uint32_t>(st.st_mtim.tv_nsec), 0};
  sx.stx_ctime = {st.st_ctim.tv_sec, static_cast<uint32_t>(st.st_ctim.tv_nsec), 0};
  sx.stx_rdev_major = major(st.st_rdev);
  sx.stx_rdev_minor = minor(st.st_rdev);
  sx.stx_dev_major = major(st.st_dev);
  sx.stx_dev_minor = minor(st.st_dev);
  return CopyOutObj(c, c.arg(4), sx).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

// The dentry an empty path with AT_EMPTY_PATH names: dirfd's file, or the cwd.
ErrnoOr<DentryRef> EmptyPathDentry(SyscallContext& c, int dirfd) {
  if (dirfd == AT_FDCWD) return c.proc.fs.cwd;
  vfs::FileRef f = dirfd < 0 ? nullptr : GetFile(c, static_cast<uint64_t>(dirfd));
  if (!f) return ErrnoOr<DentryRef>::Errno(EBADF);
  if (!f->dentry()) return ErrnoOr<DentryRef>::Errno(ENOENT);
  return f->dentry();
}

SysResult ReadlinkImpl(SyscallContext& c, int dirfd, uint64_t path_addr, uint64_t buf,
                       int64_t size) {
  if (size <= 0) return SysResult::Errno(EINVAL);
  std::string path;
  SysResult r = ReadPath(c, path_addr, &path);
  if (!r.ok()) return r;
  ErrnoOr<std::string> target = ErrnoOr<std::string>::Errno(ENOENT);
  if (path.empty()) {
    // readlinkat(fd, "") reads the symlink an O_PATH|O_NOFOLLOW fd refers to.
    auto d = EmptyPathDentry(c, dirfd);
    if (!d.ok()) return SysResult::Errno(d.error());
    if (!(*d)->IsSymlink()) return SysResult::Errno(ENOENT);
    target = (*d)->inode()->ReadLink(FsFor(c));
  } else {
    auto dir =
        path[0] == '/' ? ErrnoOr<DentryRef>(c.proc.fs.root) : c.kernel.DirFor(c.proc, dirfd);
    if (!dir.ok()) return SysResult::Errno(dir.error());
    target = c.kernel.vfs().ReadLinkAt(FsFor(c), c.proc.creds, *dir, path);
  }
  if (!target.ok()) return SysResult::Errno(target.error());
  size_t n = std::min<size_t>(target->size(), static_cast<size_t>(size));
  if (!CopyOut(c, buf, target->data(), n).ok()) return SysResult::Errno(EFAULT);
  return static_cast<int64_t>(n);
}
SysResult Readlink(SyscallContext& c) {
  return ReadlinkImpl(c, AT_FDCWD, c.arg(0), c.arg(1), static_cast<int64_t>(c.arg(2)));
}
SysResult Readlinkat(SyscallContext& c) {
  return ReadlinkImpl(c, static_cast<int>(c.arg(0)), c.arg(1), c.arg(2),
                      static_cast<int64_t>(c.arg(3)));
}

SysResult AccessImpl(SyscallContext& c, int dirfd, uint64_t path_addr, int mode, int flags) {
  if (mode & ~(R_OK | W_OK | X_OK)) return SysResult::Errno(EINVAL);
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return SysResult::Errno(EINVAL);
  GuestPath path;
  SysResult r = ReadPath(c, path_addr, &path);
  if (!r.ok()) return r;
  if (path.empty()) {
    if (!(flags & AT_EMPTY_PATH)) return SysResult::Errno(ENOENT);
    auto d = EmptyPathDentry(c, dirfd);
    if (!d.ok()) return SysResult::Errno(d.error());
    if (mode == F_OK) return 0;
    vfs::InodePerm perm = (*d)->inode()->Perm();
    int e = vfs::CheckPermission(c.proc.creds, perm.mode, perm.uid, perm.gid, mode,
                                 (flags & AT_EACCESS) ? vfs::IdKind::kFs : vfs::IdKind::kReal);
    return e ? SysResult::Errno(e) : SysResult(0);
  }
  auto dir = path.front() == '/' ? ErrnoOr<DentryRef>(c.proc.fs.root) : c.kernel.DirFor(c.proc, dirfd);
  if (!dir.ok()) return SysResult::Errno(dir.error());
  return c.kernel.vfs().AccessAt(FsFor(c), c.proc.creds, *dir, path.view(), mode,
                                 !(flags & AT_SYMLINK_NOFOLLOW));
}
SysResult Access(SyscallContext& c) {
  return AccessImpl(c, AT_FDCWD, c.arg(0), static_cast<int>(c.arg(1)), 0);
}
SysResult Faccessat(SyscallContext& c) {
  return AccessImpl(c, static_cast<int>(c.arg(0)), c.arg(1), static_cast<int>(c.arg(2)), 0);
}
SysResult Faccessat2(SyscallContext& c) {
  return AccessImpl(c, static_cast<int>(c.arg(0)), c.arg(1), static_cast<int>(c.arg(2)),
                    static_cast<int>(c.arg(3)));
}

SysResult Getcwd(SyscallContext& c) {
  std::string path = c.kernel.vfs().PathOf(c.proc.fs.cwd, c.proc.fs.root);
  if (path.size() + 1 > c.arg(1)) return SysResult::Errno(ERANGE);
  if (!CopyOut(c, c.arg(0), path.c_str(), path.size() + 1).ok()) return SysResult::Errno(EFAULT);
  return static_cast<int64_t>(path.size() + 1);
}

SysResult Chdir(SyscallContext& c) {
  std::string path;
  SysResult r = ReadPath(c, c.arg(0), &path);
  if (!r.ok()) return r;
  if (path.empty()) return SysResult::Errno(ENOENT);
  auto d = c.kernel.vfs().LookupDirectory(FsFor(c), c.proc.creds, c.proc.fs.cwd, path);
  if (!d.ok()) return SysResult::Errno(d.error());
  c.proc.fs.cwd = *d;
  return 0;
}

SysResult Fchdir(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  if (!f->dentry()) return SysResult::Errno(ENOTDIR);
  auto d = c.kernel.vfs().LookupDirectory(FsFor(c), c.proc.creds, f->dentry(), ".");
  if (!d.ok()) return SysResult::Errno(d.error());
  c.proc.fs.cwd = *d;
  return 0;
}

}  // namespace

void RegisterPathHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_open] = Open;
  (*t)[SYS_openat] = Openat;
  (*t)[SYS_creat] = Creat;
  (*t)[SYS_openat2] = Openat2;
  (*t)[SYS_stat] = Stat;
  (*t)[SYS_lstat] = Lstat;
  (*t)[SYS_fstat] = Fstat;
  (*t)[SYS_newfstatat] = Newfstatat;
  (*t)[SYS_statx] = Statx;
  (*t)[SYS_readlink] = Readlink;
  (*t)[SYS_readlinkat] = Readlinkat;
  (*t)[SYS_access] = Access;
  (*t)[SYS_faccessat] = Faccessat;
  (*t)[SYS_faccessat2] = Faccessat2;
  (*t)[SYS_getcwd] = Getcwd;
  (*t)[SYS_chdir] = Chdir;
  (*t)[SYS_fchdir] = Fchdir;
}

}  // namespace sentry
