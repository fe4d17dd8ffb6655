// A terminal opened without O_NOCTTY by a session leader without one becomes its controlling
// terminal, as on Linux: the sentry makes the guest itself issue TIOCSCTTY (see ctty_open.cc).
#pragma once

#include "sentry/kernel.h"
#include "vfs/file_description.h"

namespace sentry {

// Where a task is in taking its controlling terminal on open (Task::ctty_open).
struct CttyOpenState;

// Installs `f`, just opened by the caller with open flags `flags`, at its lowest free fd and
// returns the syscall result. A sandbox pty slave opened without O_NOCTTY by a session
// leader without a controlling terminal, the pty having no session, first becomes the
// caller's controlling terminal (Linux's tty_open_proc_set_tty).
SysResult InstallOpenedFile(SyscallContext& c, const vfs::FileRef& f, int flags);

// From Kernel::OnStop: a signal-delivery stop of `t` (signal `sig`) that is part of such an
// open. True when handled (the thread was resumed); false: the usual handling applies.
bool OnCttyOpenStop(Kernel& kernel, Task& t, int sig);

}  // namespace sentry
