// Processes: fork/wait statuses, execve errors, sessions and process groups, rusage/times,
// scheduling queries and nice values. Uses only libc + gtest.
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace syscall_test {
namespace {

// Runs `body` in a forked child and returns its wait status.
template <typename F>
int InChild(F body) {
  pid_t pid = fork();
  if (pid == 0) {
    _exit(body());
  }
  int status = -1;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

TEST(ProcessTest, ForkWaitReportsExitCodesAndSignals) {
  int st = InChild([] { return 42; });
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 42);
  st = InChild([] {
    raise(SIGKILL);
    return 0;
  });
  ASSERT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);  // no children left
  EXPECT_EQ(errno, ECHILD);
}

// A grandchild that asked for PR_SET_PDEATHSIG dies when its parent exits: the grandchild
// holds the write end of `gone`, so the test sees EOF there once it is dead.
TEST(ProcessTest, ParentDeathSignalIsDelivered) {
  int ready[2], gone[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(gone), 0);
  pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    pid_t grandchild = fork();
    if (grandchild < 0) _exit(2);
    if (grandchild == 0) {
      close(gone[0]);
      if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) _exit(3);
      int sig = -1;
      if (prctl(PR_GET_PDEATHSIG, &sig) != 0 || sig != SIGTERM) _exit(4);
      if (write(ready[1], "r", 1) != 1) _exit(5);
      sleep(30);  // SIGTERM ends this long before
      _exit(6);
    }
    char c;
    if (read(ready[0], &c, 1) != 1) _exit(7);
    _exit(0);  // the grandchild's parent dies now
  }
  close(gone[1]);
  close(ready[1]);
  int st;
  ASSERT_EQ(waitpid(parent, &st, 0), parent);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  struct pollfd p = {gone[0], POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 10000), 1) << "the grandchild outlived its parent";
  char c;
  EXPECT_EQ(read(gone[0], &c, 1), 0);  // EOF: the grandchild is dead
  close(gone[0]);
  close(ready[0]);
}

TEST(ProcessTest, ChildSeesItsParent) {
  pid_t parent = getpid();
  int st = InChild([parent] { return getppid() == parent ? 0 : 1; });
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

// execve failures come back to the caller with Linux's errno (reported via the exit code).
TEST(ProcessTest, ExecveErrors) {
  auto exec_errno = [](const char* path) {
    int st = InChild([path] {
      char* const argv[] = {const_cast<char*>(path), nullptr};
      execve(path, argv, environ);
      return errno;
    });
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  EXPECT_EQ(exec_errno("/nonexistent-sentry-test"), ENOENT);
  EXPECT_EQ(exec_errno("/usr"), EACCES);
  EXPECT_EQ(exec_errno("/etc/os-release"), EACCES);  // not executable
  EXPECT_EQ(exec_errno("/etc/passwd/x"), ENOTDIR);
}

TEST(ProcessTest, ExecveRunsAProgram) {
  int st = InChild([] {
    char* const argv[] = {const_cast<char*>("/bin/sh"), const_cast<char*>("-c"),
                          const_cast<char*>("exit 7"), nullptr};
    execve("/bin/sh", argv, environ);
    return 100;
  });
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 7);
}

TEST(ProcessTest, SetsidMakesANewSessionAndGroup) {
  int st = InChild([] {
    pid_t sid = setsid();
    if (sid != getpid()) return 1;
    if (getsid(0) != getpid()) return 2;
    if (getpgrp() != getpid()) return 3;
    if (setsid() != -1 || errno != EPERM) return 4;  // already a group leader
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
}

TEST(ProcessTest, SetpgidMovesAChild) {
  int st = InChild([] {
    if (setpgid(0, 0) != 0) return 1;
    if (getpgid(0) != getpid()) return 2;
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  EXPECT_EQ(getpgid(999999), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ProcessTest, RusageAndTimesCountCpu) {
  volatile unsigned long x = 0;
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  do {
    for (int i = 0; i < 100000; ++i) x = x + i;
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 50000000L);
  struct rusage ru;
  ASSERT_EQ(getrusage(RUSAGE_SELF, &ru), 0);
  EXPECT_GT(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec, 0);
  EXPECT_GT(ru.ru_maxrss, 0);
  EXPECT_EQ(getrusage(12345, &ru), -1);
  EXPECT_EQ(errno, EINVAL);
  struct tms t;
  EXPECT_GT(times(&t), 0);
  EXPECT_GT(t.tms_utime + t.tms_stime, 0);
  struct timespec cpu;
  ASSERT_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu), 0);
  EXPECT_GT(cpu.tv_sec * 1000000000L + cpu.tv_nsec, 10000000L);
  ASSERT_EQ(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu), 0);
  EXPECT_GT(cpu.tv_sec * 1000000000L + cpu.tv_nsec, 10000000L);
}

TEST(ProcessTest, SchedulingQueries) {
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
  struct sched_param sp;
  ASSERT_EQ(sched_getparam(0, &sp), 0);
  EXPECT_EQ(sp.sched_priority, 0);
  EXPECT_EQ(sched_get_priority_max(SCHED_FIFO), 99);
  EXPECT_EQ(sched_get_priority_min(SCHED_FIFO), 1);
  EXPECT_EQ(sched_get_priority_max(SCHED_OTHER), 0);
  EXPECT_EQ(sched_get_priority_max(12345), -1);
  EXPECT_EQ(sched_yield(), 0);
  int st = InChild([] {
    errno = 0;
    if (getpriority(PRIO_PROCESS, 0) != 0 || errno) return 1;
    if (setpriority(PRIO_PROCESS, 0, 5) != 0) return 2;
    if (getpriority(PRIO_PROCESS, 0) != 5) return 3;
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
}

TEST(ProcessTest, GetpidAndGettidAgree) {
  EXPECT_EQ(syscall(SYS_getpid), getpid());
  EXPECT_EQ(syscall(SYS_gettid), getpid());  // single-threaded: the main thread
}

}  // namespace
}  // namespace syscall_test
