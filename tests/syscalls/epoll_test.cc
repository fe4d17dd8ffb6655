// epoll_create/create1/ctl/wait/pwait/pwait2: registration errors, data passed back
// verbatim, level vs edge triggering, EPOLLONESHOT, EPOLL_CTL_DEL, eventfd + timerfd + pipe in
// one set, nesting, timeouts, close of the registered fd, EINTR on a signal, and wake-ups by
// another thread. Uses only libc + gtest.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void SleepMs(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, nullptr);
}

struct Pipe {
  ScopedFd r, w;
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    r.reset(fds[0]);
    w.reset(fds[1]);
  }
  void Put(const char* s = "x") { EXPECT_EQ(write(w.get(), s, strlen(s)), (ssize_t)strlen(s)); }
};

int Add(int ep, int fd, uint32_t events, uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int Mod(int ep, int fd, uint32_t events, uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

TEST(EpollTest, Create) {
  EXPECT_SYSCALL_ERRNO(epoll_create(0), EINVAL);
  EXPECT_SYSCALL_ERRNO(epoll_create1(0x1), EINVAL);
  ScopedFd a(epoll_create(1));
  ASSERT_TRUE(a.valid()) << ErrnoText(errno);
  EXPECT_EQ(fcntl(a.get(), F_GETFD), 0);
  ScopedFd b(epoll_create1(EPOLL_CLOEXEC));
  ASSERT_TRUE(b.valid());
  EXPECT_EQ(fcntl(b.get(), F_GETFD), FD_CLOEXEC);
  char link[64] = {};
  std::string path = "/proc/self/fd/" + std::to_string(b.get());
  ASSERT_GT(readlink(path.c_str(), link, sizeof(link) - 1), 0);
  EXPECT_STREQ(link, "anon_inode:[eventpoll]");
  char c;
  EXPECT_SYSCALL_ERRNO(read(b.get(), &c, 1), EINVAL);
}

TEST(EpollTest, CtlErrors) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 1), 0);
  EXPECT_SYSCALL_ERRNO(Add(ep.get(), p.r.get(), EPOLLIN, 1), EEXIST);
  EXPECT_SYSCALL_ERRNO(Mod(ep.get(), p.w.get(), EPOLLOUT, 1), ENOENT);
  EXPECT_SYSCALL_ERRNO(epoll_ctl(ep.get(), EPOLL_CTL_DEL, p.w.get(), nullptr), ENOENT);
  EXPECT_SYSCALL_ERRNO(Add(-1, p.r.get(), EPOLLIN, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(Add(ep.get(), 999, EPOLLIN, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(Add(ep.get(), ep.get(), EPOLLIN, 1), EINVAL);     // itself
  EXPECT_SYSCALL_ERRNO(Add(p.r.get(), p.w.get(), EPOLLOUT, 1), EINVAL);  // not an epoll fd
  epoll_event ev{EPOLLIN, {.u64 = 0}};
  EXPECT_SYSCALL_ERRNO(epoll_ctl(ep.get(), 99, p.w.get(), &ev), EINVAL);
  EXPECT_SYSCALL_ERRNO(epoll_ctl(ep.get(), EPOLL_CTL_ADD, p.w.get(), nullptr), EFAULT);
  // Files that are always ready have no wait queue: EPERM.
  ScopedFd reg(open(kRegularFile, O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(reg.valid());
  EXPECT_SYSCALL_ERRNO(Add(ep.get(), reg.get(), EPOLLIN, 1), EPERM);
  ScopedFd dir(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  EXPECT_SYSCALL_ERRNO(Add(ep.get(), dir.get(), EPOLLIN, 1), EPERM);
  // EPOLLEXCLUSIVE: accepted on ADD, never on MOD.
  ASSERT_EQ(Add(ep.get(), p.w.get(), EPOLLOUT | EPOLLEXCLUSIVE, 2), 0);
  EXPECT_SYSCALL_ERRNO(Mod(ep.get(), p.w.get(), EPOLLOUT, 2), EINVAL);
  EXPECT_SYSCALL_ERRNO(Mod(ep.get(), p.r.get(), EPOLLIN | EPOLLEXCLUSIVE, 2), EINVAL);
}

TEST(EpollTest, WaitErrors) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  epoll_event out[4];
  EXPECT_SYSCALL_ERRNO(epoll_wait(ep.get(), out, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_epoll_wait, ep.get(), out, -1, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(epoll_wait(-1, out, 4, 0), EBADF);
  EXPECT_SYSCALL_ERRNO(epoll_wait(p.r.get(), out, 4, 0), EINVAL);
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
}

TEST(EpollTest, DataComesBackVerbatim) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.w.get(), EPOLLOUT, 0x0123456789abcdefULL), 0);
  epoll_event out[4];
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(out[0].events, static_cast<uint32_t>(EPOLLOUT));
  EXPECT_EQ(out[0].data.u64, 0x0123456789abcdefULL);
}

TEST(EpollTest, LevelTriggeredRepeats) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 7), 0);
  epoll_event out[4];
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
  p.Put("ab");
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  char c;
  ASSERT_EQ(read(p.r.get(), &c, 1), 1);
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);  // one byte left
  ASSERT_EQ(read(p.r.get(), &c, 1), 1);
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
}

TEST(EpollTest, EdgeTriggeredOnlyOnNewData) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN | EPOLLET, 7), 0);
  epoll_event out[4];
  p.Put("ab");
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 100), 1);
  EXPECT_EQ(out[0].events, static_cast<uint32_t>(EPOLLIN));
  char c;
  ASSERT_EQ(read(p.r.get(), &c, 1), 1);
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 50), 0);  // data left, but no new edge
  p.Put("c");
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 100), 1);
}

TEST(EpollTest, OneshotNeedsModToRearm) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN | EPOLLONESHOT, 7), 0);
  p.Put();
  epoll_event out[4];
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
  p.Put();
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);                       // still disarmed
  EXPECT_SYSCALL_ERRNO(Add(ep.get(), p.r.get(), EPOLLIN, 7), EEXIST);  // but registered
  ASSERT_EQ(Mod(ep.get(), p.r.get(), EPOLLIN | EPOLLONESHOT, 8), 0);
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(out[0].data.u64, 8u);
}

TEST(EpollTest, CtlDel) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 7), 0);
  p.Put();
  epoll_event out[4];
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_DEL, p.r.get(), nullptr), 0);
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
  EXPECT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 9), 0);
}

TEST(EpollTest, HangupAndWritable) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN | EPOLLRDHUP, 1), 0);
  ASSERT_EQ(Add(ep.get(), p.w.get(), EPOLLOUT, 2), 0);
  epoll_event out[4];
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(out[0].data.u64, 2u);
  p.w.reset();
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(out[0].data.u64, 1u);
  EXPECT_EQ(out[0].events, static_cast<uint32_t>(EPOLLHUP));
}

TEST(EpollTest, EventfdTimerfdAndPipeTogether) {
  ScopedFd ep(epoll_create1(EPOLL_CLOEXEC));
  ScopedFd efd(eventfd(0, EFD_NONBLOCK));
  ScopedFd tfd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), efd.get(), EPOLLIN, 1), 0);
  ASSERT_EQ(Add(ep.get(), tfd.get(), EPOLLIN, 2), 0);
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 3), 0);
  epoll_event out[8];
  EXPECT_EQ(epoll_wait(ep.get(), out, 8, 0), 0);
  itimerspec its{};
  its.it_value.tv_nsec = 20000000;
  ASSERT_EQ(timerfd_settime(tfd.get(), 0, &its, nullptr), 0);
  ASSERT_EQ(epoll_wait(ep.get(), out, 8, 2000), 1);
  EXPECT_EQ(out[0].data.u64, 2u);
  uint64_t v = 1;
  ASSERT_EQ(write(efd.get(), &v, 8), 8);
  p.Put();
  uint64_t seen = 0;
  int n = epoll_wait(ep.get(), out, 8, 0);
  ASSERT_EQ(n, 3);
  for (int i = 0; i < n; ++i) seen |= 1u << out[i].data.u64;
  EXPECT_EQ(seen, 0xeu);
  // maxevents smaller than the ready count: the rest comes next time.
  ASSERT_EQ(epoll_wait(ep.get(), out, 2, 0), 2);
  ASSERT_EQ(read(tfd.get(), &v, 8), 8);
  ASSERT_EQ(read(efd.get(), &v, 8), 8);
  ASSERT_EQ(epoll_wait(ep.get(), out, 8, 0), 1);
  EXPECT_EQ(out[0].data.u64, 3u);
}

TEST(EpollTest, NestedEpollAndPoll) {
  ScopedFd inner(epoll_create1(0));
  ScopedFd outer(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(inner.get(), p.r.get(), EPOLLIN, 1), 0);
  ASSERT_EQ(Add(outer.get(), inner.get(), EPOLLIN, 2), 0);
  EXPECT_SYSCALL_ERRNO(Add(inner.get(), outer.get(), EPOLLIN, 3), ELOOP);
  EXPECT_SYSCALL_ERRNO(Add(outer.get(), inner.get(), EPOLLIN, 2), EEXIST);
  EXPECT_SYSCALL_ERRNO(Mod(outer.get(), inner.get(), EPOLLIN | EPOLLEXCLUSIVE, 2), EINVAL);
  epoll_event out[4];
  EXPECT_EQ(epoll_wait(outer.get(), out, 4, 0), 0);
  struct pollfd pfd = {inner.get(), POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  p.Put();
  ASSERT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_EQ(pfd.revents, POLLIN);
  ASSERT_EQ(epoll_wait(outer.get(), out, 4, 100), 1);
  EXPECT_EQ(out[0].data.u64, 2u);
  ASSERT_EQ(epoll_wait(inner.get(), out, 4, 0), 1);
  EXPECT_EQ(out[0].data.u64, 1u);
}

TEST(EpollTest, TimeoutIsRoughlyHonoured) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 1), 0);
  epoll_event out[4];
  int64_t start = NowNs();
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 100), 0);
  int64_t ms = (NowNs() - start) / 1000000;
  EXPECT_GE(ms, 95);
  EXPECT_LT(ms, 1000);
  start = NowNs();
  struct timespec ts = {0, 50000000};
  EXPECT_EQ(epoll_pwait2(ep.get(), out, 4, &ts, nullptr), 0);
  ms = (NowNs() - start) / 1000000;
  EXPECT_GE(ms, 45);
  EXPECT_LT(ms, 1000);
  ts.tv_nsec = 1000000000;
  EXPECT_SYSCALL_ERRNO(epoll_pwait2(ep.get(), out, 4, &ts, nullptr), EINVAL);
  sigset_t none;
  sigemptyset(&none);
  EXPECT_EQ(epoll_pwait(ep.get(), out, 4, 10, &none), 0);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_epoll_pwait, ep.get(), out, 4, 0, &none, 4), EINVAL);
}

TEST(EpollTest, CloseOfTheOnlyFdRemovesIt) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 1), 0);
  p.Put();
  epoll_event out[4];
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  int num = p.r.get();
  p.r.reset();
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 0);
  // The writer sees no reader left.
  signal(SIGPIPE, SIG_IGN);
  EXPECT_SYSCALL_ERRNO(write(p.w.get(), "x", 1), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  // The number may be reused and registered afresh.
  ScopedFd efd(eventfd(1, 0));
  ASSERT_EQ(efd.get(), num);
  ASSERT_EQ(Add(ep.get(), efd.get(), EPOLLIN, 5), 0);
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(out[0].data.u64, 5u);
}

TEST(EpollTest, DupKeepsTheRegistration) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 1), 0);
  ScopedFd other(dup(p.r.get()));
  ASSERT_EQ(Add(ep.get(), other.get(), EPOLLIN, 2), 0);  // (fd, description) is the key
  p.r.reset();
  p.Put();
  epoll_event out[4];
  // The description is still open: both registrations remain (Linux semantics).
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 2);
  EXPECT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_DEL, other.get(), nullptr), 0);
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
  EXPECT_EQ(out[0].data.u64, 1u);
}

void OnSignal(int) {}

struct KillArg {
  pthread_t target;
};

void* KillLater(void* arg) {
  SleepMs(100);
  pthread_kill(static_cast<KillArg*>(arg)->target, SIGUSR1);
  return nullptr;
}

TEST(EpollTest, InterruptedBySignal) {
  struct sigaction sa = {}, old;
  sa.sa_handler = OnSignal;  // no SA_RESTART (epoll_wait is never restarted anyway)
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 1), 0);
  KillArg arg{pthread_self()};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, KillLater, &arg), 0);
  epoll_event out[4];
  int64_t start = NowNs();
  EXPECT_SYSCALL_ERRNO(epoll_wait(ep.get(), out, 4, 5000), EINTR);
  EXPECT_LT((NowNs() - start) / 1000000, 4000);
  pthread_join(t, nullptr);
  sigaction(SIGUSR1, &old, nullptr);
  // The set still works afterwards.
  p.Put();
  EXPECT_EQ(epoll_wait(ep.get(), out, 4, 0), 1);
}

void* PutLater(void* arg) {
  SleepMs(50);
  EXPECT_EQ(write(*static_cast<int*>(arg), "x", 1), 1);
  return nullptr;
}

TEST(EpollTest, BlockedWaitWokenByAnotherThread) {
  ScopedFd ep(epoll_create1(0));
  Pipe p;
  ASSERT_EQ(Add(ep.get(), p.r.get(), EPOLLIN, 1), 0);
  int w = p.w.get();
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, PutLater, &w), 0);
  epoll_event out[4];
  ASSERT_EQ(epoll_wait(ep.get(), out, 4, -1), 1);
  EXPECT_EQ(out[0].data.u64, 1u);
  pthread_join(t, nullptr);
}

// Ping-pong between two threads through two eventfds waited on with epoll_wait: prints the
// mean wake-up latency (one way). A loose bound only catches a wake-up that never happens.
struct PingPong {
  int ping, pong;
  int rounds;
};

void* Ponger(void* arg) {
  auto* pp = static_cast<PingPong*>(arg);
  int ep = epoll_create1(0);
  Add(ep, pp->ping, EPOLLIN, 0);
  for (int i = 0; i < pp->rounds; ++i) {
    epoll_event ev;
    if (epoll_wait(ep, &ev, 1, 5000) != 1) break;
    uint64_t v;
    if (read(pp->ping, &v, 8) != 8) break;
    v = 1;
    if (write(pp->pong, &v, 8) != 8) break;
  }
  close(ep);
  return nullptr;
}

TEST(EpollTest, WakeupLatency) {
  ScopedFd ping(eventfd(0, EFD_NONBLOCK)), pong(eventfd(0, EFD_NONBLOCK));
  ScopedFd ep(epoll_create1(0));
  ASSERT_EQ(Add(ep.get(), pong.get(), EPOLLIN, 0), 0);
  PingPong pp{ping.get(), pong.get(), 500};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, Ponger, &pp), 0);
  int64_t start = NowNs();
  int done = 0;
  for (; done < pp.rounds; ++done) {
    uint64_t v = 1;
    ASSERT_EQ(write(ping.get(), &v, 8), 8);
    epoll_event ev;
    ASSERT_EQ(epoll_wait(ep.get(), &ev, 1, 5000), 1);
    ASSERT_EQ(read(pong.get(), &v, 8), 8);
  }
  double us = (NowNs() - start) / 1000.0 / done / 2;
  pthread_join(t, nullptr);
  printf("epoll_wait wake-up latency (one way, mean of %d round trips): %.1f us\n", done, us);
  EXPECT_LT(us, 100000.0);
}

}  // namespace
}  // namespace syscall_test
