// FsContext: a process's root, cwd and umask as path resolution sees them, plus the
// caller's sandbox ids (procfs "self"). Owned by the sentry's tasks; sentry thread only.
#pragma once

#include <cstdint>
#include <memory>

namespace sentry::vfs {

class Dentry;

struct FsContext {
  std::shared_ptr<Dentry> root, cwd;
  uint32_t umask = 022;
  int caller_pid = 1;  // sandbox tgid of the calling process (procfs "self")
  int caller_tid = 1;
};

}  // namespace sentry::vfs
