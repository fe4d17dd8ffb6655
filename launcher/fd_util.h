// Small fd helpers for freshly forked sandbox processes: keep stdio sane, drop everything else.
// Owned by the launcher; called in a child right after fork/clone (single-threaded).
#pragma once

namespace sentry::launcher {

// Closes every fd >= `first` (close_range, or a loop on old kernels).
void CloseFdsFrom(int first);

// Opens /dev/null on any of 0, 1, 2 that is closed, so later fds never land on stdio.
void EnsureStdioOpen();

// Moves `fd` to exactly `target` (close-on-exec kept); returns false on failure.
bool MoveFdTo(int fd, int target);

// Points fd `target` at /dev/null.
bool RedirectToDevNull(int target);

}  // namespace sentry::launcher
