// Helpers of the socket handlers (see handlers_socket_util.h). Sentry thread only.
#include "sentry/handlers_socket_util.h"

#include <arpa/inet.h>
#include <time.h>

#include <cstring>
#include <string>

namespace sentry {

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

SysResult GetSocket(SyscallContext& c, uint64_t fd, vfs::FileRef* keep, netstack::Socket** out) {
  *keep = GetFile(c, fd);
  if (!*keep) return SysResult::Errno(EBADF);
  *out = netstack::AsSocket(*keep);
  if (!*out) return SysResult::Errno(ENOTSOCK);
  return 0;
}

netstack::Caller CallerOf(SyscallContext& c) {
  netstack::Caller who;
  who.cred.pid = c.proc.pid;
  who.cred.uid = c.proc.creds.euid;
  who.cred.gid = c.proc.creds.egid;
  return who;
}

SysResult ReadSockAddr(SyscallContext& c, uint64_t addr, uint64_t len, netstack::SockAddr* out) {
  if (static_cast<int32_t>(len) < 0 || len > sizeof(sockaddr_storage))
    return SysResult::Errno(EINVAL);
  out->len = static_cast<socklen_t>(len);
  if (len && !CopyIn(c, addr, &out->ss, len).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult WriteSockAddr(SyscallContext& c, uint64_t addr, uint64_t len_ptr,
                        const netstack::SockAddr& a) {
  if (!addr) return 0;
  int32_t len;
  if (!CopyInObj(c, len_ptr, &len).ok()) return SysResult::Errno(EFAULT);
  if (len < 0) return SysResult::Errno(EINVAL);
  size_t n = std::min<size_t>(static_cast<size_t>(len), a.len);
  if (n && !CopyOut(c, addr, &a.ss, n).ok()) return SysResult::Errno(EFAULT);
  int32_t full = static_cast<int32_t>(a.len);
  if (!CopyOutObj(c, len_ptr, full).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult ResolveUnixPath(SyscallContext& c, const netstack::Socket& s, const netstack::SockAddr& a,
                          netstack::UnixNames::PathKey* key, bool* is_path) {
  *is_path = false;
  if (s.family() != AF_UNIX) return 0;
  ErrnoOr<netstack::UnixName> n = netstack::ParseUnix(a);
  if (!n.ok() || n->kind != netstack::UnixName::Kind::kPath) return 0;
  *is_path = true;
  struct stat st;
  SysResult r = c.kernel.vfs().StatAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), true, &st);
  if (!r.ok()) return r;
  if (!S_ISSOCK(st.st_mode)) return SysResult::Errno(ECONNREFUSED);
  r = c.kernel.vfs().AccessAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), W_OK, true, true);
  if (!r.ok()) return r;
  *key = {st.st_dev, st.st_ino};
  return 0;
}

SysResult GetSocketAndAddress(SyscallContext& c, const char* audit_op, vfs::FileRef* keep,
                              netstack::Socket** s, netstack::SockAddr* a) {
  SysResult r = GetSocket(c, c.arg(0), keep, s);
  if (!r.ok()) return r;
  r = ReadSockAddr(c, c.arg(1), c.arg(2), a);
  if (!r.ok()) return r;
  AuditSocket(c, audit_op, *a);
  return 0;
}

void AuditSocket(SyscallContext& c, const char* op, const netstack::SockAddr& a) {
  if (!c.kernel.audit().enabled()) return;
  std::string family, text;
  switch (a.family()) {
    case AF_UNIX: {
      family = "unix";
      ErrnoOr<netstack::UnixName> n = netstack::ParseUnix(a);
      if (n.ok()) {
        text = std::string(n->kind == netstack::UnixName::Kind::kAbstract ? "@" : "");
        text += n->name();
      }
      break;
    }
    case AF_INET:
    case AF_INET6: {
      family = a.family() == AF_INET ? "inet" : "inet6";
      char ip[INET6_ADDRSTRLEN] = "?";
      uint16_t port = 0;
      if (a.family() == AF_INET && a.len >= sizeof(sockaddr_in)) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&a.ss);
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
        port = ntohs(sin->sin_port);
        text = std::string(ip) + ":" + std::to_string(port);
      } else if (a.family() == AF_INET6 && a.len >= 24) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&a.ss);
        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
        port = ntohs(sin6->sin6_port);
        text = "[" + std::string(ip) + "]:" + std::to_string(port);
      }
      break;
    }
    default:
      family = std::to_string(a.family());
      break;
  }
  c.kernel.audit().Socket(c.proc.pid, op, family, text);
}

}  // namespace sentry
