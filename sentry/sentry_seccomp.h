// The sentry's own seccomp allowlist and its lockdown. The sentry installs it on itself right
// after it forked the guest init (so guests carry only their generated filter) and before it
// loads the guest's program. Sentry thread only.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "common/self_seccomp.h"

namespace sentry {

// The allowlist for a sentry whose host /proc directory fd is `proc_fd` (host_proc.h): no
// open but openat(proc_fd, ..., O_RDONLY|O_CLOEXEC), no exec, no mount, no socket creation,
// ptrace only with requests that act on existing tracees (no attach/seize).
// With `devpts_fd` (host_devpts.h), also openat(devpts_fd, "ptmx"-or-anything,
// O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC) for guest ptys.
std::vector<seccomp::Rule> SentryAllowlist(int proc_fd, int devpts_fd = -1);

// Installs SentryAllowlist(HostProcFd()); violations per seccomp::ViolationFromEnv().
absl::Status LockDownSentry();

}  // namespace sentry
