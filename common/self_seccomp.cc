// Implementation of self-seccomp: libseccomp program from an allowlist, the SIGSYS reporter
// for the trap mode, and the Markdown rendering. Install runs once per process after set-up.
#include "common/self_seccomp.h"

#include <sys/mman.h>

#include <fmt/format.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sentry::seccomp {
namespace {

struct ScmpRelease {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using ScmpCtx = std::unique_ptr<void, ScmpRelease>;

absl::Status ScmpError(int rc, absl::string_view what) {
  return absl::InternalError(absl::StrCat("self-seccomp: ", what, ": ", strerror(-rc)));
}

scmp_compare CompareOp(ArgCmp::Op op) {
  switch (op) {
    case ArgCmp::Op::kEq:
      return SCMP_CMP_EQ;
    case ArgCmp::Op::kNe:
      return SCMP_CMP_NE;
    case ArgCmp::Op::kMaskedEq:
      return SCMP_CMP_MASKED_EQ;
    case ArgCmp::Op::kLe:
      return SCMP_CMP_LE;
    case ArgCmp::Op::kGe:
      return SCMP_CMP_GE;
  }
  return SCMP_CMP_EQ;
}

// The trap mode's reporter. Async-signal-safe: write(2) and exit_group(2) only, both of which
// every allowlist has.
char g_who[32] = "sentry";

void OnSigsys(int, siginfo_t* info, void*) {
  char msg[96];
  size_t n = 0;
  auto put = [&](const char* s) {
    while (*s && n < sizeof(msg) - 1) msg[n++] = *s++;
  };
  put(g_who);
  put(": seccomp: forbidden syscall ");
  char digits[16];
  int d = 0;
  unsigned v = static_cast<unsigned>(info->si_syscall);
  do {
    digits[d++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v && d < 16);
  while (d > 0 && n < sizeof(msg) - 1) msg[n++] = digits[--d];
  put(" (see SENTRY_SELF_SECCOMP in README)\n");
  ssize_t unused = write(2, msg, n);
  (void)unused;
  syscall(SYS_exit_group, 128 + SIGSYS);
}

}  // namespace

Violation ViolationFromEnv() {
  const char* v = std::getenv("SENTRY_SELF_SECCOMP");
  if (v == nullptr) return Violation::kKill;
  std::string_view s(v);
  if (s == "trap") return Violation::kTrap;
  if (s == "log") return Violation::kLog;
  return Violation::kKill;
}

absl::Status InstallAllowlist(absl::Span<const Rule> rules, Violation violation,
                              const char* who, bool sync_threads) {
  uint32_t deflt = SCMP_ACT_KILL_PROCESS;
  if (violation == Violation::kTrap) deflt = SCMP_ACT_TRAP;
  if (violation == Violation::kLog) deflt = SCMP_ACT_LOG;
  ScmpCtx ctx(seccomp_init(deflt));
  if (!ctx) return absl::InternalError("self-seccomp: seccomp_init failed");
  // i386 (int 0x80) and x32 numbers reach nothing.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc != 0) return ScmpError(rc, "SCMP_FLTATR_ACT_BADARCH");
  // Every call the process makes runs this filter: a binary search over the syscall numbers
  // instead of a chain of comparisons (the sentry's hot calls are ioctl and process_vm_*).
  rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc != 0) return ScmpError(rc, "SCMP_FLTATR_CTL_OPTIMIZE");
  if (sync_threads) {
    rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc != 0) return ScmpError(rc, "SCMP_FLTATR_CTL_TSYNC");
  }
  for (const Rule& r : rules) {
    if (r.nr < 0 || r.checks.size() > 6) {
      return absl::InvalidArgumentError(absl::StrCat("self-seccomp: bad rule for ", r.name));
    }
    scmp_arg_cmp cmps[6];
    unsigned n = 0;
    for (const ArgCmp& c : r.checks) {
      if (c.arg > 5) {
        return absl::InvalidArgumentError(absl::StrCat("self-seccomp: bad arg in ", r.name));
      }
      cmps[n++] = c.op == ArgCmp::Op::kMaskedEq
                      ? scmp_arg_cmp{c.arg, SCMP_CMP_MASKED_EQ, c.mask, c.value}
                      : scmp_arg_cmp{c.arg, CompareOp(c.op), c.value, 0};
    }
    rc = seccomp_rule_add_array(ctx.get(), SCMP_ACT_ALLOW, r.nr, n, cmps);
    if (rc != 0) return ScmpError(rc, absl::StrCat("rule for ", r.name));
  }
  if (violation == Violation::kTrap) {
    std::strncpy(g_who, who, sizeof(g_who) - 1);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = OnSigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, nullptr) != 0) {
      return absl::InternalError(absl::StrCat("self-seccomp: sigaction: ", strerror(errno)));
    }
  }
  rc = seccomp_load(ctx.get());
  if (rc != 0) return ScmpError(rc, "seccomp_load");
  return absl::OkStatus();
}

std::string DescribeCheck(const ArgCmp& c) {
  if (c.what != nullptr && *c.what != '\0') return c.what;
  switch (c.op) {
    case ArgCmp::Op::kEq:
      return fmt::format("arg{} == {:#x}", c.arg, c.value);
    case ArgCmp::Op::kNe:
      return fmt::format("arg{} != {:#x}", c.arg, c.value);
    case ArgCmp::Op::kMaskedEq:
      return fmt::format("(arg{} & {:#x}) == {:#x}", c.arg, c.mask, c.value);
    case ArgCmp::Op::kLe:
      return fmt::format("arg{} <= {:#x}", c.arg, c.value);
    case ArgCmp::Op::kGe:
      return fmt::format("arg{} >= {:#x}", c.arg, c.value);
  }
  return "";
}

std::vector<Rule> RuntimeRules(const char* memory_reason) {
  return {
      {SYS_mmap, "mmap", {NoneOf(2, PROT_EXEC, "prot without PROT_EXEC")}, memory_reason},
      {SYS_mprotect, "mprotect", {NoneOf(2, PROT_EXEC, "prot without PROT_EXEC")}, memory_reason},
      {SYS_munmap, "munmap", {}, memory_reason},
      {SYS_mremap, "mremap", {}, memory_reason},
      {SYS_brk, "brk", {}, memory_reason},
      {SYS_madvise, "madvise", {}, memory_reason},
      {SYS_futex, "futex", {}, "glibc locks"},
      {SYS_rt_sigprocmask, "rt_sigprocmask", {}, "signal masks (glibc, signal handlers)"},
      {SYS_rt_sigreturn, "rt_sigreturn", {}, "return from a signal handler"},
      {SYS_restart_syscall, "restart_syscall", {}, "resume a call a stop interrupted"},
      {SYS_exit, "exit", {}, "thread exit"},
      {SYS_exit_group, "exit_group", {}, "process exit"},
  };
}

std::vector<int> AllowedNumbers(absl::Span<const Rule> rules) {
  std::vector<int> out;
  for (const Rule& r : rules) out.push_back(r.nr);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string AllowlistMarkdown(absl::Span<const Rule> rules) {
  struct Row {
    int nr = 0;
    std::vector<std::string> alternatives;  // empty string: unconditional
    std::vector<std::string> reasons;
  };
  std::map<std::string, Row> rows;
  for (const Rule& r : rules) {
    Row& row = rows[r.name];
    row.nr = r.nr;
    std::string cond;
    for (const ArgCmp& c : r.checks) {
      if (!cond.empty()) cond += " and ";
      cond += DescribeCheck(c);
    }
    row.alternatives.push_back(cond);
    if (std::find(row.reasons.begin(), row.reasons.end(), r.reason) == row.reasons.end()) {
      row.reasons.push_back(r.reason);
    }
  }
  auto cell = [](std::string_view text) {
    std::string out;
    for (char c : text) {
      if (c == '|') out += "\\|";
      else if (c == '\n') out += ' ';
      else out += c;
    }
    return out;
  };
  std::string out = "| syscall | # | allowed when | why |\n|---|---:|---|---|\n";
  for (const auto& [name, row] : rows) {
    std::string when;
    bool always = std::find(row.alternatives.begin(), row.alternatives.end(), "") !=
                  row.alternatives.end();
    if (always) {
      when = "always";
    } else {
      for (const std::string& a : row.alternatives) {
        if (!when.empty()) when += " or ";
        when += row.alternatives.size() > 1 ? "(" + a + ")" : a;
      }
    }
    std::string why;
    for (const std::string& r : row.reasons) {
      if (!why.empty()) why += "; ";
      why += r;
    }
    out += fmt::format("| `{}` | {} | {} | {} |\n", name, row.nr, cell(when), cell(why));
  }
  out += fmt::format("\n{} syscalls.\n", rows.size());
  return out;
}

}  // namespace sentry::seccomp
