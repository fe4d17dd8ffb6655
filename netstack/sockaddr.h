// Socket addresses: the guest's sockaddr bytes (SockAddr), AF_UNIX names and AF_INET/AF_INET6
// endpoints parsed from them with Linux's errors, and back. Pure values; any thread.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <string_view>

#include "common/sys_result.h"

namespace sentry::netstack {

// Credentials as a socket peer sees them (sandbox pid, virtual ids).
struct Cred {
  int32_t pid = 0;
  uint32_t uid = 0, gid = 0;
};

// A sockaddr as bytes (at most sizeof(sockaddr_storage)); len 0 means "no address".
struct SockAddr {
  socklen_t len = 0;
  sockaddr_storage ss{};
  int family() const { return len >= sizeof(sa_family_t) ? ss.ss_family : AF_UNSPEC; }
  const char* bytes() const { return reinterpret_cast<const char*>(&ss); }
  char* bytes() { return reinterpret_cast<char*>(&ss); }
};

// An AF_UNIX socket's name, held inline (no allocation, whatever its length).
struct UnixName {
  enum class Kind { kUnnamed, kAbstract, kPath };
  static constexpr size_t kMax = sizeof(sockaddr_un::sun_path);
  Kind kind = Kind::kUnnamed;
  uint8_t len = 0;
  char bytes[kMax] = {};  // abstract: the bytes after the leading NUL; path: the path
  // The name (abstract: without the leading NUL).
  std::string_view name() const { return {bytes, len}; }
  // Sets the name, truncated to kMax bytes.
  void set_name(std::string_view s);
  static UnixName Of(Kind kind, std::string_view name) {
    UnixName n;
    n.kind = kind;
    n.set_name(name);
    return n;
  }
};

// Linux's unix_validate_addr + unix_mkname: EINVAL for a short or long length or another
// family. `len` == sizeof(sa_family_t) is the unnamed address (autobind on bind).
ErrnoOr<UnixName> ParseUnix(const SockAddr& a);
// The sockaddr_un of a name (getsockname/getpeername/recvfrom): unnamed is just the family.
SockAddr UnixSockAddr(const UnixName& n);

// An inet endpoint; IPv4 addresses are kept v4-mapped (::ffff:a.b.c.d).
struct InetAddr {
  std::array<uint8_t, 16> ip{};
  uint16_t port = 0;        // host order
  bool IsV4() const;        // v4-mapped
  bool IsAny() const;       // 0.0.0.0 or ::
  bool IsLoopback() const;  // 127.0.0.0/8 (also v4-mapped) or ::1
  bool operator==(const InetAddr& o) const { return ip == o.ip && port == o.port; }
  bool SameIp(const InetAddr& o) const { return ip == o.ip; }
  static InetAddr V4(uint32_t host_order_ip, uint16_t port);
  static InetAddr AnyFor(int family);       // 0.0.0.0 (v4-mapped) or ::
  static InetAddr LoopbackFor(int family);  // 127.0.0.1 (v4-mapped) or ::1
};

// inet_bind/inet6_bind/connect argument checks for a socket of `family`: EINVAL when too
// short, EAFNOSUPPORT for another family (AF_UNSPEC is accepted on AF_INET sockets as Linux
// does for bind to INADDR_ANY; the caller handles connect(AF_UNSPEC) itself).
ErrnoOr<InetAddr> ParseInet(int family, const SockAddr& a);
// The sockaddr_in/sockaddr_in6 of `a` for a socket of `family` (an AF_INET6 socket shows
// IPv4 peers v4-mapped).
SockAddr InetSockAddr(int family, const InetAddr& a);

}  // namespace sentry::netstack
