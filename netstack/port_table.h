// PortTable: the sandbox's TCP or UDP port space on loopback — bindings with Linux's
// conflict rules (wildcards, v4-mapped, IPV6_V6ONLY, SO_REUSEADDR/SO_REUSEPORT), the
// ephemeral range 32768-60999, and lookup of the socket an address reaches. Owned by the
// Stack; sentry thread only.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "common/sys_result.h"
#include "netstack/sockaddr.h"

namespace sentry::netstack {

class PortTable {
 public:
  static constexpr uint16_t kEphemeralLow = 32768, kEphemeralHigh = 60999;

  struct Binding {
    InetAddr addr;        // port filled by Bind
    bool v6 = false;      // an AF_INET6 socket
    bool v6only = false;  // IPV6_V6ONLY
    bool reuse_addr = false;
    bool reuse_port = false;
    bool listening = false;  // kept up to date by the owner (TCP)
    const void* owner = nullptr;
  };

  // Binds `b` at b.addr.port (0: an ephemeral port). EADDRINUSE on a conflict (or when the
  // ephemeral range is exhausted, as Linux). Returns the port.
  ErrnoOr<uint16_t> Bind(const Binding& b);
  // Drops every binding of `owner`.
  void Unbind(const void* owner);
  // Updates the `listening` flag of `owner`'s binding.
  void SetListening(const void* owner, bool on);
  // The owner of the binding that a packet/connection to `dst` reaches, preferring an exact
  // address over a wildcard; `listeners_only` for TCP connects. nullptr: nobody.
  const void* Lookup(const InetAddr& dst, bool listeners_only) const;
  size_t size() const { return bindings_.size(); }

 private:
  bool Conflicts(const Binding& a, const Binding& b) const;
  static bool Covers(const Binding& b, const InetAddr& dst);

  std::multimap<uint16_t, Binding> bindings_;
  uint16_t next_ephemeral_ = kEphemeralLow;
};

}  // namespace sentry::netstack
