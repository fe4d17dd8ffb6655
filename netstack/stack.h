// Stack: the sandbox's network stack — AF_UNIX name spaces, TCP and UDP port tables on
// loopback, and the socket factories behind socket(2)/socketpair(2). One per sentry (one
// sentry serves one sandbox). Sentry thread only.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <utility>

#include "common/sys_result.h"
#include "netstack/port_table.h"
#include "netstack/sockaddr.h"
#include "netstack/unix_names.h"
#include "vfs/file_description.h"

namespace sentry::netstack {

class Socket;

class Stack {
 public:
  Stack();
  // The sandbox's stack.
  static Stack& Sandbox();

  // socket(2) after the flag split: `type` is the base type, `flags` O_NONBLOCK or 0.
  // EAFNOSUPPORT for families other than AF_UNIX/AF_INET/AF_INET6, ESOCKTNOSUPPORT /
  // EPROTONOSUPPORT as Linux (raw sockets: EPERM, as for a process without CAP_NET_RAW).
  ErrnoOr<vfs::FileRef> MakeSocket(int family, int type, int protocol, int flags, const Cred& who);
  // socketpair(2): AF_UNIX only (EOPNOTSUPP for inet, EAFNOSUPPORT otherwise).
  ErrnoOr<std::pair<vfs::FileRef, vfs::FileRef>> MakeSocketPair(int family, int type, int protocol,
                                                                int flags, const Cred& who);

  UnixNames& unix_names() { return unix_names_; }
  PortTable& tcp() { return tcp_; }
  PortTable& udp() { return udp_; }
  // The socket an AF_UNIX address names (a path by its inode key, any type; an abstract
  // name of `type` only), or null.
  Socket* FindUnix(const UnixName& name, const UnixNames::PathKey* key, int type) const;
  // The socket an inet address reaches on loopback, or null.
  Socket* FindInet(int type, const InetAddr& dst) const;

  uint64_t NextIno() { return next_ino_++; }
  dev_t dev() const { return dev_; }

 private:
  UnixNames unix_names_;
  PortTable tcp_, udp_;
  uint64_t next_ino_ = 1000;
  dev_t dev_;
};

}  // namespace sentry::netstack
