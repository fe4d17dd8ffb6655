// overlayfs: the sandbox's default root. A read-only lower filesystem (goferfs over the host)
// under a writable upper one (a tmpfs sized by --disk), with Linux overlayfs semantics:
// copy-up on change, whiteouts, opaque directories, directory rename by deep copy-up.
// Made by Vfs::Create; owned by shared_ptr (mount table, inodes); sentry thread only.
#pragma once

#include <memory>

#include "vfs/inode.h"

namespace sentry::vfs {

// An overlay of `upper` (writable, empty or made by an earlier overlay) on `lower`. Both
// filesystems belong to the overlay from now on (it drops their caches with its own).
std::shared_ptr<Filesystem> MakeOverlayFs(std::shared_ptr<Filesystem> lower,
                                          std::shared_ptr<Filesystem> upper);

}  // namespace sentry::vfs
