// Tests for the gofer server's HandleTable. Test-only; main thread.
#include "gofer/handle_table.h"

#include <gtest/gtest.h>

#include <memory>

namespace sentry::gofer {
namespace {

TEST(HandleTableTest, InsertGetErase) {
  HandleTable t(10);
  auto n = std::make_shared<Node>();
  uint64_t h = t.Insert(n);
  EXPECT_NE(h, 0u);
  EXPECT_EQ(t.Get(h), n);
  EXPECT_EQ(t.Get(h + 1), nullptr);
  EXPECT_EQ(t.Get(0), nullptr);
  EXPECT_TRUE(t.Erase(h));
  EXPECT_FALSE(t.Erase(h));
  EXPECT_EQ(t.Get(h), nullptr);
}

TEST(HandleTableTest, HandlesAreNotReused) {
  HandleTable t(10);
  uint64_t a = t.Insert(std::make_shared<Node>());
  t.Erase(a);
  uint64_t b = t.Insert(std::make_shared<Node>());
  EXPECT_NE(a, b);
}

TEST(HandleTableTest, BoundedSize) {
  HandleTable t(3);
  for (int i = 0; i < 3; ++i) EXPECT_NE(t.Insert(std::make_shared<Node>()), 0u);
  EXPECT_TRUE(t.full());
  EXPECT_EQ(t.Insert(std::make_shared<Node>()), 0u);
  EXPECT_EQ(t.size(), 3u);
}

TEST(HandleTableTest, DeepParentChainIsReleasedWithoutRecursion) {
  HandleTable t(10);
  std::shared_ptr<const Node> cur = std::make_shared<Node>();
  for (int i = 0; i < 1000000; ++i) {
    auto child = std::make_shared<Node>();
    child->parent = std::move(cur);
    cur = std::move(child);
  }
  uint64_t h = t.Insert(std::move(cur));
  EXPECT_TRUE(t.Erase(h));  // would overflow the stack if destruction recursed
}

TEST(HandleTableTest, SharedParentSurvivesAChild) {
  auto parent = std::make_shared<Node>();
  auto child = std::make_shared<Node>();
  child->parent = parent;
  child.reset();
  EXPECT_EQ(parent.use_count(), 1);
}

}  // namespace
}  // namespace sentry::gofer
