// What procfs and sysfs show about the machine (cpuinfo, CPUs, RAM, kernel release), read from
// the host once, while the sentry still sees the host (before its empty root). Sentry thread.
#pragma once

#include "vfs/procfs.h"

namespace sentry {

// Read on the first call (SentryMain makes it during "open host resources"), then cached.
const vfs::ProcfsOptions& HostFacts();

}  // namespace sentry
