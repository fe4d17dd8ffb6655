// Renders the guest passthrough list, the sentry's and the gofer's allowlists as Markdown
// for the README (scripts/gen_seccomp_docs.sh). Stateless; any thread.
#include "sentry/seccomp_tables.h"

#include "absl/strings/str_cat.h"

#include <fmt/format.h>

#include "absl/strings/str_cat.h"
#include "common/self_seccomp.h"
#include "gofer/gofer_seccomp.h"
#include "sentry/sentry_seccomp.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

seccomp::ArgCmp FromCheck(const ArgCheck& c) {
  seccomp::ArgCmp out;
  out.arg = c.arg;
  out.mask = c.mask;
  out.value = c.value;
  switch (c.op) {
    case ArgCheck::Op::kNe: out.op = seccomp::ArgCmp::Op::kNe; break;
    case ArgCheck::Op::kMaskedEq: out.op = seccomp::ArgCmp::Op::kMaskedEq; break;
    case ArgCheck::Op::kLe: out.op = seccomp::ArgCmp::Op::kLe; break;
    case ArgCheck::Op::kGe: out.op = seccomp::ArgCmp::Op::kGe; break;
    default: out.op = seccomp::ArgCmp::Op::kEq; break;
  }
  return out;
}

// The table's passthrough entries as rules (one per alternative).
std::vector<seccomp::Rule> GuestPassthroughRules() {
  std::vector<seccomp::Rule> out;
  for (const SyscallEntry& e : SyscallTable()) {
    if (e.name == nullptr || e.action != SyscallAction::kPassthrough) continue;
    for (int i = 0; i < std::max<int>(e.nrules, 1); ++i) {
      seccomp::Rule r{e.nr, e.name, {}, e.note};
      if (i < e.nrules) {
        for (const ArgCheck& c : e.rules[i]) {
          if (c.op != ArgCheck::Op::kNone) r.checks.push_back(FromCheck(c));
        }
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace

std::string SeccompTablesMarkdown() {
  std::string out;
  out += "### Guest: passthrough to the host\n\n";
  out += "Generated from the syscall table (`sentry/syscall_table.cc`); every other guest "
         "syscall stops in the sentry, is traced or is refused by the filter "
         "(docs/syscalls.md).\n\n";
  out += seccomp::AllowlistMarkdown(GuestPassthroughRules());
  out += "\n### Guest: run by the host after the sentry saw them\n\n";
  out += "Not in the filter's allowlist: each call reaches the sentry as a user notification "
         "and is then run by the host as issued (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`, "
         "`sentry/handlers_signal.cc`). Other emulated calls do this only in checked cases "
         "(an `mmap` or `close` of a mirror fd, the `read` of a signalfd).\n\n";
  out += "| syscall | # | why |\n|---|---:|---|\n";
  for (const SyscallEntry& e : SyscallTable()) {
    if (e.name == nullptr || !e.runs_on_host) continue;
    out += absl::StrCat("| `", e.name, "` | ", e.nr, " | ", e.note, " |\n");
  }
  out += "\n### Sentry\n\n";
  out += "Installed by the sentry on itself right after it forked the guest init "
         "(`sentry/sentry_seccomp.cc`); anything else kills the sentry.\n\n";
  out += seccomp::AllowlistMarkdown(SentryAllowlist(/*proc_fd=*/4, /*devpts_fd=*/5));
  out += "\n### Gofer\n\n";
  out += "Installed by the gofer on itself once its served directories are open "
         "(`gofer/gofer_seccomp.cc`); anything else kills the gofer.\n\n";
  out += seccomp::AllowlistMarkdown(gofer::GoferAllowlist(/*channel_fd=*/3,
                                                          /*chmod_fallback=*/false));
  return out;
}

}  // namespace sentry
