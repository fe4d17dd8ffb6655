// Renders the syscall table as the Markdown compatibility table for `sentry syscalls`.
// Owned by the sentry; stateless, any thread may call it.
#include "sentry/syscall_markdown.h"

#include <fmt/format.h>

#include <iterator>
#include <string_view>

#include "sentry/strace_format.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

using Out = std::back_insert_iterator<std::string>;

// Table cells may not contain '|' or line breaks.
void AppendCell(std::string* out, std::string_view text) {
  for (char c : text) {
    if (c == '|') {
      out->append("\\|");
    } else if (c == '\n') {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
}

void AppendCheck(std::string* out, const ArgCheck& c) {
  switch (c.op) {
    case ArgCheck::Op::kEq:
      fmt::format_to(Out(*out), "arg{} == {:#x}", c.arg, c.value);
      break;
    case ArgCheck::Op::kNe:
      fmt::format_to(Out(*out), "arg{} != {:#x}", c.arg, c.value);
      break;
    case ArgCheck::Op::kMaskedEq:
      fmt::format_to(Out(*out), "(arg{} & {:#x}) == {:#x}", c.arg, c.mask, c.value);
      break;
    case ArgCheck::Op::kLe:
      fmt::format_to(Out(*out), "arg{} <= {:#x}", c.arg, c.value);
      break;
    case ArgCheck::Op::kGe:
      fmt::format_to(Out(*out), "arg{} >= {:#x}", c.arg, c.value);
      break;
    case ArgCheck::Op::kNone:
      break;
  }
}

// "passthrough (always)" or "passthrough if (a and b) or (c)".
void AppendPassthrough(std::string* out, const SyscallEntry& e) {
  bool unconditional = false;
  for (int r = 0; r < e.nrules; ++r) {
    bool any = false;
    for (const ArgCheck& c : e.rules[r]) any = any || c.op != ArgCheck::Op::kNone;
    unconditional = unconditional || !any;
  }
  if (unconditional || e.nrules == 0) {
    out->append("passthrough (always)");
    return;
  }
  out->append("passthrough if ");
  for (int r = 0; r < e.nrules; ++r) {
    if (r > 0) out->append(" or ");
    out->push_back('(');
    bool first = true;
    for (const ArgCheck& c : e.rules[r]) {
      if (c.op == ArgCheck::Op::kNone) continue;
      if (!first) out->append(" and ");
      AppendCheck(out, c);
      first = false;
    }
    out->push_back(')');
  }
  out->append(", else emulated");
}

void AppendAction(std::string* out, const SyscallEntry& e) {
  switch (e.action) {
    case SyscallAction::kEmulate:
      out->append("emulated");
      return;
    case SyscallAction::kPassthrough:
      AppendPassthrough(out, e);
      return;
    case SyscallAction::kTrace:
      out->append("traced");
      return;
    case SyscallAction::kRefuse:
      fmt::format_to(Out(*out), "refused ({})", ErrnoName(e.refuse_errno));
      return;
    case SyscallAction::kUnsupported:
      out->append("unsupported (ENOSYS)");
      return;
  }
}

const char* SupportName(SupportLevel s) {
  switch (s) {
    case SupportLevel::kFull:
      return "full";
    case SupportLevel::kPartial:
      return "partial";
    case SupportLevel::kRefused:
      return "refused";
    case SupportLevel::kUnsupported:
      return "unsupported";
  }
  return "?";
}

}  // namespace

std::string SyscallTableMarkdown() {
  std::string out;
  out.reserve(64 * 1024);
  out.append("| # | name | action | support | note |\n");
  out.append("|---:|---|---|---|---|\n");
  int total = 0, emulated = 0, passthrough = 0, traced = 0, refused = 0, unsupported = 0;
  for (const SyscallEntry& e : SyscallTable()) {
    if (e.name == nullptr) continue;
    ++total;
    switch (e.action) {
      case SyscallAction::kEmulate:
        ++emulated;
        break;
      case SyscallAction::kPassthrough:
        ++passthrough;
        break;
      case SyscallAction::kTrace:
        ++traced;
        break;
      case SyscallAction::kRefuse:
        ++refused;
        break;
      case SyscallAction::kUnsupported:
        ++unsupported;
        break;
    }
    fmt::format_to(Out(out), "| {} | {} | ", e.nr, e.name);
    AppendAction(&out, e);
    fmt::format_to(Out(out), " | {} | ", SupportName(e.support));
    AppendCell(&out, e.note != nullptr ? e.note : "");
    out.append(" |\n");
  }
  fmt::format_to(Out(out),
                 "\n{} syscalls: {} emulated, {} passthrough, {} traced, {} refused, "
                 "{} unsupported. Numbers above {} and unassigned numbers are answered "
                 "ENOSYS by the sentry.\n",
                 total, emulated, passthrough, traced, refused, unsupported, kMaxSyscall);
  return out;
}

}  // namespace sentry
