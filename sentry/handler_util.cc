// Shared handler helpers. Sentry thread only.
#include "sentry/handler_util.h"

#include <sys/resource.h>

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

}  // namespace sentry
