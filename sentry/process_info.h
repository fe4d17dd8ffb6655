// KernelProcessInfo: procfs's view of the sandbox's processes, answered from the Kernel's
// process table (and the host's /proc/PID/maps for memory layout). Sentry thread only.
#pragma once

#include "vfs/vfs.h"

namespace sentry {

class Kernel;

class KernelProcessInfo : public vfs::ProcessInfo {
 public:
  explicit KernelProcessInfo(Kernel* k) : kernel_(k) {}
  std::vector<int> Pids() const override;
  bool Exists(int pid) const override;
  std::string Cmdline(int pid) const override;
  std::string Environ(int pid) const override;
  std::string Comm(int pid) const override;
  std::string ExePath(int pid) const override;
  std::string Cwd(int pid) const override;
  std::string Maps(int pid) const override;
  std::string StatusFields(int pid) const override;
  std::string StatLine(int pid) const override;
  std::vector<std::pair<int, std::string>> Fds(int pid) const override;
  std::pair<uint32_t, uint32_t> Owner(int pid) const override;
  std::shared_ptr<vfs::FileDescription> FdFile(int pid, int fd) const override;

 private:
  Kernel* kernel_;
};

}  // namespace sentry
