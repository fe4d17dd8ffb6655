// The guest's seccomp filter, generated from the syscall table with libseccomp.
// Owned by the sentry; call BuildGuestFilter() at start-up on the sentry's main thread, before
// the sentry installs its own filter (libseccomp probes the kernel) and before forking guests.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "absl/status/statusor.h"

namespace sentry {

// The classic-BPF program for guests: default SECCOMP_RET_USER_NOTIF; passthrough entries
// SECCOMP_RET_ALLOW when their argument checks hold; kTrace entries SECCOMP_RET_TRACE(0);
// kRefuse entries SECCOMP_RET_ERRNO(errno); any other architecture (i386 via int 0x80) and
// x32 syscall numbers SECCOMP_RET_KILL_PROCESS. The program is plain data, so a forked child
// installs it with the raw seccomp(2) syscall, e.g.
//   sock_fprog prog{static_cast<unsigned short>(f.size()), f.data()};
//   syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
// after prctl(PR_SET_NO_NEW_PRIVS, 1). With `notify_refused` (--audit-log), kRefuse entries
// reach the sentry as notifications instead, so that it can record them; with
// `notify_passthrough` (--strace), so do passthrough entries (the sentry checks their rules
// and lets the host run them: PassesThrough in syscall_table.h).
absl::StatusOr<std::vector<sock_filter>> BuildGuestFilter(bool notify_refused = false,
                                                          bool notify_passthrough = false);

// Numbers of the syscalls the filter may let through to the host (for docs and tests).
std::vector<int> PassthroughSyscalls();

}  // namespace sentry
