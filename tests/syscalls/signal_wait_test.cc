// Waiting for and queueing signals: sigtimedwait/sigwaitinfo, sigpending, sigqueue and
// rt_tgsigqueueinfo, and reading timers back (getitimer, timer_gettime, timer_getoverrun).
// Uses only libc + gtest.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "gtest/gtest.h"

namespace syscall_test {
namespace {

// Blocks `sig` for the test's lifetime and drops any instance left pending at the end.
class BlockedSignal {
 public:
  explicit BlockedSignal(int sig) : sig_(sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_BLOCK, &set, &old_);
  }
  ~BlockedSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig_);
    timespec zero{};
    while (sigtimedwait(&set, nullptr, &zero) == sig_) {
    }
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  sigset_t Set() const {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig_);
    return set;
  }

 private:
  int sig_;
  sigset_t old_;
};

TEST(SignalWaitTest, SigtimedwaitTakesABlockedSignalWithItsSender) {
  BlockedSignal blocked(SIGUSR1);
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  sigset_t set = blocked.Set();
  siginfo_t info{};
  timespec one_second{1, 0};
  ASSERT_EQ(sigtimedwait(&set, &info, &one_second), SIGUSR1) << strerror(errno);
  EXPECT_EQ(info.si_signo, SIGUSR1);
  EXPECT_EQ(info.si_code, SI_USER);
  EXPECT_EQ(info.si_pid, getpid());
  EXPECT_EQ(info.si_uid, getuid());
}

TEST(SignalWaitTest, SigtimedwaitTimesOut) {
  BlockedSignal blocked(SIGUSR2);
  sigset_t set = blocked.Set();
  timespec fifty_ms{0, 50'000'000};
  timespec before{}, after{};
  clock_gettime(CLOCK_MONOTONIC, &before);
  EXPECT_EQ(sigtimedwait(&set, nullptr, &fifty_ms), -1);
  EXPECT_EQ(errno, EAGAIN);
  clock_gettime(CLOCK_MONOTONIC, &after);
  double waited = static_cast<double>(after.tv_sec - before.tv_sec) +
                  static_cast<double>(after.tv_nsec - before.tv_nsec) / 1e9;
  EXPECT_GE(waited, 0.045);
  EXPECT_LT(waited, 5.0);
}

volatile sig_atomic_t g_alarms = 0;
void OnAlarm(int) { g_alarms = g_alarms + 1; }

// A signal outside the waited set that has a handler ends the wait with EINTR.
TEST(SignalWaitTest, HandledSignalInterruptsTheWait) {
  BlockedSignal blocked(SIGUSR2);
  struct sigaction sa {}, old {};
  sa.sa_handler = OnAlarm;
  ASSERT_EQ(sigaction(SIGALRM, &sa, &old), 0);
  g_alarms = 0;
  itimerval in_50ms{{0, 0}, {0, 50'000}};
  ASSERT_EQ(setitimer(ITIMER_REAL, &in_50ms, nullptr), 0);
  sigset_t set = blocked.Set();
  timespec five_seconds{5, 0};
  EXPECT_EQ(sigtimedwait(&set, nullptr, &five_seconds), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(g_alarms, 1);
  sigaction(SIGALRM, &old, nullptr);
}

TEST(SignalWaitTest, SigpendingListsBlockedSignals) {
  BlockedSignal blocked(SIGUSR2);
  sigset_t pending;
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_FALSE(sigismember(&pending, SIGUSR2));
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_TRUE(sigismember(&pending, SIGUSR2));
  EXPECT_EQ(syscall(SYS_rt_sigpending, &pending, 1024), -1);  // sigsetsize beyond the kernel's
  EXPECT_EQ(errno, EINVAL);
}

TEST(SignalWaitTest, SigqueueCarriesItsValue) {
  BlockedSignal blocked(SIGRTMIN);
  union sigval value {};
  value.sival_int = 42;
  ASSERT_EQ(sigqueue(getpid(), SIGRTMIN, value), 0);
  value.sival_int = 43;
  ASSERT_EQ(sigqueue(getpid(), SIGRTMIN, value), 0);  // real-time signals queue
  sigset_t set = blocked.Set();
  siginfo_t info{};
  ASSERT_EQ(sigwaitinfo(&set, &info), SIGRTMIN);
  EXPECT_EQ(info.si_code, SI_QUEUE);
  EXPECT_EQ(info.si_value.sival_int, 42);
  EXPECT_EQ(info.si_pid, getpid());
  ASSERT_EQ(sigwaitinfo(&set, &info), SIGRTMIN);
  EXPECT_EQ(info.si_value.sival_int, 43);
}

TEST(SignalWaitTest, TgsigqueueinfoReachesTheThreadAndRefusesAForgedKernelCode) {
  BlockedSignal blocked(SIGRTMIN + 1);
  siginfo_t out{};
  out.si_signo = SIGRTMIN + 1;
  out.si_code = SI_QUEUE;
  out.si_pid = getpid();
  out.si_uid = getuid();
  out.si_value.sival_int = 7;
  ASSERT_EQ(syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGRTMIN + 1, &out), 0);
  sigset_t set = blocked.Set();
  siginfo_t in{};
  ASSERT_EQ(sigwaitinfo(&set, &in), SIGRTMIN + 1);
  EXPECT_EQ(in.si_code, SI_QUEUE);
  EXPECT_EQ(in.si_value.sival_int, 7);
  // Another process may not be sent a kernel-looking si_code (the host's rule holds).
  pid_t parent = getppid();
  out.si_code = SI_KERNEL;
  EXPECT_EQ(syscall(SYS_rt_sigqueueinfo, parent, SIGRTMIN + 1, &out), -1);
  EXPECT_EQ(errno, EPERM);
}

TEST(SignalWaitTest, GetitimerReadsTheArmedTimer) {
  itimerval ten_seconds{{0, 0}, {10, 0}}, now{}, off{};
  ASSERT_EQ(setitimer(ITIMER_REAL, &ten_seconds, nullptr), 0);
  ASSERT_EQ(getitimer(ITIMER_REAL, &now), 0);
  EXPECT_GE(now.it_value.tv_sec, 8);
  EXPECT_LE(now.it_value.tv_sec, 10);
  ASSERT_EQ(setitimer(ITIMER_REAL, &off, nullptr), 0);
  ASSERT_EQ(getitimer(ITIMER_REAL, &now), 0);
  EXPECT_EQ(now.it_value.tv_sec, 0);
  EXPECT_EQ(now.it_value.tv_usec, 0);
  EXPECT_EQ(getitimer(42, &now), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(SignalWaitTest, TimerGettimeAndOverrun) {
  sigevent ev{};
  ev.sigev_notify = SIGEV_NONE;
  timer_t timer;
  ASSERT_EQ(timer_create(CLOCK_MONOTONIC, &ev, &timer), 0);
  itimerspec ten_seconds{{0, 0}, {10, 0}}, now{};
  ASSERT_EQ(timer_settime(timer, 0, &ten_seconds, nullptr), 0);
  ASSERT_EQ(timer_gettime(timer, &now), 0);
  EXPECT_GE(now.it_value.tv_sec, 8);
  EXPECT_LE(now.it_value.tv_sec, 10);
  EXPECT_EQ(timer_getoverrun(timer), 0);
  ASSERT_EQ(timer_delete(timer), 0);
  EXPECT_EQ(timer_gettime(timer, &now), -1);
  EXPECT_EQ(errno, EINVAL);
}

volatile sig_atomic_t g_ticks = 0;
void OnTick(int) { g_ticks = g_ticks + 1; }

// Calls that do not wait never fail with EINTR on Linux, however often signals with handlers
// (no SA_RESTART, as Python installs them) arrive: a signal that catches such a call in the
// sentry must neither fail it nor run it twice.
TEST(SignalWaitTest, CallsThatDoNotWaitNeverFailWithEintr) {
  struct sigaction sa {}, old {};
  sa.sa_handler = OnTick;  // no SA_RESTART
  ASSERT_EQ(sigaction(SIGALRM, &sa, &old), 0);
  itimerval every_200us{{0, 200}, {0, 200}}, off{};
  ASSERT_EQ(setitimer(ITIMER_REAL, &every_200us, nullptr), 0);
  int eintr = 0, wrong = 0;
  char buf[64];
  for (int i = 0; i < 3000; ++i) {
    long pid = syscall(SYS_getpid);
    if (pid < 0 && errno == EINTR) ++eintr;
    else if (pid != getpid()) ++wrong;
    int fd = open("/proc/self/stat", O_RDONLY);
    if (fd < 0) {
      if (errno == EINTR) ++eintr; else ++wrong;
      continue;
    }
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) ++eintr;
    else if (n != static_cast<ssize_t>(sizeof(buf))) ++wrong;
    if (close(fd) != 0) {
      if (errno == EINTR) ++eintr; else ++wrong;
    }
  }
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old, nullptr);
  EXPECT_GT(g_ticks, 10);  // the signals did arrive
  EXPECT_EQ(eintr, 0);
  // No call lost or repeated its effect (a double close: EBADF). Natively 0. Under the
  // sentry a kernel race can still repeat one (docs/architecture.md, "A reply the kernel
  // accepts and then drops"; measured about one run in seven with one wrong result): at most
  // 2 are let through, against 74 in 3,000 rounds before signals were settled at the stop.
  EXPECT_LE(wrong, 2);
}

// The same for calls the host runs after the sentry saw them (sigpending, getitimer): the
// same call site again and again must not be taken for the previous, finished call. (Every
// 200 µs, as above: at 100 µs a traced thread spends all its time in signal stops.)
TEST(SignalWaitTest, HostRunCallsNeverFailWithEintr) {
  struct sigaction sa {}, old {};
  sa.sa_handler = OnTick;  // no SA_RESTART
  ASSERT_EQ(sigaction(SIGALRM, &sa, &old), 0);
  itimerval every_200us{{0, 200}, {0, 200}}, off{};
  ASSERT_EQ(setitimer(ITIMER_REAL, &every_200us, nullptr), 0);
  const int ticks_before = g_ticks;
  int eintr = 0, other = 0;
  for (int i = 0; i < 6000; ++i) {
    sigset_t pending;
    if (sigpending(&pending) != 0) (errno == EINTR ? eintr : other)++;
    itimerval now;
    if (getitimer(ITIMER_REAL, &now) != 0) (errno == EINTR ? eintr : other)++;
  }
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old, nullptr);
  EXPECT_GT(g_ticks - ticks_before, 10);
  EXPECT_EQ(eintr, 0);
  EXPECT_EQ(other, 0);
}

}  // namespace
}  // namespace syscall_test
