// devpts: the sandbox's /dev/pts, mounted by Vfs::Create when the sentry has a private host
// devpts instance: `ptmx` (a new pair per open) and one node per live pair of the registry.
// Sentry thread only.
#pragma once

#include <memory>

#include "vfs/inode.h"
#include "vfs/pty.h"

namespace sentry::vfs {

// Linux's DEVPTS_SUPER_MAGIC.
inline constexpr uint32_t kDevptsMagic = 0x1cd1;

// The filesystem (root ino 1, ptmx ino 2 c 5:2 mode 0666, N ino N+3 c 136:N mode 0620 owned
// by the opener of the pair). Lookups always ask the registry (no dentry caching).
std::shared_ptr<Filesystem> MakeDevpts(std::shared_ptr<PtyRegistry> ptys);

}  // namespace sentry::vfs
