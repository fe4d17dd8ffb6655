// SocketOptions: the option values a socket stores and returns (SOL_SOCKET flags, buffer
// sizes, timeouts, linger, and TCP/IP/IPv6 options a loopback stack need not act on).
// Part of a Socket; sentry thread only.
#pragma once

#include <sys/socket.h>

#include <cstdint>

namespace sentry::netstack {

class SocketOptions {
 public:
  explicit SocketOptions(int family, int type);

  bool reuse_addr = false, reuse_port = false, keepalive = false, passcred = false;
  bool broadcast = false, oobinline = false;
  int rcvbuf, sndbuf;
  int rcvlowat = 1, priority = 0;
  int64_t rcvtimeo_ns = 0, sndtimeo_ns = 0;  // 0: none
  linger ling{};
  bool v6only = false;

  // Integer options of other levels (IPPROTO_TCP/IP/IPV6/UDP) that are only stored. Get:
  // false when unknown (ENOPROTOOPT). Set: 0, ENOPROTOOPT, or EINVAL out of range.
  bool GetStored(int level, int name, int* value) const;
  int SetStored(int level, int name, int value);

 private:
  struct Stored {
    int level, name, value;
  };
  static constexpr int kMaxStored = 24;
  Stored stored_[kMaxStored];
  int nstored_ = 0;
  int family_, type_;
};

}  // namespace sentry::netstack
