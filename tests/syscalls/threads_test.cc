// Threads: 8 pthreads hammering a mutex and a condition variable, joined, counts checked;
// thread ids distinct from the process id; execve from a thread that is not the leader.
// Uses only libc + gtest.
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace syscall_test {
namespace {

constexpr int kThreads = 8;
constexpr int kRounds = 20000;

struct Shared {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  long counter = 0;
  int turn = 0;  // ping-pong between even and odd threads through the condvar
  long handoffs = 0;
};

void* Hammer(void* arg) {
  auto* s = static_cast<Shared*>(arg);
  for (int i = 0; i < kRounds; ++i) {
    pthread_mutex_lock(&s->mu);
    ++s->counter;
    pthread_mutex_unlock(&s->mu);
  }
  return nullptr;
}

struct PingPong {
  Shared* s;
  int parity;
};

void* Alternate(void* arg) {
  auto* p = static_cast<PingPong*>(arg);
  for (int i = 0; i < 2000; ++i) {
    pthread_mutex_lock(&p->s->mu);
    while (p->s->turn != p->parity) pthread_cond_wait(&p->s->cv, &p->s->mu);
    p->s->turn = 1 - p->parity;
    ++p->s->handoffs;
    pthread_cond_broadcast(&p->s->cv);
    pthread_mutex_unlock(&p->s->mu);
  }
  return nullptr;
}

TEST(ThreadsTest, MutexCounterAcrossEightThreads) {
  Shared s;
  std::vector<pthread_t> ts(kThreads);
  for (auto& t : ts) ASSERT_EQ(pthread_create(&t, nullptr, Hammer, &s), 0);
  for (auto& t : ts) ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(s.counter, static_cast<long>(kThreads) * kRounds);
}

TEST(ThreadsTest, CondvarPingPong) {
  Shared s;
  PingPong a{&s, 0}, b{&s, 1};
  pthread_t ta, tb;
  ASSERT_EQ(pthread_create(&ta, nullptr, Alternate, &a), 0);
  ASSERT_EQ(pthread_create(&tb, nullptr, Alternate, &b), 0);
  ASSERT_EQ(pthread_join(ta, nullptr), 0);
  ASSERT_EQ(pthread_join(tb, nullptr), 0);
  EXPECT_EQ(s.handoffs, 4000);
}

void* ReportTid(void* arg) {
  *static_cast<long*>(arg) = syscall(SYS_gettid);
  return nullptr;
}

TEST(ThreadsTest, ThreadIdsAreDistinctAndSameProcess) {
  std::set<long> tids = {syscall(SYS_gettid)};
  EXPECT_EQ(syscall(SYS_gettid), getpid());  // the main thread's tid is the pid
  for (int i = 0; i < 4; ++i) {
    long tid = 0;
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, nullptr, ReportTid, &tid), 0);
    ASSERT_EQ(pthread_join(t, nullptr), 0);
    EXPECT_GT(tid, 0);
    EXPECT_NE(tid, getpid());
    tids.insert(tid);
  }
  EXPECT_GE(tids.size(), 2u);
}

// The program a second thread execs: prints the pid it sees and exits 7.
void* ExecShell(void*) {
  char sh[] = "sh";
  char dash_c[] = "-c";
  char script[] = "echo $$; exit 7";
  char* argv[] = {sh, dash_c, script, nullptr};
  execve("/bin/sh", argv, environ);
  _exit(126);
}

// Forks a child whose second thread execs ExecShell; when `leader_exits_first`, the main
// thread has already left with pthread_exit (a zombie leader). The new image must keep the
// process id and report its own exit status.
void ExpectExecFromSecondThread(bool leader_exits_first) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    pthread_t t;
    if (pthread_create(&t, nullptr, ExecShell, nullptr) != 0) _exit(125);
    // The raw exit of this thread only (pthread_exit would unwind through gtest).
    if (leader_exits_first) syscall(SYS_exit, 0);
    for (;;) pause();  // the exec kills this thread
  }
  close(out[1]);
  std::string text;
  char buf[64];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 7);
  EXPECT_EQ(text, std::to_string(pid) + "\n");
}

TEST(ThreadsTest, ExecFromASecondThreadKeepsThePid) { ExpectExecFromSecondThread(false); }

TEST(ThreadsTest, ExecAfterTheLeaderExited) { ExpectExecFromSecondThread(true); }

}  // namespace
}  // namespace syscall_test
