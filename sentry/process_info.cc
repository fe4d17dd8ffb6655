// procfs data from the kernel's process table and the host's /proc. Sentry thread only.
#include "sentry/process_info.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sentry/host_job_control.h"
#include "sentry/host_proc.h"
#include "sentry/kernel.h"

namespace sentry {
namespace {

// Splits `s` at `sep`, dropping empty pieces (Debian's Abseil takes no std::string_view).
std::vector<std::string_view> Split(std::string_view s, std::string_view seps) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find_first_of(seps, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string JoinNul(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    out += s;
    out.push_back('\0');
  }
  return out;
}

// Linux's encoding of a tty device in /proc/PID/stat (new_encode_dev).
int EncodeTty(dev_t d) {
  unsigned maj = major(d), min = minor(d);
  return static_cast<int>((min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12));
}

const char* StateName(char s) {
  switch (s) {
    case 'R':
      return "R (running)";
    case 'S':
      return "S (sleeping)";
    case 'D':
      return "D (disk sleep)";
    case 'T':
      return "T (stopped)";
    case 't':
      return "t (tracing stop)";
    case 'X':
      return "X (dead)";
    case 'Z':
      return "Z (zombie)";
    case 'P':
      return "P (parked)";
    case 'I':
      return "I (idle)";
  }
  return "S (sleeping)";
}

// The last whitespace-separated token of `s` ("NSpgid:\t812\t5" → "5": the innermost
// namespace's id, which is the guest's).
std::string_view LastToken(std::string_view s) {
  size_t end = s.find_last_not_of(" \t\n");
  if (end == std::string_view::npos) return "";
  size_t start = s.find_last_of(" \t", end);
  start = start == std::string_view::npos ? 0 : start + 1;
  return s.substr(start, end + 1 - start);
}

// The value after "key:" in a host status text, or "".
std::string_view StatusValue(std::string_view text, std::string_view key) {
  for (std::string_view line : Split(text, "\n")) {
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      return line.substr(key.size() + 1);
    }
  }
  return "";
}

int64_t ToInt(std::string_view s) { return std::strtoll(std::string(s).c_str(), nullptr, 10); }

constexpr uint64_t kAllCaps = (uint64_t{1} << 41) - 1;  // CAP_LAST_CAP 40

}  // namespace

// Every host /proc read of procfs goes through here, and from here through host_proc.h's
// openat() on the /proc dirfd opened before the sentry's lockdown (no other open).
std::string HostProcText(pid_t host_pid, std::string_view rel) {
  std::string out;
  if (host_pid <= 0 || !ReadHostProc(host_pid, std::string(rel).c_str(), &out)) return "";
  return out;
}

std::vector<std::string> HostStatFields(std::string_view line) {
  size_t paren = line.rfind(')');
  if (paren == std::string_view::npos || paren + 2 > line.size()) return {};
  std::vector<std::string> out;
  for (std::string_view f : Split(line.substr(paren + 2), " \n")) out.emplace_back(f);
  if (out.empty() || out[0].size() != 1) return {};
  return out;
}

char GuestState(char host_state, bool running) {
  if (running) return 'R';
  // The sentry traces every guest: a stopped guest is in a ptrace stop on the host, which
  // the guest (that sees no tracer) knows as a plain stop.
  if (host_state == 't') return 'T';
  return host_state;
}

std::string RewriteStat(std::string_view host_line, const GuestProcView& v) {
  std::vector<std::string> f = HostStatFields(host_line);
  if (f.size() < 20) {
    // The host's line is gone (the thread just exited): the fields the sentry knows.
    f.assign(50, "0");
    f[0] = "Z";
    f[17] = "1";  // num_threads
  }
  // Index = field number - 3 (proc(5)).
  f[0] = std::string(1, GuestState(f[0][0], v.running));
  f[1] = absl::StrCat(v.ppid);
  f[2] = absl::StrCat(v.pgrp);
  f[3] = absl::StrCat(v.session);
  f[4] = absl::StrCat(v.tty_nr);
  f[5] = absl::StrCat(v.tpgid);
  f[15] = absl::StrCat(20 + v.nice);  // priority
  f[16] = absl::StrCat(v.nice);
  if (f.size() > 22) f[22] = absl::StrCat(static_cast<uint64_t>(v.rss_limit));
  return absl::StrCat(v.id, " (", v.comm, ") ", absl::StrJoin(f, " "), "\n");
}

std::string RewriteStatus(std::string_view host_text, const GuestProcView& v) {
  const vfs::Credentials& c = v.creds;
  uint64_t caps = c.euid == 0 ? kAllCaps : 0;
  std::string out;
  for (std::string_view line : Split(host_text, "\n")) {
    size_t colon = line.find(':');
    std::string key(colon == std::string_view::npos ? line : line.substr(0, colon));
    auto put = [&](const auto&... value) { absl::StrAppend(&out, key, ":\t", value..., "\n"); };
    auto caps_line = [&](uint64_t value) { put(absl::StrFormat("%016x", value)); };
    if (key == "Name") {
      put(v.comm);
    } else if (key == "Umask") {
      put(absl::StrFormat("%04o", v.umask));
    } else if (key == "State") {
      std::string_view letter = LastToken(line.substr(0, line.find('(')));
      put(StateName(GuestState(letter.empty() ? 'S' : letter[0], v.running)));
    } else if (key == "Tgid" || key == "NStgid") {
      put(v.pid);
    } else if (key == "Pid" || key == "NSpid") {
      put(v.id);
    } else if (key == "PPid") {
      put(v.ppid);
    } else if (key == "Ngid" || key == "TracerPid") {
      put(0);
    } else if (key == "NSpgid") {
      put(v.pgrp);
    } else if (key == "NSsid") {
      put(v.session);
    } else if (key == "Uid") {
      put(c.uid, "\t", c.euid, "\t", c.euid, "\t", c.fsuid);
    } else if (key == "Gid") {
      put(c.gid, "\t", c.egid, "\t", c.egid, "\t", c.fsgid);
    } else if (key == "FDSize") {
      put(v.fd_size);
    } else if (key == "Groups") {
      put(absl::StrJoin(c.groups, " "), " ");
    } else if (key == "CapInh" || key == "CapAmb") {
      caps_line(0);
    } else if (key == "CapPrm" || key == "CapEff") {
      caps_line(caps);
    } else if (key == "CapBnd") {
      caps_line(kAllCaps);
    } else {
      out.append(line).append("\n");  // memory, signals, CPUs, seccomp: the host's truth
    }
  }
  return out;
}

KernelProcessInfo::KernelProcessInfo(Kernel* k) : kernel_(k) {
  struct stat st;
  if (isatty(0) && fstat(0, &st) == 0 && S_ISCHR(st.st_mode)) tty_rdev_ = st.st_rdev;
}

Process* KernelProcessInfo::Find(int pid) const { return kernel_->FindProcess(pid); }

int KernelProcessInfo::GuestIdOf(pid_t host) const {
  if (host <= 0) return 0;
  for (Process* p : kernel_->processes()) {
    if (p->host_pid == host) return p->pid;
  }
  return 0;
}

std::string KernelProcessInfo::HostFile(const Process& p, int tid, std::string_view name) const {
  if (tid == 0 || tid == p.pid) {
    return HostProcText(
        p.host_pid, tid == 0 ? name : absl::StrCat("task/", p.host_pid, "/", std::string(name)));
  }
  pid_t host_tid = kernel_->HostTidOf(tid);
  if (host_tid == 0) return "";
  return HostProcText(p.host_pid, absl::StrCat("task/", host_tid, "/", std::string(name)));
}

GuestProcView KernelProcessInfo::View(const Process& p, int tid, int caller_tid,
                                      const std::vector<std::string>& f) const {
  GuestProcView v;
  v.pid = p.pid;
  v.id = tid == 0 ? p.pid : tid;
  v.comm = p.comm;
  v.running = v.id == caller_tid;
  v.nice = p.nice;
  v.rss_limit = p.rlimits[RLIMIT_RSS].rlim_cur;
  v.umask = p.fs.umask;
  v.creds = p.creds;
  // Parent, group and session from the host (they follow reparenting and setsid); a group
  // or session whose leader is gone is looked up in the host's NSpgid/NSsid lines.
  v.ppid = p.ppid;
  if (f.size() > 3) {
    v.ppid = GuestIdOf(static_cast<pid_t>(ToInt(f[1])));
    v.pgrp = GuestIdOf(static_cast<pid_t>(ToInt(f[2])));
    v.session = GuestIdOf(static_cast<pid_t>(ToInt(f[3])));
    if (v.pgrp == 0 || v.session == 0) {
      std::string status = HostProcText(p.host_pid, "status");
      if (v.pgrp == 0) v.pgrp = static_cast<int>(ToInt(LastToken(StatusValue(status, "NSpgid"))));
      if (v.session == 0) {
        v.session = static_cast<int>(ToInt(LastToken(StatusValue(status, "NSsid"))));
      }
    }
  }
  // A sandbox pty as the controlling terminal (a session a guest made): the host's tty_nr
  // is already /dev/pts/N's (136:N, Linux's encoding), its foreground group a host pgid.
  HostJobIds ids;
  if (f.size() > 5) {
    ids.sid = static_cast<pid_t>(ToInt(f[3]));
    ids.tty_nr = static_cast<unsigned>(ToInt(f[4]));
    ids.tpgid = static_cast<pid_t>(ToInt(f[5]));
  }
  if (SandboxPtyIndex(ids, OuterSession()) >= 0) {
    v.tty_nr = static_cast<int>(ids.tty_nr);
    int fg = GuestIdOf(ids.tpgid);
    v.tpgid = fg > 0 ? fg : -1;
  } else if (tty_rdev_ != 0 && v.session == 1) {
    // The guest init's session owns the terminal the sandbox was started on.
    v.tty_nr = EncodeTty(tty_rdev_);
    v.tpgid = kernel_->foreground_pgrp();
  }
  int max_fd = 0;
  if (p.fds != nullptr) {
    for (int fd : p.fds->OpenFds()) max_fd = std::max(max_fd, fd);
  }
  while (v.fd_size <= max_fd) v.fd_size *= 2;
  return v;
}

std::vector<int> KernelProcessInfo::Pids() const {
  std::vector<int> out;
  for (Process* p : kernel_->processes()) out.push_back(p->pid);
  return out;
}

bool KernelProcessInfo::Exists(int pid) const { return Find(pid) != nullptr; }

std::string KernelProcessInfo::Cmdline(int pid) const {
  Process* p = Find(pid);
  return p ? JoinNul(p->argv) : "";
}

std::string KernelProcessInfo::Environ(int pid) const {
  Process* p = Find(pid);
  return p ? JoinNul(p->envp) : "";
}

std::string KernelProcessInfo::Comm(int pid) const {
  Process* p = Find(pid);
  return p ? p->comm : "";
}

std::string KernelProcessInfo::ExePath(int pid) const {
  Process* p = Find(pid);
  return p ? p->exe_path : "";
}

std::string KernelProcessInfo::Cwd(int pid) const {
  Process* p = Find(pid);
  return p ? kernel_->vfs().PathOf(p->fs.cwd, p->fs.root) : "";
}

std::string KernelProcessInfo::Maps(int pid) const {
  // The host kernel owns the address space; its view is the truth. Mirrors show the host
  // paths of gofer files, which equal sandbox paths when the root is the host's "/".
  Process* p = Find(pid);
  return p ? HostProcText(p->host_pid, "maps") : "";
}

std::string KernelProcessInfo::StatLine(int pid, int tid, int caller_tid) const {
  Process* p = Find(pid);
  if (!p) return "";
  std::string host = HostFile(*p, tid, "stat");
  std::vector<std::string> f = HostStatFields(host);
  return RewriteStat(host, View(*p, tid, caller_tid, f));
}

std::string KernelProcessInfo::StatusFields(int pid, int tid, int caller_tid) const {
  Process* p = Find(pid);
  if (!p) return "";
  // The ids come from the stat line (one more small read), the rest from status.
  std::vector<std::string> f = HostStatFields(HostFile(*p, tid, "stat"));
  GuestProcView v = View(*p, tid, caller_tid, f);
  std::string host = HostFile(*p, tid, "status");
  if (host.empty()) host = "Name:\nState:\tZ (zombie)\nTgid:\nPid:\nPPid:\nUid:\nGid:\n";
  return RewriteStatus(host, v);
}

std::vector<std::pair<int, std::string>> KernelProcessInfo::Fds(int pid) const {
  std::vector<std::pair<int, std::string>> out;
  Process* p = Find(pid);
  if (!p) return out;
  for (int fd : p->fds->OpenFds()) {
    vfs::FileRef f = p->fds->Get(fd);
    if (f) out.emplace_back(fd, f->Path());
  }
  return out;
}

std::vector<int> KernelProcessInfo::Tids(int pid) const {
  std::vector<int> out;
  Process* p = Find(pid);
  if (!p) return out;
  for (const Task* t : kernel_->TasksOf(p)) out.push_back(t->tid);
  std::sort(out.begin(), out.end());
  if (out.empty()) out.push_back(pid);
  return out;
}

std::pair<uint32_t, uint32_t> KernelProcessInfo::Owner(int pid) const {
  Process* p = Find(pid);
  if (!p) return {0, 0};
  return {p->creds.euid, p->creds.egid};
}

std::shared_ptr<vfs::FileDescription> KernelProcessInfo::FdFile(int pid, int fd) const {
  Process* p = Find(pid);
  return p ? p->fds->Get(fd) : nullptr;
}

bool KernelProcessInfo::FdCloexec(int pid, int fd) const {
  Process* p = Find(pid);
  return p && p->fds->GetCloexec(fd) == 1;
}

std::string KernelProcessInfo::Statm(int pid) const {
  Process* p = Find(pid);
  return p ? HostProcText(p->host_pid, "statm") : "";
}

std::string KernelProcessInfo::Io(int pid) const {
  Process* p = Find(pid);
  return p ? HostProcText(p->host_pid, "io") : "";
}

std::optional<std::array<rlimit, RLIM_NLIMITS>> KernelProcessInfo::Limits(int pid) const {
  Process* p = Find(pid);
  if (!p) return std::nullopt;
  return p->rlimits;
}

std::string KernelProcessInfo::Hostname() const {
  struct utsname u;  // what uname(2) tells the guest
  return uname(&u) == 0 ? u.nodename : "localhost";
}

vfs::MemoryUsage KernelProcessInfo::Memory() const {
  // statm: size resident shared text lib data dt, in pages. One small read per process.
  vfs::MemoryUsage m;
  uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  auto read = [&](pid_t host, uint64_t* anon, uint64_t* file) {
    std::string statm = HostProcText(host, "statm");
    std::vector<std::string_view> f = Split(statm, " \n");
    if (f.size() < 3) return;
    uint64_t resident = ToInt(f[1]), shared = ToInt(f[2]);
    *anon += (resident > shared ? resident - shared : 0) * page;
    if (file) *file += shared * page;
  };
  for (Process* p : kernel_->processes()) read(p->host_pid, &m.anon_bytes, &m.file_bytes);
  read(getpid(), &m.kernel_bytes, nullptr);  // the sentry itself
  return m;
}

vfs::SchedSummary KernelProcessInfo::Sched(int caller_tid) const {
  vfs::SchedSummary s;
  for (Process* p : kernel_->processes()) {
    last_pid_ = std::max(last_pid_, p->pid);
    std::vector<std::string> f = HostStatFields(HostProcText(p->host_pid, "stat"));
    bool has_caller = false;
    for (const Task* t : kernel_->TasksOf(p)) has_caller |= t->tid == caller_tid;
    if (f.size() < 18) {
      s.threads += 1;
      s.running += has_caller;
      continue;
    }
    char state = GuestState(f[0][0], has_caller);
    s.running += state == 'R';
    s.blocked += state == 'D';
    s.threads += std::max<int>(1, static_cast<int>(ToInt(f[17])));
    // utime stime cutime cstime: fields 14-17.
    s.user_ticks += ToInt(f[11]) + ToInt(f[13]);
    s.system_ticks += ToInt(f[12]) + ToInt(f[14]);
  }
  s.last_pid = last_pid_;
  return s;
}

}  // namespace sentry
