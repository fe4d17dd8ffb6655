// Where the sandbox's cgroup goes: parses /proc/self/mountinfo and /proc/self/cgroup, and
// picks cgroup v2 (unified hierarchy with the needed controllers) or v1 (one hierarchy per
// controller). Owned by the launcher; main thread, before the sandbox exists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sentry::launcher {

enum class CgroupVersion { kV1, kV2 };

// One cgroup file system mount (from /proc/self/mountinfo).
struct CgroupMount {
  std::string mount_point;               // host path, unescaped
  std::string root;                      // hierarchy path mounted there ("/" usually)
  bool v2 = false;                       // cgroup2 (else a v1 hierarchy)
  std::vector<std::string> controllers;  // v1: controllers of the hierarchy (super options)
};
std::vector<CgroupMount> ParseCgroupMounts(std::string_view mountinfo);

// One line of /proc/self/cgroup ("4:memory:/a/b"); v2 is "0::/a/b" (no controllers).
struct ProcCgroup {
  std::vector<std::string> controllers;
  std::string path;
  bool v2 = false;
};
std::vector<ProcCgroup> ParseProcCgroups(std::string_view text);

// The directories the sandbox's cgroup is created in (our own cgroup in each hierarchy used).
struct CgroupLayout {
  struct Parent {
    std::string dir;                       // existing cgroup directory on the host
    std::vector<std::string> controllers;  // the controllers used through it
    bool optional = false;  // a failure to create the child here is not an error (freezer)
  };
  CgroupVersion version = CgroupVersion::kV1;
  std::vector<Parent> parents;  // v2: exactly one
};

// Picks the layout for `needed` controllers (a subset of "memory", "pids", "cpu"):
// v2 if the unified hierarchy has a cgroup2 mount whose cgroup of ours lists every needed
// controller in cgroup.controllers; else v1 if every needed controller has a hierarchy
// (plus the freezer hierarchy, if mounted, to stop everything before killing it); else
// FailedPrecondition naming what is missing. Reads only cgroup.controllers files.
absl::StatusOr<CgroupLayout> ChooseCgroupLayout(const std::vector<CgroupMount>& mounts,
                                                const std::vector<ProcCgroup>& self,
                                                const std::vector<std::string>& needed);

// ChooseCgroupLayout for the calling process (reads /proc/self/mountinfo and /proc/self/cgroup).
absl::StatusOr<CgroupLayout> DetectCgroupLayout(const std::vector<std::string>& needed);

}  // namespace sentry::launcher
