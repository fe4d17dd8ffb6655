// The cgroup watcher: a small process, forked by the launcher before the sandbox exists and
// kept outside the sandbox's cgroup, that empties (SIGKILL) and removes the cgroup once the
// launcher is gone or done — so a SIGKILLed launcher leaves no process and no cgroup behind.
// Owned by the launcher; main thread (the watcher process itself is single-threaded).
//
// Protocol: a pipe whose write end only the launcher holds (close-on-exec; the sandbox init,
// which is cloned and not exec'd, closes its copy first thing). EOF on the read end — the
// launcher closed it in Finish() or died — starts the clean-up. The watcher runs in its own
// session with SIGINT/SIGTERM/SIGHUP/SIGQUIT ignored, so signals aimed at the launcher's
// process group or terminal never cut the clean-up short; it has no death signal.
#pragma once

#include <sys/types.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "launcher/cgroup.h"

namespace sentry::launcher {

class CgroupWatcher {
 public:
  // Forks the watcher for `cgroup`. Call before the sandbox is created.
  static absl::StatusOr<CgroupWatcher> Start(const Cgroup& cgroup);

  CgroupWatcher(CgroupWatcher&& o) noexcept
      : pid_(std::exchange(o.pid_, -1)),
        release_(std::move(o.release_)),
        reaped_(o.reaped_),
        status_(o.status_) {}
  CgroupWatcher& operator=(CgroupWatcher&&) = delete;
  ~CgroupWatcher();  // Finish(), if it was not called

  // Signals the watcher (closes the pipe) and waits until it has emptied and removed the
  // cgroup. Error if the watcher reported a failure (its message went to stderr).
  absl::Status Finish();

  pid_t pid() const { return pid_; }

  // For a caller that reaps children itself (waitpid(-1)): records the watcher's status.
  void MarkReaped(int wait_status);

 private:
  CgroupWatcher() = default;

  pid_t pid_ = -1;
  UniqueFd release_;  // write end; closing it starts the clean-up
  bool reaped_ = false;
  int status_ = 0;
};

// How long the watcher keeps killing and then removing before it gives up (each).
inline constexpr int kWatcherKillMs = 5000;
inline constexpr int kWatcherRemoveMs = 5000;

}  // namespace sentry::launcher
