// Implementation of the cgroup watcher process.
// Owned by the launcher; the launcher's main thread and the watcher's only thread.
#include "launcher/cgroup_watcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "launcher/fd_util.h"
#include "launcher/signals.h"

namespace sentry::launcher {
namespace {

constexpr int kWatchFd = 3;

[[noreturn]] void RunWatcher(const Cgroup& cgroup, int read_fd) {
  ::setsid();  // out of the launcher's process group and terminal
  ResetSignalsForChild();
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) {
    ::signal(sig, SIG_IGN);
  }
  log::SetPrefix("cgroup-watcher");
  // Keep stderr for diagnostics; nothing else of the launcher's stays open here.
  if (!MoveFdTo(read_fd, kWatchFd)) ::_exit(1);
  CloseFdsFrom(kWatchFd + 1);
  RedirectToDevNull(0);
  RedirectToDevNull(1);
  char buf[64];
  for (;;) {
    ssize_t n = ::read(kWatchFd, buf, sizeof(buf));
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  int code = 0;
  absl::Status st = cgroup.KillAll(std::chrono::milliseconds(kWatcherKillMs));
  if (!st.ok()) {
    std::fprintf(stderr, "sentry: cleaning up the sandbox: %s\n",
                 std::string(st.message()).c_str());
    code = 1;
  }
  st = cgroup.Remove(std::chrono::milliseconds(kWatcherRemoveMs));
  if (!st.ok()) {
    std::fprintf(stderr, "sentry: %s\n", std::string(st.message()).c_str());
    code = 1;
  }
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace

absl::StatusOr<CgroupWatcher> CgroupWatcher::Start(const Cgroup& cgroup) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2 (cgroup watcher): ", std::strerror(errno)));
  }
  UniqueFd rd(fds[0]), wr(fds[1]);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    return absl::InternalError(absl::StrCat("fork (cgroup watcher): ", std::strerror(errno)));
  }
  if (pid == 0) {
    wr.reset();
    RunWatcher(cgroup, rd.release());
  }
  LOG_DEBUG("cgroup watcher is pid {}", pid);
  CgroupWatcher w;
  w.pid_ = pid;
  w.release_ = std::move(wr);
  return w;
}

CgroupWatcher::~CgroupWatcher() {
  if (pid_ > 0) (void)Finish();
}

void CgroupWatcher::MarkReaped(int wait_status) {
  reaped_ = true;
  status_ = wait_status;
}

absl::Status CgroupWatcher::Finish() {
  if (pid_ <= 0) return absl::OkStatus();
  release_.reset();
  while (!reaped_) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, 0);
    if (r == pid_) {
      MarkReaped(status);
    } else if (r < 0 && errno != EINTR) {
      // Reaped elsewhere without MarkReaped: its status is lost; assume it did its job.
      break;
    }
  }
  pid_t pid = pid_;
  pid_ = -1;
  if (reaped_ && !(WIFEXITED(status_) && WEXITSTATUS(status_) == 0)) {
    return absl::InternalError(
        absl::StrCat("the cgroup watcher (pid ", pid, ") failed (status ", status_, ")"));
  }
  return absl::OkStatus();
}

}  // namespace sentry::launcher
