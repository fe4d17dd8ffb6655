// Self-seccomp: a declarative allowlist ({syscall, argument checks, reason}) that a sentry
// process (the sentry, the gofer) installs on itself with libseccomp once set-up is done, and
// renders as a Markdown table for the README. Install on the thread that then does the work.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace sentry::seccomp {

// One condition on a syscall argument register (all conditions of a rule must hold).
struct ArgCmp {
  enum class Op : uint8_t { kEq, kNe, kMaskedEq, kLe, kGe };
  uint8_t arg = 0;  // 0..5
  Op op = Op::kEq;
  uint64_t mask = 0;  // for kMaskedEq
  uint64_t value = 0;
  const char* what = "";  // how the docs show it, e.g. "dirfd == the /proc fd"; empty: derived
};

inline ArgCmp Eq(uint8_t arg, uint64_t v, const char* what = "") {
  return {arg, ArgCmp::Op::kEq, 0, v, what};
}
// (arg & mask) == v
inline ArgCmp Masked(uint8_t arg, uint64_t mask, uint64_t v, const char* what = "") {
  return {arg, ArgCmp::Op::kMaskedEq, mask, v, what};
}
// The low 32 bits (an int argument) hold none of `bits`.
inline ArgCmp NoneOf(uint8_t arg, uint64_t bits, const char* what = "") {
  return {arg, ArgCmp::Op::kMaskedEq, bits, 0, what};
}

// A syscall allowed when every check holds (no checks: always). Several rules for one
// syscall are alternatives (OR).
struct Rule {
  int nr = -1;
  const char* name = "";
  std::vector<ArgCmp> checks;
  const char* reason = "";
};

// What a syscall outside the list does.
enum class Violation {
  kKill,  // SECCOMP_RET_KILL_PROCESS (the default)
  kTrap,  // SIGSYS: a handler writes "<who>: seccomp: forbidden syscall N" to stderr, then dies
  kLog,   // SECCOMP_RET_LOG: allowed, but the kernel's audit log records it (to find the set)
};

// kKill unless SENTRY_SELF_SECCOMP says "trap" or "log" (a developer's switch; the guest has
// no way to set the sentry's environment).
Violation ViolationFromEnv();

// Installs `rules` on the calling thread (and, with sync_threads, on all threads of the
// process), with no_new_privs. Fails without installing anything when a rule is malformed.
// `who` names the process in the kTrap message.
absl::Status InstallAllowlist(absl::Span<const Rule> rules, Violation violation,
                              const char* who, bool sync_threads = false);

// One Markdown table: | syscall | allowed when | why |, one row per syscall (alternatives
// joined with "or"), sorted by name.
std::string AllowlistMarkdown(absl::Span<const Rule> rules);

// "arg2 & 0x3 == 0"-style text of one check (its `what` when given).
std::string DescribeCheck(const ArgCmp& c);

// The C runtime every locked-down process needs: memory (never executable), futex, signal
// return and masks, restart_syscall, thread and process exit. `memory_reason` says what the
// process maps memory for.
std::vector<Rule> RuntimeRules(const char* memory_reason);

// Sorted, de-duplicated syscall numbers of `rules`.
std::vector<int> AllowedNumbers(absl::Span<const Rule> rules);

}  // namespace sentry::seccomp
