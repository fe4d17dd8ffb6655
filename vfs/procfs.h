// procfs: the sandbox's /proc, generated from the sentry's ProcessInfo and start-up data.
// Files generate their text on open. Created by Vfs::Create; sentry thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vfs/mount_table.h"
#include "vfs/process_info.h"
#include "vfs/synthetic.h"

namespace sentry::vfs {

// The machine the sandbox sees, as the sentry knows it at start-up (procfs and sysfs).
struct ProcfsOptions {
  std::string cpuinfo;  // /proc/cpuinfo text (the sentry reads the host's once); "": synthesized
  uint64_t mem_total_bytes = 0;          // MemTotal: the sandbox's memory limit (0: 1 GiB)
  uint64_t memory_limit_bytes = 0;       // the sandbox's memory limit (--memory); 0: none
  int num_cpus = 1;                      // CPUs the sandbox may use (/proc/stat, loadavg)
  std::string cpu_list;                  // those CPUs as a list ("0-1"); "": 0..num_cpus-1
  std::string kernel_release = "6.1.0";  // uname -r
  std::string kernel_version = "#1 SMP PREEMPT_DYNAMIC sentry";  // uname -v
};

// `processes` may be null (no pids). `mounts` is read for /proc/mounts and mountinfo.
std::shared_ptr<SyntheticFs> MakeProcfs(std::shared_ptr<ProcessInfo> processes, ProcfsOptions opts,
                                        std::weak_ptr<MountTable> mounts);

// Parses a /proc directory name as a pid (decimal, no sign, no leading zero); -1 if not.
int ParseProcNumber(std::string_view name);

}  // namespace sentry::vfs
