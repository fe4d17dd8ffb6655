// The gofer's own seccomp allowlist: the *at() calls it serves files with, its channel I/O,
// memory and exit. Installed by GoferMain on its serving thread once the roots are open.
// Data only; any thread may build it.
#pragma once

#include <vector>

#include "common/self_seccomp.h"

namespace sentry::gofer {

// The allowlist for a gofer whose channel is `channel_fd`. `chmod_fallback` adds fchmodat(2),
// which host::ChmodNode needs on kernels without fchmodat2 (before 6.6); `openat2_fallback`
// lets openat create files (O_CREAT|O_EXCL|O_NOFOLLOW), which host::OpenBeneath needs on
// kernels without openat2 (before 5.6).
std::vector<seccomp::Rule> GoferAllowlist(int channel_fd, bool chmod_fallback,
                                          bool openat2_fallback = false);

// True when this kernel lacks fchmodat2 (so the allowlist needs the chmod fallback).
bool NeedChmodFallback();

// True when this kernel lacks openat2 (so openat must be allowed to create files).
bool NeedOpenat2Fallback();

}  // namespace sentry::gofer
