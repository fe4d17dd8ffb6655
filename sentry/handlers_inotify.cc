// inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch over vfs::InotifyFile
// (events come from the VFS's fsnotify hooks; read/poll/FIONREAD go through the generic
// handlers). Sentry thread only.
#include <sys/inotify.h>
#include <sys/syscall.h>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "vfs/inotify.h"

namespace sentry {
namespace {

SysResult InitImpl(SyscallContext& c, int flags) {
  auto f = vfs::InotifyFile::Create(flags);
  if (!f.ok()) return SysResult::Errno(f.error());
  return c.proc.fds->Install(*f, flags & IN_CLOEXEC, 0, FdLimit(c));
}

SysResult InotifyInit(SyscallContext& c) { return InitImpl(c, 0); }
SysResult InotifyInit1(SyscallContext& c) { return InitImpl(c, static_cast<int>(c.arg(0))); }

ErrnoOr<vfs::InotifyFile*> GetInotify(SyscallContext& c, uint64_t fd, vfs::FileRef* hold) {
  using R = ErrnoOr<vfs::InotifyFile*>;
  *hold = GetFile(c, static_cast<uint64_t>(static_cast<int64_t>(static_cast<int>(fd))));
  if (!*hold) return R::Errno(EBADF);
  auto* in = dynamic_cast<vfs::InotifyFile*>(hold->get());
  if (!in) return R::Errno(EINVAL);
  return in;
}

// inotify_add_watch(fd, path, mask), in Linux's order of checks.
SysResult InotifyAddWatch(SyscallContext& c) {
  uint32_t mask = static_cast<uint32_t>(c.arg(2));
  if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) return SysResult::Errno(EINVAL);
  if (!(mask & vfs::inotify::kAllBits)) return SysResult::Errno(EINVAL);
  vfs::FileRef hold;
  auto in = GetInotify(c, c.arg(0), &hold);
  if (!in.ok()) return SysResult::Errno(in.error());
  std::string path;
  if (SysResult r = ReadPath(c, c.arg(1), &path); !r.ok()) return r;
  auto res = c.kernel.vfs().Resolve(FsFor(c), c.proc.creds, nullptr, path,
                                    !(mask & IN_DONT_FOLLOW));
  if (!res.ok()) return SysResult::Errno(res.error());
  std::shared_ptr<vfs::Dentry> d = res->dentry;
  if (d == nullptr && res->magic_file != nullptr) d = res->magic_file->dentry();
  if (d == nullptr) return SysResult::Errno(ENOENT);
  if ((mask & IN_ONLYDIR) && !d->IsDir()) return SysResult::Errno(ENOTDIR);
  vfs::InodePerm p = d->inode()->Perm();
  if (vfs::CheckPermission(c.proc.creds, p.mode, p.uid, p.gid, vfs::kMayRead))
    return SysResult::Errno(EACCES);
  return (*in)->AddWatch(d, mask);
}

SysResult InotifyRmWatch(SyscallContext& c) {
  vfs::FileRef hold;
  auto in = GetInotify(c, c.arg(0), &hold);
  if (!in.ok()) return SysResult::Errno(in.error());
  int err = (*in)->RemoveWatch(static_cast<int>(c.arg(1)));
  return err ? SysResult::Errno(err) : SysResult(0);
}

}  // namespace

void RegisterInotifyHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_inotify_init] = InotifyInit;
  (*t)[SYS_inotify_init1] = InotifyInit1;
  (*t)[SYS_inotify_add_watch] = InotifyAddWatch;
  (*t)[SYS_inotify_rm_watch] = InotifyRmWatch;
}

}  // namespace sentry
