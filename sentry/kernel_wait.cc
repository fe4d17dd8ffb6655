// Kernel::WaitForEvents: parks a task's fiber on sentry-internal wait queues (file locks,
// ...) as well as host fds; Kernel::AwaitInterruption. Sentry thread only, inside the fiber.
#include <array>
#include <memory>

#include "sentry/kernel.h"

namespace sentry {
namespace {

struct Wake {
  Kernel* kernel;
  Task* task;
};

void WakeTaskFn(void* arg) {
  auto* w = static_cast<Wake*>(arg);
  w->kernel->WakeTask(*w->task);
}

}  // namespace

bool Kernel::WaitForEvents(Task& task, std::span<WaitQueue* const> queues,
                           std::span<const std::pair<int, uint32_t>> fds, int64_t timeout_ns) {
  Wake wake{this, &task};
  // The entries live on this fiber's stack: they unlink themselves when the wait ends, and
  // also when the task dies while parked (destroying a fiber unwinds its stack).
  std::array<WaitQueue::Entry, 4> inline_entries;
  std::unique_ptr<WaitQueue::Entry[]> heap_entries;
  WaitQueue::Entry* entries = inline_entries.data();
  if (queues.size() > inline_entries.size()) {
    heap_entries = std::make_unique<WaitQueue::Entry[]>(queues.size());
    entries = heap_entries.get();
  }
  for (size_t i = 0; i < queues.size(); ++i) {
    entries[i].Bind(&WakeTaskFn, &wake);
    entries[i].Arm(*queues[i]);
  }
  bool ok = WaitForFds(task, fds, timeout_ns);
  for (size_t i = 0; i < queues.size(); ++i) entries[i].Disarm();
  return ok;
}

void Kernel::AwaitInterruption(Task& task, const platform::SyscallRequest& req,
                               int64_t max_ns) {
  constexpr int64_t kStep = 1000000;  // 1 ms between checks
  for (int64_t waited = 0; waited < max_ns; waited += kStep) {
    if (task.cancelled || !platform_->StillValid(req)) return;
    if (!WaitForFds(task, {}, kStep)) return;
  }
}

}  // namespace sentry
