// The host's /dev/zero as one fd of the sentry, opened before the sentry enters its empty root
// (SentryMain's "open host resources"); devfs dups it for mmap mirrors of /dev/zero.
// Sentry thread only.
#pragma once

namespace sentry::vfs {

// Opened (O_RDWR|O_CLOEXEC) on the first call, then the same fd; -1 if it cannot be opened.
int HostDevZeroFd();

}  // namespace sentry::vfs
