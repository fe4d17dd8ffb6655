// The signal mask argument of ppoll, pselect6, epoll_pwait and epoll_pwait2: in force while
// the call waits, the thread's own mask again when it returns (also after a handler ran).
// Uses only libc + gtest.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

enum class Kind { kPpoll, kPselect, kEpollPwait, kEpollPwait2 };

std::string KindName(const testing::TestParamInfo<Kind>& info) {
  switch (info.param) {
    case Kind::kPpoll: return "ppoll";
    case Kind::kPselect: return "pselect6";
    case Kind::kEpollPwait: return "epoll_pwait";
    case Kind::kEpollPwait2: return "epoll_pwait2";
  }
  return "?";
}

volatile sig_atomic_t g_handled = 0;  // runs of Handler for g_counted
volatile sig_atomic_t g_counted = SIGUSR1;
sigset_t g_mask_in_handler;

void Handler(int sig) {
  if (sig != g_counted) return;
  g_handled = g_handled + 1;
  sigprocmask(SIG_BLOCK, nullptr, &g_mask_in_handler);
}

// Waits up to timeout_ms for `fd` to be readable with `mask` in force for the call.
// Returns the call's result (-1 with errno on failure).
int MaskedWait(Kind kind, int fd, const sigset_t* mask, int timeout_ms) {
  timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  switch (kind) {
    case Kind::kPpoll: {
      pollfd p{fd, POLLIN, 0};
      return ppoll(&p, 1, &ts, mask);
    }
    case Kind::kPselect: {
      fd_set rd;
      FD_ZERO(&rd);
      FD_SET(fd, &rd);
      return pselect(fd + 1, &rd, nullptr, nullptr, &ts, mask);
    }
    case Kind::kEpollPwait:
    case Kind::kEpollPwait2: {
      ScopedFd ep(epoll_create1(EPOLL_CLOEXEC));
      epoll_event ev{};
      ev.events = EPOLLIN;
      if (epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
      epoll_event out;
      int r = kind == Kind::kEpollPwait ? epoll_pwait(ep.get(), &out, 1, timeout_ms, mask)
                                        : epoll_pwait2(ep.get(), &out, 1, &ts, mask);
      int saved = errno;
      ep.reset();
      errno = saved;
      return r;
    }
  }
  return -1;
}

sigset_t SetOf(std::initializer_list<int> sigs) {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : sigs) sigaddset(&s, sig);
  return s;
}

bool SameSignals(const sigset_t& a, const sigset_t& b) {
  for (int sig = 1; sig < 65; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (sigismember(&a, sig) != sigismember(&b, sig)) return false;
  }
  return true;
}

sigset_t CurrentMask() {
  sigset_t s;
  sigprocmask(SIG_BLOCK, nullptr, &s);
  return s;
}

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

// Puts the thread's mask to `mask` and installs Handler for `counted` (flags as given);
// SIGCHLD keeps its default (ignored) unless it is the counted one. Restores everything
// and drops pending instances at the end.
class SignalScene {
 public:
  SignalScene(const sigset_t& mask, int counted = SIGUSR1, int flags = 0) : counted_(counted) {
    g_handled = 0;
    g_counted = counted;
    sigprocmask(SIG_SETMASK, &mask, &old_mask_);
    struct sigaction sa {};
    sa.sa_handler = Handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(counted, &sa, &old_action_);
  }
  ~SignalScene() {
    sigset_t all = SetOf({SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM});
    sigprocmask(SIG_BLOCK, &all, nullptr);
    timespec zero{};
    while (sigtimedwait(&all, nullptr, &zero) > 0) {
    }
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    sigaction(counted_, &old_action_, nullptr);
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  int counted_;
  sigset_t old_mask_;
  struct sigaction old_action_;
};

// A child that sends `sig` to this process after `delay_ms`, then exits.
pid_t SendLater(int sig, int delay_ms) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    usleep(static_cast<useconds_t>(delay_ms) * 1000);
    kill(parent, sig);
    _exit(0);
  }
  return pid;
}

struct Pipe {
  ScopedFd read, write;
};

Pipe MakePipe() {
  int fds[2] = {-1, -1};
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0) << strerror(errno);
  return Pipe{ScopedFd(fds[0]), ScopedFd(fds[1])};
}

class CallSigmaskTest : public testing::TestWithParam<Kind> {};

TEST_P(CallSigmaskTest, PendingSignalTheMaskUnblocksEndsTheCallAtOnce) {
  const sigset_t own = SetOf({SIGUSR1});
  SignalScene scene(own);
  Pipe p = MakePipe();
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(g_handled, 0);  // blocked: pending
  const sigset_t none = SetOf({});
  int64_t start = NowMs();
  errno = 0;
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), &none, 5000), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_LT(NowMs() - start, 2000);
  EXPECT_EQ(g_handled, 1);
  EXPECT_TRUE(SameSignals(CurrentMask(), own)) << "the thread's own mask is back";
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGUSR1));
}

TEST_P(CallSigmaskTest, SignalDuringTheWaitEndsItAndTheHandlerRunsUnderTheCallsMask) {
  const sigset_t own = SetOf({SIGUSR1, SIGUSR2});
  SignalScene scene(own);
  Pipe p = MakePipe();
  const sigset_t call = SetOf({SIGUSR2});
  pid_t child = SendLater(SIGUSR1, 100);
  ASSERT_GT(child, 0);
  errno = 0;
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), &call, 5000), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(g_handled, 1);
  // In the handler: the call's mask plus the signal itself.
  EXPECT_TRUE(sigismember(&g_mask_in_handler, SIGUSR1));
  EXPECT_TRUE(sigismember(&g_mask_in_handler, SIGUSR2));
  EXPECT_TRUE(SameSignals(CurrentMask(), own)) << "sigreturn restored the thread's own mask";
  EXPECT_EQ(waitpid(child, nullptr, 0), child);
}

TEST_P(CallSigmaskTest, SaRestartDoesNotRestartTheCall) {
  const sigset_t own = SetOf({SIGUSR1});
  SignalScene scene(own, SIGUSR1, SA_RESTART);
  Pipe p = MakePipe();
  const sigset_t none = SetOf({});
  pid_t child = SendLater(SIGUSR1, 50);
  ASSERT_GT(child, 0);
  int64_t start = NowMs();
  errno = 0;
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), &none, 3000), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_LT(NowMs() - start, 2500);
  EXPECT_EQ(g_handled, 1);
  EXPECT_TRUE(SameSignals(CurrentMask(), own));
  EXPECT_EQ(waitpid(child, nullptr, 0), child);
}

TEST_P(CallSigmaskTest, SignalTheCallsMaskBlocksWaitsUntilTheCallReturns) {
  const sigset_t own = SetOf({});
  SignalScene scene(own);
  Pipe p = MakePipe();
  const sigset_t call = SetOf({SIGUSR1});
  pid_t child = SendLater(SIGUSR1, 50);
  ASSERT_GT(child, 0);
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), &call, 400), 0) << strerror(errno);
  // The call timed out; the thread's own mask lets the signal in as it returns.
  EXPECT_EQ(g_handled, 1);
  EXPECT_TRUE(SameSignals(CurrentMask(), own));
  EXPECT_EQ(waitpid(child, nullptr, 0), child);
}

TEST_P(CallSigmaskTest, ReadyFdWinsOverAPendingSignalWhichStaysPending) {
  const sigset_t own = SetOf({SIGUSR1});
  SignalScene scene(own);
  Pipe p = MakePipe();
  ASSERT_EQ(write(p.write.get(), "x", 1), 1);
  ASSERT_EQ(raise(SIGUSR1), 0);
  const sigset_t none = SetOf({});
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), &none, 1000), 1);
  EXPECT_EQ(g_handled, 0);
  EXPECT_TRUE(SameSignals(CurrentMask(), own));
  sigset_t pending;
  sigpending(&pending);
  EXPECT_TRUE(sigismember(&pending, SIGUSR1));
}

TEST_P(CallSigmaskTest, ReadyResultComesBackUnderTheThreadsOwnMask) {
  const sigset_t own = SetOf({SIGUSR1, SIGCHLD});
  SignalScene scene(own);
  Pipe p = MakePipe();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    usleep(50000);
    (void)!write(p.write.get(), "x", 1);
    _exit(0);
  }
  const sigset_t none = SetOf({});
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), &none, 5000), 1) << strerror(errno);
  EXPECT_TRUE(SameSignals(CurrentMask(), own));
  EXPECT_EQ(waitpid(child, nullptr, 0), child);
}

// GNU make's loop: SIGCHLD blocked, the wait for jobs lets it in.
TEST_P(CallSigmaskTest, ChildExitInterruptsAWaitThatUnblocksSigchld) {
  const sigset_t own = SetOf({SIGCHLD});
  SignalScene scene(own, SIGCHLD);
  Pipe p = MakePipe();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    usleep(50000);
    _exit(0);
  }
  const sigset_t none = SetOf({});
  int64_t start = NowMs();
  errno = 0;
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), &none, 5000), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_LT(NowMs() - start, 2500);
  EXPECT_EQ(g_handled, 1);
  EXPECT_TRUE(SameSignals(CurrentMask(), own));
  EXPECT_EQ(waitpid(child, nullptr, 0), child);
}

// A signal racing the call's timeout: either the call ends with EINTR and the handler ran
// once, or it times out and the signal stays blocked; the thread's mask is its own again.
TEST_P(CallSigmaskTest, SignalRacingTheTimeoutIsNeverLostNorLeavesTheMaskChanged) {
  const sigset_t own = SetOf({SIGUSR1});
  SignalScene scene(own);
  Pipe p = MakePipe();
  const sigset_t none = SetOf({});
  const sigset_t usr1 = SetOf({SIGUSR1});
  int interrupted = 0, timed_out = 0;
  for (int round = 0; round < 40; ++round) {
    g_handled = 0;
    pid_t child = SendLater(SIGUSR1, (round % 8) * 3);
    ASSERT_GT(child, 0);
    errno = 0;
    int r = MaskedWait(GetParam(), p.read.get(), &none, 10);
    int err = errno;
    ASSERT_EQ(waitpid(child, nullptr, 0), child);
    ASSERT_TRUE(SameSignals(CurrentMask(), own)) << "round " << round;
    if (r == -1) {
      ASSERT_EQ(err, EINTR) << "round " << round;
      ASSERT_EQ(g_handled, 1) << "round " << round;
      ++interrupted;
    } else {
      ASSERT_EQ(r, 0) << "round " << round;
      ASSERT_EQ(g_handled, 0) << "round " << round;
      timespec second{1, 0};
      ASSERT_EQ(sigtimedwait(&usr1, nullptr, &second), SIGUSR1) << "round " << round;
      ++timed_out;
    }
  }
  EXPECT_EQ(interrupted + timed_out, 40);
}

// An interval timer whose period is close to the call's timeout: each call either times
// out or ends with EINTR after the handler ran, never EINTR without it; the mask is the
// thread's own after every call.
TEST_P(CallSigmaskTest, TimerSignalsAgainstShortWaitsNeverGiveABareEintr) {
  const sigset_t own = SetOf({SIGALRM});
  SignalScene scene(own, SIGALRM);
  Pipe p = MakePipe();
  const sigset_t none = SetOf({});
  itimerval period{{0, 1500}, {0, 1500}};
  ASSERT_EQ(setitimer(ITIMER_REAL, &period, nullptr), 0);
  int interrupted = 0, bare = 0, mask_changed = 0, other = 0;
  for (int round = 0; round < 600; ++round) {
    const int before = g_handled;
    errno = 0;
    const int r = MaskedWait(GetParam(), p.read.get(), &none, 1);
    if (r == -1 && errno == EINTR) {
      ++interrupted;
      if (g_handled == before) ++bare;
    } else if (r != 0) {
      ++other;
    }
    if (!SameSignals(CurrentMask(), own)) ++mask_changed;
  }
  itimerval off{};
  setitimer(ITIMER_REAL, &off, nullptr);
  EXPECT_GT(interrupted, 0);
  EXPECT_EQ(bare, 0) << "EINTR without the handler, of " << interrupted;
  EXPECT_EQ(mask_changed, 0);
  EXPECT_EQ(other, 0);
}

TEST_P(CallSigmaskTest, NullMaskKeepsTheThreadsMask) {
  const sigset_t own = SetOf({SIGUSR1});
  SignalScene scene(own);
  Pipe p = MakePipe();
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(MaskedWait(GetParam(), p.read.get(), nullptr, 50), 0);
  EXPECT_EQ(g_handled, 0);
  EXPECT_TRUE(SameSignals(CurrentMask(), own));
}

INSTANTIATE_TEST_SUITE_P(Calls, CallSigmaskTest,
                         testing::Values(Kind::kPpoll, Kind::kPselect, Kind::kEpollPwait,
                                         Kind::kEpollPwait2),
                         KindName);

TEST(CallSigmaskArgsTest, BadSigsetSizeIsEinval) {
  Pipe p = MakePipe();
  pollfd pfd{p.read.get(), POLLIN, 0};
  uint64_t mask = 0;
  timespec zero{};
  EXPECT_EQ(syscall(SYS_ppoll, &pfd, 1, &zero, &mask, 4), -1);
  EXPECT_EQ(errno, EINVAL);
  ScopedFd ep(epoll_create1(EPOLL_CLOEXEC));
  epoll_event out;
  EXPECT_EQ(syscall(SYS_epoll_pwait, ep.get(), &out, 1, 0, &mask, 16), -1);
  EXPECT_EQ(errno, EINVAL);
  struct {
    const void* ss;
    size_t len;
  } data{&mask, 4};
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p.read.get(), &rd);
  EXPECT_EQ(syscall(SYS_pselect6, p.read.get() + 1, &rd, nullptr, nullptr, &zero, &data), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(CallSigmaskArgsTest, UnreadableSigsetIsEfault) {
  Pipe p = MakePipe();
  pollfd pfd{p.read.get(), POLLIN, 0};
  timespec zero{};
  void* bad = reinterpret_cast<void*>(8);
  EXPECT_EQ(syscall(SYS_ppoll, &pfd, 1, &zero, bad, 8), -1);
  EXPECT_EQ(errno, EFAULT);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p.read.get(), &rd);
  EXPECT_EQ(syscall(SYS_pselect6, p.read.get() + 1, &rd, nullptr, nullptr, &zero, bad), -1);
  EXPECT_EQ(errno, EFAULT);
}

}  // namespace
}  // namespace syscall_test
