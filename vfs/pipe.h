// Pipes: each pipe is a sentry-owned host pipe (non-blocking, close-on-exec) used as the
// buffer behind two HostFile descriptions. The guest never holds a host fd to it; blocking,
// O_NONBLOCK, EOF and EPIPE are the sentry's (readiness waits through the event loop), while
// PIPE_BUF atomicity and the capacity (64 KiB, F_SETPIPE_SZ) are exactly Linux's. Sentry
// thread only.
#pragma once

#include <utility>

#include "common/sys_result.h"
#include "vfs/file_description.h"

namespace sentry::vfs {

// pipe2 semantics: `flags` may hold O_NONBLOCK (status flag of both ends) and O_DIRECT
// (packet mode); O_CLOEXEC is the caller's (fd table) business. EMFILE/ENFILE from the host.
ErrnoOr<std::pair<FileRef, FileRef>> MakePipe(int flags);

}  // namespace sentry::vfs
