// Job-control facts from the host's /proc (through host_proc.h); see
// sentry/host_job_control.h. Sentry thread only.
#include "sentry/host_job_control.h"

#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

#include "sentry/host_proc.h"
#include "sentry/kernel.h"

namespace sentry {

bool ReadHostJobIds(pid_t host_pid, HostJobIds* out) {
  int fd = OpenHostProc(host_pid, "stat");
  if (fd < 0) return false;
  char buf[1024];  // the fields up to tpgid fit easily: comm is at most 64 bytes
  ssize_t n;
  do {
    n = read(fd, buf, sizeof(buf));
  } while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return false;
  return ParseHostJobIds(std::string_view(buf, static_cast<size_t>(n)), out);
}

pid_t OuterSession() {
  static const pid_t sid = [] {
    HostJobIds ids;
    return ReadHostJobIds(getpid(), &ids) ? ids.sid : 0;
  }();
  return sid;
}

int SandboxCttyIndex(pid_t host_pid) {
  HostJobIds ids;
  if (!ReadHostJobIds(host_pid, &ids)) return -1;
  return SandboxPtyIndex(ids, OuterSession());
}

bool HostPgrpOrphaned(Kernel& kernel, pid_t host_pgrp) {
  std::vector<HostJobIds> procs;
  for (const Process* p : kernel.processes()) {
    HostJobIds ids;
    if (!p->zombie && ReadHostJobIds(p->host_pid, &ids)) procs.push_back(ids);
  }
  return IsOrphanedPgrp(procs, host_pgrp);
}

}  // namespace sentry
