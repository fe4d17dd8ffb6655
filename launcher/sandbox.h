// `sentry run` on the host side: builds the sandbox's configuration, creates the sandbox init
// in fresh namespaces, relays signals to it and returns its exit code.
// Owned by the launcher; main thread of the (single-threaded) launcher process.
//
// Process tree:
//
//   launcher (host namespaces; waits, forwards SIGINT/TERM/HUP/QUIT)
//    └─ init   pid 1 of a new user+pid+mount+net+ipc+uts+cgroup namespace set
//        ├─ gofer   own session, stdin/stdout /dev/null, fd 3 = channel; GoferMain
//        └─ sentry  stdio inherited, fd 3 = channel; SentryMain → guests
//
// Why a separate init as pid 1: whatever is pid 1 of a pid namespace reaps orphans and, when
// it exits, the kernel SIGKILLs every process left in the namespace. Making that process a
// tiny supervisor of our own (rather than the sentry or the gofer) means (a) neither the
// sentry nor the gofer inherits pid-1 signal semantics (signals without a handler are
// dropped for pid 1), (b) guests that outlive the sentry, a stuck gofer, or anything else in
// the sandbox die with the init, and (c) the init outlives the sentry just long enough to let
// the gofer finish (at most 2 s, then SIGKILL) and then hands the sentry's status up.
// The init dies with the launcher (PR_SET_PDEATHSIG(SIGKILL), set before the init is
// released, and EOF on the release pipe covers an earlier death), so a SIGKILLed launcher
// leaves nothing behind. (getppid() cannot be checked there: it reads 0 in a new pid ns.)
//
// Limits (--memory, --pids, --cpus): a cgroup `sentry-<launcher pid>-<random>` below the
// launcher's own cgroup (v2, or one per v1 hierarchy), joined by the init before it is
// released and before it makes its cgroup namespace, so the whole tree is inside and sees
// the cgroup as its root. A watcher process outside the cgroup (cgroup_watcher.h) kills
// what is left and removes the cgroup when the launcher finishes or dies. --timeout SIGKILLs
// the init (the pid namespace goes with it) and makes `sentry run` exit 124.
//
// Id mapping (written by the launcher into the init's /proc/PID/{setgroups,uid_map,gid_map}
// before releasing it): as root, identity over every id of the launcher's namespace ("0 0
// 4294967295" on a host), so files keep their owners as seen through the gofer; otherwise
// "0 <euid> 1" / "0 <egid> 1" with setgroups denied, the only map an unprivileged user may
// write. Either way the sandbox processes start as uid 0 of their own user namespace, with
// capabilities only over the sandbox's namespaces, and with no_new_privs set by the init.
//
// Signals: terminal-generated signals (^C, ^\) reach the whole foreground process group, the
// sentry included, directly; the launcher and the init forward only signals sent to them by a
// process (kill(1), timeout(1), a supervisor), so nothing is delivered twice. The gofer sits
// in its own session, out of the terminal's reach.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "launcher/options.h"
#include "launcher/sandbox_init.h"

namespace sentry::launcher {

// Tasks the sandbox itself runs besides the guest (init, gofer, sentry); --pids N allows the
// guest N tasks on top of these.
inline constexpr uint64_t kSandboxOwnTasks = 3;

// Builds the configuration of the sandbox from the parsed options, the launcher's
// environment (`environ`-style, may be null) and its working directory (`cwd`; used only
// when the root is the host's "/", otherwise the guest starts in "/").
SandboxConfig MakeSandboxConfig(const RunOptions& opts, const SandboxEntryPoints& entry,
                                char* const* envp, const std::string& cwd);

// The launcher's current directory, or "/" if it cannot be determined.
std::string CurrentDirectory();

// Starts the sandbox (inside a cgroup with the limits, if any) and waits for it. Returns the
// exit code to exit with (the guest's, 128+N for a signal, 125 for a failure inside the
// sandbox set-up, 124 after --timeout), or an error if the sandbox could not be created at
// all. Prints a line on stderr when the sandbox timed out or hit its memory limit. Returns
// only after the cgroup is gone.
absl::StatusOr<int> RunSandbox(const SandboxConfig& config);

}  // namespace sentry::launcher
