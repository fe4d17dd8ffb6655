// Scheduling calls the host runs for the guest: affinity, policy and parameters, RR interval,
// I/O priority, with Linux's errnos for bad pids and arguments. Owned by the tests team.
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

namespace {

using syscall_test::ErrnoText;

constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassBe = 2;
constexpr int kIoprioClassShift = 13;
constexpr int kNoSuchPid = 999999;

// Restores the calling thread's affinity mask when the test ends.
class AffinityRestorer {
 public:
  AffinityRestorer() { saved_ok_ = sched_getaffinity(0, sizeof(saved_), &saved_) == 0; }
  ~AffinityRestorer() {
    if (saved_ok_) sched_setaffinity(0, sizeof(saved_), &saved_);
  }
  const cpu_set_t& saved() const { return saved_; }

 private:
  cpu_set_t saved_;
  bool saved_ok_ = false;
};

int FirstCpu(const cpu_set_t& set) {
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) return i;
  return -1;
}

TEST(SchedTest, SetaffinityIsSeenByGetaffinity) {
  AffinityRestorer restore;
  int cpu = FirstCpu(restore.saved());
  ASSERT_GE(cpu, 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0) << ErrnoText(errno);
  cpu_set_t got;
  CPU_ZERO(&got);
  ASSERT_EQ(sched_getaffinity(0, sizeof(got), &got), 0) << ErrnoText(errno);
  EXPECT_EQ(CPU_COUNT(&got), 1);
  EXPECT_TRUE(CPU_ISSET(cpu, &got));
  // By pid too (our own).
  CPU_ZERO(&got);
  ASSERT_EQ(sched_getaffinity(getpid(), sizeof(got), &got), 0) << ErrnoText(errno);
  EXPECT_TRUE(CPU_EQUAL(&got, &one));
}

TEST(SchedTest, AffinityErrors) {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getaffinity, -1, sizeof(set), &set), ESRCH);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getaffinity, kNoSuchPid, sizeof(set), &set), ESRCH);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getaffinity, 0, 3, &set), EINVAL);  // not a long
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getaffinity, 0, sizeof(set), nullptr), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_setaffinity, kNoSuchPid, sizeof(set), &set), ESRCH);
  // An empty mask: no CPU to run on.
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_setaffinity, 0, sizeof(set), &set), EINVAL);
}

TEST(SchedTest, TasksetRunsCommand) {
  if (access("/usr/bin/taskset", X_OK) != 0) GTEST_SKIP() << "no taskset";
  AffinityRestorer restore;
  int cpu = FirstCpu(restore.saved());
  std::string cmd = "/usr/bin/taskset -c " + std::to_string(cpu) + " /bin/true";
  pid_t pid = fork();
  if (pid == 0) {
    alarm(20);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST(SchedTest, PolicyAndParam) {
  int old = sched_getscheduler(0);
  ASSERT_GE(old, 0) << ErrnoText(errno);
  struct sched_param sp = {0};
  ASSERT_EQ(sched_setscheduler(0, SCHED_BATCH, &sp), 0) << ErrnoText(errno);
  EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
  EXPECT_EQ(sched_setparam(0, &sp), 0) << ErrnoText(errno);
  struct sched_param got = {42};
  EXPECT_EQ(sched_getparam(0, &got), 0) << ErrnoText(errno);
  EXPECT_EQ(got.sched_priority, 0);
  ASSERT_EQ(sched_setscheduler(0, SCHED_OTHER, &sp), 0) << ErrnoText(errno);
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
}

TEST(SchedTest, PolicyErrors) {
  struct sched_param sp = {0};
  EXPECT_SYSCALL_ERRNO(sched_setscheduler(0, 12345, &sp), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &sp), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_setscheduler, kNoSuchPid, SCHED_OTHER, &sp), ESRCH);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getscheduler, -1), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getscheduler, kNoSuchPid), ESRCH);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_getparam, 0, nullptr), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_setparam, kNoSuchPid, &sp), ESRCH);
  struct sched_param bad = {5};  // SCHED_OTHER takes priority 0 only
  EXPECT_SYSCALL_ERRNO(sched_setparam(0, &bad), EINVAL);
}

TEST(SchedTest, RoundRobinInterval) {
  struct timespec ts = {-1, -1};
  ASSERT_EQ(sched_rr_get_interval(0, &ts), 0) << ErrnoText(errno);
  EXPECT_GE(ts.tv_sec, 0);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_rr_get_interval, kNoSuchPid, &ts), ESRCH);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
}

TEST(SchedTest, IoPriority) {
  long old = syscall(SYS_ioprio_get, kIoprioWhoProcess, 0);
  ASSERT_GE(old, 0) << ErrnoText(errno);
  int be4 = (kIoprioClassBe << kIoprioClassShift) | 4;
  ASSERT_EQ(syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, be4), 0) << ErrnoText(errno);
  EXPECT_EQ(syscall(SYS_ioprio_get, kIoprioWhoProcess, 0), be4);
  EXPECT_EQ(syscall(SYS_ioprio_get, kIoprioWhoProcess, getpid()), be4);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_ioprio_get, 99, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_ioprio_get, kIoprioWhoProcess, kNoSuchPid), ESRCH);
  ASSERT_EQ(syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, old), 0) << ErrnoText(errno);
}

}  // namespace
