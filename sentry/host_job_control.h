// Job control read from the host: a guest's ids and controlling terminal from its host
// /proc/PID/stat (no allocation), and whether a process group of the sandbox is orphaned.
#pragma once

#include <sys/types.h>

#include "sentry/job_control.h"

namespace sentry {

class Kernel;

// The job-control fields of host process (or thread) `host_pid`; false if it is gone.
bool ReadHostJobIds(pid_t host_pid, HostJobIds* out);
// The host session the sentry itself runs in (the user's terminal's session, often 0: its
// leader lies outside the sentry's pid namespace). Read once.
pid_t OuterSession();
// The sandbox pty (/dev/pts/N) that is the controlling terminal of host process `host_pid`,
// or -1.
int SandboxCttyIndex(pid_t host_pid);
// Whether host process group `host_pgrp` is orphaned (job_control.h) among the sandbox's
// live processes. Reads every process's stat: for the rare background-access path only.
bool HostPgrpOrphaned(Kernel& kernel, pid_t host_pgrp);

}  // namespace sentry
