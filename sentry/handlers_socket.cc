// Socket set-up syscalls over netstack: socket, socketpair, bind, listen, accept, accept4,
// connect, shutdown, getsockname, getpeername. Data and options are in
// handlers_socket_io.cc / handlers_socket_opt.cc. Sentry thread only.
#include <sys/socket.h>
#include <sys/syscall.h>

#include "netstack/stack.h"
#include "sentry/handlers.h"
#include "sentry/handlers_socket_util.h"

namespace sentry {
namespace {

constexpr int kTypeFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;

// Splits socket(2)'s type into base type and O_NONBLOCK; EINVAL for unknown flag bits.
SysResult SplitType(uint64_t arg, int* type, int* nonblock, bool* cloexec) {
  int t = static_cast<int>(arg);
  if (t & ~(kTypeFlags | 0xf)) return SysResult::Errno(EINVAL);
  *type = t & 0xf;
  *nonblock = (t & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
  *cloexec = t & SOCK_CLOEXEC;
  return 0;
}

SysResult Socket(SyscallContext& c) {
  int type, nonblock;
  bool cloexec;
  SysResult r = SplitType(c.arg(1), &type, &nonblock, &cloexec);
  if (!r.ok()) return r;
  auto f = netstack::Stack::Sandbox().MakeSocket(
      static_cast<int>(c.arg(0)), type, static_cast<int>(c.arg(2)), nonblock, CallerOf(c).cred);
  if (!f.ok()) return SysResult::Errno(f.error());
  return c.proc.fds->Install(*f, cloexec, 0, FdLimit(c));
}

SysResult Socketpair(SyscallContext& c) {
  int type, nonblock;
  bool cloexec;
  SysResult r = SplitType(c.arg(1), &type, &nonblock, &cloexec);
  if (!r.ok()) return r;
  auto p = netstack::Stack::Sandbox().MakeSocketPair(
      static_cast<int>(c.arg(0)), type, static_cast<int>(c.arg(2)), nonblock, CallerOf(c).cred);
  if (!p.ok()) return SysResult::Errno(p.error());
  int fds[2];
  fds[0] = c.proc.fds->Install(p->first, cloexec, 0, FdLimit(c));
  if (fds[0] < 0) return fds[0];
  fds[1] = c.proc.fds->Install(p->second, cloexec, 0, FdLimit(c));
  if (fds[1] < 0) {
    c.proc.fds->Remove(fds[0]);
    return fds[1];
  }
  if (!CopyOut(c, c.arg(3), fds, sizeof(fds)).ok()) {
    c.proc.fds->Remove(fds[0]);
    c.proc.fds->Remove(fds[1]);
    return SysResult::Errno(EFAULT);
  }
  return 0;
}

SysResult Bind(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  netstack::SockAddr a;
  SysResult r = GetSocketAndAddress(c, "bind", &keep, &s, &a);
  if (!r.ok()) return r;
  netstack::Caller who = CallerOf(c);
  if (s->family() == AF_UNIX) {
    ErrnoOr<netstack::UnixName> n = netstack::ParseUnix(a);
    if (!n.ok()) return SysResult::Errno(n.error());
    if (n->kind == netstack::UnixName::Kind::kPath) {
      // The socket inode in the VFS (mode 0777 & ~umask), made before the bound check as
      // Linux's unix_bind_bsd does (an existing path is EADDRINUSE even then).
      vfs::Vfs& v = c.kernel.vfs();
      r = v.MknodAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), S_IFSOCK | 0777, 0);
      if (!r.ok()) return SysResult::Errno(r.error() == EEXIST ? EADDRINUSE : r.error());
      if (s->bound()) {
        v.UnlinkAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), false);
        return SysResult::Errno(EINVAL);
      }
      struct stat st;
      r = v.StatAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), false, &st);
      if (!r.ok()) return r;
      netstack::UnixNames::PathKey key{st.st_dev, st.st_ino};
      who.path_key = &key;
      r = s->Bind(a, who);
      if (!r.ok()) v.UnlinkAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), false);
      return r;
    }
  }
  return s->Bind(a, who);
}

SysResult Listen(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  return s->Listen(static_cast<int>(c.arg(1)), CallerOf(c));
}

SysResult Accept4(SyscallContext& c, int flags) {
  if (flags & ~kTypeFlags) return SysResult::Errno(EINVAL);
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  if (s->type() == SOCK_DGRAM) return SysResult::Errno(EOPNOTSUPP);
  std::shared_ptr<netstack::Socket> conn;
  bool nonblock = s->status_flags() & O_NONBLOCK;
  r = SocketBlocking(
      c, nonblock, EPOLLIN, s->options().rcvtimeo_ns, [&] { return s->ReadinessFd(); },
      [&]() -> SysResult {
        auto a = s->Accept((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
        if (!a.ok()) return SysResult::Errno(a.error());
        conn = a.take();
        return 0;
      });
  if (!r.ok()) return r;
  if (c.arg(1)) {
    auto peer = conn->PeerName();
    r = WriteSockAddr(c, c.arg(1), c.arg(2), peer.ok() ? *peer : netstack::SockAddr{});
    if (!r.ok()) return r;
  }
  int fd = c.proc.fds->Install(conn, flags & SOCK_CLOEXEC, 0, FdLimit(c));
  // If the reply does not land, the connection goes back to the head of the queue.
  if (fd >= 0) SocketUndo::Claim(c, s).Accepted(std::move(conn), fd);
  return fd;
}

SysResult Accept(SyscallContext& c) { return Accept4(c, 0); }
SysResult Accept4Handler(SyscallContext& c) { return Accept4(c, static_cast<int>(c.arg(3))); }

SysResult Connect(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  netstack::SockAddr a;
  SysResult r = GetSocketAndAddress(c, "connect", &keep, &s, &a);
  if (!r.ok()) return r;
  netstack::Caller who = CallerOf(c);
  netstack::UnixNames::PathKey key;
  bool is_path;
  r = ResolveUnixPath(c, *s, a, &key, &is_path);
  if (!r.ok()) return r;
  if (is_path) who.path_key = &key;
  bool nonblock = s->status_flags() & O_NONBLOCK;
  who.nonblock = nonblock;
  int64_t deadline = s->options().sndtimeo_ns > 0 ? MonotonicNs() + s->options().sndtimeo_ns : -1;
  for (;;) {
    r = s->Connect(a, who);
    if (r.error() != EAGAIN || nonblock) return r;
    int64_t left = -1;
    if (deadline >= 0 && (left = deadline - MonotonicNs()) <= 0) return SysResult::Errno(EAGAIN);
    WaitQueue* q = s->ConnectWaitQueue();
    if (q) {
      WaitQueue* qs[1] = {q};
      if (!c.kernel.WaitForEvents(c.task, qs, {}, left)) return SysResult::Errno(EINTR);
    }
    if (!c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
    // The path may name another socket by now.
    if (is_path) {
      r = ResolveUnixPath(c, *s, a, &key, &is_path);
      if (!r.ok()) return r;
    }
  }
}

SysResult Shutdown(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  int how = static_cast<int>(c.arg(1));
  if (how < SHUT_RD || how > SHUT_RDWR) return SysResult::Errno(EINVAL);
  return s->Shutdown(how);
}

SysResult Getsockname(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  if (!c.arg(1)) return SysResult::Errno(EFAULT);
  return WriteSockAddr(c, c.arg(1), c.arg(2), s->LocalName());
}

SysResult Getpeername(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  auto peer = s->PeerName();
  if (!peer.ok()) return SysResult::Errno(peer.error());
  if (!c.arg(1)) return SysResult::Errno(EFAULT);
  return WriteSockAddr(c, c.arg(1), c.arg(2), *peer);
}

}  // namespace

void RegisterSocketHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_socket] = Socket;
  (*t)[SYS_socketpair] = Socketpair;
  (*t)[SYS_bind] = Bind;
  (*t)[SYS_listen] = Listen;
  (*t)[SYS_accept] = Accept;
  (*t)[SYS_accept4] = Accept4Handler;
  (*t)[SYS_connect] = Connect;
  (*t)[SYS_shutdown] = Shutdown;
  (*t)[SYS_getsockname] = Getsockname;
  (*t)[SYS_getpeername] = Getpeername;
}

}  // namespace sentry
