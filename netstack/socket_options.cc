// SocketOptions (see socket_options.h): Linux's defaults and ranges. Sentry thread only.
#include "netstack/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>

namespace sentry::netstack {
namespace {

struct Known {
  int level, name, def, min, max;
  int type;  // 0: any socket type, else SOCK_STREAM / SOCK_DGRAM only
};

constexpr Known kKnown[] = {
    {IPPROTO_TCP, TCP_NODELAY, 0, 0, 1, SOCK_STREAM},
    {IPPROTO_TCP, TCP_MAXSEG, 536, 88, 65535, SOCK_STREAM},
    {IPPROTO_TCP, TCP_CORK, 0, 0, 1, SOCK_STREAM},
    {IPPROTO_TCP, TCP_KEEPIDLE, 7200, 1, 32767, SOCK_STREAM},
    {IPPROTO_TCP, TCP_KEEPINTVL, 75, 1, 32767, SOCK_STREAM},
    {IPPROTO_TCP, TCP_KEEPCNT, 9, 1, 127, SOCK_STREAM},
    {IPPROTO_TCP, TCP_SYNCNT, 6, 1, 127, SOCK_STREAM},
    {IPPROTO_TCP, TCP_LINGER2, 60, -1, 1 << 30, SOCK_STREAM},
    {IPPROTO_TCP, TCP_DEFER_ACCEPT, 0, 0, 1 << 30, SOCK_STREAM},
    {IPPROTO_TCP, TCP_WINDOW_CLAMP, 0, 0, 1 << 30, SOCK_STREAM},
    {IPPROTO_TCP, TCP_QUICKACK, 1, 0, 1, SOCK_STREAM},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, 0, 0, 1 << 30, SOCK_STREAM},
    {IPPROTO_TCP, TCP_FASTOPEN, 0, 0, 1 << 30, SOCK_STREAM},
    {IPPROTO_TCP, TCP_NOTSENT_LOWAT, 0, 0, 1 << 30, SOCK_STREAM},
    {IPPROTO_UDP, 1 /* UDP_CORK */, 0, 0, 1, SOCK_DGRAM},
    {IPPROTO_IP, IP_TOS, 0, 0, 255, 0},
    {IPPROTO_IP, IP_TTL, 64, -1, 255, 0},
    {IPPROTO_IP, IP_PKTINFO, 0, 0, 1, 0},
    {IPPROTO_IP, IP_RECVTOS, 0, 0, 1, 0},
    {IPPROTO_IP, IP_RECVERR, 0, 0, 1, 0},
    {IPPROTO_IP, IP_MTU_DISCOVER, 1, 0, 5, 0},
    {IPPROTO_IP, IP_FREEBIND, 0, 0, 1, 0},
    {IPPROTO_IP, IP_MULTICAST_TTL, 1, -1, 255, 0},
    {IPPROTO_IP, IP_MULTICAST_LOOP, 1, 0, 1, 0},
    {IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 0, 0, 1, 0},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, 64, -1, 255, 0},
    {IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1, -1, 255, 0},
    {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1, 0, 1, 0},
    {IPPROTO_IPV6, IPV6_RECVPKTINFO, 0, 0, 1, 0},
    {IPPROTO_IPV6, IPV6_TCLASS, 0, -1, 255, 0},
    {IPPROTO_IPV6, IPV6_RECVTCLASS, 0, 0, 1, 0},
    {IPPROTO_IPV6, IPV6_RECVERR, 0, 0, 1, 0},
};

}  // namespace

SocketOptions::SocketOptions(int family, int type) : family_(family), type_(type) {
  bool tcp = family != AF_UNIX && type == SOCK_STREAM;
  sndbuf = tcp ? 16384 : 212992;
  rcvbuf = tcp ? 131072 : 212992;
}

static const Known* Find(int family, int type, int level, int name) {
  if (family == AF_UNIX) return nullptr;
  if (level == IPPROTO_IPV6 && family != AF_INET6) return nullptr;
  for (const Known& k : kKnown) {
    if (k.level == level && k.name == name && (k.type == 0 || k.type == type)) return &k;
  }
  return nullptr;
}

bool SocketOptions::GetStored(int level, int name, int* value) const {
  const Known* k = Find(family_, type_, level, name);
  if (!k) return false;
  *value = k->def;
  for (int i = 0; i < nstored_; ++i) {
    if (stored_[i].level == level && stored_[i].name == name) *value = stored_[i].value;
  }
  return true;
}

int SocketOptions::SetStored(int level, int name, int value) {
  const Known* k = Find(family_, type_, level, name);
  if (!k) return ENOPROTOOPT;
  if (k->max == 1 && k->min == 0) value = value != 0;
  if (value < k->min || value > k->max) return EINVAL;
  if (value == -1 && (name == IP_TTL || name == IPV6_UNICAST_HOPS)) value = 64;
  for (int i = 0; i < nstored_; ++i) {
    if (stored_[i].level == level && stored_[i].name == name) {
      stored_[i].value = value;
      return 0;
    }
  }
  if (nstored_ < kMaxStored) stored_[nstored_++] = {level, name, value};
  return 0;
}

}  // namespace sentry::netstack
