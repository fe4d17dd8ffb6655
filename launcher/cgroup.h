// The sandbox's cgroup: created with its limits before the sandbox starts, joined by the
// sandbox init, read for OOM kills, emptied (SIGKILL) and removed at the end. The same
// object works on v1 (one directory per hierarchy) and v2 (one directory).
// Owned by the launcher (main thread) and by the cgroup watcher process (its only thread).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "launcher/cgroup_layout.h"

namespace sentry::launcher {

// --memory, --pids, --cpus; 0 means "no limit".
struct CgroupLimits {
  uint64_t memory_bytes = 0;
  uint64_t pids = 0;  // tasks (processes and threads), the sandbox's own included
  double cpus = 0;
  bool any() const { return memory_bytes != 0 || pids != 0 || cpus != 0; }
  // The controllers these limits need, in a fixed order ("memory", "pids", "cpu").
  std::vector<std::string> Controllers() const;
};

// The CFS period used for --cpus (100 ms, the kernel's default).
inline constexpr uint64_t kCpuPeriodUs = 100000;

// One control-file write: `value` into `file` of the directory serving `controller`.
// `optional` writes are skipped when the file does not exist (e.g. no swap accounting).
struct CgroupWrite {
  std::string controller;
  std::string file;
  std::string value;
  bool optional = false;

  bool operator==(const CgroupWrite&) const = default;
};

// The writes that apply `limits`, in order (v1 sets memory.limit_in_bytes before
// memory.memsw.limit_in_bytes, which may never be below it). Swap is limited so the memory
// limit holds (memsw = limit on v1, swap.max = 0 on v2); v1 keeps the OOM killer enabled.
std::vector<CgroupWrite> LimitWrites(CgroupVersion version, const CgroupLimits& limits);

// "sentry-<launcher pid>-<8 hex digits of `random`>".
std::string MakeCgroupName(pid_t launcher_pid, uint32_t random);

class Cgroup {
 public:
  struct Dir {
    std::string path;
    std::vector<std::string> controllers;
  };

  // Creates `name` under every parent of `layout` and applies `limits`. On v2, enables the
  // needed controllers in the parent's cgroup.subtree_control first if they are not. On any
  // error nothing is left behind. `after_mkdir` (tests only) runs on each new directory
  // before the writes, standing in for the kernel, which fills it with control files.
  static absl::StatusOr<Cgroup> Create(
      const CgroupLayout& layout, const std::string& name, const CgroupLimits& limits,
      const std::function<void(const std::string& dir)>& after_mkdir = nullptr);

  // Moves process `pid` (all its threads) into the cgroup, in every hierarchy.
  absl::Status Join(pid_t pid) const;

  // Processes in the cgroup (union over the directories), as seen by the caller's pid ns.
  std::vector<pid_t> Procs() const;

  // How many processes the OOM killer killed in the cgroup so far (0 if not known).
  uint64_t OomKills() const;
  // How many forks the pids limit refused so far (pids.events "max"; 0 if not known).
  uint64_t PidsLimitHits() const;

  // SIGKILLs everything in the cgroup until it is empty: v2 writes cgroup.kill; otherwise
  // the cgroup is frozen first (freezer or cgroup.freeze, when present) so nothing can fork
  // while it is being killed. DeadlineExceeded if processes remain after `limit`.
  absl::Status KillAll(std::chrono::milliseconds limit) const;

  // Removes the directories (retrying while the kernel still releases exiting tasks).
  absl::Status Remove(std::chrono::milliseconds limit) const;

  CgroupVersion version() const { return version_; }
  const std::vector<Dir>& dirs() const { return dirs_; }
  // The directory serving `controller`, or "" if none.
  std::string DirFor(const std::string& controller) const;

 private:
  void SetFrozen(bool frozen) const;

  CgroupVersion version_ = CgroupVersion::kV1;
  std::vector<Dir> dirs_;
};

}  // namespace sentry::launcher
