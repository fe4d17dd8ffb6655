// Shared handler helpers. Sentry thread only.
#include "sentry/handler_util.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>

namespace sentry {

SysResult ReadPath(SyscallContext& c, uint64_t addr, std::string* out) {
  char buf[kPathMax];
  SysResult r = platform::ReadGuestCString(c.tid(), addr, buf, sizeof(buf));
  if (!r.ok()) return r;
  out->assign(buf, static_cast<size_t>(r.value()));
  return 0;
}

SysResult ReadPath(SyscallContext& c, uint64_t addr, GuestPath* out) {
  SysResult r = platform::ReadGuestCString(c.tid(), addr, out->buf, sizeof(out->buf));
  if (!r.ok()) return r;
  out->len = static_cast<size_t>(r.value());
  return 0;
}

// The kernel's restart of a write whose reply did not land (Task::write_replay): its
// remembered result, without writing again. Any other write-family call forgets it.
bool ReplayUndeliveredWrite(SyscallContext& c, const vfs::FileRef& f, SysResult* out) {
  Task::WriteRecord& w = c.task.write_replay;
  if (w.file == nullptr) return false;
  bool same = w.file == f && w.nr == c.req.nr && w.ip == c.req.ip && w.args[0] == c.arg(0) &&
              w.args[1] == c.arg(1) && w.args[2] == c.arg(2);
  if (!same) {
    w = {};
    return false;
  }
  *out = w.result;
  // The answer may fail to land again (another signal): it stays recorded the same way.
  c.task.write_done = std::move(w);
  w = {};
  return true;
}

// Records a write that moved bytes, for Kernel::HandleSyscall to keep if its reply fails.
SysResult RecordWrite(SyscallContext& c, const vfs::FileRef& f, SysResult r) {
  if (r.ok() && r.value() > 0) {
    c.task.write_done = {f, c.req.nr, {c.arg(0), c.arg(1), c.arg(2)}, c.req.ip, r.value()};
  }
  return r;
}

vfs::FsContext FsFor(SyscallContext& c) {
  vfs::FsContext ctx = c.proc.fs;
  ctx.caller_pid = c.proc.pid;
  ctx.caller_tid = c.task.tid;
  return ctx;
}

int FdLimit(SyscallContext& c) {
  rlim_t cur = c.proc.rlimits[RLIMIT_NOFILE].rlim_cur;
  return cur > (1u << 20) ? (1 << 20) : static_cast<int>(cur);
}

SysResult LimitFileWrite(SyscallContext& c, const vfs::FileRef& f, int64_t offset,
                         uint64_t count) {
  const rlim_t limit = c.proc.rlimits[RLIMIT_FSIZE].rlim_cur;
  if (limit == RLIM_INFINITY || count == 0) return static_cast<int64_t>(count);
  struct stat st;
  if (!f->Stat(&st).ok() || !S_ISREG(st.st_mode)) return static_cast<int64_t>(count);
  int64_t pos = (f->status_flags() & O_APPEND) ? st.st_size : offset >= 0 ? offset : f->offset();
  if (pos < 0 || static_cast<uint64_t>(pos) >= limit) {
    c.task.post_signal = SIGXFSZ;  // raised around the reply, as SIGPIPE
    return SysResult::Errno(EFBIG);
  }
  return static_cast<int64_t>(std::min<uint64_t>(count, limit - static_cast<uint64_t>(pos)));
}

int LimitFileGrowth(SyscallContext& c, const struct stat& st, int64_t new_size) {
  const rlim_t limit = c.proc.rlimits[RLIMIT_FSIZE].rlim_cur;
  if (limit == RLIM_INFINITY || new_size <= st.st_size) return 0;
  if (static_cast<uint64_t>(new_size) <= limit) return 0;
  c.task.post_signal = SIGXFSZ;
  return EFBIG;
}

}  // namespace sentry
