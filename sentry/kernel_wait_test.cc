// Tests the property Kernel::WaitForEvents relies on: a WaitQueue entry on a parked fiber's
// stack is unlinked when the fiber is destroyed (the task died while waiting), so a later
// WakeAll never reaches a dead task. Single-threaded unit test.
#include <memory>

#include "common/wait_queue.h"
#include "gtest/gtest.h"
#include "sentry/fiber.h"

namespace sentry {
namespace {

void CountWake(void* arg) { ++*static_cast<int*>(arg); }

TEST(KernelWaitTest, EntryOnAParkedFiberUnlinksWhenTheFiberDies) {
  WaitQueue q;
  int wakes = 0;
  bool resumed_after_wait = false;
  Fiber* self = nullptr;
  auto f = std::make_unique<Fiber>([&] {
    WaitQueue::Entry e(&CountWake, &wakes);
    e.Arm(q);
    self->Yield();  // parked; never resumed
    resumed_after_wait = true;
  });
  self = f.get();
  f->Resume();
  EXPECT_TRUE(q.has_waiters());
  f.reset();  // unwinds the fiber's stack
  EXPECT_FALSE(q.has_waiters());
  EXPECT_EQ(q.WakeAll(), 0);
  EXPECT_EQ(wakes, 0);
  EXPECT_FALSE(resumed_after_wait);
}

TEST(KernelWaitTest, WokenFiberRunsAgain) {
  WaitQueue q;
  int wakes = 0;
  Fiber* self = nullptr;
  bool done = false;
  Fiber f([&] {
    WaitQueue::Entry e(&CountWake, &wakes);
    e.Arm(q);
    self->Yield();
    done = e.woken();
  });
  self = &f;
  f.Resume();
  EXPECT_EQ(q.WakeAll(), 1);
  f.Resume();
  EXPECT_TRUE(done);
  EXPECT_EQ(wakes, 1);
}

}  // namespace
}  // namespace sentry
