// Entry point of the gofer process: serves the sandbox's root and each --mount source to the
// sentry over the channel until the channel closes. Called by the launcher in the gofer's
// child process.
#pragma once

#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace sentry::gofer {

// One more served tree (a --mount source).
struct GoferMount {
  std::string source;  // host directory
  bool read_only = true;
};

struct GoferOptions {
  std::string root = "/";  // host directory served as the sandbox's root: mount index 0
  bool read_only = true;
  std::vector<GoferMount> mounts;  // mount index 1, 2, ...: --mount, in command-line order
  // Install the gofer's own seccomp allowlist (gofer_seccomp.h) on the serving thread once
  // the roots are open. Off only in tests that serve from a thread of the test process.
  bool self_seccomp = true;
  // Containment (the launcher sets it; tests serving from a thread of the test process do
  // not): after the served trees are found, the gofer moves into an empty root that holds only
  // bind mounts of them (common/empty_root.h), becomes non-dumpable (a compromised sentry
  // cannot reach the gofer's fds through /proc/PID/fd), and keeps only CAP_CHOWN,
  // CAP_DAC_OVERRIDE and CAP_FOWNER (common/capabilities.h).
  bool contain = false;
  // Host paths (absolute) whose files or directories are never served: the gofer records
  // their identities at start-up (following links) and refuses them with EACCES.
  std::vector<std::string> masked_paths;
};

// Returns the process exit code (0 when the sentry closed the channel normally; 1 when a
// served directory cannot be opened or serving fails).
int GoferMain(UniqueFd channel, const GoferOptions& opts);

}  // namespace sentry::gofer
