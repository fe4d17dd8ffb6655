// UnixNames: the sandbox's AF_UNIX name spaces — the abstract namespace (per sandbox, not
// the host's) and path-bound sockets keyed by the socket inode's (st_dev, st_ino) in the VFS.
// Owned by the Stack; sentry thread only.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>

#include "common/sys_result.h"

namespace sentry::netstack {

class UnixNames {
 public:
  using PathKey = std::pair<dev_t, ino_t>;

  // EADDRINUSE when taken. Abstract names are per socket type, as Linux hashes them.
  int BindAbstract(int type, const std::string& name, void* owner);
  int BindPath(PathKey key, void* owner);
  // Drops every name of `owner`.
  void Unbind(void* owner);
  void* FindAbstract(int type, const std::string& name) const;
  void* FindPath(PathKey key) const;
  // An unused abstract name for autobind: five hex digits, as Linux.
  std::string FreeAutobindName();

 private:
  std::map<std::pair<int, std::string>, void*> abstract_;
  std::map<PathKey, void*> paths_;
  uint32_t next_auto_ = 0;
};

}  // namespace sentry::netstack
