// UnixNames (see unix_names.h). Sentry thread only.
#include "netstack/unix_names.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstdio>

namespace sentry::netstack {

int UnixNames::BindAbstract(int type, std::string_view name, void* owner) {
  if (abstract_.find(Probe{type, name}) != abstract_.end()) return EADDRINUSE;
  abstract_.emplace(Key{type, std::string(name)}, owner);
  return 0;
}

int UnixNames::BindPath(PathKey key, void* owner) {
  return paths_.emplace(key, owner).second ? 0 : EADDRINUSE;
}

void UnixNames::Unbind(void* owner) {
  for (auto it = abstract_.begin(); it != abstract_.end();) {
    it = it->second == owner ? abstract_.erase(it) : std::next(it);
  }
  for (auto it = paths_.begin(); it != paths_.end();) {
    it = it->second == owner ? paths_.erase(it) : std::next(it);
  }
}

void* UnixNames::FindAbstract(int type, std::string_view name) const {
  auto it = abstract_.find(Probe{type, name});
  return it == abstract_.end() ? nullptr : it->second;
}

void* UnixNames::FindPath(PathKey key) const {
  auto it = paths_.find(key);
  return it == paths_.end() ? nullptr : it->second;
}

std::string UnixNames::FreeAutobindName() {
  for (uint32_t i = 0; i < 0x100000; ++i) {
    char buf[8];
    snprintf(buf, sizeof(buf), "%05x", next_auto_);
    next_auto_ = (next_auto_ + 1) & 0xfffff;
    bool taken = false;
    for (int type : {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET})
      taken |= abstract_.find(Probe{type, buf}) != abstract_.end();
    if (!taken) return buf;
  }
  return {};
}

}  // namespace sentry::netstack
