// ProcessInfo: procfs's data source, implemented by the sentry (its task table).
// procfs calls it when a /proc file is opened or a /proc directory is listed or walked;
// sentry thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sentry::vfs {

class FileDescription;

class ProcessInfo {
 public:
  virtual ~ProcessInfo() = default;
  virtual std::vector<int> Pids() const = 0;  // sandbox tgids
  virtual bool Exists(int pid) const = 0;
  virtual std::string Cmdline(int pid) const = 0;  // NUL-separated
  virtual std::string Environ(int pid) const = 0;
  virtual std::string Comm(int pid) const = 0;
  virtual std::string ExePath(int pid) const = 0;  // sandbox path
  virtual std::string Cwd(int pid) const = 0;
  virtual std::string Maps(int pid) const = 0;  // /proc/PID/maps text
  // Lines for /proc/PID/status after "Name:" ("State:", "Tgid:", "Pid:", "PPid:", "Uid:",
  // ...), each ending in '\n'. procfs adds "Tgid:" and "Pid:" if they are missing.
  virtual std::string StatusFields(int pid) const = 0;
  virtual std::string StatLine(int pid) const = 0;                          // /proc/PID/stat
  virtual std::vector<std::pair<int, std::string>> Fds(int pid) const = 0;  // fd → link text

  // Optional, with defaults.
  // Thread ids of a process (/proc/PID/task); default: the pid alone.
  virtual std::vector<int> Tids(int pid) const { return {pid}; }
  // Owner of /proc/PID (the process's effective uid and gid); default root.
  virtual std::pair<uint32_t, uint32_t> Owner(int pid) const { return {0, 0}; }
  // The open file behind /proc/PID/fd/N, so that opening the link reaches the same file
  // (pipes and sockets included); nullptr: follow the link text instead.
  virtual std::shared_ptr<FileDescription> FdFile(int pid, int fd) const { return nullptr; }
  // The sandbox's hostname (/proc/sys/kernel/hostname).
  virtual std::string Hostname() const { return "localhost"; }
  // Bytes of memory in use by the sandbox (/proc/meminfo MemFree = total - used).
  virtual uint64_t MemoryUsed() const { return 0; }
};

}  // namespace sentry::vfs
