// Fiber on boost::context::fiber with a guarded fixed-size stack, reused from a small pool
// so that a fork or thread creation does not map (and fault in) a new stack. Sentry thread only.
#include "sentry/fiber.h"

#include <boost/context/protected_fixedsize_stack.hpp>

#include <vector>

namespace sentry {
namespace ctx = boost::context;

namespace {

// Handlers keep big buffers off the stack; 256 KiB leaves room for deep VFS paths.
constexpr size_t kFiberStackSize = 256 * 1024;
// Stacks kept for reuse: enough for a busy process tree's churn; the rest are unmapped.
constexpr size_t kPooledStacks = 64;

std::vector<ctx::stack_context>& StackPool() {
  static std::vector<ctx::stack_context>* pool = [] {
    auto* v = new std::vector<ctx::stack_context>();
    v->reserve(kPooledStacks);  // pushes below never allocate
    return v;
  }();
  return *pool;
}

// A Boost.Context stack allocator over protected_fixedsize_stack with a free list. A reused
// stack keeps its guard page and its already-touched pages.
class PooledStack {
 public:
  ctx::stack_context allocate() {
    std::vector<ctx::stack_context>& pool = StackPool();
    if (!pool.empty()) {
      ctx::stack_context sc = pool.back();
      pool.pop_back();
      return sc;
    }
    return base_.allocate();
  }
  void deallocate(ctx::stack_context& sc) noexcept {
    std::vector<ctx::stack_context>& pool = StackPool();
    if (pool.size() < kPooledStacks) {
      pool.push_back(sc);
      return;
    }
    base_.deallocate(sc);
  }

 private:
  ctx::protected_fixedsize_stack base_{kFiberStackSize};
};

}  // namespace

size_t Fiber::PooledStacksForTest() { return StackPool().size(); }

Fiber::Fiber(std::function<void()> body) : body_(std::move(body)) {
  self_ = ctx::fiber(std::allocator_arg, PooledStack(), [this](ctx::fiber&& caller) {
    caller_ = std::move(caller);
    body_();
    finished_ = true;
    return std::move(caller_);
  });
}

void Fiber::Resume() {
  if (finished_) return;
  self_ = std::move(self_).resume();
}

void Fiber::Yield() { caller_ = std::move(caller_).resume(); }

}  // namespace sentry
