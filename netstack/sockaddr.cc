// Socket address parsing and formatting (see sockaddr.h). Any thread.
#include "netstack/sockaddr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace sentry::netstack {

ErrnoOr<UnixName> ParseUnix(const SockAddr& a) {
  constexpr socklen_t kHdr = offsetof(sockaddr_un, sun_path);
  if (a.len < kHdr || a.len > sizeof(sockaddr_un) || a.ss.ss_family != AF_UNIX)
    return ErrnoOr<UnixName>::Errno(EINVAL);
  UnixName n;
  if (a.len == kHdr) return n;
  const char* path = a.bytes() + kHdr;
  size_t max = a.len - kHdr;
  if (path[0] == '\0') {
    n.kind = UnixName::Kind::kAbstract;
    n.set_name(std::string_view(path + 1, max - 1));
  } else {
    n.kind = UnixName::Kind::kPath;
    n.set_name(std::string_view(path, strnlen(path, max)));
  }
  return n;
}

void UnixName::set_name(std::string_view s) {
  len = static_cast<uint8_t>(std::min(s.size(), kMax));
  memcpy(bytes, s.data(), len);
}

SockAddr UnixSockAddr(const UnixName& n) {
  constexpr socklen_t kHdr = offsetof(sockaddr_un, sun_path);
  SockAddr a;
  a.ss.ss_family = AF_UNIX;
  a.len = kHdr;
  char* path = a.bytes() + kHdr;
  size_t room = sizeof(sockaddr_un) - kHdr;
  switch (n.kind) {
    case UnixName::Kind::kUnnamed:
      break;
    case UnixName::Kind::kAbstract: {
      size_t k = std::min<size_t>(n.len, room - 1);
      path[0] = '\0';
      memcpy(path + 1, n.bytes, k);
      a.len = static_cast<socklen_t>(kHdr + 1 + k);
      break;
    }
    case UnixName::Kind::kPath: {
      // Linux reports strlen + 1 (the NUL), even for a 108-byte path (the NUL then lies
      // past sun_path, inside sockaddr_storage).
      size_t k = std::min<size_t>(n.len, room);
      memcpy(path, n.bytes, k);
      a.len = static_cast<socklen_t>(kHdr + k + 1);
      break;
    }
  }
  return a;
}

bool InetAddr::IsV4() const {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(ip.data(), kPrefix, 12) == 0;
}

bool InetAddr::IsAny() const {
  if (IsV4()) return ip[12] == 0 && ip[13] == 0 && ip[14] == 0 && ip[15] == 0;
  for (uint8_t b : ip) {
    if (b) return false;
  }
  return true;
}

bool InetAddr::IsLoopback() const {
  if (IsV4()) return ip[12] == 127;
  for (int i = 0; i < 15; ++i) {
    if (ip[i]) return false;
  }
  return ip[15] == 1;
}

InetAddr InetAddr::V4(uint32_t host_order_ip, uint16_t port) {
  InetAddr a;
  a.ip[10] = a.ip[11] = 0xff;
  uint32_t be = htonl(host_order_ip);
  memcpy(&a.ip[12], &be, 4);
  a.port = port;
  return a;
}

InetAddr InetAddr::AnyFor(int family) { return family == AF_INET ? V4(INADDR_ANY, 0) : InetAddr{}; }

InetAddr InetAddr::LoopbackFor(int family) {
  if (family == AF_INET) return V4(INADDR_LOOPBACK, 0);
  InetAddr a;
  a.ip[15] = 1;
  return a;
}

ErrnoOr<InetAddr> ParseInet(int family, const SockAddr& a) {
  using R = ErrnoOr<InetAddr>;
  if (family == AF_INET) {
    if (a.len < sizeof(sockaddr_in)) return R::Errno(EINVAL);
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&a.ss);
    if (sin->sin_family != AF_INET) {
      if (sin->sin_family != AF_UNSPEC || sin->sin_addr.s_addr != htonl(INADDR_ANY))
        return R::Errno(EAFNOSUPPORT);
    }
    return InetAddr::V4(ntohl(sin->sin_addr.s_addr), ntohs(sin->sin_port));
  }
  if (a.len < 24) return R::Errno(EINVAL);  // SIN6_LEN_RFC2133
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&a.ss);
  if (sin6->sin6_family != AF_INET6) return R::Errno(EAFNOSUPPORT);
  InetAddr r;
  memcpy(r.ip.data(), &sin6->sin6_addr, 16);
  r.port = ntohs(sin6->sin6_port);
  return r;
}

SockAddr InetSockAddr(int family, const InetAddr& a) {
  SockAddr out;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out.ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(a.port);
    memcpy(&sin->sin_addr, &a.ip[12], 4);
    out.len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(a.port);
    memcpy(&sin6->sin6_addr, a.ip.data(), 16);
    out.len = sizeof(sockaddr_in6);
  }
  return out;
}

}  // namespace sentry::netstack
