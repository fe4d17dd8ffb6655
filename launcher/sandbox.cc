// Host side of `sentry run`: configuration, creation of the sandbox init, waiting.
// Owned by the launcher; main thread of the launcher process.
#include "launcher/sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "launcher/audit_limits.h"
#include "launcher/cgroup.h"
#include "launcher/cgroup_layout.h"
#include "launcher/cgroup_watcher.h"
#include "launcher/guest_env.h"
#include "launcher/id_map.h"
#include "launcher/masked_paths.h"
#include "launcher/namespaces.h"
#include "launcher/signals.h"

namespace sentry::launcher {
namespace {

// A launcher message on stderr ("sentry: ...").
void Notice(const std::string& msg) {
  std::string line = absl::StrCat("sentry: ", msg, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

uint32_t Random32() {
  uint32_t r = 0;
  if (::getrandom(&r, sizeof(r), 0) != sizeof(r)) {
    r = static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return r;
}

}  // namespace

SandboxConfig MakeSandboxConfig(const RunOptions& opts, const SandboxEntryPoints& entry,
                                char* const* envp, const std::string& cwd) {
  SandboxConfig c;
  c.entry = entry;
  c.log_level = opts.log_level;
  c.sentry.argv = opts.argv;
  c.sentry.envp = BuildGuestEnv(envp, opts.env, opts.inherit_env);
  c.sentry.cwd = opts.rootfs == "/" ? cwd : "/";
  c.sentry.strace = opts.strace;
  c.sentry.platform = opts.platform;
  c.sentry.log_level = static_cast<int>(opts.log_level);
  for (const TmpfsOption& t : opts.tmpfs) c.sentry.tmpfs.push_back({t.target, t.size_bytes});
  c.sentry.memory_limit_bytes = opts.memory_bytes;
  c.sentry.disk_bytes = opts.disk_bytes;
  c.audit_log = opts.audit_log;
  // Secrets are masked when the host's own root is served (a --rootfs is the user's choice).
  if (opts.rootfs == "/") {
    const char* home = std::getenv("HOME");
    c.gofer.masked_paths = MaskedPaths(home ? home : "", opts.unmask);
  }
  c.gofer.root = opts.rootfs;
  c.gofer.read_only = true;
  // --mount: the gofer serves each source as mount index 1, 2, ... (0 is the root).
  for (const MountOption& m : opts.mounts) {
    c.gofer.mounts.push_back({.source = m.source, .read_only = m.read_only});
    c.sentry.mounts.push_back({.target = m.target,
                               .read_only = m.read_only,
                               .gofer_index = static_cast<uint32_t>(c.gofer.mounts.size()),
                               .source = m.source});
  }
  c.hostname = opts.hostname;
  c.limits.memory_bytes = opts.memory_bytes;
  // --pids counts the guest's tasks; the sandbox's own init, gofer and sentry come on top.
  c.limits.pids = opts.pids == 0 ? 0 : opts.pids + kSandboxOwnTasks;
  c.limits.cpus = opts.cpus;
  c.timeout_ms = opts.timeout_ms;
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

absl::StatusOr<int> RunSandbox(const SandboxConfig& config_in) {
  SandboxConfig config = config_in;
  if (config.sentry.argv.empty()) return absl::InvalidArgumentError("no program to run");
  // The audit log is opened here, as the user who ran `sentry`, before any sandboxing; only
  // the sentry inherits the fd (never the gofer or a guest).
  UniqueFd audit;
  if (!config.audit_log.empty()) {
    audit.reset(::open(config.audit_log.c_str(),
                       O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
    if (!audit.valid()) {
      return absl::InvalidArgumentError(absl::StrCat("--audit-log ", config.audit_log, ": ",
                                                     std::strerror(errno)));
    }
    config.sentry.audit_fd = audit.get();
  }
  if (config.entry.sentry_main == nullptr || config.entry.gofer_main == nullptr) {
    return absl::InvalidArgumentError("sandbox entry points missing");
  }
  // Only directories can be mounted for now (the gofer serves directory trees).
  for (const GoferMountOption& m : config.sentry.mounts) {
    struct stat st;
    if (::stat(m.source.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mount ", m.source, ":", m.target, ": ", m.source,
                       " is not a directory (single-file mounts are not supported)"));
    }
  }
  ASSIGN_OR_RETURN(IdMapping mapping, ComputeIdMappingForSelf());

  // The cgroup and its watcher exist before the sandbox: the init joins the cgroup before
  // it is released (and before its cgroup namespace is made), so everything it starts is
  // inside; the watcher, outside, removes the cgroup however the launcher ends.
  std::optional<Cgroup> cgroup;
  std::optional<CgroupWatcher> watcher;
  if (config.limits.any()) {
    ASSIGN_OR_RETURN(CgroupLayout layout, DetectCgroupLayout(config.limits.Controllers()));
    ASSIGN_OR_RETURN(cgroup, Cgroup::Create(layout, MakeCgroupName(::getpid(), Random32()),
                                            config.limits));
    absl::StatusOr<CgroupWatcher> w = CgroupWatcher::Start(*cgroup);
    if (!w.ok()) {
      (void)cgroup->Remove(std::chrono::seconds(1));
      return w.status();
    }
    watcher.emplace(*std::move(w));
    LOG_DEBUG("sandbox cgroup (v{}): {}", cgroup->version() == CgroupVersion::kV2 ? 2 : 1,
              cgroup->dirs().front().path);
  }

  // Block the relayed signals before the init exists, so none is lost in between; the init
  // inherits the mask and installs its own relay.
  sigset_t old_mask;
  SetUpSignalRelay(&old_mask);
  absl::StatusOr<pid_t> init_pid = SpawnInNamespaces(
      kSandboxNamespaces, mapping, [&config] { return RunSandboxInit(config); },
      [&cgroup](pid_t pid) { return cgroup ? cgroup->Join(pid) : absl::OkStatus(); });
  if (!init_pid.ok()) {
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return init_pid.status();  // ~CgroupWatcher removes the cgroup
  }
  LOG_DEBUG("sandbox init is pid {}", *init_pid);

  using Clock = std::chrono::steady_clock;
  const bool has_deadline = config.timeout_ms > 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(config.timeout_ms);
  bool done = false, timed_out = false;
  int status = 0;
  while (!done) {
    int slice_ms = 1000;
    if (has_deadline && !timed_out) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        // pid 1 of the sandbox's pid namespace: the kernel kills everything else with it.
        LOG_DEBUG("timeout: killing the sandbox init");
        timed_out = true;
        ::kill(*init_pid, SIGKILL);
      } else {
        slice_ms = static_cast<int>(std::min<int64_t>(left, 1000));
      }
    }
    WaitAndRelay(slice_ms, *init_pid, [&](pid_t pid, int st) {
      if (pid == *init_pid) {
        done = true;
        status = st;
      } else if (watcher && pid == watcher->pid()) {
        watcher->MarkReaped(st);
      }
    });
  }
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  LOG_DEBUG("sandbox init exited (status {:#x})", status);

  int code = ExitCodeFromWaitStatus(status);
  // Read before the watcher removes the cgroup.
  uint64_t oom_kills = cgroup ? cgroup->OomKills() : 0;
  // Limits only the cgroup and the launcher see go to the audit log here (the sentry logs
  // what it sees itself, e.g. a full --disk).
  if (audit.valid()) {
    LimitHits hits{.oom_kills = oom_kills,
                   .pids_refused = cgroup ? cgroup->PidsLimitHits() : 0,
                   .timed_out = timed_out,
                   .memory_bytes = config.limits.memory_bytes,
                   .pids_max = config.limits.pids > kSandboxOwnTasks
                                   ? config.limits.pids - kSandboxOwnTasks
                                   : config.limits.pids,
                   .timeout_ms = static_cast<uint64_t>(config.timeout_ms)};
    AppendLimitEvents(audit.get(), hits);
  }
  if (watcher) {
    // The watcher kills whatever is left (a backstop: the pid namespace died with its init)
    // and removes the cgroup; `sentry run` returns only when it is gone.
    if (absl::Status st = watcher->Finish(); !st.ok()) LOG_WARN("{}", std::string(st.message()));
  }
  if (timed_out) {
    Notice(absl::StrCat("timed out after ", FormatDurationMs(config.timeout_ms)));
    return kExitTimeout;
  }
  if (oom_kills > 0) {
    std::string limit = FormatByteSize(config.limits.memory_bytes);
    if (code == 128 + SIGKILL) {
      Notice(absl::StrCat("the sandbox ran out of memory (--memory ", limit,
                          "); the guest was killed"));
    } else {
      Notice(absl::StrCat("the sandbox hit its memory limit (--memory ", limit, "); ", oom_kills,
                          " process(es) in it were killed by the OOM killer"));
    }
  }
  return code;
}

}  // namespace sentry::launcher
