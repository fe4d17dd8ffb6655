// Fiber: a Boost.Context fiber that runs one guest task's syscall handlers and can yield
// back to the scheduler while it waits. Owned by its Task; sentry thread only.
#pragma once

#include <boost/context/fiber.hpp>

#include <functional>

namespace sentry {

class Fiber {
 public:
  explicit Fiber(std::function<void()> body);
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Scheduler side: runs the fiber until it yields or finishes.
  void Resume();
  // Fiber side: returns control to whoever called Resume().
  void Yield();
  bool finished() const { return finished_; }

  // Stacks waiting in the reuse pool (a fiber's stack returns there when it is destroyed).
  static size_t PooledStacksForTest();

 private:
  std::function<void()> body_;
  boost::context::fiber self_;
  boost::context::fiber caller_;
  bool finished_ = false;
};

}  // namespace sentry
