// UnixNames: the sandbox's AF_UNIX name spaces — the abstract namespace (per sandbox, not
// the host's) and path-bound sockets keyed by the socket inode's (st_dev, st_ino) in the VFS.
// Owned by the Stack; sentry thread only.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/sys_result.h"

namespace sentry::netstack {

class UnixNames {
 public:
  using PathKey = std::pair<dev_t, ino_t>;

  // EADDRINUSE when taken. Abstract names are per socket type, as Linux hashes them.
  // Lookups never allocate (connect, sendto); a bind stores a copy of the name.
  int BindAbstract(int type, std::string_view name, void* owner);
  int BindPath(PathKey key, void* owner);
  // Drops every name of `owner`.
  void Unbind(void* owner);
  void* FindAbstract(int type, std::string_view name) const;
  void* FindPath(PathKey key) const;
  // An unused abstract name for autobind: five hex digits, as Linux.
  std::string FreeAutobindName();

 private:
  struct Key {
    int type;
    std::string name;
  };
  struct Probe {
    int type;
    std::string_view name;
  };
  // Orders Keys and Probes alike, so that a lookup needs no Key (no string).
  struct Less {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      if (a.type != b.type) return a.type < b.type;
      return std::string_view(a.name) < std::string_view(b.name);
    }
  };
  std::map<Key, void*, Less> abstract_;
  std::map<PathKey, void*> paths_;
  uint32_t next_auto_ = 0;
};

}  // namespace sentry::netstack
