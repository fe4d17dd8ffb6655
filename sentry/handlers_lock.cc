// File locks: flock(2) and fcntl's record-lock commands (F_GETLK/F_SETLK/F_SETLKW and the
// F_OFD_* ones) on the sentry's lock table (vfs/file_lock.h). Blocking calls park the fiber
// on the file's lock wait queue and re-validate the request before taking the lock, so a
// cancelled call takes nothing. Sentry thread only.
#include <sys/file.h>
#include <sys/syscall.h>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "vfs/file_lock.h"

namespace sentry {
namespace {

using vfs::LockType;

bool ToLockType(int16_t t, LockType* out) {
  switch (t) {
    case F_RDLCK:
      *out = LockType::kRead;
      return true;
    case F_WRLCK:
      *out = LockType::kWrite;
      return true;
    case F_UNLCK:
      *out = LockType::kUnlock;
      return true;
    default:
      return false;
  }
}

// Parks the task until the locks on the scope's file change. False when the syscall was
// cancelled meanwhile (a signal): the caller answers EINTR without taking anything.
bool WaitForLockChange(SyscallContext& c, vfs::LockWaitScope& scope) {
  WaitQueue* q = &scope.queue();
  if (!c.kernel.WaitForEvents(c.task, std::span<WaitQueue* const>(&q, 1), {}, -1)) return false;
  return c.kernel.platform().StillValid(c.req);
}

SysResult Flock(SyscallContext& c) {
  int op = static_cast<int>(c.arg(1));
  LockType type;
  switch (op & ~LOCK_NB) {
    case LOCK_SH:
      type = LockType::kRead;
      break;
    case LOCK_EX:
      type = LockType::kWrite;
      break;
    case LOCK_UN:
      type = LockType::kUnlock;
      break;
    default:
      return SysResult::Errno(EINVAL);
  }
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f || f->is_path()) return SysResult::Errno(EBADF);
  vfs::LockKey key;
  if (int err = vfs::LockKeyOf(*f, &key)) return SysResult::Errno(err);
  vfs::FileLockTable& table = vfs::FileLocks();
  if (type != LockType::kUnlock) f->mark_holds_locks();
  for (;;) {
    vfs::LockOwner blocker = nullptr;
    int err = table.Flock(key, f.get(), type, &blocker);
    if (err != EAGAIN) return err ? SysResult::Errno(err) : 0;
    if (op & LOCK_NB) return SysResult::Errno(EWOULDBLOCK);
    vfs::LockWaitScope scope(table, key, f.get(), blocker, /*posix=*/false);
    if (!WaitForLockChange(c, scope)) return SysResult::Errno(EINTR);
  }
}

}  // namespace

SysResult FcntlLock(SyscallContext& c, const vfs::FileRef& f, int cmd, uint64_t arg) {
  if (f->is_path()) return SysResult::Errno(EBADF);
  struct flock fl;  // the guest's struct, copied once; everything below uses the copy
  if (!CopyInObj(c, arg, &fl).ok()) return SysResult::Errno(EFAULT);
  bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
  bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
  bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
  LockType type;
  if (!ToLockType(fl.l_type, &type) || (get && type == LockType::kUnlock))
    return SysResult::Errno(EINVAL);
  vfs::LockKey key;
  int64_t size = 0;
  if (int err = vfs::LockKeyOf(*f, &key, &size)) return SysResult::Errno(err);
  vfs::RecordLock req;
  if (int err = vfs::LockRangeFromFlock(fl.l_whence, fl.l_start, fl.l_len, f->offset(), size,
                                        &req.start, &req.end)) {
    return SysResult::Errno(err);
  }
  if (!get && ((type == LockType::kRead && !f->readable()) ||
               (type == LockType::kWrite && !f->writable()))) {
    return SysResult::Errno(EBADF);
  }
  if (ofd && fl.l_pid != 0) return SysResult::Errno(EINVAL);
  // POSIX locks belong to the fd table (the process, as Linux's files_struct); OFD locks
  // to the description.
  req.owner = ofd ? static_cast<vfs::LockOwner>(f.get()) : c.proc.fds.get();
  req.type = type;
  req.ofd = ofd;
  req.pid = c.proc.pid;
  vfs::FileLockTable& table = vfs::FileLocks();

  if (get) {
    std::optional<vfs::RecordLock> held = table.TestRecord(key, req);
    if (!held) {
      fl.l_type = F_UNLCK;  // the rest is returned as given, like Linux
    } else {
      fl.l_type = held->type == LockType::kWrite ? F_WRLCK : F_RDLCK;
      fl.l_whence = SEEK_SET;
      fl.l_start = held->start;
      fl.l_len = vfs::LockLength(held->start, held->end);
      fl.l_pid = held->ofd ? -1 : held->pid;
    }
    if (!CopyOutObj(c, arg, fl).ok()) return SysResult::Errno(EFAULT);
    return 0;
  }

  if (ofd && type != LockType::kUnlock) f->mark_holds_locks();
  int fd = static_cast<int>(c.arg(0));
  for (bool waited = false;; waited = true) {
    // After a wait: a POSIX lock through an fd another thread closed meanwhile would
    // outlive every close (Linux detects the same race and answers EBADF).
    if (waited && !ofd && c.proc.fds->Get(fd) != f) return SysResult::Errno(EBADF);
    vfs::LockOwner blocker = nullptr;
    int err = table.SetRecord(key, req, &blocker);
    if (err != EAGAIN) return err ? SysResult::Errno(err) : 0;
    if (!wait) return SysResult::Errno(EAGAIN);
    if (!ofd && table.WouldDeadlock(req.owner, blocker)) return SysResult::Errno(EDEADLK);
    vfs::LockWaitScope scope(table, key, req.owner, blocker, /*posix=*/!ofd);
    if (!WaitForLockChange(c, scope)) return SysResult::Errno(EINTR);
  }
}

void RegisterLockHandlers(std::vector<SyscallHandler>* t) { (*t)[SYS_flock] = Flock; }

}  // namespace sentry
