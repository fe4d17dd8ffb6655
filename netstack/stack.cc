// Stack (see stack.h): socket(2)/socketpair(2) argument rules and the address lookups.
// Sentry thread only.
#include "netstack/stack.h"

#include <fcntl.h>

#include <cerrno>

#include "netstack/dgram_socket.h"
#include "netstack/stream_socket.h"
#include "vfs/inode.h"

namespace sentry::netstack {

Stack::Stack() : dev_(vfs::Filesystem::NewAnonDev()) {}

Stack& Stack::Sandbox() {
  static Stack* stack = new Stack();
  return *stack;
}

namespace {

// The protocol a socket reports (SO_PROTOCOL), or -1 for EPROTONOSUPPORT.
int ProtocolFor(int family, int type, int protocol) {
  if (family == AF_UNIX) return (protocol == 0 || protocol == PF_UNIX) ? 0 : -1;
  if (type == SOCK_STREAM) return (protocol == 0 || protocol == IPPROTO_TCP) ? IPPROTO_TCP : -1;
  return (protocol == 0 || protocol == IPPROTO_UDP) ? IPPROTO_UDP : -1;
}

}  // namespace

ErrnoOr<vfs::FileRef> Stack::MakeSocket(int family, int type, int protocol, int flags,
                                        const Cred& who) {
  using R = ErrnoOr<vfs::FileRef>;
  if (family != AF_UNIX && family != AF_INET && family != AF_INET6) return R::Errno(EAFNOSUPPORT);
  if (family == AF_UNIX && type == SOCK_RAW) type = SOCK_DGRAM;       // as Linux
  if (family != AF_UNIX && type == SOCK_RAW) return R::Errno(EPERM);  // no CAP_NET_RAW
  bool ok_type =
      type == SOCK_STREAM || type == SOCK_DGRAM || (family == AF_UNIX && type == SOCK_SEQPACKET);
  if (!ok_type) return R::Errno(family == AF_UNIX ? ESOCKTNOSUPPORT : ESOCKTNOSUPPORT);
  int proto = ProtocolFor(family, type, protocol);
  if (proto < 0) return R::Errno(EPROTONOSUPPORT);
  if (type == SOCK_DGRAM) {
    auto s = DgramSocket::Create(this, family, proto, flags, who);
    if (!s.ok()) return R::Errno(s.error());
    return vfs::FileRef(*s);
  }
  auto s = StreamSocket::Create(this, family, type, proto, flags, who);
  if (!s.ok()) return R::Errno(s.error());
  return vfs::FileRef(*s);
}

ErrnoOr<std::pair<vfs::FileRef, vfs::FileRef>> Stack::MakeSocketPair(int family, int type,
                                                                     int protocol, int flags,
                                                                     const Cred& who) {
  using R = ErrnoOr<std::pair<vfs::FileRef, vfs::FileRef>>;
  if (family == AF_INET || family == AF_INET6) {
    if (type != SOCK_STREAM && type != SOCK_DGRAM) return R::Errno(ESOCKTNOSUPPORT);
    if (ProtocolFor(family, type, protocol) < 0) return R::Errno(EPROTONOSUPPORT);
    return R::Errno(EOPNOTSUPP);
  }
  if (family != AF_UNIX) return R::Errno(EAFNOSUPPORT);
  if (type == SOCK_RAW) type = SOCK_DGRAM;
  if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
    return R::Errno(ESOCKTNOSUPPORT);
  if (ProtocolFor(family, type, protocol) < 0) return R::Errno(EPROTONOSUPPORT);
  if (type == SOCK_DGRAM) {
    auto p = DgramSocket::CreatePair(this, flags, who);
    if (!p.ok()) return R::Errno(p.error());
    return std::make_pair(vfs::FileRef(p->first), vfs::FileRef(p->second));
  }
  auto p = StreamSocket::CreatePair(this, type, flags, who);
  if (!p.ok()) return R::Errno(p.error());
  return std::make_pair(vfs::FileRef(p->first), vfs::FileRef(p->second));
}

Socket* Stack::FindUnix(const UnixName& name, const UnixNames::PathKey* key, int type) const {
  switch (name.kind) {
    case UnixName::Kind::kAbstract:
      return static_cast<Socket*>(unix_names_.FindAbstract(type, name.name()));
    case UnixName::Kind::kPath:
      return key ? static_cast<Socket*>(unix_names_.FindPath(*key)) : nullptr;
    case UnixName::Kind::kUnnamed:
      break;
  }
  return nullptr;
}

Socket* Stack::FindInet(int type, const InetAddr& dst) const {
  const PortTable& t = type == SOCK_STREAM ? tcp_ : udp_;
  return static_cast<Socket*>(const_cast<void*>(t.Lookup(dst, type == SOCK_STREAM)));
}

}  // namespace sentry::netstack
