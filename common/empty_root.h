// The empty root: a process of the sandbox (init, gofer, sentry) moves into a mount namespace
// of its own whose root is a small read-only tmpfs, holding at most bind mounts of the trees
// it serves. Called once, on the process's only thread, with CAP_SYS_ADMIN in the sandbox.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace sentry {

// A host directory to keep visible in the new root, at "/<index in the list>".
struct RootBind {
  std::string source;  // absolute host path (followed: trusted configuration)
  bool read_only = true;
};

// unshare(CLONE_NEWNS), every mount made private, a tmpfs (read-only once set up, 16 KiB,
// nosuid, nodev, noexec) pivoted to be "/", the old root detached, cwd "/". Each bind is a
// recursive bind of its source (submounts included) at "/0", "/1", ..., read-only and
// nodev/nosuid where the kernel allows. Fds opened before stay valid. Refuses (without
// changing anything) in the host's initial user namespace: this must only ever run inside a
// sandbox, never in a unit test or on the host.
absl::Status EnterEmptyRoot(const std::vector<RootBind>& binds = {});

// "/<index>": where bind `index` appears after EnterEmptyRoot.
std::string BindTarget(size_t index);

// True when the calling process is in the initial user namespace (or that cannot be told).
bool InInitialUserNamespace();

}  // namespace sentry
