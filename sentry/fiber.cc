// Fiber on boost::context::fiber with a guarded fixed-size stack. Sentry thread only.
#include "sentry/fiber.h"

#include <boost/context/protected_fixedsize_stack.hpp>

namespace sentry {
namespace ctx = boost::context;

// Handlers keep big buffers off the stack; 256 KiB leaves room for deep VFS paths.
constexpr size_t kFiberStackSize = 256 * 1024;

Fiber::Fiber(std::function<void()> body) : body_(std::move(body)) {
  self_ = ctx::fiber(std::allocator_arg, ctx::protected_fixedsize_stack(kFiberStackSize),
                     [this](ctx::fiber&& caller) {
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
