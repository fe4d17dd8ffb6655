// Tests FileLockTable: flock range conversion, record-lock conflicts, split and merge,
// owners and release, flock semantics, wake-ups and deadlock detection. Single-threaded.
#include "vfs/file_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

constexpr LockKey kFile{1, 100};
constexpr LockKey kOther{1, 101};
constexpr int64_t kMax = kLockOffsetMax;

// Distinct owner identities.
int kA, kB, kC;
LockOwner A = &kA, B = &kB, C = &kC;

RecordLock Req(LockOwner o, LockType t, int64_t start, int64_t end, int pid = 0) {
  RecordLock r;
  r.owner = o;
  r.type = t;
  r.start = start;
  r.end = end;
  r.pid = pid;
  return r;
}

struct Span {
  LockOwner owner;
  LockType type;
  int64_t start, end;
  bool operator==(const Span&) const = default;
};
std::vector<Span> Spans(const FileLockTable& t, const LockKey& k) {
  std::vector<Span> out;
  for (const RecordLock& l : t.Records(k)) out.push_back({l.owner, l.type, l.start, l.end});
  return out;
}

constexpr LockType R = LockType::kRead, W = LockType::kWrite, U = LockType::kUnlock;

TEST(LockRangeTest, WhenceAndLengths) {
  int64_t s, e;
  ASSERT_EQ(LockRangeFromFlock(SEEK_SET, 10, 5, 0, 0, &s, &e), 0);
  EXPECT_EQ(s, 10);
  EXPECT_EQ(e, 14);
  ASSERT_EQ(LockRangeFromFlock(SEEK_SET, 10, 0, 0, 0, &s, &e), 0);  // to EOF
  EXPECT_EQ(e, kMax);
  ASSERT_EQ(LockRangeFromFlock(SEEK_CUR, 5, 1, 100, 0, &s, &e), 0);
  EXPECT_EQ(s, 105);
  EXPECT_EQ(e, 105);
  ASSERT_EQ(LockRangeFromFlock(SEEK_END, -10, 10, 0, 50, &s, &e), 0);
  EXPECT_EQ(s, 40);
  EXPECT_EQ(e, 49);
  // A negative length locks the bytes before the start: [start+len, start-1].
  ASSERT_EQ(LockRangeFromFlock(SEEK_SET, 10, -4, 0, 0, &s, &e), 0);
  EXPECT_EQ(s, 6);
  EXPECT_EQ(e, 9);
  EXPECT_EQ(LockLength(6, 9), 4);
  EXPECT_EQ(LockLength(6, kMax), 0);
}

TEST(LockRangeTest, Errors) {
  int64_t s, e;
  EXPECT_EQ(LockRangeFromFlock(7, 0, 0, 0, 0, &s, &e), EINVAL);
  EXPECT_EQ(LockRangeFromFlock(SEEK_SET, -1, 1, 0, 0, &s, &e), EINVAL);
  EXPECT_EQ(LockRangeFromFlock(SEEK_END, -11, 1, 0, 10, &s, &e), EINVAL);
  EXPECT_EQ(LockRangeFromFlock(SEEK_SET, 3, -4, 0, 0, &s, &e), EINVAL);
  EXPECT_EQ(LockRangeFromFlock(SEEK_SET, 3, INT64_MIN, 0, 0, &s, &e), EINVAL);
  EXPECT_EQ(LockRangeFromFlock(SEEK_CUR, kMax, 1, 1, 0, &s, &e), EOVERFLOW);
  EXPECT_EQ(LockRangeFromFlock(SEEK_SET, 10, kMax, 0, 0, &s, &e), EOVERFLOW);
  ASSERT_EQ(LockRangeFromFlock(SEEK_SET, 0, kMax, 0, 0, &s, &e), 0);
  EXPECT_EQ(e, kMax - 1);
  ASSERT_EQ(LockRangeFromFlock(SEEK_SET, kMax, 0, 0, 0, &s, &e), 0);
  EXPECT_EQ(s, kMax);
  EXPECT_EQ(e, kMax);
}

TEST(RecordLockTest, ReadersShareWritersExclude) {
  FileLockTable t;
  EXPECT_EQ(t.SetRecord(kFile, Req(A, R, 0, 9)), 0);
  EXPECT_EQ(t.SetRecord(kFile, Req(B, R, 5, 14)), 0);
  LockOwner blocker = nullptr;
  EXPECT_EQ(t.SetRecord(kFile, Req(C, W, 9, 9), &blocker), EAGAIN);
  EXPECT_EQ(blocker, A);
  EXPECT_EQ(t.SetRecord(kFile, Req(C, W, 15, 20)), 0);  // touching is not overlapping
  EXPECT_EQ(t.SetRecord(kFile, Req(A, R, 20, 20), &blocker), EAGAIN);
  EXPECT_EQ(blocker, C);
  EXPECT_EQ(t.SetRecord(kOther, Req(B, W, 0, kMax)), 0);  // another file is independent
  EXPECT_EQ(t.file_count(), 2u);
}

TEST(RecordLockTest, TestRecordReportsTheLowestConflict) {
  FileLockTable t;
  ASSERT_EQ(t.SetRecord(kFile, Req(B, W, 50, 59, 7)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(C, R, 10, 19, 8)), 0);
  auto c = t.TestRecord(kFile, Req(A, W, 0, kMax));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->owner, C);
  EXPECT_EQ(c->pid, 8);
  EXPECT_EQ(c->start, 10);
  c = t.TestRecord(kFile, Req(A, R, 0, kMax));  // readers conflict only with the writer
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->owner, B);
  EXPECT_FALSE(t.TestRecord(kFile, Req(B, W, 50, 55)).has_value());  // own lock
  EXPECT_FALSE(t.TestRecord(kFile, Req(A, W, 20, 49)).has_value());
  EXPECT_FALSE(t.TestRecord(kOther, Req(A, W, 0, kMax)).has_value());
  EXPECT_EQ(t.file_count(), 1u);  // testing creates nothing
}

TEST(RecordLockTest, SameTypeMergesOverlappingAndTouching) {
  FileLockTable t;
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 0, 9)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 20, 29)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 10, 19)), 0);  // touches both
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, W, 0, 29}}));
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 25, kMax)), 0);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, W, 0, kMax}}));
  // Other owners' locks never merge with A's.
  ASSERT_EQ(t.SetRecord(kOther, Req(A, R, 0, 4)), 0);
  ASSERT_EQ(t.SetRecord(kOther, Req(B, R, 5, 9)), 0);
  EXPECT_EQ(Spans(t, kOther), (std::vector<Span>{{A, R, 0, 4}, {B, R, 5, 9}}));
}

TEST(RecordLockTest, DifferentTypeSplits) {
  FileLockTable t;
  ASSERT_EQ(t.SetRecord(kFile, Req(A, R, 0, 99)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 40, 59)), 0);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, R, 0, 39}, {A, W, 40, 59}, {A, R, 60, 99}}));
  // A read over the write merges with both read neighbours again.
  ASSERT_EQ(t.SetRecord(kFile, Req(A, R, 40, 59)), 0);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, R, 0, 99}}));
  // A write covering the start replaces a prefix.
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 0, 10)), 0);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, W, 0, 10}, {A, R, 11, 99}}));
}

TEST(RecordLockTest, UnlockMiddleEdgesAndEverything) {
  FileLockTable t;
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 0, kMax)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(A, U, 10, 19)), 0);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, W, 0, 9}, {A, W, 20, kMax}}));
  EXPECT_EQ(t.SetRecord(kFile, Req(B, W, 10, 19)), 0);  // the hole is free for others
  ASSERT_EQ(t.SetRecord(kFile, Req(A, U, 0, 0)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(A, U, 100, kMax)), 0);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, W, 1, 9}, {B, W, 10, 19}, {A, W, 20, 99}}));
  ASSERT_EQ(t.SetRecord(kFile, Req(A, U, 0, kMax)), 0);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{B, W, 10, 19}}));
  EXPECT_TRUE(t.HasLocks(B));
  EXPECT_FALSE(t.HasLocks(A));
  ASSERT_EQ(t.SetRecord(kFile, Req(B, U, 0, 5)), 0);  // unlocking nothing is fine
  ASSERT_EQ(t.SetRecord(kFile, Req(B, U, 0, kMax)), 0);
  EXPECT_EQ(t.file_count(), 0u);
  EXPECT_EQ(t.SetRecord(kOther, Req(B, U, 0, kMax)), 0);
  EXPECT_EQ(t.file_count(), 0u);
}

TEST(RecordLockTest, UpgradeConflictsLeaveOwnLocksUnchanged) {
  FileLockTable t;
  ASSERT_EQ(t.SetRecord(kFile, Req(A, R, 0, 9)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(B, R, 5, 9)), 0);
  EXPECT_EQ(t.SetRecord(kFile, Req(A, W, 0, 9)), EAGAIN);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{A, R, 0, 9}, {B, R, 5, 9}}));
  EXPECT_EQ(t.SetRecord(kFile, Req(A, W, 0, 4)), 0);  // the part only A reads
  // A's and B's read locks on 5..9 start together: their relative order is unspecified.
  std::vector<Span> got = Spans(t, kFile);
  std::vector<Span> want{{A, W, 0, 4}, {A, R, 5, 9}, {B, R, 5, 9}};
  EXPECT_TRUE(std::is_permutation(got.begin(), got.end(), want.begin(), want.end()));
}

TEST(RecordLockTest, OfdAndPosixLocksConflict) {
  FileLockTable t;
  RecordLock ofd = Req(A, W, 0, 9);
  ofd.ofd = true;
  ASSERT_EQ(t.SetRecord(kFile, ofd), 0);
  EXPECT_EQ(t.SetRecord(kFile, Req(B, R, 0, 0)), EAGAIN);
  auto c = t.TestRecord(kFile, Req(B, R, 0, 0));
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->ofd);
}

TEST(RecordLockTest, ReleaseRecordsAndReleaseOwner) {
  FileLockTable t;
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 0, 9)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(A, R, 20, 29)), 0);
  ASSERT_EQ(t.SetRecord(kOther, Req(A, W, 0, 9)), 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(B, R, 20, 29)), 0);
  t.ReleaseRecords(kFile, A);
  EXPECT_EQ(Spans(t, kFile), (std::vector<Span>{{B, R, 20, 29}}));
  EXPECT_TRUE(t.HasLocks(A));  // still on kOther
  t.ReleaseOwner(A);
  EXPECT_FALSE(t.HasLocks(A));
  EXPECT_TRUE(t.Records(kOther).empty());
  EXPECT_EQ(t.file_count(), 1u);
  t.ReleaseOwner(A);  // nothing left: no effect
  t.ReleaseOwner(B);
  EXPECT_EQ(t.file_count(), 0u);
}

TEST(FlockTest, SharedExclusiveAndUnlock) {
  FileLockTable t;
  EXPECT_EQ(t.Flock(kFile, A, R), 0);
  EXPECT_EQ(t.Flock(kFile, B, R), 0);
  LockOwner blocker = nullptr;
  EXPECT_EQ(t.Flock(kFile, C, W, &blocker), EAGAIN);
  EXPECT_TRUE(blocker == A || blocker == B);
  EXPECT_EQ(t.Flock(kFile, A, U), 0);
  EXPECT_EQ(t.Flock(kFile, B, U), 0);
  EXPECT_EQ(t.Flock(kFile, C, W), 0);
  EXPECT_EQ(t.Flock(kFile, C, W), 0);  // again: no change
  EXPECT_EQ(t.Flock(kFile, A, R), EAGAIN);
  EXPECT_EQ(t.Flock(kFile, A, U), 0);  // unlocking what one does not hold
  // flock and record locks are separate spaces.
  EXPECT_EQ(t.SetRecord(kFile, Req(A, W, 0, kMax)), 0);
  EXPECT_EQ(t.Flocks(kFile).size(), 1u);
}

TEST(FlockTest, ConversionIsNotAtomic) {
  FileLockTable t;
  ASSERT_EQ(t.Flock(kFile, A, R), 0);
  ASSERT_EQ(t.Flock(kFile, B, R), 0);
  // A's upgrade fails against B's shared lock, and A's shared lock is gone (as Linux).
  EXPECT_EQ(t.Flock(kFile, A, W), EAGAIN);
  auto held = t.Flocks(kFile);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].first, B);
  // Downgrade works in place.
  ASSERT_EQ(t.Flock(kFile, B, W), 0);
  ASSERT_EQ(t.Flock(kFile, B, R), 0);
  EXPECT_EQ(t.Flock(kFile, A, R), 0);
  t.ReleaseOwner(A);
  t.ReleaseOwner(B);
  EXPECT_EQ(t.file_count(), 0u);
}

struct Counter {
  int n = 0;
};
void Count(void* arg) { ++static_cast<Counter*>(arg)->n; }

TEST(LockWaitTest, QueueWokenWhenLocksLoosen) {
  FileLockTable t;
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 0, 99)), 0);
  Counter woken;
  WaitQueue::Entry e(&Count, &woken);
  e.Arm(t.QueueFor(kFile));
  ASSERT_EQ(t.SetRecord(kFile, Req(A, W, 200, 299)), 0);  // more locking: no wake
  EXPECT_EQ(woken.n, 0);
  ASSERT_EQ(t.SetRecord(kFile, Req(A, R, 0, 9)), 0);  // a downgrade
  EXPECT_EQ(woken.n, 1);
  e.Arm(t.QueueFor(kFile));
  ASSERT_EQ(t.SetRecord(kFile, Req(A, U, 50, 59)), 0);
  EXPECT_EQ(woken.n, 2);
  e.Arm(t.QueueFor(kFile));
  t.ReleaseRecords(kFile, A);
  EXPECT_EQ(woken.n, 3);
  // Nobody holds a lock, but the state stays while an entry is armed.
  e.Arm(t.QueueFor(kFile));
  EXPECT_EQ(t.file_count(), 1u);
  e.Disarm();
  t.Forget(kFile);
  EXPECT_EQ(t.file_count(), 0u);
}

TEST(LockWaitTest, FlockReleaseAndOwnerReleaseWake) {
  FileLockTable t;
  ASSERT_EQ(t.Flock(kFile, A, W), 0);
  Counter woken;
  WaitQueue::Entry e(&Count, &woken);
  {
    LockWaitScope scope(t, kFile, B, A, /*posix=*/false);
    e.Arm(scope.queue());
    ASSERT_EQ(t.Flock(kFile, A, U), 0);
    EXPECT_EQ(woken.n, 1);
    ASSERT_EQ(t.Flock(kFile, A, W), 0);
    e.Arm(scope.queue());
    t.ReleaseOwner(A);  // the description went away
    EXPECT_EQ(woken.n, 2);
    e.Disarm();
  }
  EXPECT_EQ(t.file_count(), 0u);
}

TEST(DeadlockTest, CyclesOfWaitingOwners) {
  FileLockTable t;
  EXPECT_FALSE(t.WouldDeadlock(A, B));
  uint64_t b_waits_for_a = t.BeginWait(B, A);
  EXPECT_TRUE(t.WouldDeadlock(A, B));   // A would wait for B, which waits for A
  EXPECT_FALSE(t.WouldDeadlock(C, B));  // C is not in the cycle
  uint64_t c_waits_for_b = t.BeginWait(C, B);
  EXPECT_TRUE(t.WouldDeadlock(A, C));  // A → C → B → A
  t.EndWait(b_waits_for_a);
  EXPECT_FALSE(t.WouldDeadlock(A, C));
  t.EndWait(c_waits_for_b);
  {
    LockWaitScope s(t, kFile, B, A, /*posix=*/true);
    EXPECT_TRUE(t.WouldDeadlock(A, B));
  }
  EXPECT_FALSE(t.WouldDeadlock(A, B));
}

TEST(DeadlockTest, LongChainsAreCutOff) {
  FileLockTable t;
  // 20 owners each waiting for the next; the last waits for the first. Following more
  // than Linux's 10 links is not attempted, so no deadlock is reported for a long cycle.
  static int owners[21];
  for (int i = 0; i < 20; ++i) t.BeginWait(&owners[i + 1], &owners[i + 2 > 20 ? 0 : i + 2]);
  EXPECT_FALSE(t.WouldDeadlock(&owners[0], &owners[1]));
  EXPECT_TRUE(t.WouldDeadlock(&owners[0], &owners[15]));  // 15 → … → 20 → 0: 6 links
}

}  // namespace
}  // namespace sentry::vfs
