// uid/gid maps of the sandbox's user namespace: the text to write and the writing.
// Owned by the launcher; called on the host side (main thread) before the sandbox init runs.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sentry::launcher {

// What the host writes into /proc/PID/{setgroups,uid_map,gid_map} of the sandbox init.
struct IdMapping {
  std::string uid_map;  // "inside outside count\n" lines
  std::string gid_map;
  bool deny_setgroups = false;  // write "deny" to setgroups first (needed when unprivileged)
};

// Decides the mapping. `self_uid_map`/`self_gid_map` are the launcher's own
// /proc/self/{uid,gid}_map (the ids that exist in the launcher's namespace).
//  - euid 0 (host root, or root of an enclosing container): identity over every id the
//    launcher's namespace has, i.e. "0 0 4294967295" on a host; setgroups stays allowed.
//  - anyone else: "0 <euid> 1" and "0 <egid> 1", the only map an unprivileged process
//    may write, and setgroups must be denied before the gid_map is accepted.
absl::StatusOr<IdMapping> ComputeIdMapping(uid_t euid, gid_t egid, std::string_view self_uid_map,
                                           std::string_view self_gid_map);

// ComputeIdMapping for the calling process (reads /proc/self/*_map).
absl::StatusOr<IdMapping> ComputeIdMappingForSelf();

// Writes `mapping` for process `pid` (which must be in a user namespace created by us and
// must not have written its maps yet).
absl::Status WriteIdMapping(pid_t pid, const IdMapping& mapping);

}  // namespace sentry::launcher
