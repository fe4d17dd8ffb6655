// PortTable (see port_table.h). Sentry thread only.
#include "netstack/port_table.h"

#include <cerrno>

namespace sentry::netstack {
namespace {

// Which address families a binding takes: bit 0 IPv4, bit 1 IPv6.
int Domains(const PortTable::Binding& b) {
  if (!b.v6 || b.addr.IsV4()) return 1;
  if (b.addr.IsAny()) return b.v6only ? 2 : 3;
  return 2;
}

bool IsWildcard(const PortTable::Binding& b) { return b.addr.IsAny(); }

}  // namespace

bool PortTable::Conflicts(const Binding& a, const Binding& b) const {
  if (!(Domains(a) & Domains(b))) return false;
  bool overlap = IsWildcard(a) || IsWildcard(b) || a.addr.SameIp(b.addr);
  if (!overlap) return false;
  if (a.reuse_port && b.reuse_port) return false;
  if (a.reuse_addr && b.reuse_addr && !a.listening && !b.listening) return false;
  return true;
}

ErrnoOr<uint16_t> PortTable::Bind(const Binding& b) {
  auto free_at = [&](uint16_t port) {
    auto [lo, hi] = bindings_.equal_range(port);
    for (auto it = lo; it != hi; ++it) {
      if (Conflicts(it->second, b)) return false;
    }
    return true;
  };
  uint16_t port = b.addr.port;
  if (port == 0) {
    constexpr int kRange = kEphemeralHigh - kEphemeralLow + 1;
    for (int i = 0; i < kRange; ++i) {
      uint16_t p = next_ephemeral_;
      next_ephemeral_ = p == kEphemeralHigh ? kEphemeralLow : p + 1;
      // Ephemeral ports are never shared, even with SO_REUSEADDR.
      if (bindings_.count(p) == 0) {
        port = p;
        break;
      }
    }
    if (port == 0) return ErrnoOr<uint16_t>::Errno(EADDRINUSE);
  } else if (!free_at(port)) {
    return ErrnoOr<uint16_t>::Errno(EADDRINUSE);
  }
  Binding copy = b;
  copy.addr.port = port;
  bindings_.emplace(port, copy);
  return port;
}

void PortTable::Unbind(const void* owner) {
  for (auto it = bindings_.begin(); it != bindings_.end();) {
    if (it->second.owner == owner) {
      it = bindings_.erase(it);
    } else {
      ++it;
    }
  }
}

void PortTable::SetListening(const void* owner, bool on) {
  for (auto& [port, b] : bindings_) {
    if (b.owner == owner) b.listening = on;
  }
}

bool PortTable::Covers(const Binding& b, const InetAddr& dst) {
  int want = dst.IsV4() ? 1 : 2;
  if (!(Domains(b) & want)) return false;
  return IsWildcard(b) || b.addr.SameIp(dst);
}

const void* PortTable::Lookup(const InetAddr& dst, bool listeners_only) const {
  const void* wildcard = nullptr;
  auto [lo, hi] = bindings_.equal_range(dst.port);
  for (auto it = lo; it != hi; ++it) {
    const Binding& b = it->second;
    if (listeners_only && !b.listening) continue;
    if (!Covers(b, dst)) continue;
    if (!IsWildcard(b)) return b.owner;
    if (!wildcard) wildcard = b.owner;
  }
  return wildcard;
}

}  // namespace sentry::netstack
