// Host side of `sentry run`: configuration, creation of the sandbox init, waiting.
// Owned by the launcher; main thread of the launcher process.
#include "launcher/sandbox.h"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "common/status_macros.h"
#include "launcher/id_map.h"
#include "launcher/namespaces.h"
#include "launcher/signals.h"

namespace sentry::launcher {

SandboxConfig MakeSandboxConfig(const RunOptions& opts, const SandboxEntryPoints& entry,
                                char* const* envp, const std::string& cwd) {
  SandboxConfig c;
  c.entry = entry;
  c.log_level = opts.log_level;
  c.sentry.argv = opts.argv;
  if (envp != nullptr) {
    for (char* const* e = envp; *e != nullptr; ++e) c.sentry.envp.emplace_back(*e);
  }
  c.sentry.cwd = opts.rootfs == "/" ? cwd : "/";
  c.sentry.strace = opts.strace;
  c.sentry.platform = opts.platform;
  c.sentry.log_level = static_cast<int>(opts.log_level);
  for (const TmpfsOption& t : opts.tmpfs) c.sentry.tmpfs.push_back({t.target, t.size_bytes});
  c.gofer.root = opts.rootfs;
  c.gofer.read_only = true;
  return c;
}

std::string CurrentDirectory() {
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof(buf)) == nullptr) {
    LOG_WARN("getcwd: {}; the guest starts in /", std::strerror(errno));
    return "/";
  }
  return buf;
}

absl::StatusOr<int> RunSandbox(const SandboxConfig& config) {
  if (config.sentry.argv.empty()) return absl::InvalidArgumentError("no program to run");
  if (config.entry.sentry_main == nullptr || config.entry.gofer_main == nullptr) {
    return absl::InvalidArgumentError("sandbox entry points missing");
  }
  ASSIGN_OR_RETURN(IdMapping mapping, ComputeIdMappingForSelf());

  // Block the relayed signals before the init exists, so none is lost in between; the init
  // inherits the mask and installs its own relay.
  sigset_t old_mask;
  SetUpSignalRelay(&old_mask);
  absl::StatusOr<pid_t> init_pid =
      SpawnInNamespaces(kSandboxNamespaces, mapping, [&config] { return RunSandboxInit(config); });
  if (!init_pid.ok()) {
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return init_pid.status();
  }
  LOG_DEBUG("sandbox init is pid {}", *init_pid);

  bool done = false;
  int status = 0;
  while (!done) {
    WaitAndRelay(1000, *init_pid, [&](pid_t pid, int st) {
      if (pid == *init_pid) {
        done = true;
        status = st;
      }
    });
  }
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  LOG_DEBUG("sandbox init exited (status {:#x})", status);
  return ExitCodeFromWaitStatus(status);
}

}  // namespace sentry::launcher
