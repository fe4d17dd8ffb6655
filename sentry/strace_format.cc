// --strace line formatting, decoded from the syscall table's argument formats.
// Owned by the sentry; stateless apart from constant tables, so any thread may call it.
#include "sentry/strace_format.h"

#include <errno.h>
#include <fmt/format.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "sentry/syscall_table.h"

namespace sentry {
namespace {

constexpr size_t kMaxShown = 64;  // characters of a string or buffer shown
constexpr size_t kMaxArgv = 32;   // argv elements shown
constexpr uint64_t kPageSize = 4096;

// ---- errno names --------------------------------------------------------------------------

struct ErrnoInfo {
  int number;
  const char* name;
};

#define SENTRY_ERRNO(e) \
  ErrnoInfo { e, #e }
constexpr ErrnoInfo kErrnos[] = {
    SENTRY_ERRNO(EPERM),
    SENTRY_ERRNO(ENOENT),
    SENTRY_ERRNO(ESRCH),
    SENTRY_ERRNO(EINTR),
    SENTRY_ERRNO(EIO),
    SENTRY_ERRNO(ENXIO),
    SENTRY_ERRNO(E2BIG),
    SENTRY_ERRNO(ENOEXEC),
    SENTRY_ERRNO(EBADF),
    SENTRY_ERRNO(ECHILD),
    SENTRY_ERRNO(EAGAIN),
    SENTRY_ERRNO(ENOMEM),
    SENTRY_ERRNO(EACCES),
    SENTRY_ERRNO(EFAULT),
    SENTRY_ERRNO(ENOTBLK),
    SENTRY_ERRNO(EBUSY),
    SENTRY_ERRNO(EEXIST),
    SENTRY_ERRNO(EXDEV),
    SENTRY_ERRNO(ENODEV),
    SENTRY_ERRNO(ENOTDIR),
    SENTRY_ERRNO(EISDIR),
    SENTRY_ERRNO(EINVAL),
    SENTRY_ERRNO(ENFILE),
    SENTRY_ERRNO(EMFILE),
    SENTRY_ERRNO(ENOTTY),
    SENTRY_ERRNO(ETXTBSY),
    SENTRY_ERRNO(EFBIG),
    SENTRY_ERRNO(ENOSPC),
    SENTRY_ERRNO(ESPIPE),
    SENTRY_ERRNO(EROFS),
    SENTRY_ERRNO(EMLINK),
    SENTRY_ERRNO(EPIPE),
    SENTRY_ERRNO(EDOM),
    SENTRY_ERRNO(ERANGE),
    SENTRY_ERRNO(EDEADLK),
    SENTRY_ERRNO(ENAMETOOLONG),
    SENTRY_ERRNO(ENOLCK),
    SENTRY_ERRNO(ENOSYS),
    SENTRY_ERRNO(ENOTEMPTY),
    SENTRY_ERRNO(ELOOP),
    SENTRY_ERRNO(ENOMSG),
    SENTRY_ERRNO(EIDRM),
    SENTRY_ERRNO(ECHRNG),
    SENTRY_ERRNO(EL2NSYNC),
    SENTRY_ERRNO(EL3HLT),
    SENTRY_ERRNO(EL3RST),
    SENTRY_ERRNO(ELNRNG),
    SENTRY_ERRNO(EUNATCH),
    SENTRY_ERRNO(ENOCSI),
    SENTRY_ERRNO(EL2HLT),
    SENTRY_ERRNO(EBADE),
    SENTRY_ERRNO(EBADR),
    SENTRY_ERRNO(EXFULL),
    SENTRY_ERRNO(ENOANO),
    SENTRY_ERRNO(EBADRQC),
    SENTRY_ERRNO(EBADSLT),
    SENTRY_ERRNO(EBFONT),
    SENTRY_ERRNO(ENOSTR),
    SENTRY_ERRNO(ENODATA),
    SENTRY_ERRNO(ETIME),
    SENTRY_ERRNO(ENOSR),
    SENTRY_ERRNO(ENONET),
    SENTRY_ERRNO(ENOPKG),
    SENTRY_ERRNO(EREMOTE),
    SENTRY_ERRNO(ENOLINK),
    SENTRY_ERRNO(EADV),
    SENTRY_ERRNO(ESRMNT),
    SENTRY_ERRNO(ECOMM),
    SENTRY_ERRNO(EPROTO),
    SENTRY_ERRNO(EMULTIHOP),
    SENTRY_ERRNO(EDOTDOT),
    SENTRY_ERRNO(EBADMSG),
    SENTRY_ERRNO(EOVERFLOW),
    SENTRY_ERRNO(ENOTUNIQ),
    SENTRY_ERRNO(EBADFD),
    SENTRY_ERRNO(EREMCHG),
    SENTRY_ERRNO(ELIBACC),
    SENTRY_ERRNO(ELIBBAD),
    SENTRY_ERRNO(ELIBSCN),
    SENTRY_ERRNO(ELIBMAX),
    SENTRY_ERRNO(ELIBEXEC),
    SENTRY_ERRNO(EILSEQ),
    SENTRY_ERRNO(ERESTART),
    SENTRY_ERRNO(ESTRPIPE),
    SENTRY_ERRNO(EUSERS),
    SENTRY_ERRNO(ENOTSOCK),
    SENTRY_ERRNO(EDESTADDRREQ),
    SENTRY_ERRNO(EMSGSIZE),
    SENTRY_ERRNO(EPROTOTYPE),
    SENTRY_ERRNO(ENOPROTOOPT),
    SENTRY_ERRNO(EPROTONOSUPPORT),
    SENTRY_ERRNO(ESOCKTNOSUPPORT),
    SENTRY_ERRNO(EOPNOTSUPP),
    SENTRY_ERRNO(EPFNOSUPPORT),
    SENTRY_ERRNO(EAFNOSUPPORT),
    SENTRY_ERRNO(EADDRINUSE),
    SENTRY_ERRNO(EADDRNOTAVAIL),
    SENTRY_ERRNO(ENETDOWN),
    SENTRY_ERRNO(ENETUNREACH),
    SENTRY_ERRNO(ENETRESET),
    SENTRY_ERRNO(ECONNABORTED),
    SENTRY_ERRNO(ECONNRESET),
    SENTRY_ERRNO(ENOBUFS),
    SENTRY_ERRNO(EISCONN),
    SENTRY_ERRNO(ENOTCONN),
    SENTRY_ERRNO(ESHUTDOWN),
    SENTRY_ERRNO(ETOOMANYREFS),
    SENTRY_ERRNO(ETIMEDOUT),
    SENTRY_ERRNO(ECONNREFUSED),
    SENTRY_ERRNO(EHOSTDOWN),
    SENTRY_ERRNO(EHOSTUNREACH),
    SENTRY_ERRNO(EALREADY),
    SENTRY_ERRNO(EINPROGRESS),
    SENTRY_ERRNO(ESTALE),
    SENTRY_ERRNO(EUCLEAN),
    SENTRY_ERRNO(ENOTNAM),
    SENTRY_ERRNO(ENAVAIL),
    SENTRY_ERRNO(EISNAM),
    SENTRY_ERRNO(EREMOTEIO),
    SENTRY_ERRNO(EDQUOT),
    SENTRY_ERRNO(ENOMEDIUM),
    SENTRY_ERRNO(EMEDIUMTYPE),
    SENTRY_ERRNO(ECANCELED),
    SENTRY_ERRNO(ENOKEY),
    SENTRY_ERRNO(EKEYEXPIRED),
    SENTRY_ERRNO(EKEYREVOKED),
    SENTRY_ERRNO(EKEYREJECTED),
    SENTRY_ERRNO(EOWNERDEAD),
    SENTRY_ERRNO(ENOTRECOVERABLE),
    SENTRY_ERRNO(ERFKILL),
    SENTRY_ERRNO(EHWPOISON),
    // Kernel-internal codes (include/linux/errno.h) that a handler may hand to the restart
    // logic; user space never sees them.
    ErrnoInfo{512, "ERESTARTSYS"},
    ErrnoInfo{513, "ERESTARTNOINTR"},
    ErrnoInfo{514, "ERESTARTNOHAND"},
    ErrnoInfo{515, "ENOIOCTLCMD"},
    ErrnoInfo{516, "ERESTART_RESTARTBLOCK"},
    ErrnoInfo{524, "ENOTSUPP"},
};
#undef SENTRY_ERRNO

constexpr int kMaxErrno = 530;

constexpr std::array<const char*, kMaxErrno + 1> BuildErrnoNames() {
  std::array<const char*, kMaxErrno + 1> names{};
  for (const ErrnoInfo& info : kErrnos) names[static_cast<size_t>(info.number)] = info.name;
  return names;
}
constexpr std::array<const char*, kMaxErrno + 1> kErrnoNames = BuildErrnoNames();

const char* ErrnoDescription(int e) {
  switch (e) {
    case 512:
      return "To be restarted if SA_RESTART is set";
    case 513:
      return "To be restarted";
    case 514:
      return "To be restarted if no handler";
    case 515:
      return "Unknown ioctl";
    case 516:
      return "Interrupted by signal";
    case 524:
      return "Operation not supported";
    default:
      return strerrordesc_np(e);  // glibc >= 2.32; static text, thread-safe
  }
}

// ---- output helpers ----------------------------------------------------------------------

using Out = std::back_insert_iterator<std::string>;

void AppendHex(std::string* out, uint64_t v) {
  if (v == 0) {
    out->push_back('0');
  } else {
    fmt::format_to(Out(*out), "{:#x}", v);
  }
}

void AppendOctal(std::string* out, uint64_t v) {
  if (v == 0) {
    out->push_back('0');
  } else {
    fmt::format_to(Out(*out), "0{:o}", v);
  }
}

struct FlagName {
  uint64_t bits;
  const char* name;
};

// Names of the set bits joined by '|', leftover bits as hex; `zero` when v == 0.
void AppendFlags(std::string* out, uint64_t v, std::span<const FlagName> names,
                 const char* zero = "0") {
  if (v == 0) {
    out->append(zero);
    return;
  }
  bool first = true;
  for (const FlagName& f : names) {
    if (f.bits != 0 && (v & f.bits) == f.bits) {
      if (!first) out->push_back('|');
      out->append(f.name);
      first = false;
      v &= ~f.bits;
    }
  }
  if (v != 0) {
    if (!first) out->push_back('|');
    AppendHex(out, v);
  }
}

// Appends `data` quoted and escaped the way strace does; "..." when truncated.
void AppendQuoted(std::string* out, const char* data, size_t n, bool truncated) {
  out->push_back('"');
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(data[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\v':
        out->append("\\v");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      default:
        break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out->push_back(static_cast<char>(c));
      continue;
    }
    // Octal, as short as possible unless the next character is an octal digit.
    bool next_is_digit = i + 1 < n && data[i + 1] >= '0' && data[i + 1] <= '7';
    if (next_is_digit) {
      fmt::format_to(Out(*out), "\\{:03o}", c);
    } else {
      fmt::format_to(Out(*out), "\\{:o}", c);
    }
  }
  out->push_back('"');
  if (truncated) out->append("...");
}

// Reads up to `max` bytes at `addr` in chunks that never cross a page boundary, so that a
// readable prefix is still shown; a chunk that faults is retried byte by byte to find where
// the readable part ends. Stops after a NUL when `stop_at_nul`. Returns the bytes read.
size_t ReadGuest(const ReadGuestFn& read_guest, uint64_t addr, char* buf, size_t max,
                 bool stop_at_nul) {
  constexpr size_t kChunk = 32;
  if (!read_guest) return 0;
  size_t done = 0;
  while (done < max) {
    uint64_t at = addr + done;
    if (at < addr) break;  // wrapped around the address space
    size_t chunk = std::min<uint64_t>({max - done, kChunk, kPageSize - (at % kPageSize)});
    size_t got = 0;
    if (read_guest(at, buf + done, chunk)) {
      got = chunk;
    } else {
      while (got < chunk && read_guest(at + got, buf + done + got, 1)) ++got;
    }
    if (stop_at_nul) {
      const void* nul = memchr(buf + done, 0, got);
      if (nul != nullptr) return static_cast<size_t>(static_cast<const char*>(nul) - buf) + 1;
    }
    done += got;
    if (got < chunk) break;  // fault
  }
  return done;
}

// A NUL-terminated guest string, quoted; NULL or hex when it cannot be read.
void AppendGuestString(std::string* out, uint64_t addr, const ReadGuestFn& read_guest) {
  if (addr == 0) {
    out->append("NULL");
    return;
  }
  char buf[kMaxShown + 1];
  size_t n = ReadGuest(read_guest, addr, buf, sizeof(buf), /*stop_at_nul=*/true);
  if (n == 0) {
    AppendHex(out, addr);
    return;
  }
  bool has_nul = buf[n - 1] == '\0';
  size_t len = has_nul ? n - 1 : std::min(n, kMaxShown);
  AppendQuoted(out, buf, len, /*truncated=*/!has_nul);
}

// A guest buffer of `len` bytes, quoted; hex when it cannot be read.
void AppendGuestBuffer(std::string* out, uint64_t addr, uint64_t len,
                       const ReadGuestFn& read_guest) {
  if (len == 0) {
    out->append("\"\"");
    return;
  }
  if (addr == 0) {
    out->append("NULL");
    return;
  }
  char buf[kMaxShown];
  size_t want = std::min<uint64_t>(len, kMaxShown);
  size_t n = ReadGuest(read_guest, addr, buf, want, /*stop_at_nul=*/false);
  if (n == 0) {
    AppendHex(out, addr);
    return;
  }
  AppendQuoted(out, buf, n, /*truncated=*/n < len);
}

void AppendArgv(std::string* out, uint64_t addr, const ReadGuestFn& read_guest) {
  if (addr == 0) {
    out->append("NULL");
    return;
  }
  out->push_back('[');
  for (size_t i = 0;; ++i) {
    uint64_t ptr;
    if (ReadGuest(read_guest, addr + i * sizeof(ptr), reinterpret_cast<char*>(&ptr), sizeof(ptr),
                  /*stop_at_nul=*/false) != sizeof(ptr)) {
      if (i == 0) {
        out->pop_back();
        AppendHex(out, addr);
        return;
      }
      out->append(", ...");
      break;
    }
    if (ptr == 0) break;
    if (i == kMaxArgv) {
      out->append(", ...");
      break;
    }
    if (i > 0) out->append(", ");
    AppendGuestString(out, ptr, read_guest);
  }
  out->push_back(']');
}

// ---- flag tables (x86-64 kernel ABI values) ----------------------------------------------

constexpr FlagName kOpenFlagNames[] = {
    {020200000, "O_TMPFILE"},  // before O_DIRECTORY, which it includes
    {04010000, "O_SYNC"},      // before O_DSYNC, which it includes
    {0100, "O_CREAT"},        {0200, "O_EXCL"},         {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},       {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},
    {010000, "O_DSYNC"},      {020000, "O_ASYNC"},      {040000, "O_DIRECT"},
    {0100000, "O_LARGEFILE"}, {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},  {02000000, "O_CLOEXEC"},  {010000000, "O_PATH"},
};

void AppendOpenFlags(std::string* out, uint64_t v) {
  static constexpr const char* kAccess[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
  out->append(kAccess[v & 3]);
  uint64_t rest = v & ~uint64_t{3};
  if (rest != 0) {
    out->push_back('|');
    AppendFlags(out, rest, kOpenFlagNames);
  }
}

constexpr FlagName kAtFlagNames[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},   {0x400, "AT_SYMLINK_FOLLOW"},
    {0x800, "AT_NO_AUTOMOUNT"},     {0x1000, "AT_EMPTY_PATH"}, {0x2000, "AT_STATX_FORCE_SYNC"},
    {0x4000, "AT_STATX_DONT_SYNC"}, {0x8000, "AT_RECURSIVE"},
};
constexpr FlagName kAccessAtFlagNames[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"},
    {0x200, "AT_EACCESS"},
    {0x1000, "AT_EMPTY_PATH"},
};

constexpr FlagName kProtNames[] = {
    {0x1, "PROT_READ"},
    {0x2, "PROT_WRITE"},
    {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
};

constexpr FlagName kMapFlagNames[] = {
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
    {0x4000000, "MAP_UNINITIALIZED"},
};

void AppendMapFlags(std::string* out, uint64_t v) {
  static constexpr const char* kType[] = {"0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"};
  uint64_t rest = v & ~uint64_t{3};
  if ((v & 3) == 0 && rest != 0) {
    AppendFlags(out, rest, kMapFlagNames);
    return;
  }
  out->append(kType[v & 3]);
  if (rest != 0) {
    out->push_back('|');
    AppendFlags(out, rest, kMapFlagNames);
  }
}

constexpr const char* kSignalNames[] = {
    nullptr,     "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

void AppendSignal(std::string* out, uint64_t v) {
  int sig = static_cast<int>(static_cast<int32_t>(v));
  if (sig > 0 && sig < 32) {
    out->append(kSignalNames[sig]);
  } else if (sig >= 32 && sig <= 64) {
    fmt::format_to(Out(*out), "SIGRT_{}", sig - 32);
  } else {
    fmt::format_to(Out(*out), "{}", sig);
  }
}

constexpr FlagName kCloneFlagNames[] = {
    {0x100, "CLONE_VM"},
    {0x200, "CLONE_FS"},
    {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},
    {0x1000, "CLONE_PIDFD"},
    {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},
    {0x8000, "CLONE_PARENT"},
    {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},
    {0x40000, "CLONE_SYSVSEM"},
    {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"},
    {0x200000, "CLONE_CHILD_CLEARTID"},
    {0x400000, "CLONE_DETACHED"},
    {0x800000, "CLONE_UNTRACED"},
    {0x1000000, "CLONE_CHILD_SETTID"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
    {0x100000000, "CLONE_CLEAR_SIGHAND"},
    {0x200000000, "CLONE_INTO_CGROUP"},
};

void AppendCloneFlags(std::string* out, int64_t nr, uint64_t v) {
  if (nr != SYS_clone) {
    // unshare/setns: the low byte has no exit signal; 0x80 is CLONE_NEWTIME there.
    if ((v & 0x80) != 0) {
      out->append("CLONE_NEWTIME");
      v &= ~uint64_t{0x80};
      if (v == 0) return;
      out->push_back('|');
    }
    AppendFlags(out, v, kCloneFlagNames);
    return;
  }
  uint64_t sig = v & 0xff;
  uint64_t flags = v & ~uint64_t{0xff};
  if (flags != 0) AppendFlags(out, flags, kCloneFlagNames);
  if (sig != 0) {
    if (flags != 0) out->push_back('|');
    AppendSignal(out, sig);
  } else if (flags == 0) {
    out->push_back('0');
  }
}

void AppendWhence(std::string* out, uint64_t v) {
  static constexpr const char* kNames[] = {"SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA",
                                           "SEEK_HOLE"};
  uint32_t w = static_cast<uint32_t>(v);
  if (w < std::size(kNames)) {
    out->append(kNames[w]);
  } else {
    fmt::format_to(Out(*out), "{}", static_cast<int32_t>(w));
  }
}

#define SENTRY_NAMED(x) \
  FlagName { static_cast<uint64_t>(x), #x }
constexpr FlagName kIoctlNames[] = {
    SENTRY_NAMED(TCGETS),
    SENTRY_NAMED(TCSETS),
    SENTRY_NAMED(TCSETSW),
    SENTRY_NAMED(TCSETSF),
    SENTRY_NAMED(TCGETA),
    SENTRY_NAMED(TCSETA),
    SENTRY_NAMED(TCSETAW),
    SENTRY_NAMED(TCSETAF),
    SENTRY_NAMED(TCSBRK),
    SENTRY_NAMED(TCXONC),
    SENTRY_NAMED(TCFLSH),
    SENTRY_NAMED(TIOCEXCL),
    SENTRY_NAMED(TIOCNXCL),
    SENTRY_NAMED(TIOCSCTTY),
    SENTRY_NAMED(TIOCGPGRP),
    SENTRY_NAMED(TIOCSPGRP),
    SENTRY_NAMED(TIOCOUTQ),
    SENTRY_NAMED(TIOCSTI),
    SENTRY_NAMED(TIOCGWINSZ),
    SENTRY_NAMED(TIOCSWINSZ),
    SENTRY_NAMED(TIOCMGET),
    SENTRY_NAMED(TIOCMSET),
    SENTRY_NAMED(FIONREAD),
    SENTRY_NAMED(TIOCLINUX),
    SENTRY_NAMED(TIOCCONS),
    SENTRY_NAMED(FIONBIO),
    SENTRY_NAMED(TIOCNOTTY),
    SENTRY_NAMED(TIOCGSID),
    {0x802c542a, "TCGETS2"},
    {0x402c542b, "TCSETS2"},
    SENTRY_NAMED(TIOCGPTN),
    SENTRY_NAMED(TIOCSPTLCK),
    SENTRY_NAMED(TIOCGPTPEER),
    SENTRY_NAMED(FIONCLEX),
    SENTRY_NAMED(FIOCLEX),
    SENTRY_NAMED(FIOASYNC),
    SENTRY_NAMED(TIOCGLCKTRMIOS),
    SENTRY_NAMED(TIOCSLCKTRMIOS),
    SENTRY_NAMED(FIOQSIZE),
    {0x80086601, "FS_IOC_GETFLAGS"},
    {0x40086602, "FS_IOC_SETFLAGS"},
    {0x40049409, "FICLONE"},
    {0x8008667e, "FS_IOC_GETVERSION"},
};

// fcntl commands (kernel values; glibc remaps some of them for 32-bit callers).
constexpr FlagName kFcntlNames[] = {
    {0, "F_DUPFD"},
    {1, "F_GETFD"},
    {2, "F_SETFD"},
    {3, "F_GETFL"},
    {4, "F_SETFL"},
    {5, "F_GETLK"},
    {6, "F_SETLK"},
    {7, "F_SETLKW"},
    {8, "F_SETOWN"},
    {9, "F_GETOWN"},
    {10, "F_SETSIG"},
    {11, "F_GETSIG"},
    {15, "F_SETOWN_EX"},
    {16, "F_GETOWN_EX"},
    {17, "F_GETOWNER_UIDS"},
    {36, "F_OFD_GETLK"},
    {37, "F_OFD_SETLK"},
    {38, "F_OFD_SETLKW"},
    {1024, "F_SETLEASE"},
    {1025, "F_GETLEASE"},
    {1026, "F_NOTIFY"},
    {1030, "F_DUPFD_CLOEXEC"},
    {1031, "F_SETPIPE_SZ"},
    {1032, "F_GETPIPE_SZ"},
    {1033, "F_ADD_SEALS"},
    {1034, "F_GET_SEALS"},
    {1035, "F_GET_RW_HINT"},
    {1036, "F_SET_RW_HINT"},
    {1037, "F_GET_FILE_RW_HINT"},
    {1038, "F_SET_FILE_RW_HINT"},
};
#undef SENTRY_NAMED

// One exact value out of `names`, or the fallback format.
void AppendEnum(std::string* out, uint64_t v, std::span<const FlagName> names, bool hex) {
  for (const FlagName& f : names) {
    if (f.bits == v) {
      out->append(f.name);
      return;
    }
  }
  if (hex) {
    AppendHex(out, v);
  } else {
    fmt::format_to(Out(*out), "{}", static_cast<int64_t>(v));
  }
}

void AppendAccessMode(std::string* out, uint64_t v) {
  static constexpr FlagName kNames[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};
  AppendFlags(out, v, kNames, "F_OK");
}

bool IsError(int64_t ret) { return ret < 0 && ret >= -4095; }

// Syscalls whose kBuf argument is filled by the kernel: its length is the result.
bool IsOutputBuffer(int64_t nr) {
  switch (nr) {
    case SYS_read:
    case SYS_pread64:
    case SYS_recvfrom:
    case SYS_readlink:
    case SYS_readlinkat:
    case SYS_getrandom:
    case SYS_mq_timedreceive:
      return true;
    default:
      return false;
  }
}

void AppendArg(std::string* out, const SyscallEntry& e, int i, std::span<const uint64_t, 6> args,
               int64_t ret, const ReadGuestFn& read_guest) {
  uint64_t v = args[static_cast<size_t>(i)];
  switch (e.args[i]) {
    case ArgFormat::kNone:
    case ArgFormat::kHex:
      AppendHex(out, v);
      return;
    case ArgFormat::kInt:
      fmt::format_to(Out(*out), "{}", static_cast<int64_t>(v));
      return;
    case ArgFormat::kUInt:
      fmt::format_to(Out(*out), "{}", v);
      return;
    case ArgFormat::kPtr:
      if (v == 0) {
        out->append("NULL");
      } else {
        AppendHex(out, v);
      }
      return;
    case ArgFormat::kFd: {
      int32_t fd = static_cast<int32_t>(v);
      if (fd == -100) {
        out->append("AT_FDCWD");
      } else {
        fmt::format_to(Out(*out), "{}", fd);
      }
      return;
    }
    case ArgFormat::kPath:
      AppendGuestString(out, v, read_guest);
      return;
    case ArgFormat::kBuf: {
      if (e.nr == SYS_getcwd) {  // filled with a NUL-terminated path
        if (IsError(ret)) {
          AppendHex(out, v);
        } else {
          AppendGuestString(out, v, read_guest);
        }
        return;
      }
      uint64_t len = i + 1 < 6 ? args[static_cast<size_t>(i) + 1] : 0;
      if (IsOutputBuffer(e.nr)) {
        if (IsError(ret)) {
          AppendHex(out, v);
          return;
        }
        len = std::min(len, static_cast<uint64_t>(ret));
      }
      AppendGuestBuffer(out, v, len, read_guest);
      return;
    }
    case ArgFormat::kOpenFlags:
      AppendOpenFlags(out, v);
      return;
    case ArgFormat::kMode:
      AppendOctal(out, v);
      return;
    case ArgFormat::kAtFlags:
      if (e.nr == SYS_faccessat || e.nr == SYS_faccessat2) {
        AppendFlags(out, v, kAccessAtFlagNames);
      } else {
        AppendFlags(out, v, kAtFlagNames);
      }
      return;
    case ArgFormat::kProt:
      AppendFlags(out, v, kProtNames, "PROT_NONE");
      return;
    case ArgFormat::kMapFlags:
      AppendMapFlags(out, v);
      return;
    case ArgFormat::kSignal:
      AppendSignal(out, v);
      return;
    case ArgFormat::kCloneFlags:
      AppendCloneFlags(out, e.nr, v);
      return;
    case ArgFormat::kWhence:
      AppendWhence(out, v);
      return;
    case ArgFormat::kIoctlCmd:
      AppendEnum(out, static_cast<uint32_t>(v), kIoctlNames, /*hex=*/true);
      return;
    case ArgFormat::kFcntlCmd:
      AppendEnum(out, static_cast<uint32_t>(v), kFcntlNames, /*hex=*/false);
      return;
    case ArgFormat::kAccessMode:
      AppendAccessMode(out, v);
      return;
    case ArgFormat::kArgv:
      AppendArgv(out, v, read_guest);
      return;
  }
  AppendHex(out, v);
}

void AppendReturn(std::string* out, ArgFormat format, int64_t ret) {
  if (IsError(ret)) {
    int e = static_cast<int>(-ret);
    const char* desc = ErrnoDescription(e);
    if (desc != nullptr) {
      fmt::format_to(Out(*out), "-1 {} ({})", ErrnoName(e), desc);
    } else {
      fmt::format_to(Out(*out), "-1 {} (Unknown error {})", ErrnoName(e), e);
    }
    return;
  }
  switch (format) {
    case ArgFormat::kHex:
    case ArgFormat::kPtr:
      AppendHex(out, static_cast<uint64_t>(ret));
      return;
    case ArgFormat::kUInt:
      fmt::format_to(Out(*out), "{}", static_cast<uint64_t>(ret));
      return;
    case ArgFormat::kMode:
      AppendOctal(out, static_cast<uint64_t>(ret));
      return;
    default:
      fmt::format_to(Out(*out), "{}", ret);
      return;
  }
}

}  // namespace

const char* ErrnoName(int e) {
  if (e > 0 && e <= kMaxErrno && kErrnoNames[static_cast<size_t>(e)] != nullptr) {
    return kErrnoNames[static_cast<size_t>(e)];
  }
  return "EUNKNOWN";
}

void AppendStraceLine(int64_t nr, std::span<const uint64_t, 6> args, int64_t ret,
                      const ReadGuestFn& read_guest, std::string* out) {
  const SyscallEntry* e = LookupSyscall(nr);
  if (e == nullptr) {
    fmt::format_to(Out(*out), "syscall_{}(", nr);
    for (size_t i = 0; i < 6; ++i) {
      if (i > 0) out->append(", ");
      AppendHex(out, args[i]);
    }
  } else {
    out->append(e->name);
    out->push_back('(');
    for (int i = 0; i < e->nargs; ++i) {
      if (i > 0) out->append(", ");
      AppendArg(out, *e, i, args, ret, read_guest);
    }
  }
  out->append(") = ");
  AppendReturn(out, e != nullptr ? e->ret : ArgFormat::kInt, ret);
}

std::string FormatStraceLine(int64_t nr, std::span<const uint64_t, 6> args, int64_t ret,
                             const ReadGuestFn& read_guest) {
  std::string out;
  out.reserve(256);
  AppendStraceLine(nr, args, ret, read_guest, &out);
  return out;
}

}  // namespace sentry
