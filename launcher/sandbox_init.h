// The sandbox init: pid 1 of the sandbox's pid namespace. Sets up the namespaces from the
// inside, forks the gofer and the sentry, then moves into an empty root of its own with no
// capabilities, relays signals, reaps, and exits with the sentry's status. Owned by the launcher; runs on the only thread of the init process.
#pragma once

#include <string>

#include "common/log.h"
#include "common/unique_fd.h"
#include "gofer/gofer_main.h"
#include "launcher/cgroup.h"
#include "sentry/sentry_main.h"

namespace sentry::launcher {

// The entry points the init forks into. main.cc passes the real ones; tests pass fakes.
struct SandboxEntryPoints {
  int (*sentry_main)(UniqueFd gofer_channel, const SentryOptions& opts) = nullptr;
  int (*gofer_main)(UniqueFd channel, const gofer::GoferOptions& opts) = nullptr;
};

struct SandboxConfig {
  SentryOptions sentry;
  gofer::GoferOptions gofer;
  std::string hostname = "sentry";
  log::Level log_level = log::Level::kWarning;
  SandboxEntryPoints entry;
  int gofer_grace_ms = 2000;  // how long the gofer may linger after the sentry exited
  // Launcher side only (RunSandbox): the cgroup around the whole sandbox (none if no limit
  // is set) and the wall-clock limit (0: none).
  CgroupLimits limits;
  int64_t timeout_ms = 0;
  std::string audit_log;  // --audit-log: opened by RunSandbox, handed to the sentry as an fd
};

// Runs as pid 1 inside fresh user/pid/mount/... namespaces (after the id maps are written).
// Returns the exit code for the init: the sentry's exit code, 128+N if it died by signal N,
// or 125 if the sandbox could not be set up (message on stderr).
int RunSandboxInit(const SandboxConfig& config);

}  // namespace sentry::launcher
