// KernelProcessInfo: procfs's view of the sandbox's processes, answered from the Kernel's
// process table and, for what the host kernel owns (state, CPU times, memory, maps), from the
// host's /proc/<host pid>/..., rewritten to the guest's ids. Sentry thread only.
#pragma once

#include <sys/types.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/vfs.h"

namespace sentry {

class Kernel;
struct Process;

// The host's /proc/<host_pid>/<rel> ("stat", "task/123/status", ...), "" on error: procfs's
// only way to the host's /proc (through host_proc.h, so it works after the lockdown).
std::string HostProcText(pid_t host_pid, std::string_view rel);

// What a guest sees of one process or thread, for rewriting the host's text.
struct GuestProcView {
  int pid = 0;   // the guest's tgid
  int id = 0;    // what "Pid:" and stat's first field show (the tid for task/TID files)
  int ppid = 0;  // the guest's parent (0: none in the sandbox)
  int pgrp = 0, session = 0;
  int tty_nr = 0, tpgid = -1;
  std::string comm;
  bool running = false;  // the reader itself: report R whatever the host says
  int nice = 0;
  rlim_t rss_limit = RLIM_INFINITY;
  uint32_t umask = 022;
  vfs::Credentials creds;
  int fd_size = 64;
};

// The fields after "(comm) " of a host stat line (index 0 is field 3, the state); empty if
// the line does not parse.
std::vector<std::string> HostStatFields(std::string_view line);
// The guest's state letter for a host state letter (ptrace stops show as stopped).
char GuestState(char host_state, bool running);
// The host's /proc/PID/stat line rewritten for the guest (ids, comm, state, nice, rsslim).
std::string RewriteStat(std::string_view host_line, const GuestProcView& v);
// The host's /proc/PID/status rewritten for the guest (ids, names, credentials, caps).
std::string RewriteStatus(std::string_view host_text, const GuestProcView& v);

class KernelProcessInfo : public vfs::ProcessInfo {
 public:
  explicit KernelProcessInfo(Kernel* k);
  std::vector<int> Pids() const override;
  bool Exists(int pid) const override;
  std::string Cmdline(int pid) const override;
  std::string Environ(int pid) const override;
  std::string Comm(int pid) const override;
  std::string ExePath(int pid) const override;
  std::string Cwd(int pid) const override;
  std::string Maps(int pid) const override;
  std::string StatusFields(int pid, int tid, int caller_tid) const override;
  std::string StatLine(int pid, int tid, int caller_tid) const override;
  std::vector<std::pair<int, std::string>> Fds(int pid) const override;
  std::vector<int> Tids(int pid) const override;
  std::pair<uint32_t, uint32_t> Owner(int pid) const override;
  std::shared_ptr<vfs::FileDescription> FdFile(int pid, int fd) const override;
  bool FdCloexec(int pid, int fd) const override;
  std::string Statm(int pid) const override;
  std::string Io(int pid) const override;
  std::optional<std::array<rlimit, RLIM_NLIMITS>> Limits(int pid) const override;
  std::string Hostname() const override;
  vfs::MemoryUsage Memory() const override;
  vfs::SchedSummary Sched(int caller_tid) const override;

 private:
  Process* Find(int pid) const;
  // The guest pid of a host pid (a process or thread of the sandbox), or 0.
  int GuestIdOf(pid_t host) const;
  // Builds the view of process `p` (thread `tid`, 0: the process) from its host stat fields.
  GuestProcView View(const Process& p, int tid, int caller_tid,
                     const std::vector<std::string>& host_fields) const;
  // The host file of `p` ("stat") or of its thread `tid` ("task/<host tid>/stat"); "" if
  // the thread is gone.
  std::string HostFile(const Process& p, int tid, std::string_view name) const;

  Kernel* kernel_;
  dev_t tty_rdev_ = 0;  // the host terminal the sandbox runs on (tty_nr), 0 if none
  mutable int last_pid_ = 0;
};

}  // namespace sentry
