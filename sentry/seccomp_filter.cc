// Generates the guest's seccomp filter from the syscall table (libseccomp, exported as BPF).
// Owned by the sentry; runs once at start-up on the sentry's main thread.
#include "sentry/seccomp_filter.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "common/unique_fd.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

struct ScmpRelease {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using ScmpCtx = std::unique_ptr<void, ScmpRelease>;

absl::Status ScmpError(int rc, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(-rc)));
}

scmp_compare CompareOp(ArgCheck::Op op) {
  switch (op) {
    case ArgCheck::Op::kEq:
      return SCMP_CMP_EQ;
    case ArgCheck::Op::kNe:
      return SCMP_CMP_NE;
    case ArgCheck::Op::kMaskedEq:
      return SCMP_CMP_MASKED_EQ;
    case ArgCheck::Op::kLe:
      return SCMP_CMP_LE;
    case ArgCheck::Op::kGe:
      return SCMP_CMP_GE;
    case ArgCheck::Op::kNone:
      break;
  }
  return _SCMP_CMP_MIN;  // invalid: libseccomp rejects it
}

absl::Status AddPassthroughRules(scmp_filter_ctx ctx, const SyscallEntry& e) {
  if (e.nrules == 0) {
    return absl::InternalError(absl::StrCat("passthrough syscall ", e.name, " has no rule"));
  }
  for (int r = 0; r < e.nrules; ++r) {
    scmp_arg_cmp cmps[3] = {};
    unsigned int n = 0;
    for (const ArgCheck& check : e.rules[r]) {
      if (check.op == ArgCheck::Op::kNone) continue;
      cmps[n].arg = check.arg;
      cmps[n].op = CompareOp(check.op);
      if (check.op == ArgCheck::Op::kMaskedEq) {
        cmps[n].datum_a = check.mask;
        cmps[n].datum_b = check.value;
      } else {
        cmps[n].datum_a = check.value;
      }
      ++n;
    }
    int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, e.nr, n, n > 0 ? cmps : nullptr);
    if (rc < 0) return ScmpError(rc, absl::StrCat("allow rule ", r, " for ", e.name));
  }
  return absl::OkStatus();
}

absl::Status AddEntry(scmp_filter_ctx ctx, const SyscallEntry& e) {
  int rc = 0;
  switch (e.action) {
    case SyscallAction::kEmulate:
    case SyscallAction::kUnsupported:
      return absl::OkStatus();  // the default action (user notification)
    case SyscallAction::kPassthrough:
      return AddPassthroughRules(ctx, e);
    case SyscallAction::kTrace:
      rc = seccomp_rule_add_array(ctx, SCMP_ACT_TRACE(0), e.nr, 0, nullptr);
      break;
    case SyscallAction::kRefuse:
      if (e.refuse_errno <= 0) {
        return absl::InternalError(absl::StrCat("refused syscall ", e.name, " has no errno"));
      }
      rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(static_cast<uint32_t>(e.refuse_errno)), e.nr,
                                  0, nullptr);
      break;
  }
  if (rc < 0) return ScmpError(rc, absl::StrCat("rule for ", e.name));
  return absl::OkStatus();
}

// libseccomp only writes BPF to an fd; a memfd gives it back without touching the filesystem.
absl::StatusOr<std::vector<sock_filter>> ExportBpf(scmp_filter_ctx ctx) {
  UniqueFd mem(memfd_create("sentry-guest-filter", MFD_CLOEXEC));
  if (!mem) return absl::ErrnoToStatus(errno, "memfd_create for the guest filter");
  int rc = seccomp_export_bpf(ctx, mem.get());
  if (rc < 0) return ScmpError(rc, "seccomp_export_bpf");
  struct stat st;
  if (fstat(mem.get(), &st) != 0) return absl::ErrnoToStatus(errno, "fstat of the filter memfd");
  size_t size = static_cast<size_t>(st.st_size);
  if (size == 0 || size % sizeof(sock_filter) != 0 || size / sizeof(sock_filter) > BPF_MAXINSNS) {
    return absl::InternalError(absl::StrCat("exported guest filter has a bad size: ", size));
  }
  std::vector<sock_filter> prog(size / sizeof(sock_filter));
  size_t done = 0;
  auto* bytes = reinterpret_cast<char*>(prog.data());
  while (done < size) {
    ssize_t n = pread(mem.get(), bytes + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "reading back the guest filter");
    if (n == 0) return absl::InternalError("guest filter memfd shorter than its size");
    done += static_cast<size_t>(n);
  }
  return prog;
}

}  // namespace

absl::StatusOr<std::vector<sock_filter>> BuildGuestFilter(bool notify_refused,
                                                          bool notify_passthrough) {
  ScmpCtx ctx(seccomp_init(SCMP_ACT_NOTIFY));
  if (ctx == nullptr) {
    return absl::InternalError(
        "seccomp_init(SCMP_ACT_NOTIFY) failed (kernel without "
        "SECCOMP_RET_USER_NOTIF, or already under a filter?)");
  }
  // Any other architecture (i386 through int 0x80) kills the process; libseccomp also sends
  // x32 numbers (nr | __X32_SYSCALL_BIT) on x86-64 to this action since x32 is not in the
  // filter.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc < 0) return ScmpError(rc, "setting the bad-architecture action");
  // A binary search over syscall numbers instead of a linear chain of comparisons.
  rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc < 0) return ScmpError(rc, "enabling binary-tree optimisation");

  for (const SyscallEntry& e : SyscallTable()) {
    if (e.name == nullptr) continue;
    if (notify_refused && e.action == SyscallAction::kRefuse) continue;  // the default: notify
    if (notify_passthrough && e.action == SyscallAction::kPassthrough) continue;
    RETURN_IF_ERROR(AddEntry(ctx.get(), e));
  }
  return ExportBpf(ctx.get());
}

std::vector<int> PassthroughSyscalls() {
  std::vector<int> out;
  for (const SyscallEntry& e : SyscallTable()) {
    if (e.name != nullptr && e.action == SyscallAction::kPassthrough) out.push_back(e.nr);
  }
  return out;
}

}  // namespace sentry
