// Credentials (virtual ids; the host never sees them) and the permission-bit check of the VFS.
// Owned by the sentry's tasks and passed by reference into Vfs calls; sentry thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace sentry::vfs {

struct Credentials {
  uint32_t uid = 0, gid = 0, euid = 0, egid = 0, fsuid = 0, fsgid = 0;
  std::vector<uint32_t> groups;  // supplementary groups
};

// Access bits as in access(2).
inline constexpr int kMayRead = 4;
inline constexpr int kMayWrite = 2;
inline constexpr int kMayExec = 1;

// Which ids a check uses: the filesystem ids (open, exec, path walks) or the real ids
// (access(2)/faccessat without AT_EACCESS).
enum class IdKind { kFs, kReal };

// Linux's generic_permission with the virtual credentials: uid 0 bypasses read/write checks
// (CAP_DAC_OVERRIDE) and needs any x bit to execute a non-directory. `mode` holds the
// inode's permission bits (its type bits matter only for the exec rule). Returns 0 or EACCES.
int CheckPermission(const Credentials& creds, uint32_t mode, uint32_t owner_uid, uint32_t owner_gid,
                    int may, IdKind ids = IdKind::kFs);

// True when `gid` is the (fs or real) group of `creds` or one of its supplementary groups.
bool InGroup(const Credentials& creds, uint32_t gid, IdKind ids = IdKind::kFs);

}  // namespace sentry::vfs
