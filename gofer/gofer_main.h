// Entry point of the gofer process: serves one directory tree to the sentry over the
// channel until the channel closes. Called by the launcher in the gofer's child process.
#pragma once

#include <string>

#include "common/unique_fd.h"

namespace sentry::gofer {

struct GoferOptions {
  std::string root = "/";  // host directory served as the sandbox's root
  bool read_only = true;
};

// Returns the process exit code (0 when the sentry closed the channel normally).
int GoferMain(UniqueFd channel, const GoferOptions& opts);

}  // namespace sentry::gofer
