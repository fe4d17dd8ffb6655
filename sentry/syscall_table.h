// The single syscall table: one entry per x86-64 syscall number with its name, how the
// sentry treats it (emulate / pass through with argument checks / trace / refuse), support
// level, argument formats for --strace, and a note. The guest seccomp filter, --strace and
// `sentry syscalls` are all generated from it. Immutable after start-up; any thread may read.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/types/span.h"

namespace sentry {

// What the guest's seccomp filter does with the syscall.
enum class SyscallAction : uint8_t {
  kEmulate,      // SECCOMP_RET_USER_NOTIF: answered by a sentry handler
  kPassthrough,  // SECCOMP_RET_ALLOW when every ArgCheck holds; otherwise USER_NOTIF
  kTrace,        // SECCOMP_RET_TRACE: needs a ptrace stop (execve, execveat)
  kRefuse,       // SECCOMP_RET_ERRNO(refuse_errno) in the filter itself, never reaches the sentry
  kUnsupported,  // USER_NOTIF; the sentry answers ENOSYS and logs once by name
};

enum class SupportLevel : uint8_t { kFull, kPartial, kRefused, kUnsupported };

// How --strace prints one argument (or the return value).
enum class ArgFormat : uint8_t {
  kNone,       // argument not used
  kInt,        // signed decimal
  kUInt,       // unsigned decimal
  kHex,        // 0x...
  kPtr,        // pointer: 0x... or NULL
  kFd,         // fd number, AT_FDCWD by name
  kPath,       // NUL-terminated guest string, quoted (truncated to 64 chars)
  kBuf,        // guest buffer whose length is the next argument (or the result, for reads)
  kOpenFlags,  // O_RDONLY|O_CLOEXEC|...
  kMode,       // octal
  kAtFlags,    // AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH|...
  kProt,       // PROT_READ|...
  kMapFlags,   // MAP_PRIVATE|MAP_ANONYMOUS|...
  kSignal,     // SIGINT...
  kCloneFlags, // CLONE_VM|...
  kWhence,     // SEEK_SET...
  kIoctlCmd,   // TCGETS... or hex
  kFcntlCmd,   // F_GETFL...
  kAccessMode, // R_OK|W_OK|X_OK or F_OK
  kArgv,       // NULL-terminated array of guest strings
};

// One argument condition for a passthrough rule (all conditions of a rule must hold).
struct ArgCheck {
  enum class Op : uint8_t { kNone, kEq, kNe, kMaskedEq, kLe, kGe };
  uint8_t arg = 0;       // 0..5
  Op op = Op::kNone;
  uint64_t mask = 0;     // for kMaskedEq
  uint64_t value = 0;
};

struct SyscallEntry {
  int nr = -1;
  const char* name = nullptr;
  SyscallAction action = SyscallAction::kUnsupported;
  SupportLevel support = SupportLevel::kUnsupported;
  uint8_t nargs = 0;
  ArgFormat args[6] = {};
  ArgFormat ret = ArgFormat::kInt;
  // Passthrough: the syscall is allowed when ANY of the rules holds (each rule is an AND of
  // up to 3 checks; a rule with no checks allows unconditionally). Otherwise USER_NOTIF.
  ArgCheck rules[4][3] = {};
  uint8_t nrules = 0;
  int refuse_errno = 0;       // for kRefuse
  // kEmulate whose handler always lets the host run the call after the sentry saw it
  // (SECCOMP_USER_NOTIF_FLAG_CONTINUE): host surface reached through the sentry.
  bool runs_on_host = false;
  const char* note = "";      // one line for the compatibility table
};

// Highest x86-64 syscall number covered (inclusive).
inline constexpr int kMaxSyscall = 462;

// The table, indexed by number; entries for unassigned numbers have name == nullptr.
absl::Span<const SyscallEntry> SyscallTable();
// Entry for `nr`, or nullptr when nr is out of range or unassigned.
const SyscallEntry* LookupSyscall(int64_t nr);
// Name for `nr` ("syscall_NNN" style is the caller's business when this returns nullptr).
const char* SyscallName(int64_t nr);
// Whether the guest filter lets this call with these arguments straight through to the
// host (a passthrough entry one of whose rules holds): the filter's decision, evaluated.
bool PassesThrough(int64_t nr, const uint64_t args[6]);

}  // namespace sentry
