// System information and identity: uname, sysinfo, getrandom, rlimits (per process; those
// the host enforces are applied to the host process too), the uid/gid calls (virtual
// credentials: the guest is root inside), umask, process-group queries and the common prctl
// options. Sentry thread only.
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>
#include <algorithm>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "sentry/host_proc.h"

namespace sentry {
namespace {

SysResult Uname(SyscallContext& c) {
  struct utsname host, u;
  uname(&host);
  memset(&u, 0, sizeof(u));
  strcpy(u.sysname, "Linux");
  memcpy(u.nodename, host.nodename, sizeof(u.nodename));
  memcpy(u.release, host.release, sizeof(u.release));
  strcpy(u.version, "#1 SMP sentry");
  strcpy(u.machine, "x86_64");
  strcpy(u.domainname, "(none)");
  return CopyOutObj(c, c.arg(0), u).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

SysResult Sysinfo(SyscallContext& c) {
  struct sysinfo si;
  if (sysinfo(&si) != 0) return SysResult::Errno(errno);
  si.procs = static_cast<uint16_t>(c.kernel.processes().size());
  // The sandbox's memory limit (--memory) is its RAM, as in /proc/meminfo.
  uint64_t limit = c.kernel.options().memory_limit_bytes;
  uint64_t unit = si.mem_unit ? si.mem_unit : 1;
  if (limit != 0 && limit / unit < si.totalram) {
    uint64_t total = limit / unit;
    si.freeram = std::min<uint64_t>(si.freeram, total);
    si.bufferram = std::min<uint64_t>(si.bufferram, si.freeram);
    si.sharedram = std::min<uint64_t>(si.sharedram, total);
    si.totalram = total;
    si.totalswap = si.freeswap = 0;
  }
  return CopyOutObj(c, c.arg(0), si).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

SysResult Getrandom(SyscallContext& c) {
  unsigned flags = static_cast<unsigned>(c.arg(2));
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | 0x0004 /* GRND_INSECURE */))
    return SysResult::Errno(EINVAL);
  if ((flags & GRND_RANDOM) && (flags & 0x0004)) return SysResult::Errno(EINVAL);
  size_t len = std::min<size_t>(c.arg(1), 32 << 20);
  char* buf = c.kernel.io_buffer();
  size_t done = 0;
  while (done < len) {
    size_t chunk = std::min(len - done, Kernel::kIoBufferSize);
    ssize_t n = getrandom(buf, chunk, 0);
    if (n <= 0) return done ? SysResult(static_cast<int64_t>(done)) : SysResult::Errno(EIO);
    if (!CopyOut(c, c.arg(0) + done, buf, static_cast<size_t>(n)).ok())
      return done ? SysResult(static_cast<int64_t>(done)) : SysResult::Errno(EFAULT);
    done += static_cast<size_t>(n);
  }
  return static_cast<int64_t>(done);
}

Process* TargetProcess(SyscallContext& c, int64_t pid) {
  if (pid == 0 || pid == c.proc.pid) return &c.proc;
  if (pid < 0 || pid > INT32_MAX) return nullptr;
  return c.kernel.FindProcess(static_cast<int>(pid));
}

// Limits the host enforces because what they limit happens on the host: CPU time, mmap/brk
// (which pass through), stack growth and core dumps. A limit the guest sets on one of these
// is applied to the target's host process too; RLIMIT_FSIZE is the sentry's own
// (LimitFileWrite), the rest stay virtual. See docs/architecture.md "rlimits".
bool HostEnforced(uint64_t resource) {
  return resource == RLIMIT_CPU || resource == RLIMIT_AS || resource == RLIMIT_DATA ||
         resource == RLIMIT_STACK || resource == RLIMIT_CORE;
}

// Sets `want` on host process `host_pid`. A hard limit can only be raised with
// CAP_SYS_RESOURCE of the host's initial namespace, which no sandbox has: the host keeps a
// lower hard limit it already has (and the soft limit stays under it). 0 or an errno.
int ApplyHostLimit(pid_t host_pid, int resource, const rlimit& want) {
  rlimit host;
  if (::prlimit(host_pid, static_cast<__rlimit_resource>(resource), nullptr, &host) != 0)
    return errno;
  rlimit next;
  next.rlim_max = std::min(want.rlim_max, host.rlim_max);
  next.rlim_cur = std::min(want.rlim_cur, next.rlim_max);
  if (next.rlim_max == host.rlim_max && next.rlim_cur == host.rlim_cur) return 0;
  if (::prlimit(host_pid, static_cast<__rlimit_resource>(resource), &next, nullptr) != 0)
    return errno;
  return 0;
}

SysResult PrlimitImpl(SyscallContext& c, Process* p, uint64_t resource, uint64_t new_addr,
                      uint64_t old_addr) {
  if (!p) return SysResult::Errno(ESRCH);
  if (resource >= RLIM_NLIMITS) return SysResult::Errno(EINVAL);
  rlimit nl{};
  if (new_addr) {
    if (!CopyInObj(c, new_addr, &nl).ok()) return SysResult::Errno(EFAULT);
    if (nl.rlim_cur > nl.rlim_max) return SysResult::Errno(EINVAL);
    if (nl.rlim_max > p->rlimits[resource].rlim_max && c.proc.creds.euid != 0)
      return SysResult::Errno(EPERM);
    if (resource == RLIMIT_NOFILE && nl.rlim_max > (1u << 20)) return SysResult::Errno(EPERM);
  }
  // Linux copies the old value out after the change; a bad old pointer after a good change
  // still fails EFAULT with the limit set. The host goes first so that a refusal changes
  // nothing.
  const rlimit old = p->rlimits[resource];
  if (new_addr && HostEnforced(resource) && p->host_pid > 0) {
    if (int err = ApplyHostLimit(p->host_pid, static_cast<int>(resource), nl))
      return SysResult::Errno(err);
  }
  if (new_addr) p->rlimits[resource] = nl;
  if (old_addr && !CopyOutObj(c, old_addr, old).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult Prlimit64(SyscallContext& c) {
  return PrlimitImpl(c, TargetProcess(c, static_cast<int64_t>(static_cast<int32_t>(c.arg(0)))),
                     c.arg(1), c.arg(2), c.arg(3));
}
SysResult Getrlimit(SyscallContext& c) { return PrlimitImpl(c, &c.proc, c.arg(0), 0, c.arg(1)); }
SysResult Setrlimit(SyscallContext& c) { return PrlimitImpl(c, &c.proc, c.arg(0), c.arg(1), 0); }

SysResult Getuid(SyscallContext& c) { return c.proc.creds.uid; }
SysResult Geteuid(SyscallContext& c) { return c.proc.creds.euid; }
SysResult Getgid(SyscallContext& c) { return c.proc.creds.gid; }
SysResult Getegid(SyscallContext& c) { return c.proc.creds.egid; }

SysResult Getresuid(SyscallContext& c) {
  const auto& cr = c.proc.creds;
  uint32_t ids[3] = {cr.uid, cr.euid, cr.euid};
  for (int i = 0; i < 3; ++i)
    if (!CopyOutObj(c, c.arg(i), ids[i]).ok()) return SysResult::Errno(EFAULT);
  return 0;
}
SysResult Getresgid(SyscallContext& c) {
  const auto& cr = c.proc.creds;
  uint32_t ids[3] = {cr.gid, cr.egid, cr.egid};
  for (int i = 0; i < 3; ++i)
    if (!CopyOutObj(c, c.arg(i), ids[i]).ok()) return SysResult::Errno(EFAULT);
  return 0;
}
SysResult Getgroups(SyscallContext& c) {
  const auto& g = c.proc.creds.groups;
  int64_t size = static_cast<int32_t>(c.arg(0));
  if (size < 0) return SysResult::Errno(EINVAL);
  if (size == 0) return static_cast<int64_t>(g.size());
  if (static_cast<size_t>(size) < g.size()) return SysResult::Errno(EINVAL);
  if (!g.empty() && !CopyOut(c, c.arg(1), g.data(), g.size() * 4).ok())
    return SysResult::Errno(EFAULT);
  return static_cast<int64_t>(g.size());
}

// Set*id: the virtual root may become anyone; others may only pick among their own ids.
bool MayUse(const vfs::Credentials& cr, uint32_t id, bool uid) {
  if (cr.euid == 0) return true;
  return uid ? (id == cr.uid || id == cr.euid || id == cr.fsuid)
             : (id == cr.gid || id == cr.egid || id == cr.fsgid);
}
SysResult Setresuid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t ids[3] = {static_cast<uint32_t>(c.arg(0)), static_cast<uint32_t>(c.arg(1)),
                     static_cast<uint32_t>(c.arg(2))};
  for (uint32_t id : ids)
    if (id != UINT32_MAX && !MayUse(cr, id, true)) return SysResult::Errno(EPERM);
  if (ids[0] != UINT32_MAX) cr.uid = ids[0];
  if (ids[1] != UINT32_MAX) cr.euid = cr.fsuid = ids[1];
  return 0;
}
SysResult Setresgid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t ids[3] = {static_cast<uint32_t>(c.arg(0)), static_cast<uint32_t>(c.arg(1)),
                     static_cast<uint32_t>(c.arg(2))};
  for (uint32_t id : ids)
    if (id != UINT32_MAX && !MayUse(cr, id, false)) return SysResult::Errno(EPERM);
  if (ids[0] != UINT32_MAX) cr.gid = ids[0];
  if (ids[1] != UINT32_MAX) cr.egid = cr.fsgid = ids[1];
  return 0;
}
SysResult Setuid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t id = static_cast<uint32_t>(c.arg(0));
  if (!MayUse(cr, id, true)) return SysResult::Errno(EPERM);
  if (cr.euid == 0) cr.uid = id;
  cr.euid = cr.fsuid = id;
  return 0;
}
SysResult Setgid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t id = static_cast<uint32_t>(c.arg(0));
  if (!MayUse(cr, id, false)) return SysResult::Errno(EPERM);
  if (cr.euid == 0) cr.gid = id;
  cr.egid = cr.fsgid = id;
  return 0;
}
SysResult Setgroups(SyscallContext& c) {
  int64_t size = static_cast<int32_t>(c.arg(0));
  if (c.proc.creds.euid != 0) return SysResult::Errno(EPERM);
  if (size < 0 || size > 65536) return SysResult::Errno(EINVAL);
  std::vector<uint32_t> g(static_cast<size_t>(size));
  if (size && !CopyIn(c, c.arg(1), g.data(), g.size() * 4).ok()) return SysResult::Errno(EFAULT);
  c.proc.creds.groups = std::move(g);
  return 0;
}

SysResult Umask(SyscallContext& c) {
  uint32_t old = c.proc.fs.umask;
  c.proc.fs.umask = static_cast<uint32_t>(c.arg(0)) & 0777;
  return old;
}

SysResult Getppid(SyscallContext& c) { return c.proc.ppid; }

// Fields of /proc/<host tid>/stat after the command name (field 3 = index 0).
bool ReadStatFields(pid_t host, std::vector<unsigned long long>* out) {
  FILE* f = FopenHostProc(host, "stat");
  if (!f) return false;
  char buf[1024];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  char* p = strrchr(buf, ')');
  if (!p) return false;
  p += 2;
  out->clear();
  out->push_back(0);  // the state letter
  p = strchr(p, ' ');
  while (p && *p) {
    char* end;
    out->push_back(strtoull(p, &end, 10));
    if (end == p) break;
    p = end;
  }
  return out->size() > 20;
}

// The guest's id for a host pid (a process-group or session id the host reports).
int64_t GuestIdOf(SyscallContext& c, unsigned long long host) {
  for (Process* p : c.kernel.processes()) {
    if (static_cast<unsigned long long>(p->host_pid) == host) return p->pid;
  }
  return 0;  // outside the guest's pid namespace (cannot happen: it has its own session)
}

// Field indexes (see proc(5), minus 3): pgrp 5, session 6.
SysResult PgrpOrSession(SyscallContext& c, int64_t pid, int field) {
  Process* p = TargetProcess(c, pid);
  if (!p) return SysResult::Errno(ESRCH);
  std::vector<unsigned long long> f;
  if (!ReadStatFields(p->host_pid, &f)) return SysResult::Errno(ESRCH);
  return GuestIdOf(c, f[field - 3]);
}
SysResult Getpgrp(SyscallContext& c) { return PgrpOrSession(c, 0, 5); }
SysResult Getpgid(SyscallContext& c) { return PgrpOrSession(c, static_cast<int32_t>(c.arg(0)), 5); }
SysResult Getsid(SyscallContext& c) { return PgrpOrSession(c, static_cast<int32_t>(c.arg(0)), 6); }

// getrusage/times from the host's accounting of the guest (/proc), in the guest's view.
SysResult Getrusage(SyscallContext& c) {
  int who = static_cast<int>(c.arg(0));
  if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
    return SysResult::Errno(EINVAL);
  pid_t host = who == RUSAGE_THREAD ? c.task.host_tid : c.proc.host_pid;
  std::vector<unsigned long long> f;
  if (!ReadStatFields(host, &f)) return SysResult::Errno(ESRCH);
  long tck = sysconf(_SC_CLK_TCK);
  auto tv = [tck](unsigned long long ticks) {
    return timeval{static_cast<time_t>(ticks / tck),
                   static_cast<suseconds_t>((ticks % tck) * 1000000 / tck)};
  };
  struct rusage ru;
  memset(&ru, 0, sizeof(ru));
  bool children = who == RUSAGE_CHILDREN;
  ru.ru_utime = tv(f[children ? 16 - 3 : 14 - 3]);
  ru.ru_stime = tv(f[children ? 17 - 3 : 15 - 3]);
  ru.ru_minflt = static_cast<long>(f[children ? 11 - 3 : 10 - 3]);
  ru.ru_majflt = static_cast<long>(f[children ? 13 - 3 : 12 - 3]);
  if (!children) {
    if (FILE* st = FopenHostProc(host, "status")) {
      char line[256];
      while (fgets(line, sizeof(line), st)) {
        sscanf(line, "VmHWM: %ld", &ru.ru_maxrss);
        sscanf(line, "voluntary_ctxt_switches: %ld", &ru.ru_nvcsw);
        sscanf(line, "nonvoluntary_ctxt_switches: %ld", &ru.ru_nivcsw);
      }
      fclose(st);
    }
  }
  return CopyOutObj(c, c.arg(1), ru).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

SysResult Times(SyscallContext& c) {
  std::vector<unsigned long long> f;
  if (!ReadStatFields(c.proc.host_pid, &f)) return SysResult::Errno(ESRCH);
  struct tms t;
  t.tms_utime = static_cast<clock_t>(f[14 - 3]);
  t.tms_stime = static_cast<clock_t>(f[15 - 3]);
  t.tms_cutime = static_cast<clock_t>(f[16 - 3]);
  t.tms_cstime = static_cast<clock_t>(f[17 - 3]);
  if (c.arg(0) && !CopyOutObj(c, c.arg(0), t).ok()) return SysResult::Errno(EFAULT);
  struct timespec now;
  clock_gettime(CLOCK_BOOTTIME, &now);
  long tck = sysconf(_SC_CLK_TCK);
  return static_cast<int64_t>(now.tv_sec) * tck + now.tv_nsec / (1000000000 / tck);
}

// Scheduling: policies, parameters and affinity are the host's (RunOnHost in the table);
// the priority ranges are constants; nice values are virtual per process.
SysResult SchedPriorityMax(SyscallContext& c) {
  switch (static_cast<int>(c.arg(0))) {
    case SCHED_FIFO: case SCHED_RR: return 99;
    case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
    default: return SysResult::Errno(EINVAL);
  }
}
SysResult SchedPriorityMin(SyscallContext& c) {
  switch (static_cast<int>(c.arg(0))) {
    case SCHED_FIFO: case SCHED_RR: return 1;
    case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
    default: return SysResult::Errno(EINVAL);
  }
}
SysResult Getpriority(SyscallContext& c) {
  int which = static_cast<int>(c.arg(0));
  if (which != PRIO_PROCESS) return which == PRIO_PGRP || which == PRIO_USER
                                        ? SysResult(20) : SysResult::Errno(EINVAL);
  Process* p = TargetProcess(c, static_cast<int32_t>(c.arg(1)));
  if (!p) return SysResult::Errno(ESRCH);
  return 20 - p->nice;  // the raw syscall returns 20 - nice (1..40)
}
SysResult Setpriority(SyscallContext& c) {
  int which = static_cast<int>(c.arg(0));
  if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
    return SysResult::Errno(EINVAL);
  Process* p = which == PRIO_PROCESS ? TargetProcess(c, static_cast<int32_t>(c.arg(1))) : &c.proc;
  if (!p) return SysResult::Errno(ESRCH);
  int nice = std::clamp(static_cast<int>(static_cast<int32_t>(c.arg(2))), -20, 19);
  if (nice < p->nice && c.proc.creds.euid != 0) return SysResult::Errno(EACCES);
  p->nice = nice;
  return 0;
}

SysResult Prctl(SyscallContext& c) {
  int option = static_cast<int>(c.arg(0));
  switch (option) {
    case PR_SET_NAME: {
      char name[16] = {};
      size_t n = platform::ReadGuestPartial(c.tid(), c.arg(1), name, 15);
      if (n == 0) return SysResult::Errno(EFAULT);
      c.proc.comm.assign(name, strnlen(name, n));
      return 0;
    }
    case PR_GET_NAME: {
      char name[16] = {};
      memcpy(name, c.proc.comm.data(), std::min<size_t>(c.proc.comm.size(), 15));
      return CopyOut(c, c.arg(1), name, 16).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
    }
    case PR_SET_NO_NEW_PRIVS:
      return c.arg(1) == 1 ? SysResult(0) : SysResult::Errno(EINVAL);
    case PR_GET_NO_NEW_PRIVS:
      return 1;
    case PR_SET_PDEATHSIG:
      // Delivered by the sentry when the parent process is gone (process_lifecycle.cc).
      if (c.arg(1) > 64) return SysResult::Errno(EINVAL);
      c.proc.pdeathsig = static_cast<int>(c.arg(1));
      return 0;
    case PR_GET_PDEATHSIG:
      return CopyOutObj(c, c.arg(1), c.proc.pdeathsig).ok() ? SysResult(0)
                                                            : SysResult::Errno(EFAULT);
    case PR_GET_DUMPABLE:
      return 1;
    case PR_SET_DUMPABLE:
      return c.arg(1) <= 1 ? SysResult(0) : SysResult::Errno(EINVAL);
    case PR_CAPBSET_READ:
      return c.arg(1) <= CAP_LAST_CAP ? SysResult(1) : SysResult::Errno(EINVAL);
    case PR_GET_SECCOMP:
      return 2;
    default:
      return SysResult::Errno(EINVAL);
  }
}

// clone reaches the sentry only when the filter refused its flags (new namespaces,
// CLONE_UNTRACED, CLONE_PIDFD): the sandbox's namespaces are fixed.
SysResult Clone(SyscallContext& c) { return SysResult::Errno(EPERM); }

SysResult Getcpu(SyscallContext& c) {
  // With the synchronous wake-up the sentry runs on the caller's CPU.
  unsigned cpu = static_cast<unsigned>(sched_getcpu()), node = 0;
  if (c.arg(0) && !CopyOutObj(c, c.arg(0), cpu).ok()) return SysResult::Errno(EFAULT);
  if (c.arg(1) && !CopyOutObj(c, c.arg(1), node).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult ClockGetres(SyscallContext& c) {
  struct timespec ts;
  if (clock_getres(static_cast<clockid_t>(c.arg(0)), &ts) != 0) return SysResult::Errno(errno);
  if (c.arg(1) && !CopyOutObj(c, c.arg(1), ts).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult Gettimeofday(SyscallContext& c) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  if (c.arg(0) && !CopyOutObj(c, c.arg(0), tv).ok()) return SysResult::Errno(EFAULT);
  if (c.arg(1)) {
    struct { int minuteswest, dsttime; } tz = {0, 0};
    if (!CopyOutObj(c, c.arg(1), tz).ok()) return SysResult::Errno(EFAULT);
  }
  return 0;
}

SysResult Time(SyscallContext& c) {
  int64_t now = static_cast<int64_t>(::time(nullptr));
  if (c.arg(0) && !CopyOutObj(c, c.arg(0), now).ok()) return SysResult::Errno(EFAULT);
  return now;
}

// msync: the only writable shared file mappings are tmpfs memfds, whose pages are the file
// itself, so there is nothing to write back; Linux's argument checks still apply.
SysResult Msync(SyscallContext& c) {
  uint64_t addr = c.arg(0), flags = c.arg(2);
  if (addr & 4095) return SysResult::Errno(EINVAL);
  if (flags & ~static_cast<uint64_t>(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
    return SysResult::Errno(EINVAL);
  if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return SysResult::Errno(EINVAL);
  if (addr + c.arg(1) < addr) return SysResult::Errno(ENOMEM);
  return 0;
}

// pause: wait until a signal interrupts the notification (the guest then gets EINTR, or
// its handler runs); nothing else wakes the task.
SysResult Pause(SyscallContext& c) {
  while (c.kernel.WaitForFds(c.task, {}, -1)) {
  }
  return SysResult::Errno(EINTR);
}

SysResult Setreuid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t r = static_cast<uint32_t>(c.arg(0)), e = static_cast<uint32_t>(c.arg(1));
  if ((r != UINT32_MAX && !MayUse(cr, r, true)) || (e != UINT32_MAX && !MayUse(cr, e, true)))
    return SysResult::Errno(EPERM);
  if (r != UINT32_MAX) cr.uid = r;
  if (e != UINT32_MAX) cr.euid = cr.fsuid = e;
  return 0;
}
SysResult Setregid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t r = static_cast<uint32_t>(c.arg(0)), e = static_cast<uint32_t>(c.arg(1));
  if ((r != UINT32_MAX && !MayUse(cr, r, false)) || (e != UINT32_MAX && !MayUse(cr, e, false)))
    return SysResult::Errno(EPERM);
  if (r != UINT32_MAX) cr.gid = r;
  if (e != UINT32_MAX) cr.egid = cr.fsgid = e;
  return 0;
}
// setfsuid/setfsgid return the previous value, success or not (as Linux does).
SysResult Setfsuid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t old = cr.fsuid, id = static_cast<uint32_t>(c.arg(0));
  if (MayUse(cr, id, true)) cr.fsuid = id;
  return old;
}
SysResult Setfsgid(SyscallContext& c) {
  auto& cr = c.proc.creds;
  uint32_t old = cr.fsgid, id = static_cast<uint32_t>(c.arg(0));
  if (MayUse(cr, id, false)) cr.fsgid = id;
  return old;
}

// Capabilities are virtual: the root guest holds them all (inside the sandbox only).
SysResult Capget(SyscallContext& c) {
  struct {
    uint32_t version;
    int pid;
  } hdr;
  if (!CopyInObj(c, c.arg(0), &hdr).ok()) return SysResult::Errno(EFAULT);
  constexpr uint32_t kV3 = 0x20080522, kV2 = 0x20071026, kV1 = 0x19980330;
  if (hdr.version != kV3 && hdr.version != kV2 && hdr.version != kV1) {
    hdr.version = kV3;
    CopyOutObj(c, c.arg(0), hdr);
    return c.arg(1) ? SysResult::Errno(EINVAL) : SysResult(0);
  }
  if (!c.arg(1)) return 0;
  Process* p = TargetProcess(c, hdr.pid);
  if (!p) return SysResult::Errno(ESRCH);
  uint64_t all = p->creds.euid == 0 ? ((1ULL << (CAP_LAST_CAP + 1)) - 1) : 0;
  struct {
    uint32_t effective, permitted, inheritable;
  } data[2] = {{static_cast<uint32_t>(all), static_cast<uint32_t>(all), 0},
               {static_cast<uint32_t>(all >> 32), static_cast<uint32_t>(all >> 32), 0}};
  size_t n = hdr.version == kV1 ? 1 : 2;
  return CopyOut(c, c.arg(1), data, n * sizeof(data[0])).ok() ? SysResult(0)
                                                              : SysResult::Errno(EFAULT);
}
SysResult Capset(SyscallContext& c) {
  return c.proc.creds.euid == 0 ? SysResult(0) : SysResult::Errno(EPERM);
}

SysResult Personality(SyscallContext& c) {
  uint32_t persona = static_cast<uint32_t>(c.arg(0));
  if (persona == 0xffffffff || persona == 0 /* PER_LINUX */) return 0;
  return SysResult::Errno(EINVAL);
}

SysResult Fadvise64(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f) return SysResult::Errno(EBADF);
  if (f->ReadinessFd() >= 0 && !f->dentry()) return SysResult::Errno(ESPIPE);  // pipes, stdio
  int advice = static_cast<int>(c.arg(3));
  if (advice < 0 || advice > 5) return SysResult::Errno(EINVAL);
  return 0;  // advice only
}

SysResult Getpid(SyscallContext& c) { return c.proc.pid; }
SysResult Gettid(SyscallContext& c) { return c.task.tid; }
SysResult SchedYield(SyscallContext& c) { return 0; }

// CPU-time clocks name "self" (or a pid) from the caller's point of view: the sentry asks the
// host for the same clock of the guest's host process or thread.
SysResult ClockGettime(SyscallContext& c) {
  int32_t id = static_cast<int32_t>(c.arg(0));
  constexpr int kSched = 2, kPerThread = 4;  // CPUCLOCK_SCHED, CPUCLOCK_PERTHREAD_MASK
  auto make = [](pid_t pid, int clock) { return static_cast<clockid_t>((~pid) << 3 | clock); };
  clockid_t host_id = id;
  pid_t thread_clock_of = 0;  // Linux lets only the thread group read its thread clocks
  if (id == CLOCK_PROCESS_CPUTIME_ID) {
    host_id = make(c.proc.host_pid, kSched);
  } else if (id == CLOCK_THREAD_CPUTIME_ID) {
    thread_clock_of = c.task.host_tid;
  } else if (id < 0) {
    pid_t pid = ~(id >> 3);
    int clock = id & 7;
    if ((clock & 3) == 3) return SysResult::Errno(EINVAL);  // CPUCLOCK_MAX
    pid_t host;
    if (pid == 0) {
      host = (clock & kPerThread) ? c.task.host_tid : c.proc.host_pid;
    } else {
      host = c.kernel.HostTidOf(pid);
      if (!host) return SysResult::Errno(EINVAL);
    }
    if (clock & kPerThread) {
      if ((clock & 3) != kSched) return SysResult::Errno(EINVAL);  // only SCHED for threads
      thread_clock_of = host;
    } else {
      host_id = make(host, clock);
    }
  }
  struct timespec ts;
  if (thread_clock_of) {
    // sum_exec_runtime in ns: the first field of the thread's schedstat, exactly what the
    // CPUCLOCK_SCHED thread clock reports.
    FILE* f = FopenHostProc(thread_clock_of, "schedstat");
    unsigned long long ns = 0;
    bool ok = f && fscanf(f, "%llu", &ns) == 1;
    if (f) fclose(f);
    if (!ok) return SysResult::Errno(EINVAL);
    ts.tv_sec = static_cast<time_t>(ns / 1000000000ULL);
    ts.tv_nsec = static_cast<long>(ns % 1000000000ULL);
  } else if (clock_gettime(host_id, &ts) != 0) {
    return SysResult::Errno(errno);
  }
  return CopyOutObj(c, c.arg(1), ts).ok() ? SysResult(0) : SysResult::Errno(EFAULT);
}

}  // namespace

void RegisterInfoHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_uname] = Uname;
  (*t)[SYS_sysinfo] = Sysinfo;
  (*t)[SYS_getrandom] = Getrandom;
  (*t)[SYS_prlimit64] = Prlimit64;
  (*t)[SYS_getrlimit] = Getrlimit;
  (*t)[SYS_setrlimit] = Setrlimit;
  (*t)[SYS_getuid] = Getuid;
  (*t)[SYS_geteuid] = Geteuid;
  (*t)[SYS_getgid] = Getgid;
  (*t)[SYS_getegid] = Getegid;
  (*t)[SYS_getresuid] = Getresuid;
  (*t)[SYS_getresgid] = Getresgid;
  (*t)[SYS_getgroups] = Getgroups;
  (*t)[SYS_setresuid] = Setresuid;
  (*t)[SYS_setresgid] = Setresgid;
  (*t)[SYS_setuid] = Setuid;
  (*t)[SYS_setgid] = Setgid;
  (*t)[SYS_setgroups] = Setgroups;
  (*t)[SYS_umask] = Umask;
  (*t)[SYS_getppid] = Getppid;
  (*t)[SYS_getpgrp] = Getpgrp;
  (*t)[SYS_getrusage] = Getrusage;
  (*t)[SYS_times] = Times;
  (*t)[SYS_sched_get_priority_max] = SchedPriorityMax;
  (*t)[SYS_sched_get_priority_min] = SchedPriorityMin;
  (*t)[SYS_getpriority] = Getpriority;
  (*t)[SYS_setpriority] = Setpriority;
  (*t)[SYS_getpgid] = Getpgid;
  (*t)[SYS_getsid] = Getsid;
  (*t)[SYS_prctl] = Prctl;
  (*t)[SYS_clone] = Clone;
  (*t)[SYS_getcpu] = Getcpu;
  (*t)[SYS_clock_getres] = ClockGetres;
  (*t)[SYS_gettimeofday] = Gettimeofday;
  (*t)[SYS_time] = Time;
  (*t)[SYS_getpid] = Getpid;
  (*t)[SYS_pause] = Pause;
  (*t)[SYS_setreuid] = Setreuid;
  (*t)[SYS_setregid] = Setregid;
  (*t)[SYS_setfsuid] = Setfsuid;
  (*t)[SYS_setfsgid] = Setfsgid;
  (*t)[SYS_capget] = Capget;
  (*t)[SYS_capset] = Capset;
  (*t)[SYS_personality] = Personality;
  (*t)[SYS_fadvise64] = Fadvise64;
  (*t)[SYS_msync] = Msync;
  (*t)[SYS_gettid] = Gettid;
  (*t)[SYS_sched_yield] = SchedYield;
  (*t)[SYS_clock_gettime] = ClockGettime;
}

void RegisterHandlers(std::vector<SyscallHandler>* t) {
  RegisterIoHandlers(t);
  RegisterFdHandlers(t);
  RegisterPathHandlers(t);
  RegisterInfoHandlers(t);
  RegisterPollHandlers(t);
  RegisterFsWriteHandlers(t);
  RegisterLockHandlers(t);
  RegisterEpollHandlers(t);
  RegisterEventFdHandlers(t);
  RegisterSignalFdHandlers(t);
  RegisterInotifyHandlers(t);
  RegisterXattrHandlers(t);
  RegisterCopyHandlers(t);
  RegisterMemfdHandlers(t);
  RegisterSocketHandlers(t);
  RegisterSocketIoHandlers(t);
  RegisterSocketOptHandlers(t);
  RegisterSignalHandlers(t);
}

}  // namespace sentry
