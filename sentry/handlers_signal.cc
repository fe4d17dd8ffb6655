// Signal and timer calls the host runs after a round trip through the sentry (the table's
// RunOnHost entries: rt_sigtimedwait, rt_sigpending, sigqueue, getitimer, timer_gettime, ...).
#include "sentry/handlers.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

// Signals and timers belong to the host (DESIGN 5); these calls name only the caller's own
// signal state or pids of the guest's pid namespace, which the host confines, so the sentry
// lets them run as issued. The guest's memory is read by the host kernel itself.
SysResult RunOnHost(SyscallContext&) { return SysResult(kContinueSyscall); }

}  // namespace

void RegisterSignalHandlers(std::vector<SyscallHandler>* t) {
  for (const SyscallEntry& e : SyscallTable()) {
    if (e.name != nullptr && e.runs_on_host) (*t)[static_cast<size_t>(e.nr)] = RunOnHost;
  }
}

}  // namespace sentry
