// devfs: the sandbox's /dev (null, zero, full, random, urandom, tty, console, ptmx -> pts/ptmx,
// the stdio and fd symlinks, pts/ and shm/ as mount points). Created by Vfs::Create; sentry
// thread only.
#pragma once

#include <memory>

#include "common/unique_fd.h"
#include "vfs/pty.h"
#include "vfs/synthetic.h"

namespace sentry::vfs {

// `host_tty` is the host terminal behind /dev/tty and /dev/console (owned; dup'd on each
// open), or invalid: opening them then fails with ENXIO. With `ptys`, /dev/ptmx links to
// pts/ptmx (devpts is mounted on pts/ by Vfs::Create) and /dev/tty of a process whose
// controlling terminal is a sandbox pty opens that pty.
std::shared_ptr<SyntheticFs> MakeDevfs(UniqueFd host_tty,
                                       std::shared_ptr<PtyRegistry> ptys = nullptr);

// The memory devices as open files (used by devfs; exposed for tests).
enum class MemDevice { kNull, kZero, kFull, kRandom, kURandom };
FileRef MakeMemDeviceFile(MemDevice kind, std::shared_ptr<Dentry> d, int flags);

}  // namespace sentry::vfs
