// devfs: the sandbox's /dev (null, zero, full, random, urandom, tty, console, the stdio and
// fd symlinks, an empty pts/ and shm/; no ptmx yet). Created by Vfs::Create; sentry thread only.
#pragma once

#include <memory>

#include "common/unique_fd.h"
#include "vfs/synthetic.h"

namespace sentry::vfs {

// `host_tty` is the host terminal behind /dev/tty and /dev/console (owned; dup'd on each
// open), or invalid: opening them then fails with ENXIO.
std::shared_ptr<SyntheticFs> MakeDevfs(UniqueFd host_tty);

// The memory devices as open files (used by devfs; exposed for tests).
enum class MemDevice { kNull, kZero, kFull, kRandom, kURandom };
FileRef MakeMemDeviceFile(MemDevice kind, std::shared_ptr<Dentry> d, int flags);

}  // namespace sentry::vfs
