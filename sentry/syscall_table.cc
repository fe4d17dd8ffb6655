// The x86-64 syscall table: one line per syscall number, built at compile time.
// Owned by the sentry; immutable (constant-initialised), so any thread may read it.
// Adding a syscall: find its line below and change the action; the filter, --strace and
// `sentry syscalls` all follow.
#include "sentry/syscall_table.h"

#include <errno.h>

#include <array>
#include <cstddef>
#include <initializer_list>

namespace sentry {
namespace {

using enum ArgFormat;
using Op = ArgCheck::Op;

using Table = std::array<SyscallEntry, kMaxSyscall + 1>;

// Reached only when the table below is malformed; since the table is built in a constant
// expression, calling this non-constexpr function turns the mistake into a compile error.
[[noreturn]] void TableError(const char* /*why*/) { __builtin_trap(); }

// Argument-check helpers for passthrough rules.
constexpr ArgCheck ArgEq(uint8_t arg, uint64_t value) { return {arg, Op::kEq, 0, value}; }
[[maybe_unused]] constexpr ArgCheck ArgNe(uint8_t arg, uint64_t value) {
  return {arg, Op::kNe, 0, value};
}
[[maybe_unused]] constexpr ArgCheck ArgLe(uint8_t arg, uint64_t value) {
  return {arg, Op::kLe, 0, value};
}
[[maybe_unused]] constexpr ArgCheck ArgGe(uint8_t arg, uint64_t value) {
  return {arg, Op::kGe, 0, value};
}
constexpr ArgCheck ArgMaskedEq(uint8_t arg, uint64_t mask, uint64_t value) {
  return {arg, Op::kMaskedEq, mask, value};
}

// One passthrough rule: all of its checks must hold (an empty rule always holds).
struct Rule {
  constexpr Rule(std::initializer_list<ArgCheck> checks) {
    if (checks.size() > 3) TableError("a rule has at most 3 checks");
    for (const ArgCheck& c : checks) {
      if (c.arg > 5 || c.op == Op::kNone) TableError("bad argument check");
      this->checks[n++] = c;
    }
  }
  ArgCheck checks[3] = {};
  uint8_t n = 0;
};

constexpr char kNotYet[] = "not implemented yet";

// Fills one table slot: Def(t, nr, name, {arg formats}).Ret(...).<action>(...).
// Every chain must end in exactly one action call.
class Def {
 public:
  constexpr Def(Table& t, int nr, const char* name, std::initializer_list<ArgFormat> args)
      : e_(t[CheckedIndex(nr)]) {
    if (e_.name != nullptr) TableError("syscall number assigned twice");
    if (args.size() > 6) TableError("at most 6 arguments");
    e_.nr = nr;
    e_.name = name;
    e_.nargs = static_cast<uint8_t>(args.size());
    int i = 0;
    for (ArgFormat f : args) e_.args[i++] = f;
  }

  constexpr Def& Ret(ArgFormat f) {
    e_.ret = f;
    return *this;
  }

  // Answered by a sentry handler (SECCOMP_RET_USER_NOTIF).
  constexpr void Emulate(SupportLevel support, const char* note = "") {
    if (support != SupportLevel::kFull && support != SupportLevel::kPartial &&
        support != SupportLevel::kUnsupported) {
      TableError("emulated syscalls are full, partial or (not yet) unsupported");
    }
    Set(SyscallAction::kEmulate, support, note);
  }
  // Reaches the sentry, which lets the host run it as issued (SECCOMP_USER_NOTIF_FLAG_CONTINUE,
  // handlers_signal.cc): for calls whose arguments need no check because the host confines
  // them already (the guest's pid namespace, its own signal state), when the filter's
  // passthrough list is full. One user-notification round trip per call.
  constexpr void RunOnHost(const char* note) {
    Set(SyscallAction::kEmulate, SupportLevel::kFull, note);
    e_.runs_on_host = true;
  }
  // Allowed to the host kernel when any rule holds; otherwise it reaches the sentry.
  constexpr void Passthrough(const char* note, std::initializer_list<Rule> rules = {Rule{}}) {
    if (rules.size() == 0 || rules.size() > 4) TableError("1..4 rules");
    for (const Rule& r : rules) {
      for (int i = 0; i < r.n; ++i) e_.rules[e_.nrules][i] = r.checks[i];
      ++e_.nrules;
    }
    Set(SyscallAction::kPassthrough, SupportLevel::kFull, note);
  }
  // A ptrace stop (SECCOMP_RET_TRACE) so that the sentry can act on the registers.
  constexpr void Trace(SupportLevel support, const char* note) {
    Set(SyscallAction::kTrace, support, note);
  }
  // Failed by the filter itself with `err`; never reaches the sentry or the host.
  constexpr void Refuse(int err, const char* note) {
    if (err <= 0 || err > 4095) TableError("refused syscalls need an errno");
    e_.refuse_errno = err;
    Set(SyscallAction::kRefuse, SupportLevel::kRefused, note);
  }
  // Reaches the sentry, which answers ENOSYS and logs the name once.
  constexpr void Unsupported(const char* note = kNotYet) {
    Set(SyscallAction::kUnsupported, SupportLevel::kUnsupported, note);
  }

 private:
  static constexpr size_t CheckedIndex(int nr) {
    if (nr < 0 || nr > kMaxSyscall) TableError("syscall number out of range");
    return static_cast<size_t>(nr);
  }
  constexpr void Set(SyscallAction action, SupportLevel support, const char* note) {
    e_.action = action;
    e_.support = support;
    e_.note = note;
  }

  SyscallEntry& e_;
};

// Notes shared by many entries.
constexpr char kSocketNote[] =
    "AF_UNIX stream/dgram/seqpacket, AF_INET/AF_INET6 TCP and UDP on loopback (netstack); "
    "raw sockets EPERM, other families EAFNOSUPPORT";
constexpr char kSocketsDone[] = "netstack sockets";
constexpr char kSignalfd[] =
    "host signalfd mirrored into the guest, read by the guest itself; poll readiness from "
    "/proc pending sets on a 5 ms tick";
constexpr char kInotify[] =
    "changes made inside the sandbox only (host-side changes are not seen)";
constexpr char kSysvIpc[] = "System V IPC: not implemented yet";
constexpr char kPosixMq[] = "POSIX message queues: not implemented yet";
constexpr char kAio[] = "Linux AIO: not implemented yet (callers fall back)";
constexpr char kRemoved[] = "not implemented by Linux on x86-64";
constexpr char kIdentity[] = "virtual credentials";
constexpr char kProcess[] = "process/signal call: sentry-managed for now (may pass through later)";
constexpr char kMountApi[] = "mount API: the sandbox's mounts are fixed by the sentry";
constexpr char kNuma[] = "NUMA policy belongs to the host";
constexpr char kModules[] = "kernel modules are host-only";
constexpr char kHostTime[] = "the host clock cannot be changed";
constexpr char kCallMask[] =
    "over virtual fds; the call's signal mask is put on the host thread for the wait (ptrace "
    "stops before and after it) and the handler's frame gets the thread's own mask back";
constexpr char kSignalPass[] = "host builds signal frames and applies dispositions";
constexpr char kSignalOnHost[] =
    "run by the host after a round trip through the sentry (the passthrough list is full): "
    "signals are the host's; pids are the guest's own pid namespace";
constexpr char kTimerOnHost[] =
    "run by the host after a round trip through the sentry (the passthrough list is full): "
    "the timers are the host's";
constexpr char kSchedOnHost[] =
    "run by the host after a round trip through the sentry (the passthrough list is full): "
    "scheduling belongs to the host; pids (and IOPRIO_WHO_PGRP/USER) reach only the guest's "
    "own pid namespace";
constexpr char kTimerPass[] =
    "signals and timers belong to the host (DESIGN 5); timer signals stay in the guest's pid "
    "namespace";

// x86-64 ABI values used in passthrough rules.
constexpr uint64_t kMapAnonymous = 0x20;
// clone flags the guest may not use: new namespaces (the sandbox's own are fixed),
// CLONE_UNTRACED (every task is traced from birth) and CLONE_PIDFD (it would put a host fd
// into the guest's host fd table, where mirrors live).
constexpr uint64_t kCloneForbidden = 0x00020000 /*NEWNS*/ | 0x02000000 /*NEWCGROUP*/ |
                                     0x04000000 /*NEWUTS*/ | 0x08000000 /*NEWIPC*/ |
                                     0x10000000 /*NEWUSER*/ | 0x20000000 /*NEWPID*/ |
                                     0x40000000 /*NEWNET*/ | 0x00800000 /*UNTRACED*/ |
                                     0x00001000 /*PIDFD*/;
constexpr uint64_t kArchSetFs = 0x1002;
constexpr uint64_t kArchGetFs = 0x1003;

constexpr Table BuildTable() {
  using enum SupportLevel;
  Table t{};
  for (int i = 0; i <= kMaxSyscall; ++i) t[static_cast<size_t>(i)].nr = i;
  // Shorthand for one table line.
  auto s = [&t](int nr, const char* name, std::initializer_list<ArgFormat> args = {}) {
    return Def(t, nr, name, args);
  };

  // --- 0..99 ---------------------------------------------------------------------------
  s(0, "read", {kFd, kBuf, kUInt}).Emulate(kFull);
  s(1, "write", {kFd, kBuf, kUInt}).Emulate(kFull);
  s(2, "open", {kPath, kOpenFlags, kMode}).Ret(kFd).Emulate(kFull);
  s(3, "close", {kFd}).Emulate(kFull);
  s(4, "stat", {kPath, kPtr}).Emulate(kFull);
  s(5, "fstat", {kFd, kPtr}).Emulate(kFull);
  s(6, "lstat", {kPath, kPtr}).Emulate(kFull);
  s(7, "poll", {kPtr, kUInt, kInt}).Emulate(kFull, "over virtual fds");
  s(8, "lseek", {kFd, kInt, kWhence}).Emulate(kFull);
  s(9, "mmap", {kPtr, kUInt, kProt, kMapFlags, kFd, kHex})
      .Ret(kPtr)
      .Passthrough(
          "anonymous mappings only (flags & MAP_ANONYMOUS); file mappings go to the "
          "sentry, which maps a mirror fd",
          {Rule{ArgMaskedEq(3, kMapAnonymous, kMapAnonymous)}});
  s(10, "mprotect", {kPtr, kUInt, kProt}).Passthrough("the host owns the address space");
  s(11, "munmap", {kPtr, kUInt}).Passthrough("the host owns the address space");
  s(12, "brk", {kPtr}).Ret(kPtr).Passthrough("the host owns the address space");
  s(13, "rt_sigaction", {kSignal, kPtr, kPtr, kUInt}).Passthrough(kSignalPass);
  s(14, "rt_sigprocmask", {kInt, kPtr, kPtr, kUInt}).Passthrough(kSignalPass);
  s(15, "rt_sigreturn").Passthrough(kSignalPass);
  s(16, "ioctl", {kFd, kIoctlCmd, kHex}).Emulate(kPartial, "terminals and common fd ioctls");
  s(17, "pread64", {kFd, kBuf, kUInt, kInt}).Emulate(kFull);
  s(18, "pwrite64", {kFd, kBuf, kUInt, kInt}).Emulate(kFull);
  s(19, "readv", {kFd, kPtr, kInt}).Emulate(kFull);
  s(20, "writev", {kFd, kPtr, kInt}).Emulate(kFull);
  s(21, "access", {kPath, kAccessMode}).Emulate(kFull);
  s(22, "pipe", {kPtr}).Emulate(kFull);
  s(23, "select", {kInt, kPtr, kPtr, kPtr, kPtr}).Emulate(kFull, "over virtual fds");
  s(24, "sched_yield").Emulate(kFull, "the round trip to the sentry is itself a yield");
  s(25, "mremap", {kPtr, kUInt, kUInt, kHex, kPtr})
      .Ret(kPtr)
      .Passthrough("the host owns the address space");
  s(26, "msync", {kPtr, kUInt, kHex})
      .Emulate(kPartial, "argument checks only: shared mappings are tmpfs memfds (their pages are the file); no ENOMEM for holes");
  s(27, "mincore", {kPtr, kUInt, kPtr}).Unsupported();
  s(28, "madvise", {kPtr, kUInt, kInt})
      .Passthrough("the host owns the address space (privileged advice fails on the host)");
  s(29, "shmget", {kInt, kUInt, kHex}).Unsupported(kSysvIpc);
  s(30, "shmat", {kInt, kPtr, kHex}).Ret(kPtr).Unsupported(kSysvIpc);
  s(31, "shmctl", {kInt, kInt, kPtr}).Unsupported(kSysvIpc);
  s(32, "dup", {kFd}).Ret(kFd).Emulate(kFull);
  s(33, "dup2", {kFd, kFd}).Ret(kFd).Emulate(kFull);
  s(34, "pause").Emulate(kFull, "the task waits in the sentry until a signal interrupts it");
  s(35, "nanosleep", {kPtr, kPtr}).Passthrough("sleeps on the host; signals interrupt it");
  s(36, "getitimer", {kInt, kPtr}).RunOnHost(kTimerOnHost);
  s(37, "alarm", {kUInt}).Passthrough(kTimerPass);
  s(38, "setitimer", {kInt, kPtr, kPtr}).Passthrough(kTimerPass);
  s(39, "getpid").Emulate(kFull, "the sentry knows the guest's pid");
  s(40, "sendfile", {kFd, kFd, kPtr, kUInt}).Emulate(kFull, "from a regular file to any file or pipe, through the sentry");
  s(41, "socket", {kInt, kInt, kInt}).Ret(kFd).Emulate(kPartial, kSocketNote);
  s(42, "connect", {kFd, kPtr, kUInt}).Emulate(kPartial, "AF_UNIX; loopback TCP/UDP (other addresses: ENETUNREACH; nonblocking TCP: EINPROGRESS, then SO_ERROR, a full backlog queues it); audited");
  s(43, "accept", {kFd, kPtr, kPtr}).Ret(kFd).Emulate(kFull, kSocketsDone);
  s(44, "sendto", {kFd, kBuf, kUInt, kHex, kPtr, kUInt}).Emulate(kFull, kSocketsDone);
  s(45, "recvfrom", {kFd, kBuf, kUInt, kHex, kPtr, kPtr}).Emulate(kFull, kSocketsDone);
  s(46, "sendmsg", {kFd, kPtr, kHex}).Emulate(kFull, "SCM_RIGHTS and SCM_CREDENTIALS on AF_UNIX; MSG_OOB on stream sockets (the host AF_UNIX urgent byte)");
  s(47, "recvmsg", {kFd, kPtr, kHex}).Emulate(kFull, "SCM_RIGHTS and SCM_CREDENTIALS on AF_UNIX; MSG_OOB on stream sockets (the host AF_UNIX urgent byte)");
  s(48, "shutdown", {kFd, kInt}).Emulate(kFull, kSocketsDone);
  s(49, "bind", {kFd, kPtr, kUInt}).Emulate(kFull, "AF_UNIX paths (socket inodes), abstract names, loopback and wildcard inet addresses; audited");
  s(50, "listen", {kFd, kInt}).Emulate(kFull, kSocketsDone);
  s(51, "getsockname", {kFd, kPtr, kPtr}).Emulate(kFull, kSocketsDone);
  s(52, "getpeername", {kFd, kPtr, kPtr}).Emulate(kFull, kSocketsDone);
  s(53, "socketpair", {kInt, kInt, kInt, kPtr}).Emulate(kFull, "AF_UNIX stream, dgram, seqpacket");
  s(54, "setsockopt", {kFd, kInt, kInt, kPtr, kUInt}).Emulate(kPartial, "common SOL_SOCKET options; TCP/IP/IPv6 options stored and returned");
  s(55, "getsockopt", {kFd, kInt, kInt, kPtr, kPtr}).Emulate(kPartial, "common SOL_SOCKET options (SO_PEERCRED: sandbox pid, virtual ids; SO_ERROR); TCP_INFO (tcpi_state, zeroes elsewhere); TCP/IP/IPv6 options stored and returned");
  s(56, "clone", {kCloneFlags, kPtr, kPtr, kPtr, kHex})
      .Passthrough(
          "processes and threads are host tasks in the guest's pid namespace, traced by the "
          "sentry from birth; new namespaces, CLONE_UNTRACED and CLONE_PIDFD go to the sentry "
          "(EPERM)",
          {Rule{ArgMaskedEq(0, kCloneForbidden, 0)}});
  s(57, "fork").Passthrough("a host process in the guest's pid namespace, traced from birth");
  s(58, "vfork").Passthrough("a host process in the guest's pid namespace, traced from birth");
  s(59, "execve", {kPath, kArgv, kPtr}).Trace(kFull, "the sentry's own ELF loader");
  s(60, "exit", {kInt}).Passthrough("thread exit; the sentry sees it as a ptrace exit event");
  s(61, "wait4", {kInt, kPtr, kHex, kPtr})
      .Passthrough("children are host processes of the guest's own pid namespace");
  s(62, "kill", {kInt, kSignal}).Passthrough("pids are the guest's own pid namespace: no process outside it can be named, kill(-1) included");
  s(63, "uname", {kPtr}).Emulate(kFull, "virtual hostname");
  s(64, "semget", {kInt, kInt, kHex}).Unsupported(kSysvIpc);
  s(65, "semop", {kInt, kPtr, kUInt}).Unsupported(kSysvIpc);
  s(66, "semctl", {kInt, kInt, kInt, kHex}).Unsupported(kSysvIpc);
  s(67, "shmdt", {kPtr}).Unsupported(kSysvIpc);
  s(68, "msgget", {kInt, kHex}).Unsupported(kSysvIpc);
  s(69, "msgsnd", {kInt, kPtr, kUInt, kHex}).Unsupported(kSysvIpc);
  s(70, "msgrcv", {kInt, kPtr, kUInt, kInt, kHex}).Unsupported(kSysvIpc);
  s(71, "msgctl", {kInt, kInt, kPtr}).Unsupported(kSysvIpc);
  s(72, "fcntl", {kFd, kFcntlCmd, kHex}).Emulate(kPartial, "record locks (POSIX and OFD) among sandbox processes; no leases or F_NOTIFY yet");
  s(73, "flock", {kFd, kInt}).Emulate(kFull, "locks are seen among sandbox processes only");
  s(74, "fsync", {kFd}).Emulate(kFull, "files of a rw --mount are flushed on the host (the donated fd, else the gofer's FSYNC); nothing to flush in memory (tmpfs, the overlay root); EINVAL for pipes, sockets, devices");
  s(75, "fdatasync", {kFd}).Emulate(kFull, "as fsync");
  s(76, "truncate", {kPath, kInt}).Emulate(kFull, "tmpfs and the overlay root; EROFS on read-only mounts");
  s(77, "ftruncate", {kFd, kInt}).Emulate(kFull, "tmpfs and the overlay root (copy-up); growing makes a hole");
  s(78, "getdents", {kFd, kPtr, kUInt}).Unsupported("the old linux_dirent format; libc uses getdents64");
  s(79, "getcwd", {kBuf, kUInt}).Emulate(kFull);
  s(80, "chdir", {kPath}).Emulate(kFull);
  s(81, "fchdir", {kFd}).Emulate(kFull);
  s(82, "rename", {kPath, kPath}).Emulate(kFull, "tmpfs and the overlay root (lower files and directory trees are copied up); EXDEV across mounts; EROFS on read-only mounts");
  s(83, "mkdir", {kPath, kMode}).Emulate(kFull, "tmpfs and the overlay root; EROFS on read-only mounts");
  s(84, "rmdir", {kPath}).Emulate(kFull, "tmpfs and the overlay root; EROFS on read-only mounts");
  s(85, "creat", {kPath, kMode}).Ret(kFd).Emulate(kFull, "open(path, O_CREAT|O_WRONLY|O_TRUNC, mode)");
  s(86, "link", {kPath, kPath}).Emulate(kFull, "tmpfs hard links; fs.protected_hardlinks rules");
  s(87, "unlink", {kPath}).Emulate(kFull, "tmpfs and the overlay root (whiteouts hide lower files); sticky directories honoured; EROFS on read-only mounts");
  s(88, "symlink", {kPath, kPath}).Emulate(kFull, "tmpfs and the overlay root; EROFS on read-only mounts");
  s(89, "readlink", {kPath, kBuf, kUInt}).Emulate(kFull);
  s(90, "chmod", {kPath, kMode}).Emulate(kFull, "tmpfs and the overlay root (copy-up); owner or root (virtual ids)");
  s(91, "fchmod", {kFd, kMode}).Emulate(kPartial, "tmpfs files; EPERM on pipes and sockets");
  s(92, "chown", {kPath, kInt, kInt}).Emulate(kFull, "tmpfs and the overlay root (copy-up); only root gives files away (virtual ids)");
  s(93, "fchown", {kFd, kInt, kInt}).Emulate(kPartial, "tmpfs files; EPERM on pipes and sockets");
  s(94, "lchown", {kPath, kInt, kInt}).Emulate(kFull, "tmpfs and the overlay root (copy-up); as chown, without following a final symlink");
  s(95, "umask", {kMode}).Ret(kMode).Emulate(kFull);
  s(96, "gettimeofday", {kPtr, kPtr}).Emulate(kFull, "vDSO fallback; answered by the sentry");
  s(97, "getrlimit", {kInt, kPtr}).Emulate(kFull, "virtual rlimits");
  s(98, "getrusage", {kInt, kPtr}).Emulate(kPartial);
  s(99, "sysinfo", {kPtr}).Emulate(kFull, "reports the sandbox's limits");

  // --- 100..199 ------------------------------------------------------------------------
  s(100, "times", {kPtr}).Emulate(kPartial);
  s(101, "ptrace", {kInt, kInt, kPtr, kPtr}).Refuse(EPERM, "only the sentry traces guests");
  s(102, "getuid").Emulate(kFull, kIdentity);
  s(103, "syslog", {kInt, kPtr, kInt}).Unsupported("the host kernel log is not visible");
  s(104, "getgid").Emulate(kFull, kIdentity);
  s(105, "setuid", {kInt}).Emulate(kFull, kIdentity);
  s(106, "setgid", {kInt}).Emulate(kFull, kIdentity);
  s(107, "geteuid").Emulate(kFull, kIdentity);
  s(108, "getegid").Emulate(kFull, kIdentity);
  s(109, "setpgid", {kInt, kInt})
      .Passthrough("host process-group state; the guest has a session of its own and pids of its own");
  s(110, "getppid").Emulate(kFull);
  s(111, "getpgrp").Emulate(kFull);
  s(112, "setsid").Passthrough("host session state; confined to the guest's pid namespace");
  s(113, "setreuid", {kInt, kInt}).Emulate(kFull, kIdentity);
  s(114, "setregid", {kInt, kInt}).Emulate(kFull, kIdentity);
  s(115, "getgroups", {kInt, kPtr}).Emulate(kFull, kIdentity);
  s(116, "setgroups", {kInt, kPtr}).Emulate(kFull, kIdentity);
  s(117, "setresuid", {kInt, kInt, kInt}).Emulate(kFull, kIdentity);
  s(118, "getresuid", {kPtr, kPtr, kPtr}).Emulate(kFull, kIdentity);
  s(119, "setresgid", {kInt, kInt, kInt}).Emulate(kFull, kIdentity);
  s(120, "getresgid", {kPtr, kPtr, kPtr}).Emulate(kFull, kIdentity);
  s(121, "getpgid", {kInt}).Emulate(kFull);
  s(122, "setfsuid", {kInt}).Emulate(kFull, kIdentity);
  s(123, "setfsgid", {kInt}).Emulate(kFull, kIdentity);
  s(124, "getsid", {kInt}).Emulate(kFull);
  s(125, "capget", {kPtr, kPtr}).Emulate(kFull, kIdentity);
  s(126, "capset", {kPtr, kPtr}).Emulate(kPartial, "virtual: accepted for the root guest, EPERM otherwise; not enforced");
  s(127, "rt_sigpending", {kPtr, kUInt}).RunOnHost(kSignalOnHost);
  s(128, "rt_sigtimedwait", {kPtr, kPtr, kPtr, kUInt}).RunOnHost(kSignalOnHost);
  s(129, "rt_sigqueueinfo", {kInt, kSignal, kPtr}).RunOnHost(kSignalOnHost);
  s(130, "rt_sigsuspend", {kPtr, kUInt}).Passthrough(kSignalPass);
  s(131, "sigaltstack", {kPtr, kPtr}).Passthrough(kSignalPass);
  s(132, "utime", {kPath, kPtr}).Emulate(kFull, "tmpfs");
  s(133, "mknod", {kPath, kMode, kHex}).Emulate(kPartial, "regular files, FIFOs, socket nodes on tmpfs and the overlay root; devices: EPERM");
  s(134, "uselib", {kPath}).Unsupported("a.out libraries are not supported");
  s(135, "personality", {kHex}).Emulate(kPartial, "PER_LINUX and queries only");
  s(136, "ustat", {kHex, kPtr}).Unsupported("obsolete");
  s(137, "statfs", {kPath, kPtr}).Emulate(kFull, "tmpfs reports its size limit and usage");
  s(138, "fstatfs", {kFd, kPtr}).Emulate(kFull, "tmpfs reports its size limit and usage");
  s(139, "sysfs", {kInt, kHex, kHex}).Unsupported("obsolete");
  s(140, "getpriority", {kInt, kInt}).Emulate(kPartial, "virtual nice values");
  s(141, "setpriority", {kInt, kInt, kInt}).Emulate(kPartial, "virtual nice values");
  s(142, "sched_setparam", {kInt, kPtr}).RunOnHost(kSchedOnHost);
  s(143, "sched_getparam", {kInt, kPtr}).RunOnHost(kSchedOnHost);
  s(144, "sched_setscheduler", {kInt, kInt, kPtr}).RunOnHost(kSchedOnHost);
  s(145, "sched_getscheduler", {kInt}).RunOnHost(kSchedOnHost);
  s(146, "sched_get_priority_max", {kInt}).Emulate(kFull);
  s(147, "sched_get_priority_min", {kInt}).Emulate(kFull);
  s(148, "sched_rr_get_interval", {kInt, kPtr}).RunOnHost(kSchedOnHost);
  s(149, "mlock", {kPtr, kUInt}).Unsupported();
  s(150, "munlock", {kPtr, kUInt}).Unsupported();
  s(151, "mlockall", {kHex}).Unsupported();
  s(152, "munlockall").Unsupported();
  s(153, "vhangup").Refuse(EPERM, "host terminals are not the guest's");
  s(154, "modify_ldt", {kInt, kPtr, kUInt}).Unsupported("no LDT for guests");
  s(155, "pivot_root", {kPath, kPath}).Refuse(EPERM, kMountApi);
  s(156, "_sysctl", {kPtr}).Unsupported("removed from Linux");
  s(157, "prctl", {kInt, kHex, kHex, kHex, kHex}).Emulate(kPartial, "common options only");
  s(158, "arch_prctl", {kHex, kHex})
      .Passthrough("ARCH_SET_FS/ARCH_GET_FS (TLS) only; other codes go to the sentry",
                   {Rule{ArgEq(0, kArchSetFs)}, Rule{ArgEq(0, kArchGetFs)}});
  s(159, "adjtimex", {kPtr}).Refuse(EPERM, kHostTime);
  s(160, "setrlimit", {kInt, kPtr}).Emulate(kFull, "virtual rlimits");
  s(161, "chroot", {kPath}).Unsupported();
  s(162, "sync").Emulate(kFull, "nothing to flush");
  s(163, "acct", {kPath}).Refuse(EPERM, "process accounting is host-only");
  s(164, "settimeofday", {kPtr, kPtr}).Refuse(EPERM, kHostTime);
  s(165, "mount", {kPath, kPath, kPath, kHex, kPtr}).Refuse(EPERM, kMountApi);
  s(166, "umount2", {kPath, kHex}).Refuse(EPERM, kMountApi);
  s(167, "swapon", {kPath, kHex}).Refuse(EPERM, "swap is host-only");
  s(168, "swapoff", {kPath}).Refuse(EPERM, "swap is host-only");
  s(169, "reboot", {kHex, kHex, kHex, kPtr}).Refuse(EPERM, "the host cannot be rebooted");
  s(170, "sethostname", {kBuf, kUInt}).Unsupported();
  s(171, "setdomainname", {kBuf, kUInt}).Unsupported();
  s(172, "iopl", {kInt}).Refuse(EPERM, "no port I/O");
  s(173, "ioperm", {kHex, kHex, kInt}).Refuse(EPERM, "no port I/O");
  s(174, "create_module", {kPath, kUInt}).Unsupported("removed from Linux");
  s(175, "init_module", {kPtr, kUInt, kPath}).Refuse(EPERM, kModules);
  s(176, "delete_module", {kPath, kHex}).Refuse(EPERM, kModules);
  s(177, "get_kernel_syms", {kPtr}).Unsupported("removed from Linux");
  s(178, "query_module", {kPath, kInt, kPtr, kUInt, kPtr}).Unsupported("removed from Linux");
  s(179, "quotactl", {kHex, kPath, kInt, kPtr}).Refuse(EPERM, "disk quotas are host-only");
  s(180, "nfsservctl", {kInt, kPtr, kPtr}).Refuse(EPERM, "removed from Linux; host-only");
  s(181, "getpmsg").Unsupported(kRemoved);
  s(182, "putpmsg").Unsupported(kRemoved);
  s(183, "afs_syscall").Unsupported(kRemoved);
  s(184, "tuxcall").Unsupported(kRemoved);
  s(185, "security").Unsupported(kRemoved);
  s(186, "gettid").Emulate(kFull, "the sentry knows the guest's tid");
  s(187, "readahead", {kFd, kInt, kUInt}).Unsupported();
  s(188, "setxattr", {kPath, kPath, kBuf, kUInt, kHex}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(189, "lsetxattr", {kPath, kPath, kBuf, kUInt, kHex}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(190, "fsetxattr", {kFd, kPath, kBuf, kUInt, kHex}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(191, "getxattr", {kPath, kPath, kPtr, kUInt}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(192, "lgetxattr", {kPath, kPath, kPtr, kUInt}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(193, "fgetxattr", {kFd, kPath, kPtr, kUInt}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(194, "listxattr", {kPath, kPtr, kUInt}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(195, "llistxattr", {kPath, kPtr, kUInt}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(196, "flistxattr", {kFd, kPtr, kUInt}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(197, "removexattr", {kPath, kPath}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(198, "lremovexattr", {kPath, kPath}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");
  s(199, "fremovexattr", {kFd, kPath}).Emulate(kFull, "user.* and security.* on tmpfs and the overlay root (ENODATA/empty elsewhere); trusted.* hidden, system.* ACLs EOPNOTSUPP");

  // --- 200..299 ------------------------------------------------------------------------
  s(200, "tkill", {kInt, kSignal}).Passthrough("tids are confined to the guest's pid namespace");
  s(201, "time", {kPtr}).Emulate(kFull, "vDSO fallback; answered by the sentry");
  s(202, "futex", {kPtr, kHex, kUInt, kPtr, kPtr, kUInt})
      .Passthrough("the host runs futexes; pid-namespaced, so PI/robust ops stay inside");
  s(203, "sched_setaffinity", {kInt, kUInt, kPtr}).RunOnHost(kSchedOnHost);
  s(204, "sched_getaffinity", {kInt, kUInt, kPtr}).RunOnHost(kSchedOnHost);
  s(205, "set_thread_area", {kPtr}).Unsupported("32-bit TLS");
  s(206, "io_setup", {kUInt, kPtr}).Unsupported(kAio);
  s(207, "io_destroy", {kHex}).Unsupported(kAio);
  s(208, "io_getevents", {kHex, kInt, kInt, kPtr, kPtr}).Unsupported(kAio);
  s(209, "io_submit", {kHex, kInt, kPtr}).Unsupported(kAio);
  s(210, "io_cancel", {kHex, kPtr, kPtr}).Unsupported(kAio);
  s(211, "get_thread_area", {kPtr}).Unsupported("32-bit TLS");
  s(212, "lookup_dcookie", {kHex, kPtr, kUInt}).Refuse(EPERM, "profiling is host-only");
  s(213, "epoll_create", {kInt}).Ret(kFd).Emulate(kFull, "host epoll set per instance");
  s(214, "epoll_ctl_old").Unsupported(kRemoved);
  s(215, "epoll_wait_old").Unsupported(kRemoved);
  s(216, "remap_file_pages", {kPtr, kUInt, kProt, kUInt, kHex}).Unsupported("deprecated");
  s(217, "getdents64", {kFd, kPtr, kUInt}).Emulate(kFull);
  s(218, "set_tid_address", {kPtr})
      .Passthrough("clear-child-tid futex handled by the host; tid is namespaced");
  s(219, "restart_syscall").Passthrough("resumes an interrupted passthrough sleep");
  s(220, "semtimedop", {kInt, kPtr, kUInt, kPtr}).Unsupported(kSysvIpc);
  s(221, "fadvise64", {kFd, kInt, kUInt, kInt}).Emulate(kFull, "advice is accepted and ignored");
  s(222, "timer_create", {kInt, kPtr, kPtr}).Passthrough(kTimerPass);
  s(223, "timer_settime", {kInt, kHex, kPtr, kPtr}).Passthrough(kTimerPass);
  s(224, "timer_gettime", {kInt, kPtr}).RunOnHost(kTimerOnHost);
  s(225, "timer_getoverrun", {kInt}).RunOnHost(kTimerOnHost);
  s(226, "timer_delete", {kInt}).Passthrough(kTimerPass);
  s(227, "clock_settime", {kInt, kPtr}).Refuse(EPERM, kHostTime);
  s(228, "clock_gettime", {kInt, kPtr})
      .Emulate(kFull, "vDSO fallback (CPU-time clocks): the sentry maps them to the guest's ids");
  s(229, "clock_getres", {kInt, kPtr}).Emulate(kFull, "vDSO fallback; answered by the sentry");
  s(230, "clock_nanosleep", {kInt, kHex, kPtr, kPtr})
      .Passthrough("sleeps on the host; signals interrupt it");
  s(231, "exit_group", {kInt}).Passthrough("process exit; the sentry sees it as a ptrace event");
  s(232, "epoll_wait", {kFd, kPtr, kInt, kInt}).Emulate(kFull);
  s(233, "epoll_ctl", {kFd, kInt, kFd, kPtr})
      .Emulate(kFull, "LT, EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE and nesting by the host epoll");
  s(234, "tgkill", {kInt, kInt, kSignal}).Passthrough("tgid/tid are confined to the guest's pid namespace");
  s(235, "utimes", {kPath, kPtr}).Emulate(kFull, "tmpfs");
  s(236, "vserver").Unsupported(kRemoved);
  s(237, "mbind", {kPtr, kUInt, kInt, kPtr, kUInt, kHex}).Refuse(EPERM, kNuma);
  s(238, "set_mempolicy", {kInt, kPtr, kUInt}).Refuse(EPERM, kNuma);
  s(239, "get_mempolicy", {kPtr, kPtr, kUInt, kPtr, kHex}).Unsupported(kNuma);
  s(240, "mq_open", {kPath, kOpenFlags, kMode, kPtr}).Ret(kFd).Unsupported(kPosixMq);
  s(241, "mq_unlink", {kPath}).Unsupported(kPosixMq);
  s(242, "mq_timedsend", {kFd, kBuf, kUInt, kUInt, kPtr}).Unsupported(kPosixMq);
  s(243, "mq_timedreceive", {kFd, kBuf, kUInt, kPtr, kPtr}).Unsupported(kPosixMq);
  s(244, "mq_notify", {kFd, kPtr}).Unsupported(kPosixMq);
  s(245, "mq_getsetattr", {kFd, kPtr, kPtr}).Unsupported(kPosixMq);
  s(246, "kexec_load", {kHex, kUInt, kPtr, kHex})
      .Refuse(EPERM, "the host kernel cannot be replaced");
  s(247, "waitid", {kInt, kInt, kPtr, kHex, kPtr})
      .Passthrough("children are host processes of the guest's own pid namespace");
  s(248, "add_key", {kPath, kPath, kBuf, kUInt, kInt})
      .Refuse(EPERM, "the kernel keyring is host-wide");
  s(249, "request_key", {kPath, kPath, kPath, kInt})
      .Refuse(EPERM, "the kernel keyring is host-wide");
  s(250, "keyctl", {kInt, kHex, kHex, kHex, kHex}).Refuse(EPERM, "the kernel keyring is host-wide");
  s(251, "ioprio_set", {kInt, kInt, kInt}).RunOnHost(kSchedOnHost);
  s(252, "ioprio_get", {kInt, kInt}).RunOnHost(kSchedOnHost);
  s(253, "inotify_init").Ret(kFd).Emulate(kPartial, kInotify);
  s(254, "inotify_add_watch", {kFd, kPath, kHex}).Emulate(kPartial, kInotify);
  s(255, "inotify_rm_watch", {kFd, kInt}).Emulate(kPartial, kInotify);
  s(256, "migrate_pages", {kInt, kUInt, kPtr, kPtr}).Refuse(EPERM, kNuma);
  s(257, "openat", {kFd, kPath, kOpenFlags, kMode}).Ret(kFd).Emulate(kFull);
  s(258, "mkdirat", {kFd, kPath, kMode}).Emulate(kFull, "tmpfs and the overlay root; EROFS on read-only mounts");
  s(259, "mknodat", {kFd, kPath, kMode, kHex}).Emulate(kPartial, "as mknod");
  s(260, "fchownat", {kFd, kPath, kInt, kInt, kAtFlags}).Emulate(kFull, "as chown; AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH");
  s(261, "futimesat", {kFd, kPath, kPtr}).Emulate(kFull, "tmpfs");
  s(262, "newfstatat", {kFd, kPath, kPtr, kAtFlags}).Emulate(kFull);
  s(263, "unlinkat", {kFd, kPath, kAtFlags}).Emulate(kFull, "as unlink/rmdir (AT_REMOVEDIR)");
  s(264, "renameat", {kFd, kPath, kFd, kPath}).Emulate(kFull, "as rename");
  s(265, "linkat", {kFd, kPath, kFd, kPath, kAtFlags}).Emulate(kFull, "as link; AT_SYMLINK_FOLLOW, AT_EMPTY_PATH (O_TMPFILE files)");
  s(266, "symlinkat", {kPath, kFd, kPath}).Emulate(kFull, "as symlink");
  s(267, "readlinkat", {kFd, kPath, kBuf, kUInt}).Emulate(kFull);
  s(268, "fchmodat", {kFd, kPath, kMode}).Emulate(kFull, "as chmod");
  s(269, "faccessat", {kFd, kPath, kAccessMode}).Emulate(kFull);
  s(270, "pselect6", {kInt, kPtr, kPtr, kPtr, kPtr, kPtr})
      .Emulate(kFull, kCallMask);
  s(271, "ppoll", {kPtr, kUInt, kPtr, kPtr, kUInt}).Emulate(kFull, kCallMask);
  s(272, "unshare", {kCloneFlags}).Refuse(EPERM, "no new namespaces inside the sandbox");
  s(273, "set_robust_list", {kPtr, kUInt})
      .Passthrough("robust futexes are run by the host; tids are namespaced");
  s(274, "get_robust_list", {kInt, kPtr, kPtr}).Unsupported();
  s(275, "splice", {kFd, kPtr, kFd, kPtr, kUInt, kHex}).Emulate(kFull, "pipe to file/pipe, file to pipe; copies through the sentry (SPLICE_F_MOVE is a hint)");
  s(276, "tee", {kFd, kFd, kUInt, kHex}).Emulate(kFull, "host tee on the sentry-owned pipes behind both ends");
  s(277, "sync_file_range", {kFd, kInt, kInt, kHex}).Unsupported();
  s(278, "vmsplice", {kFd, kPtr, kUInt, kHex}).Unsupported();
  s(279, "move_pages", {kInt, kUInt, kPtr, kPtr, kPtr, kHex}).Refuse(EPERM, kNuma);
  s(280, "utimensat", {kFd, kPath, kPtr, kAtFlags}).Emulate(kFull, "tmpfs and the overlay root (copy-up); UTIME_NOW, UTIME_OMIT, AT_EMPTY_PATH, null path = the fd");
  s(281, "epoll_pwait", {kFd, kPtr, kInt, kInt, kPtr, kUInt}).Emulate(kFull, kCallMask);
  s(282, "signalfd", {kFd, kPtr, kUInt}).Ret(kFd).Emulate(kPartial, kSignalfd);
  s(283, "timerfd_create", {kInt, kHex}).Ret(kFd).Emulate(kFull, "backed by a host timerfd");
  s(284, "eventfd", {kUInt}).Ret(kFd).Emulate(kFull, "backed by a host eventfd");
  s(285, "fallocate", {kFd, kInt, kInt, kInt}).Emulate(kPartial, "tmpfs: mode 0, KEEP_SIZE, PUNCH_HOLE (as Linux's tmpfs); others EOPNOTSUPP");
  s(286, "timerfd_settime", {kFd, kHex, kPtr, kPtr})
      .Emulate(kFull, "TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET");
  s(287, "timerfd_gettime", {kFd, kPtr}).Emulate(kFull);
  s(288, "accept4", {kFd, kPtr, kPtr, kHex}).Ret(kFd).Emulate(kFull, kSocketsDone);
  s(289, "signalfd4", {kFd, kPtr, kUInt, kHex}).Ret(kFd).Emulate(kPartial, kSignalfd);
  s(290, "eventfd2", {kUInt, kHex}).Ret(kFd).Emulate(kFull, "EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC");
  s(291, "epoll_create1", {kHex}).Ret(kFd).Emulate(kFull, "host epoll set per instance");
  s(292, "dup3", {kFd, kFd, kOpenFlags}).Ret(kFd).Emulate(kFull);
  s(293, "pipe2", {kPtr, kOpenFlags}).Emulate(kFull);
  s(294, "inotify_init1", {kHex}).Ret(kFd).Emulate(kPartial, kInotify);
  s(295, "preadv", {kFd, kPtr, kInt, kInt, kInt}).Emulate(kFull);
  s(296, "pwritev", {kFd, kPtr, kInt, kInt, kInt}).Emulate(kFull);
  s(297, "rt_tgsigqueueinfo", {kInt, kInt, kSignal, kPtr}).RunOnHost(kSignalOnHost);
  s(298, "perf_event_open", {kPtr, kInt, kInt, kFd, kHex})
      .Refuse(EPERM, "performance counters expose the host");
  s(299, "recvmmsg", {kFd, kPtr, kUInt, kHex, kPtr}).Emulate(kPartial, "the timeout is not applied");

  // --- 300..334 ------------------------------------------------------------------------
  s(300, "fanotify_init", {kHex, kHex}).Refuse(EPERM, "fanotify watches host filesystems");
  s(301, "fanotify_mark", {kFd, kHex, kHex, kFd, kPath}).Unsupported();
  s(302, "prlimit64", {kInt, kInt, kPtr, kPtr}).Emulate(kFull, "virtual rlimits");
  s(303, "name_to_handle_at", {kFd, kPath, kPtr, kPtr, kAtFlags})
      .Refuse(EOPNOTSUPP, "file handles would bypass the sentry's VFS");
  s(304, "open_by_handle_at", {kFd, kPtr, kOpenFlags})
      .Refuse(EPERM, "file handles would bypass the sentry's VFS");
  s(305, "clock_adjtime", {kInt, kPtr}).Refuse(EPERM, kHostTime);
  s(306, "syncfs", {kFd}).Emulate(kFull, "nothing to flush");
  s(307, "sendmmsg", {kFd, kPtr, kUInt, kHex}).Emulate(kFull, kSocketsDone);
  s(308, "setns", {kFd, kCloneFlags}).Refuse(EPERM, "host namespaces are out of reach");
  s(309, "getcpu", {kPtr, kPtr, kPtr}).Emulate(kFull, "vDSO fallback; answered by the sentry");
  s(310, "process_vm_readv", {kInt, kPtr, kUInt, kPtr, kUInt, kHex})
      .Refuse(EPERM, "cross-process memory access is the sentry's");
  s(311, "process_vm_writev", {kInt, kPtr, kUInt, kPtr, kUInt, kHex})
      .Refuse(EPERM, "cross-process memory access is the sentry's");
  s(312, "kcmp", {kInt, kInt, kInt, kHex, kHex}).Refuse(EPERM, "would compare host objects");
  s(313, "finit_module", {kFd, kPath, kHex}).Refuse(EPERM, kModules);
  s(314, "sched_setattr", {kInt, kPtr, kHex}).Unsupported();
  s(315, "sched_getattr", {kInt, kPtr, kUInt, kHex}).Unsupported();
  s(316, "renameat2", {kFd, kPath, kFd, kPath, kHex}).Emulate(kPartial, "RENAME_NOREPLACE, RENAME_EXCHANGE; RENAME_WHITEOUT: EPERM");
  s(317, "seccomp", {kInt, kHex, kPtr})
      .Unsupported("candidate for passthrough: stacked filters can only restrict");
  s(318, "getrandom", {kBuf, kUInt, kHex}).Emulate(kFull);
  s(319, "memfd_create", {kPath, kHex}).Ret(kFd).Emulate(kPartial, "a tmpfs file the guest can mmap; MFD_HUGETLB EINVAL; file seals not supported (F_ADD_SEALS: EINVAL)");
  s(320, "kexec_file_load", {kFd, kFd, kUInt, kPath, kHex})
      .Refuse(EPERM, "the host kernel cannot be replaced");
  s(321, "bpf", {kInt, kPtr, kUInt}).Refuse(EPERM, "eBPF runs in the host kernel");
  s(322, "execveat", {kFd, kPath, kArgv, kPtr, kAtFlags})
      .Trace(kFull, "the sentry's own ELF loader");
  s(323, "userfaultfd", {kHex}).Refuse(EPERM, "page faults are the host's");
  s(324, "membarrier", {kInt, kHex, kInt}).Unsupported();
  s(325, "mlock2", {kPtr, kUInt, kHex}).Unsupported();
  s(326, "copy_file_range", {kFd, kPtr, kFd, kPtr, kUInt, kHex}).Emulate(kFull, "regular files on any filesystem, through the sentry");
  s(327, "preadv2", {kFd, kPtr, kInt, kInt, kInt, kHex}).Emulate(kPartial, "RWF_* flags ignored");
  s(328, "pwritev2", {kFd, kPtr, kInt, kInt, kInt, kHex}).Emulate(kPartial, "RWF_* flags ignored");
  s(329, "pkey_mprotect", {kPtr, kUInt, kProt, kInt}).Unsupported();
  s(330, "pkey_alloc", {kHex, kHex}).Unsupported();
  s(331, "pkey_free", {kInt}).Unsupported();
  s(332, "statx", {kFd, kPath, kAtFlags, kHex, kPtr}).Emulate(kFull);
  s(333, "io_pgetevents", {kHex, kInt, kInt, kPtr, kPtr, kPtr}).Unsupported(kAio);
  s(334, "rseq", {kPtr, kUInt, kHex, kHex})
      .Refuse(ENOSYS, "optional: glibc runs without restartable sequences when registration fails");

  // --- 424..462 (335..423 are unassigned on x86-64) ------------------------------------
  s(424, "pidfd_send_signal", {kFd, kSignal, kPtr, kHex}).Unsupported();
  s(425, "io_uring_setup", {kUInt, kPtr})
      .Refuse(ENOSYS, "io_uring would bypass the sentry; ENOSYS so libraries fall back");
  s(426, "io_uring_enter", {kFd, kUInt, kUInt, kHex, kPtr, kUInt})
      .Refuse(ENOSYS, "io_uring would bypass the sentry; ENOSYS so libraries fall back");
  s(427, "io_uring_register", {kFd, kUInt, kPtr, kUInt})
      .Refuse(ENOSYS, "io_uring would bypass the sentry; ENOSYS so libraries fall back");
  s(428, "open_tree", {kFd, kPath, kHex}).Ret(kFd).Refuse(EPERM, kMountApi);
  s(429, "move_mount", {kFd, kPath, kFd, kPath, kHex}).Refuse(EPERM, kMountApi);
  s(430, "fsopen", {kPath, kHex}).Ret(kFd).Refuse(EPERM, kMountApi);
  s(431, "fsconfig", {kFd, kUInt, kPath, kPtr, kInt}).Refuse(EPERM, kMountApi);
  s(432, "fsmount", {kFd, kHex, kHex}).Ret(kFd).Refuse(EPERM, kMountApi);
  s(433, "fspick", {kFd, kPath, kHex}).Ret(kFd).Refuse(EPERM, kMountApi);
  s(434, "pidfd_open", {kInt, kHex}).Ret(kFd).Unsupported();
  s(435, "clone3", {kPtr, kUInt})
      .Refuse(ENOSYS, "its flags live in memory the filter cannot check; libc falls back to clone");
  s(436, "close_range", {kFd, kFd, kHex}).Emulate(kFull);
  s(437, "openat2", {kFd, kPath, kPtr, kUInt}).Ret(kFd).Emulate(kFull);
  s(438, "pidfd_getfd", {kFd, kInt, kHex}).Ret(kFd).Unsupported();
  s(439, "faccessat2", {kFd, kPath, kAccessMode, kAtFlags}).Emulate(kFull);
  s(440, "process_madvise", {kFd, kPtr, kUInt, kInt, kHex}).Unsupported();
  s(441, "epoll_pwait2", {kFd, kPtr, kInt, kPtr, kPtr, kUInt}).Emulate(kFull, kCallMask);
  s(442, "mount_setattr", {kFd, kPath, kHex, kPtr, kUInt}).Refuse(EPERM, kMountApi);
  s(443, "quotactl_fd", {kFd, kHex, kInt, kPtr}).Refuse(EPERM, "disk quotas are host-only");
  s(444, "landlock_create_ruleset", {kPtr, kUInt, kHex})
      .Ret(kFd)
      .Refuse(ENOSYS, "Landlock not offered; ENOSYS reads as 'kernel without Landlock'");
  s(445, "landlock_add_rule", {kFd, kInt, kPtr, kHex})
      .Refuse(ENOSYS, "Landlock not offered; ENOSYS reads as 'kernel without Landlock'");
  s(446, "landlock_restrict_self", {kFd, kHex})
      .Refuse(ENOSYS, "Landlock not offered; ENOSYS reads as 'kernel without Landlock'");
  s(447, "memfd_secret", {kHex}).Ret(kFd).Refuse(ENOSYS, "secret memory not offered");
  s(448, "process_mrelease", {kFd, kHex}).Unsupported();
  s(449, "futex_waitv", {kPtr, kUInt, kHex, kPtr, kInt}).Unsupported();
  s(450, "set_mempolicy_home_node", {kPtr, kUInt, kUInt, kHex}).Refuse(EPERM, kNuma);
  s(451, "cachestat", {kFd, kPtr, kPtr, kHex}).Unsupported();
  s(452, "fchmodat2", {kFd, kPath, kMode, kAtFlags}).Emulate(kFull, "as chmod; AT_SYMLINK_NOFOLLOW (symlinks: EOPNOTSUPP), AT_EMPTY_PATH");
  s(453, "map_shadow_stack", {kPtr, kUInt, kHex})
      .Ret(kPtr)
      .Refuse(ENOSYS, "shadow stacks not offered");
  s(454, "futex_wake", {kPtr, kHex, kInt, kHex}).Unsupported();
  s(455, "futex_wait", {kPtr, kHex, kHex, kHex, kPtr, kInt}).Unsupported();
  s(456, "futex_requeue", {kPtr, kHex, kInt, kInt}).Unsupported();
  s(457, "statmount", {kPtr, kPtr, kUInt, kHex}).Unsupported();
  s(458, "listmount", {kPtr, kPtr, kUInt, kHex}).Unsupported();
  s(459, "lsm_get_self_attr", {kUInt, kPtr, kPtr, kHex})
      .Refuse(ENOSYS, "LSM attributes are the host's");
  s(460, "lsm_set_self_attr", {kUInt, kPtr, kUInt, kHex})
      .Refuse(ENOSYS, "LSM attributes are the host's");
  s(461, "lsm_list_modules", {kPtr, kPtr, kHex}).Refuse(ENOSYS, "LSM attributes are the host's");
  s(462, "mseal", {kPtr, kUInt, kHex}).Refuse(ENOSYS, "mappings cannot be sealed (yet)");
  return t;
}

constexpr Table kTable = BuildTable();

constexpr int CountAction(SyscallAction action) {
  int n = 0;
  for (const SyscallEntry& e : kTable) n += (e.name != nullptr && e.action == action);
  return n;
}

constexpr bool RefusalsHaveErrno() {
  for (const SyscallEntry& e : kTable) {
    if (e.name != nullptr && e.action == SyscallAction::kRefuse && e.refuse_errno <= 0) {
      return false;
    }
  }
  return true;
}

constexpr bool IndexIsNumber() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (kTable[i].nr != static_cast<int>(i)) return false;
  }
  return true;
}

// The host surface the guest can reach directly (DESIGN section 1: at most 35).
static_assert(CountAction(SyscallAction::kPassthrough) <= 35);
static_assert(RefusalsHaveErrno());
static_assert(IndexIsNumber());
static_assert(kTable[257].action == SyscallAction::kEmulate);

}  // namespace

absl::Span<const SyscallEntry> SyscallTable() { return absl::MakeConstSpan(kTable); }

const SyscallEntry* LookupSyscall(int64_t nr) {
  if (nr < 0 || nr > kMaxSyscall) return nullptr;
  const SyscallEntry& e = kTable[static_cast<size_t>(nr)];
  return e.name != nullptr ? &e : nullptr;
}

namespace {
bool CheckHolds(const ArgCheck& c, const uint64_t args[6]) {
  const uint64_t a = args[c.arg];
  switch (c.op) {
    case ArgCheck::Op::kNone: return true;
    case ArgCheck::Op::kEq: return a == c.value;
    case ArgCheck::Op::kNe: return a != c.value;
    case ArgCheck::Op::kMaskedEq: return (a & c.mask) == c.value;
    case ArgCheck::Op::kLe: return a <= c.value;
    case ArgCheck::Op::kGe: return a >= c.value;
  }
  return false;
}
}  // namespace

bool PassesThrough(int64_t nr, const uint64_t args[6]) {
  const SyscallEntry* e = LookupSyscall(nr);
  if (e == nullptr || e->action != SyscallAction::kPassthrough) return false;
  for (int r = 0; r < e->nrules; ++r) {
    bool all = true;
    for (const ArgCheck& c : e->rules[r]) all = all && CheckHolds(c, args);
    if (all) return true;
  }
  return e->nrules == 0;
}

const char* SyscallName(int64_t nr) {
  const SyscallEntry* e = LookupSyscall(nr);
  return e != nullptr ? e->name : nullptr;
}

}  // namespace sentry
