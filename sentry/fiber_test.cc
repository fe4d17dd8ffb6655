// Tests Fiber: resume/yield ordering and completion. Single-threaded unit test.
#include "sentry/fiber.h"

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

}  // namespace
}  // namespace sentry
