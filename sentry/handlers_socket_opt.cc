// setsockopt/getsockopt over netstack: SOL_SOCKET options here, IPv6's V6ONLY, and the
// stored TCP/IP/IPv6/UDP options of netstack::SocketOptions. Sentry thread only.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <algorithm>
#include <cstring>

#include "netstack/tcp_info.h"
#include "sentry/handlers.h"
#include "sentry/handlers_socket_util.h"

namespace sentry {
namespace {

constexpr int kWmemMax = 212992;  // net.core.{w,r}mem_max

SysResult ReadInt(SyscallContext& c, int* v) {
  if (static_cast<int32_t>(c.arg(4)) < static_cast<int32_t>(sizeof(int)))
    return SysResult::Errno(EINVAL);
  return CopyInObj(c, c.arg(3), v).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

SysResult SetTimeout(SyscallContext& c, int64_t* ns) {
  if (static_cast<int32_t>(c.arg(4)) < static_cast<int32_t>(sizeof(timeval)))
    return SysResult::Errno(EINVAL);
  timeval tv;
  if (!CopyInObj(c, c.arg(3), &tv).ok()) return SysResult::Errno(EFAULT);
  if (tv.tv_usec < 0 || tv.tv_usec >= 1000000) return SysResult::Errno(EDOM);
  if (tv.tv_sec < 0) {
    *ns = 0;
    return 0;
  }
  *ns = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
  return 0;
}

SysResult SetSolSocket(SyscallContext& c, netstack::Socket* s, int name) {
  netstack::SocketOptions& o = s->options();
  switch (name) {
    case SO_RCVTIMEO_OLD:
    case SO_RCVTIMEO_NEW:
      return SetTimeout(c, &o.rcvtimeo_ns);
    case SO_SNDTIMEO_OLD:
    case SO_SNDTIMEO_NEW:
      return SetTimeout(c, &o.sndtimeo_ns);
    case SO_LINGER: {
      if (static_cast<int32_t>(c.arg(4)) < static_cast<int32_t>(sizeof(linger)))
        return SysResult::Errno(EINVAL);
      linger l;
      if (!CopyInObj(c, c.arg(3), &l).ok()) return SysResult::Errno(EFAULT);
      o.ling.l_onoff = l.l_onoff != 0;
      o.ling.l_linger = l.l_linger;
      return 0;
    }
    default:
      break;
  }
  int v;
  SysResult r = ReadInt(c, &v);
  if (!r.ok()) return r;
  switch (name) {
    case SO_REUSEADDR:
      o.reuse_addr = v;
      return 0;
    case SO_REUSEPORT:
      o.reuse_port = v;
      return 0;
    case SO_KEEPALIVE:
      o.keepalive = v;
      return 0;
    case SO_PASSCRED:
      o.passcred = v;
      return 0;
    case SO_BROADCAST:
      o.broadcast = v;
      return 0;
    case SO_OOBINLINE:
      o.oobinline = v;
      return 0;
    case SO_DONTROUTE:
    case SO_PASSSEC:
    case SO_TIMESTAMP_OLD:
    case SO_TIMESTAMPNS_OLD:
    case SO_ZEROCOPY:
    case SO_BUSY_POLL:
    case SO_INCOMING_CPU:
    case SO_MARK:
      return 0;  // accepted, no effect on loopback
    case SO_PRIORITY:
      o.priority = v;
      return 0;
    case SO_RCVLOWAT:
      o.rcvlowat = std::max(v, 1);
      return 0;
    case SO_SNDBUF:
    case SO_SNDBUFFORCE:
      o.sndbuf = std::max(std::min(std::max(v, 0), kWmemMax) * 2, 4608);
      return 0;
    case SO_RCVBUF:
    case SO_RCVBUFFORCE:
      o.rcvbuf = std::max(std::min(std::max(v, 0), kWmemMax) * 2, 2304);
      return 0;
    default:
      return SysResult::Errno(ENOPROTOOPT);
  }
}

SysResult Setsockopt(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  int level = static_cast<int>(c.arg(1)), name = static_cast<int>(c.arg(2));
  if (static_cast<int32_t>(c.arg(4)) < 0) return SysResult::Errno(EINVAL);
  if (level == SOL_SOCKET) {
    r = SetSolSocket(c, s, name);
    if (r.ok()) s->OptionChanged(level, name);
    return r;
  }
  if (s->family() == AF_UNIX) return SysResult::Errno(EOPNOTSUPP);
  int v;
  r = ReadInt(c, &v);
  if (!r.ok()) return r;
  if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s->family() == AF_INET6) {
    if (s->bound()) return SysResult::Errno(EINVAL);
    s->options().v6only = v != 0;
    return 0;
  }
  int err = s->options().SetStored(level, name, v);
  return err ? SysResult::Errno(err) : SysResult(0);
}

// Copies min(len, size) bytes of `v` and writes the length back, as sock_getsockopt does.
SysResult PutOpt(SyscallContext& c, const void* v, size_t size) {
  int32_t len;
  if (!CopyInObj(c, c.arg(4), &len).ok()) return SysResult::Errno(EFAULT);
  if (len < 0) return SysResult::Errno(EINVAL);
  size_t n = std::min<size_t>(static_cast<size_t>(len), size);
  if (n && !CopyOut(c, c.arg(3), v, n).ok()) return SysResult::Errno(EFAULT);
  int32_t out = static_cast<int32_t>(n);
  if (!CopyOutObj(c, c.arg(4), out).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult GetSolSocket(SyscallContext& c, netstack::Socket* s, int name) {
  netstack::SocketOptions& o = s->options();
  int v;
  switch (name) {
    case SO_TYPE:
      v = s->type();
      break;
    case SO_DOMAIN:
      v = s->family();
      break;
    case SO_PROTOCOL:
      v = s->protocol();
      break;
    case SO_ERROR:
      v = s->TakeError();
      break;
    case SO_ACCEPTCONN:
      v = s->Listening();
      break;
    case SO_REUSEADDR:
      v = o.reuse_addr;
      break;
    case SO_REUSEPORT:
      v = o.reuse_port;
      break;
    case SO_KEEPALIVE:
      v = o.keepalive;
      break;
    case SO_PASSCRED:
      v = o.passcred;
      break;
    case SO_BROADCAST:
      v = o.broadcast;
      break;
    case SO_OOBINLINE:
      v = o.oobinline;
      break;
    case SO_PRIORITY:
      v = o.priority;
      break;
    case SO_RCVLOWAT:
      v = o.rcvlowat;
      break;
    case SO_SNDLOWAT:
      v = 1;
      break;
    case SO_SNDBUF:
      v = o.sndbuf;
      break;
    case SO_RCVBUF:
      v = o.rcvbuf;
      break;
    case SO_DONTROUTE:
    case SO_MARK:
    case SO_PASSSEC:
      v = 0;
      break;
    case SO_LINGER:
      return PutOpt(c, &o.ling, sizeof(o.ling));
    case SO_RCVTIMEO_OLD:
    case SO_RCVTIMEO_NEW:
    case SO_SNDTIMEO_OLD:
    case SO_SNDTIMEO_NEW: {
      bool rcv = name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW;
      int64_t ns = rcv ? o.rcvtimeo_ns : o.sndtimeo_ns;
      timeval tv{ns / 1000000000LL, (ns % 1000000000LL) / 1000};
      return PutOpt(c, &tv, sizeof(tv));
    }
    case SO_PEERCRED: {
      netstack::Cred p;
      ucred u{0, 65534, 65534};  // no peer: Linux's overflow ids
      if (s->PeerCred(&p)) u = ucred{p.pid, p.uid, p.gid};
      return PutOpt(c, &u, sizeof(u));
    }
    default:
      return SysResult::Errno(ENOPROTOOPT);
  }
  return PutOpt(c, &v, sizeof(v));
}

// TCP_INFO: tcpi_state and zeroes, a prefix of min(len, sizeof) bytes as Linux copies.
SysResult GetTcpInfo(SyscallContext& c, netstack::Socket* s) {
  if (s->type() != SOCK_STREAM) return SysResult::Errno(EOPNOTSUPP);
  int32_t len;
  if (!CopyInObj(c, c.arg(4), &len).ok()) return SysResult::Errno(EFAULT);
  if (len < 0) return SysResult::Errno(EINVAL);
  alignas(8) char info[netstack::kTcpInfoMax];
  size_t n = netstack::FillTcpInfo(s->TcpState(),
                                   std::span<char>(info, std::min<size_t>(len, sizeof(info))));
  if (n && !CopyOut(c, c.arg(3), info, n).ok()) return SysResult::Errno(EFAULT);
  int32_t out = static_cast<int32_t>(n);
  if (!CopyOutObj(c, c.arg(4), out).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult Getsockopt(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  int level = static_cast<int>(c.arg(1)), name = static_cast<int>(c.arg(2));
  if (level == SOL_SOCKET) return GetSolSocket(c, s, name);
  if (s->family() == AF_UNIX) return SysResult::Errno(EOPNOTSUPP);
  if (level == IPPROTO_TCP && name == TCP_INFO) return GetTcpInfo(c, s);
  int v;
  if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s->family() == AF_INET6) {
    v = s->options().v6only;
  } else if (!s->options().GetStored(level, name, &v)) {
    return SysResult::Errno(ENOPROTOOPT);
  }
  return PutOpt(c, &v, sizeof(v));
}

}  // namespace

void RegisterSocketOptHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_setsockopt] = Setsockopt;
  (*t)[SYS_getsockopt] = Getsockopt;
}

}  // namespace sentry
