// Creating a process in fresh namespaces: clone, id maps written by the parent, release.
// Owned by the launcher; call from the main thread of a single-threaded process.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "launcher/id_map.h"

namespace sentry::launcher {

// The namespaces every sandbox gets (DESIGN §1.5).
inline constexpr int kSandboxNamespaces = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
                                          CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                                          CLONE_NEWCGROUP;

// Clones a child into new namespaces `ns_flags` (must include CLONE_NEWUSER). The child sets
// PR_SET_PDEATHSIG(SIGKILL) and then waits on a pipe until the parent has run
// `before_release(pid)` (if given; e.g. moving the child into the sandbox's cgroup) and
// written `mapping`, so it starts as uid 0 of its user namespace; if the caller dies before
// releasing it, the child sees EOF and exits. A CLONE_NEWCGROUP in `ns_flags` is applied by
// the child with unshare() right after the release, so the new cgroup namespace is rooted at
// the cgroup `before_release` put it in. The child then runs `child_main` and _exits with
// its result. Returns the child's pid (in the caller's pid namespace). On failure nothing is
// left running.
absl::StatusOr<pid_t> SpawnInNamespaces(
    int ns_flags, const IdMapping& mapping, const std::function<int()>& child_main,
    const std::function<absl::Status(pid_t)>& before_release = nullptr);

// After clone(ns_flags) failed with `err`: probes one namespace at a time to name the one the
// kernel refuses, with a hint about the usual cause. Forks short-lived probe children.
std::string DiagnoseNamespaceFailure(int ns_flags, int err);

// "user", "pid", ... for one CLONE_NEW* flag.
const char* NamespaceName(int flag);

}  // namespace sentry::launcher
