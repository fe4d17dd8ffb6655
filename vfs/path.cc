// Dentry → path text.
// Ownership as described in vfs/path.h; sentry thread only.
#include "vfs/path.h"

#include <algorithm>
#include <vector>

#include "vfs/dentry.h"

namespace sentry::vfs {

std::string AbsolutePath(const std::shared_ptr<Dentry>& d, const std::shared_ptr<Dentry>& root) {
  std::vector<const std::string*> names;
  std::shared_ptr<Dentry> cur = d;
  bool reached_root = false;
  while (cur != nullptr) {
    if (root != nullptr && cur == root) {
      reached_root = true;
      break;
    }
    if (std::shared_ptr<Dentry> mp = cur->mountpoint()) {
      cur = std::move(mp);
      continue;
    }
    if (cur->parent() == nullptr) break;  // the global root
    names.push_back(&cur->name());
    cur = cur->parent();
  }
  std::string out;
  if (root != nullptr && !reached_root) out = "(unreachable)";
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    out += '/';
    out += **it;
  }
  if (names.empty()) out += '/';
  return out;
}

}  // namespace sentry::vfs
