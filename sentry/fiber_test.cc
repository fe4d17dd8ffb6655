// Tests Fiber: resume/yield ordering and completion. Single-threaded unit test.
#include "sentry/fiber.h"

#include <cstdint>
#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace sentry {
namespace {

TEST(FiberTest, YieldsAndResumes) {
  std::vector<int> order;
  Fiber* self = nullptr;
  Fiber f([&] {
    order.push_back(1);
    self->Yield();
    order.push_back(3);
  });
  self = &f;
  f.Resume();
  order.push_back(2);
  EXPECT_FALSE(f.finished());
  f.Resume();
  EXPECT_TRUE(f.finished());
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  f.Resume();  // resuming a finished fiber is a no-op
}

// A fork costs the sentry a new fiber: its stack comes back from the pool, not from mmap.
TEST(FiberTest, StackOfADestroyedFiberIsReused) {
  uintptr_t first = 0, second = 0;
  Fiber* self = nullptr;
  auto a = std::make_unique<Fiber>([&] {
    int local = 0;
    first = reinterpret_cast<uintptr_t>(&local);
    self->Yield();
  });
  self = a.get();
  a->Resume();  // parked: it holds its stack
  size_t pooled = Fiber::PooledStacksForTest();
  a.reset();
  EXPECT_EQ(Fiber::PooledStacksForTest(), pooled + 1);
  auto b = std::make_unique<Fiber>([&] {
    int local = 0;
    second = reinterpret_cast<uintptr_t>(&local);
    self->Yield();
  });
  self = b.get();
  b->Resume();
  EXPECT_EQ(Fiber::PooledStacksForTest(), pooled);
  EXPECT_EQ(first, second);
}

// A fiber destroyed while parked (its task died mid-syscall) unwinds its stack, running the
// destructors on it, before the stack is reused.
TEST(FiberTest, ParkedFiberUnwindsWhenDestroyed) {
  bool destroyed = false;
  struct Flag {
    bool* set;
    ~Flag() { *set = true; }
  };
  Fiber* self = nullptr;
  auto f = std::make_unique<Fiber>([&] {
    Flag flag{&destroyed};
    self->Yield();
  });
  self = f.get();
  f->Resume();
  EXPECT_FALSE(destroyed);
  f.reset();
  EXPECT_TRUE(destroyed);
}

}  // namespace
}  // namespace sentry
