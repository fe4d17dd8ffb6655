// ProcessInfo: procfs's data source, implemented by the sentry (its task table and the
// host's accounting of the guest). procfs calls it when a /proc file is opened or a /proc
// directory is listed or walked; sentry thread only.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sentry::vfs {

class FileDescription;

// Memory in use by the sandbox's processes (/proc/meminfo).
struct MemoryUsage {
  uint64_t anon_bytes = 0;   // private memory (the "used" of free(1))
  uint64_t file_bytes = 0;   // resident file and shared-memory pages (shown as Cached)
  uint64_t shmem_bytes = 0;  // of which shared memory (Shmem)
  // The sentry's own memory, spent on the sandbox's behalf (its "kernel" memory: Slab).
  uint64_t kernel_bytes = 0;
};

// The sandbox's scheduling summary (/proc/stat, /proc/loadavg).
struct SchedSummary {
  int running = 0;  // processes in state R (the reader included)
  int blocked = 0;  // processes in state D
  int threads = 0;  // all threads
  int last_pid = 0;
  uint64_t user_ticks = 0, system_ticks = 0;  // CPU time of the sandbox, clock ticks
};

class ProcessInfo {
 public:
  virtual ~ProcessInfo() = default;
  virtual std::vector<int> Pids() const = 0;  // sandbox tgids
  virtual bool Exists(int pid) const = 0;
  virtual std::string Cmdline(int pid) const = 0;  // NUL-separated
  virtual std::string Environ(int pid) const = 0;
  virtual std::string Comm(int pid) const = 0;     // without a newline
  virtual std::string ExePath(int pid) const = 0;  // sandbox path
  virtual std::string Cwd(int pid) const = 0;
  virtual std::string Maps(int pid) const = 0;  // /proc/PID/maps text
  // /proc/PID/status (tid 0) or /proc/PID/task/TID/status: lines "Name:", "State:", "Tgid:",
  // ..., each ending in '\n'. procfs adds "Name:", "Tgid:" and "Pid:" if they are missing.
  // `caller_tid` is the reading thread (it is running, whatever the host says).
  virtual std::string StatusFields(int pid, int tid, int caller_tid) const = 0;
  // /proc/PID/stat (tid 0) or /proc/PID/task/TID/stat: the 52 fields.
  virtual std::string StatLine(int pid, int tid, int caller_tid) const = 0;
  virtual std::vector<std::pair<int, std::string>> Fds(int pid) const = 0;  // fd → link text

  // Optional, with defaults.
  // Thread ids of a process (/proc/PID/task); default: the pid alone.
  virtual std::vector<int> Tids(int pid) const { return {pid}; }
  // Owner of /proc/PID (the process's effective uid and gid); default root.
  virtual std::pair<uint32_t, uint32_t> Owner(int pid) const { return {0, 0}; }
  // The open file behind /proc/PID/fd/N, so that opening the link reaches the same file
  // (pipes and sockets included); nullptr: follow the link text instead.
  virtual std::shared_ptr<FileDescription> FdFile(int pid, int fd) const { return nullptr; }
  // Whether fd N of the process is close-on-exec (/proc/PID/fdinfo/N "flags").
  virtual bool FdCloexec(int pid, int fd) const { return false; }
  // /proc/PID/statm ("size resident shared text lib data dt" in pages); "": all zero.
  virtual std::string Statm(int pid) const { return ""; }
  // /proc/PID/io text; "": zeros.
  virtual std::string Io(int pid) const { return ""; }
  // The process's (virtual) resource limits (/proc/PID/limits); nullopt: Linux defaults.
  virtual std::optional<std::array<rlimit, RLIM_NLIMITS>> Limits(int pid) const {
    return std::nullopt;
  }
  // The sandbox's hostname (/proc/sys/kernel/hostname).
  virtual std::string Hostname() const { return "localhost"; }
  // Memory in use by the sandbox (/proc/meminfo).
  virtual MemoryUsage Memory() const { return {}; }
  // Scheduling counts; `caller_tid` is the reading thread.
  virtual SchedSummary Sched(int caller_tid) const {
    SchedSummary s;
    for (int pid : Pids()) {
      ++s.threads;
      s.last_pid = std::max(s.last_pid, pid);
    }
    s.running = 1;
    return s;
  }
};

}  // namespace sentry::vfs
