// Tests WaitQueue: arming, waking in order, disarming (explicit, by destruction, by a
// callback), entries armed by a callback, and a queue destroyed with entries linked.
#include "common/wait_queue.h"

#include <vector>

#include "gtest/gtest.h"

namespace sentry {
namespace {

struct Log {
  std::vector<int> woken;
};
struct Waiter {
  Log* log;
  int id;
};
void Record(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->log->woken.push_back(w->id);
}

TEST(WaitQueueTest, WakeAllRunsEveryArmedEntryOnceInOrder) {
  Log log;
  Waiter a{&log, 1}, b{&log, 2};
  WaitQueue q;
  WaitQueue::Entry ea(&Record, &a), eb(&Record, &b);
  EXPECT_FALSE(q.has_waiters());
  ea.Arm(q);
  eb.Arm(q);
  EXPECT_TRUE(q.has_waiters());
  EXPECT_EQ(q.WakeAll(), 2);
  EXPECT_EQ(log.woken, (std::vector<int>{1, 2}));
  EXPECT_TRUE(ea.woken());
  EXPECT_FALSE(ea.armed());
  EXPECT_FALSE(q.has_waiters());
  EXPECT_EQ(q.WakeAll(), 0);  // woken entries are off the queue
  EXPECT_EQ(log.woken.size(), 2u);
  ea.Arm(q);  // re-arming clears woken()
  EXPECT_FALSE(ea.woken());
}

TEST(WaitQueueTest, DisarmedAndDestroyedEntriesAreNotWoken) {
  Log log;
  Waiter a{&log, 1}, b{&log, 2}, c{&log, 3};
  WaitQueue q;
  WaitQueue::Entry ea(&Record, &a);
  ea.Arm(q);
  {
    WaitQueue::Entry eb(&Record, &b);
    eb.Arm(q);
  }
  WaitQueue::Entry ec(&Record, &c);
  ec.Arm(q);
  ea.Disarm();
  ea.Disarm();  // twice is harmless
  EXPECT_EQ(q.WakeAll(), 1);
  EXPECT_EQ(log.woken, (std::vector<int>{3}));
}

TEST(WaitQueueTest, ArmMovesAnEntryBetweenQueues) {
  Log log;
  Waiter a{&log, 1};
  WaitQueue q1, q2;
  WaitQueue::Entry e(&Record, &a);
  e.Arm(q1);
  e.Arm(q2);
  EXPECT_FALSE(q1.has_waiters());
  EXPECT_EQ(q1.WakeAll(), 0);
  EXPECT_EQ(q2.WakeAll(), 1);
}

// A callback that re-arms its own entry and disarms another pending one.
struct Tricky {
  WaitQueue* q;
  WaitQueue::Entry* self;
  WaitQueue::Entry* victim;
  int calls = 0;
};
void TrickyWake(void* arg) {
  auto* t = static_cast<Tricky*>(arg);
  ++t->calls;
  t->self->Arm(*t->q);
  if (t->victim) t->victim->Disarm();
}

TEST(WaitQueueTest, CallbacksMayArmAndDisarm) {
  Log log;
  Waiter v{&log, 9};
  WaitQueue q;
  WaitQueue::Entry first, victim(&Record, &v);
  Tricky t{&q, &first, &victim};
  first.Bind(&TrickyWake, &t);
  first.Arm(q);
  victim.Arm(q);
  EXPECT_EQ(q.WakeAll(), 1);  // the victim was disarmed before its turn
  EXPECT_EQ(t.calls, 1);      // the re-armed entry waits for the next WakeAll
  EXPECT_TRUE(log.woken.empty());
  EXPECT_TRUE(first.armed());
  t.victim = nullptr;
  EXPECT_EQ(q.WakeAll(), 1);
  EXPECT_EQ(t.calls, 2);
  first.Disarm();
}

TEST(WaitQueueTest, DestroyedQueueDetachesItsEntries) {
  WaitQueue::Entry e;
  {
    WaitQueue q;
    e.Arm(q);
  }
  EXPECT_FALSE(e.armed());
  e.Disarm();  // must not touch the dead queue
}

}  // namespace
}  // namespace sentry
