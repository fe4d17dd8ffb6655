// WaitQueue: an intrusive doubly linked list of armed entries.
// Ownership as described in common/wait_queue.h; sentry thread only.
#include "common/wait_queue.h"

namespace sentry {

void WaitQueue::Entry::Arm(WaitQueue& q) {
  Disarm();
  woken_ = false;
  q.Link(this);
}

void WaitQueue::Entry::Disarm() {
  if (queue_ != nullptr) queue_->Unlink(this);
}

WaitQueue::~WaitQueue() {
  while (head_ != nullptr) Unlink(head_);
}

void WaitQueue::Link(Entry* e) {
  e->queue_ = this;
  e->prev_ = tail_;
  e->next_ = nullptr;
  if (tail_ != nullptr) {
    tail_->next_ = e;
  } else {
    head_ = e;
  }
  tail_ = e;
}

void WaitQueue::Unlink(Entry* e) {
  if (e->prev_ != nullptr) {
    e->prev_->next_ = e->next_;
  } else {
    head_ = e->next_;
  }
  if (e->next_ != nullptr) {
    e->next_->prev_ = e->prev_;
  } else {
    tail_ = e->prev_;
  }
  e->queue_ = nullptr;
  e->prev_ = e->next_ = nullptr;
}

int WaitQueue::WakeAll() {
  // Only the entries armed now: move them to a private list first, so that a callback may
  // arm new entries here (not woken by this call) or disarm pending ones (then not woken).
  WaitQueue pending;
  pending.head_ = head_;
  pending.tail_ = tail_;
  for (Entry* e = head_; e != nullptr; e = e->next_) e->queue_ = &pending;
  head_ = tail_ = nullptr;
  int n = 0;
  while (pending.head_ != nullptr) {
    Entry* e = pending.head_;
    pending.Unlink(e);
    e->woken_ = true;
    ++n;
    if (e->fn_ != nullptr) e->fn_(e->arg_);
  }
  return n;
}

}  // namespace sentry
