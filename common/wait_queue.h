// WaitQueue: waiters parked on a sentry-internal event (a file lock released, an eventfd
// written, ...). Whoever changes the state calls WakeAll(); each waiter's callback runs once
// (typically Kernel::WakeTask). Owned by the object whose state it guards; sentry thread only.
#pragma once

namespace sentry {

// Usage (the waiting side, see Kernel::WaitForEvents for the fiber version):
//
//   WaitQueue::Entry e(&MyWake, arg);   // on the waiter's stack
//   e.Arm(queue);                       // linked until woken, disarmed or destroyed
//   ...park; on wake-up re-check the condition (wake-ups may be spurious)...
//
// The queue never owns entries: an Entry unlinks itself when destroyed (also when a fiber is
// unwound), and a destroyed queue detaches the entries still linked. Nothing allocates.
class WaitQueue {
 public:
  class Entry {
   public:
    using WakeFn = void (*)(void* arg);
    Entry() = default;
    Entry(WakeFn fn, void* arg) : fn_(fn), arg_(arg) {}
    ~Entry() { Disarm(); }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

    void Bind(WakeFn fn, void* arg) {
      fn_ = fn;
      arg_ = arg;
    }
    // Links this entry into `q` (leaving any queue it was in) and clears woken().
    void Arm(WaitQueue& q);
    // Unlinks it; no effect when not linked.
    void Disarm();
    bool armed() const { return queue_ != nullptr; }
    // True once a WakeAll() of its queue reached it (since the last Arm).
    bool woken() const { return woken_; }

   private:
    friend class WaitQueue;
    WakeFn fn_ = nullptr;
    void* arg_ = nullptr;
    WaitQueue* queue_ = nullptr;
    Entry* prev_ = nullptr;
    Entry* next_ = nullptr;
    bool woken_ = false;
  };

  WaitQueue() = default;
  ~WaitQueue();
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  // Unlinks every entry armed now, marks it woken and runs its callback (in arming order).
  // Entries armed by a callback are not woken by this call. Returns how many were woken.
  int WakeAll();
  bool has_waiters() const { return head_ != nullptr; }

 private:
  void Link(Entry* e);
  void Unlink(Entry* e);

  Entry* head_ = nullptr;
  Entry* tail_ = nullptr;
};

}  // namespace sentry
