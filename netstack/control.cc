// ControlQueue (see control.h). Sentry thread only.
#include "netstack/control.h"

#include <algorithm>

namespace sentry::netstack {

void ControlQueue::Push(uint64_t pos, uint64_t len, Control ctl) {
  q_.push_back(Entry{pos, std::max<uint64_t>(len, 1), std::move(ctl)});
}

void ControlQueue::PushFront(uint64_t pos, uint64_t len, Control ctl) {
  q_.push_front(Entry{pos, std::max<uint64_t>(len, 1), std::move(ctl)});
}

uint64_t ControlQueue::Limit(uint64_t at, uint64_t max) const {
  for (const Entry& e : q_) {
    if (e.pos + e.len <= at) continue;
    // A read goes on into the first entry ahead and stops at its end: Linux delivers the
    // rights with the read that reaches their data and merges nothing after them.
    return std::min(max, e.pos + e.len - at);
  }
  return max;
}

bool ControlQueue::Take(uint64_t at, uint64_t n, bool peek, Control* out) {
  while (!q_.empty() && q_.front().pos + q_.front().len <= at) q_.pop_front();
  if (q_.empty() || n == 0) return false;
  Entry& e = q_.front();
  if (e.pos >= at + n) return false;
  if (peek) {
    *out = e.ctl;
    return true;
  }
  *out = std::move(e.ctl);
  q_.pop_front();
  return true;
}

}  // namespace sentry::netstack
