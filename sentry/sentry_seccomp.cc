// The sentry's allowlist (see sentry_seccomp.h): host fd I/O for the objects it owns (pipes,
// eventfds, timerfds, epoll sets, memfds, gofer-donated files, stdio), the seccomp listener,
// ptrace and signals for its guests, memory, time and exit. The README table comes from here.
#include "sentry/sentry_seccomp.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "common/capabilities.h"
#include "sentry/host_devpts.h"
#include "sentry/host_proc.h"

namespace sentry {

namespace sc = seccomp;

std::vector<sc::Rule> SentryAllowlist(int proc_fd, int devpts_fd) {
  const uint64_t proc = static_cast<uint32_t>(proc_fd);
  const char* kIo = "I/O on host objects the sentry owns (pipes, eventfds, timerfds, memfds, "
                    "gofer-donated files, stdio)";
  const char* kMem = "glibc's malloc, fiber stacks (never executable)";
  const char* kLoop = "the event loop";
  const char* kTime = "clocks and timeouts (vDSO fallback)";
  const char* kInfo = "answers to the guest's identity/limit/system queries";
  std::vector<sc::Rule> r = {
      // The one way to read host files: the sandbox's /proc, read-only (host_proc.h).
      {SYS_openat, "openat",
       {sc::Masked(0, 0xffffffff, proc, "dirfd == the /proc fd"),
        sc::Eq(2, kHostProcOpenFlags, "flags == O_RDONLY|O_CLOEXEC")},
       "read /proc/PID/{status,stat,maps,schedstat} of guests (NSpid, pgrp, rusage, thread "
       "clocks, procfs maps)"},
      // Host fd I/O.
      {SYS_read, "read", {}, kIo},
      {SYS_write, "write", {}, kIo},
      {SYS_pread64, "pread64", {}, kIo},
      {SYS_pwrite64, "pwrite64", {}, kIo},
      {SYS_readv, "readv", {}, kIo},
      {SYS_writev, "writev", {}, kIo},
      {SYS_lseek, "lseek", {}, kIo},
      {SYS_close, "close", {}, kIo},
      {SYS_dup, "dup", {}, "second registrations of one host object in an epoll set"},
      {SYS_dup2, "dup2", {}, "end an armed NOTIF_RECV wait from the SIGCHLD handler"},
      {SYS_dup3, "dup3", {}, "restore the listener's fd number after an armed wait"},
      {SYS_fcntl, "fcntl", {}, kIo},
      {SYS_ioctl, "ioctl", {},
       "seccomp user notifications (RECV/SEND/ADDFD/ID_VALID), terminal ioctls on the host tty"},
      {SYS_newfstatat, "newfstatat",
       {sc::Masked(3, AT_EMPTY_PATH, AT_EMPTY_PATH, "flags has AT_EMPTY_PATH")},
       "fstat of host fds (file identity for locks, sizes)"},
      {SYS_fstatfs, "fstatfs", {}, "statfs of gofer-donated files"},
      {SYS_ftruncate, "ftruncate", {}, "tmpfs data in memfds, truncate of donated files"},
      {SYS_fallocate, "fallocate", {}, "tmpfs data in memfds, fallocate of donated files"},
      {SYS_fsync, "fsync", {}, "fsync of donated files"},
      {SYS_fdatasync, "fdatasync", {}, "fdatasync of donated files"},
      {SYS_sendfile, "sendfile", {}, "guest sendfile between host-backed files"},
      {SYS_splice, "splice", {}, "guest splice between host-backed files and pipes"},
      {SYS_tee, "tee", {}, "guest tee between pipes (sentry-owned host pipes)"},
      {SYS_copy_file_range, "copy_file_range", {}, "guest copy_file_range on host-backed files"},
      {SYS_memfd_create, "memfd_create", {}, "tmpfs and memfd file data, procfs text to map"},
      {SYS_pipe2, "pipe2", {}, "guest pipes are sentry-owned host pipes"},
      {SYS_eventfd2, "eventfd2", {}, "guest eventfds are sentry-owned host eventfds"},
      {SYS_signalfd4, "signalfd4", {sc::Eq(2, sizeof(uint64_t), "sizemask == 8")},
       "guest signalfds: created and re-masked by the sentry, read only by the guest"},
      {SYS_timerfd_create, "timerfd_create", {}, "guest timerfds; handler timeouts"},
      {SYS_timerfd_settime, "timerfd_settime", {}, "guest timerfds; handler timeouts"},
      {SYS_timerfd_gettime, "timerfd_gettime", {}, "guest timerfds"},
      {SYS_epoll_create1, "epoll_create1", {}, "the event loop; guest epoll instances"},
      {SYS_epoll_ctl, "epoll_ctl", {}, "the event loop; guest epoll instances"},
      {SYS_epoll_wait, "epoll_wait", {}, "the event loop; guest epoll_wait collects events"},
      {SYS_poll, "poll", {}, kLoop},
      // Guest sockets (netstack): their buffers are sentry-owned host AF_UNIX pairs; the host
      // never sees an inet socket, and no host socket is ever named, bound or connected.
      {SYS_socketpair, "socketpair", {sc::Eq(0, AF_UNIX, "domain == AF_UNIX")},
       "buffers of guest sockets (netstack)"},
      {SYS_shutdown, "shutdown", {}, "shutdown(2) of guest sockets on their host pairs"},
      // The gofer channel (SCM_RIGHTS); guest socket data (sendmsg/recvmsg on host pairs).
      {SYS_sendmsg, "sendmsg", {}, "requests to the gofer"},
      {SYS_recvmsg, "recvmsg", {}, "replies and donated fds from the gofer"},
      // Guests.
      {SYS_wait4, "wait4", {}, "ptrace stops and exits of guest tasks"},
      {SYS_kill, "kill", {}, "signals to guest processes and process groups"},
      {SYS_tgkill, "tgkill", {}, "SIGPIPE and other sentry-raised signals to guest threads"},
      {SYS_process_vm_readv, "process_vm_readv", {}, "copy syscall arguments from guests"},
      {SYS_process_vm_writev, "process_vm_writev", {}, "copy results into guests"},
  };
  for (auto [req, name] : {std::pair<long, const char*>{PTRACE_CONT, "PTRACE_CONT"},
                           {PTRACE_LISTEN, "PTRACE_LISTEN"},
                           {PTRACE_SINGLESTEP, "PTRACE_SINGLESTEP"},
                           {PTRACE_INTERRUPT, "PTRACE_INTERRUPT"},
                           {PTRACE_GETSIGMASK, "PTRACE_GETSIGMASK"},
                           {PTRACE_SETSIGMASK, "PTRACE_SETSIGMASK"},
                           {PTRACE_GETREGS, "PTRACE_GETREGS"},
                           {PTRACE_SETREGS, "PTRACE_SETREGS"},
                           {PTRACE_GETEVENTMSG, "PTRACE_GETEVENTMSG"},
                           {PTRACE_GETSIGINFO, "PTRACE_GETSIGINFO"},
                           {PTRACE_SETSIGINFO, "PTRACE_SETSIGINFO"}}) {
    r.push_back({SYS_ptrace, "ptrace", {sc::Eq(0, static_cast<uint64_t>(req), name)},
                 "act on guests already traced (never ATTACH/SEIZE/TRACEME: no new tracee)"});
  }
  // Guest ptys: a new pair per open of the sandbox's ptmx (host_devpts.h). Seccomp cannot
  // read the path, and an absolute one ignores the dirfd: with the sentry in an empty root
  // (SentryMain) such a path reaches nothing. No instance, no rule.
  if (devpts_fd >= 0) {
    r.push_back({SYS_openat, "openat",
                 {sc::Masked(0, 0xffffffff, static_cast<uint32_t>(devpts_fd),
                             "dirfd == the private devpts fd"),
                  sc::Eq(2, kDevptsOpenFlags, "flags == O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC")},
                 "a new pty pair for a guest's /dev/ptmx (ptmx of the sentry's own devpts "
                 "instance)"});
  }
  std::vector<sc::Rule> rest = {
      // Signals (memory, masks, exit: RuntimeRules).
      {SYS_rt_sigaction, "rt_sigaction", {}, "SIGPIPE ignored; the SIGSYS reporter"},
      // Time and identity.
      {SYS_clock_gettime, "clock_gettime", {}, kTime},
      {SYS_clock_getres, "clock_getres", {}, kTime},
      {SYS_gettimeofday, "gettimeofday", {}, kTime},
      {SYS_clock_nanosleep, "clock_nanosleep", {}, "short back-off sleeps"},
      {SYS_nanosleep, "nanosleep", {}, "short back-off sleeps"},
      {SYS_getpid, "getpid", {}, "log lines"},
      {SYS_gettid, "gettid", {}, "log lines"},
      {SYS_getrandom, "getrandom", {}, "guest getrandom, AT_RANDOM, malloc"},
      {SYS_uname, "uname", {}, kInfo},
      {SYS_sysinfo, "sysinfo", {}, kInfo},
      {SYS_prlimit64, "prlimit64", {},
       "its own limits at start; guest CPU/AS/DATA/STACK/CORE limits set on the guest's host "
       "process (the host enforces those)"},
      {SYS_sched_getaffinity, "sched_getaffinity", {}, kInfo},
      {SYS_getcpu, "getcpu", {}, kInfo},
  };
  r.insert(r.end(), rest.begin(), rest.end());
  std::vector<sc::Rule> runtime = sc::RuntimeRules(kMem);
  r.insert(r.end(), runtime.begin(), runtime.end());
  return r;
}

absl::Status LockDownSentry() {
  int proc = HostProcFd();
  if (proc < 0) return absl::InternalError("cannot open /proc for the sentry");
  // The last capability (CAP_SYS_ADMIN, kept for the guest init's clone(CLONE_NEWPID)) goes
  // first: from here on the sentry acts on its guests as their parent and tracer only.
  if (absl::Status st = caps::ReduceCapabilities(0); !st.ok()) return st;
  return seccomp::InstallAllowlist(SentryAllowlist(proc, DevptsInstanceFd()),
                                   seccomp::ViolationFromEnv(),
                                   "sentry");
}

}  // namespace sentry
