// Renders the guest passthrough list, the sentry's and the gofer's allowlists as Markdown
// for the README (scripts/gen_seccomp_docs.sh). Stateless; any thread.
#include "sentry/seccomp_tables.h"

#include <fmt/format.h>

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
