// Permission-bit checks with virtual credentials.
// Ownership as described in vfs/credentials.h; sentry thread only.
#include "vfs/credentials.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

namespace sentry::vfs {

bool InGroup(const Credentials& creds, uint32_t gid, IdKind ids) {
  uint32_t primary = ids == IdKind::kFs ? creds.fsgid : creds.gid;
  if (primary == gid) return true;
  return std::find(creds.groups.begin(), creds.groups.end(), gid) != creds.groups.end();
}

int CheckPermission(const Credentials& creds, uint32_t mode, uint32_t owner_uid, uint32_t owner_gid,
                    int may, IdKind ids) {
  may &= kMayRead | kMayWrite | kMayExec;
  uint32_t uid = ids == IdKind::kFs ? creds.fsuid : creds.uid;
  if (uid == 0) {
    // Root: read and write always; exec of a non-directory needs some x bit.
    if ((may & kMayExec) && !S_ISDIR(mode) && (mode & 0111) == 0) return EACCES;
    return 0;
  }
  uint32_t bits;
  if (uid == owner_uid) {
    bits = (mode >> 6) & 7;
  } else if (InGroup(creds, owner_gid, ids)) {
    bits = (mode >> 3) & 7;
  } else {
    bits = mode & 7;
  }
  return (static_cast<uint32_t>(may) & ~bits) ? EACCES : 0;
}

}  // namespace sentry::vfs
