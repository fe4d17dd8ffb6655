// Tests SentSignals: which notes a signal-delivery stop takes, and the bound on notes.
// Single-threaded unit test.
#include "sentry/sent_signals.h"

#include <cstring>

#include "gtest/gtest.h"

namespace sentry {
namespace {

siginfo_t Info(int sig, int code, int fd = 0) {
  siginfo_t i;
  memset(&i, 0, sizeof(i));
  i.si_signo = sig;
  i.si_code = code;
  i.si_fd = fd;
  return i;
}

siginfo_t FromOutside(int sig) { return Info(sig, SI_USER); }

TEST(SentSignalsTest, TakesTheNoteOfItsProcessAndSignal) {
  SentSignals s;
  s.Note(100, Info(SIGIO, POLL_IN, 5));
  s.Note(200, Info(SIGIO, POLL_OUT, 6));
  siginfo_t out;
  ASSERT_TRUE(s.Take(200, SIGIO, FromOutside(SIGIO), &out));
  EXPECT_EQ(out.si_code, POLL_OUT);
  EXPECT_EQ(out.si_fd, 6);
  EXPECT_FALSE(s.Take(200, SIGIO, FromOutside(SIGIO), &out));
  EXPECT_FALSE(s.Take(100, SIGUSR1, FromOutside(SIGUSR1), &out));
  EXPECT_EQ(s.size(), 1u);
}

// A guest's own kill (si_pid set) or a kernel-made signal is never rewritten.
TEST(SentSignalsTest, LeavesSignalsFromInsideAlone) {
  SentSignals s;
  s.Note(100, Info(SIGPIPE, SI_USER));
  siginfo_t from_guest = FromOutside(SIGPIPE);
  from_guest.si_pid = 7;
  siginfo_t out;
  EXPECT_FALSE(s.Take(100, SIGPIPE, from_guest, &out));
  EXPECT_FALSE(s.Take(100, SIGPIPE, Info(SIGPIPE, SI_KERNEL), &out));
  EXPECT_TRUE(s.Take(100, SIGPIPE, FromOutside(SIGPIPE), &out));
}

// Standard signals coalesce: one delivery takes the newest note and drops the rest.
TEST(SentSignalsTest, StandardSignalTakesTheNewestNote) {
  SentSignals s;
  s.Note(100, Info(SIGIO, POLL_IN, 3));
  s.Note(100, Info(SIGIO, POLL_OUT, 4));
  siginfo_t out;
  ASSERT_TRUE(s.Take(100, SIGIO, FromOutside(SIGIO), &out));
  EXPECT_EQ(out.si_fd, 4);
  EXPECT_TRUE(s.empty());
}

// Real-time signals queue: deliveries take the notes in order.
TEST(SentSignalsTest, RealTimeSignalsTakeNotesInOrder) {
  SentSignals s;
  s.Note(100, Info(SIGRTMIN, POLL_IN, 3));
  s.Note(100, Info(SIGRTMIN, POLL_IN, 4));
  siginfo_t out;
  ASSERT_TRUE(s.Take(100, SIGRTMIN, FromOutside(SIGRTMIN), &out));
  EXPECT_EQ(out.si_fd, 3);
  ASSERT_TRUE(s.Take(100, SIGRTMIN, FromOutside(SIGRTMIN), &out));
  EXPECT_EQ(out.si_fd, 4);
}

TEST(SentSignalsTest, ForgetAndBound) {
  SentSignals s;
  for (size_t i = 0; i < SentSignals::kMaxNotes + 10; ++i) {
    s.Note(100, Info(SIGRTMIN, POLL_IN, static_cast<int>(i)));
  }
  EXPECT_EQ(s.size(), SentSignals::kMaxNotes);
  siginfo_t out;
  ASSERT_TRUE(s.Take(100, SIGRTMIN, FromOutside(SIGRTMIN), &out));
  EXPECT_EQ(out.si_fd, 10);  // the oldest ten went
  s.Note(200, Info(SIGIO, POLL_IN));
  s.Forget(100);
  EXPECT_EQ(s.size(), 1u);
}

}  // namespace
}  // namespace sentry
