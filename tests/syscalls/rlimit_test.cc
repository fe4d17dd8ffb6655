// Enforcement of rlimits: CPU, AS, DATA, STACK (the host's, once the guest sets them) and
// FSIZE (EFBIG + SIGXFSZ on file writes). Each case runs in a forked child with a time limit.
// Owned by the tests team.
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "test_util.h"

namespace {

using syscall_test::ErrnoText;

// In a child: fails with the line number of the first check that does not hold.
#define CHILD_CHECK(cond)                                                         \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "%s:%d: failed: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
      _exit(1);                                                                   \
    }                                                                             \
  } while (0)

// Runs `body` in a forked child and returns its wait status; kills it after `seconds`.
int RunChild(const std::function<void()>& body, int seconds = 10) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  if (pid < 0) return -1;
  int status = 0;
  for (int i = 0; i < seconds * 20; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    usleep(50000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -2;  // timed out
}

std::string Describe(int status) {
  if (status == -2) return "timed out";
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status)) + " (check line)";
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

void ExpectCleanExit(int status) {
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << Describe(status);
}

void SetLimit(int resource, rlim_t cur, rlim_t max) {
  struct rlimit rl = {cur, max};
  CHILD_CHECK(setrlimit(resource, &rl) == 0);
}

void Spin() {
  volatile unsigned long counter = 0;
  for (;;) counter = counter + 1;
}

TEST(RlimitTest, CpuLimitKillsSpinningProcess) {
  int status = RunChild([] {
    SetLimit(RLIMIT_CPU, 1, 1);
    Spin();
  });
  ASSERT_TRUE(status >= 0 && WIFSIGNALED(status)) << Describe(status);
  EXPECT_TRUE(WTERMSIG(status) == SIGKILL || WTERMSIG(status) == SIGXCPU) << Describe(status);
}

TEST(RlimitTest, CpuLimitFromShellUlimit) {
  if (access("/bin/bash", X_OK) != 0) GTEST_SKIP() << "no /bin/bash";
  int status = RunChild([] {
    execl("/bin/bash", "bash", "-c", "ulimit -t 1; while :; do :; done", nullptr);
    _exit(127);
  });
  ASSERT_TRUE(status >= 0 && WIFSIGNALED(status)) << Describe(status);
  EXPECT_TRUE(WTERMSIG(status) == SIGKILL || WTERMSIG(status) == SIGXCPU) << Describe(status);
}

TEST(RlimitTest, SoftCpuLimitSendsSigxcpu) {
  int status = RunChild([] {
    SetLimit(RLIMIT_CORE, 0, 0);  // SIGXCPU's default action dumps core
    SetLimit(RLIMIT_CPU, 1, RLIM_INFINITY);
    Spin();
  });
  ASSERT_TRUE(status >= 0 && WIFSIGNALED(status)) << Describe(status);
  EXPECT_EQ(WTERMSIG(status), SIGXCPU) << Describe(status);
}

TEST(RlimitTest, AddressSpaceLimitFailsLargeMmap) {
  ExpectCleanExit(RunChild([] {
    constexpr size_t kMiB = 1 << 20;
    SetLimit(RLIMIT_AS, 200 * kMiB, RLIM_INFINITY);
    struct rlimit rl;
    CHILD_CHECK(getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur == 200 * kMiB);
    void* big = mmap(nullptr, 500 * kMiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    CHILD_CHECK(big == MAP_FAILED && errno == ENOMEM);
    void* small = mmap(nullptr, 16 * kMiB, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(small != MAP_FAILED);
    // Raising the soft limit again (up to the hard one) lifts it.
    SetLimit(RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY);
    big = mmap(nullptr, 500 * kMiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(big != MAP_FAILED);
  }));
}

TEST(RlimitTest, DataLimitFailsBrk) {
  ExpectCleanExit(RunChild([] {
    constexpr long kMiB = 1 << 20;
    SetLimit(RLIMIT_DATA, 32 * kMiB, RLIM_INFINITY);
    CHILD_CHECK(sbrk(256 * kMiB) == reinterpret_cast<void*>(-1) && errno == ENOMEM);
    void* m = mmap(nullptr, 256 * kMiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    CHILD_CHECK(m == MAP_FAILED && errno == ENOMEM);
  }));
}

// Touches `depth` KiB of stack, one frame per KiB (kept live across the call, so the
// recursion cannot become a loop).
__attribute__((noinline)) int TouchStack(int depth) {
  char frame[1024];
  memset(frame, depth, sizeof(frame));
  asm volatile("" : : "r"(frame) : "memory");
  int below = depth == 0 ? 0 : TouchStack(depth - 1);
  asm volatile("" : : "r"(frame) : "memory");
  return below + frame[5];
}

TEST(RlimitTest, StackLimitStopsGrowth) {
  int status = RunChild([] {
    SetLimit(RLIMIT_CORE, 0, 0);
    SetLimit(RLIMIT_STACK, 1 << 20, RLIM_INFINITY);
    TouchStack(6 * 1024);  // 6 MiB: fits the usual 8 MiB, not 1 MiB
  });
  ASSERT_TRUE(status >= 0 && WIFSIGNALED(status)) << Describe(status);
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  // Without the limit the same depth works (the test is about the limit, not the stack).
  ExpectCleanExit(RunChild([] { TouchStack(6 * 1024); }));
}

TEST(RlimitTest, PrlimitOnChildReachesIt) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    (void)!read(ready[0], &c, 1);  // wait for the parent's prlimit
    Spin();
  }
  ASSERT_GT(pid, 0);
  struct rlimit rl = {1, 1};
  EXPECT_EQ(prlimit(pid, RLIMIT_CPU, &rl, nullptr), 0) << ErrnoText(errno);
  struct rlimit got;
  EXPECT_EQ(prlimit(pid, RLIMIT_CPU, nullptr, &got), 0);
  EXPECT_EQ(got.rlim_cur, 1u);
  (void)!write(ready[1], "x", 1);
  int status = 0;
  bool done = false;
  for (int i = 0; i < 200 && !done; ++i) {
    done = waitpid(pid, &status, WNOHANG) == pid;
    if (!done) usleep(50000);
  }
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  close(ready[0]);
  close(ready[1]);
  EXPECT_TRUE(done) << "the child spun past its CPU limit";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << Describe(status);
}

TEST(RlimitTest, BadResourceAndValues) {
  struct rlimit rl;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_prlimit64, 0, 1000, nullptr, &rl), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_prlimit64, 0, -1, nullptr, &rl), EINVAL);
  ASSERT_EQ(getrlimit(RLIMIT_AS, &rl), 0);
  struct rlimit bad = {2, 1};  // soft above hard
  EXPECT_SYSCALL_ERRNO(setrlimit(RLIMIT_AS, &bad), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_AS, reinterpret_cast<void*>(8), nullptr),
                       EFAULT);
  struct rlimit same;
  ASSERT_EQ(getrlimit(RLIMIT_AS, &same), 0);
  EXPECT_EQ(same.rlim_cur, rl.rlim_cur);
  EXPECT_SYSCALL_ERRNO(prlimit(999999, RLIMIT_AS, nullptr, &rl), ESRCH);
}

// ---- RLIMIT_FSIZE: the sentry's own check on file writes ----

// SIGXFSZ is blocked in the children, so each raise is pending right after the call;
// this takes it (true) or finds none (false).
bool TookXfsz() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGXFSZ);
  struct timespec zero = {0, 0};
  return sigtimedwait(&set, nullptr, &zero) == SIGXFSZ;
}

int RemoveOne(const char* path, const struct stat*, int, struct FTW*) { return remove(path); }

class FsizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/dev/shm/sentry-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << ErrnoText(errno);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (dir_.rfind("/dev/shm/sentry-", 0) == 0 && dir_.size() == 22)
      nftw(dir_.c_str(), RemoveOne, 16, FTW_DEPTH | FTW_PHYS);
  }
  // In a child: SIGXFSZ blocked, RLIMIT_FSIZE = 100 bytes, then `body`.
  void Limited(const std::function<void(const std::string& dir)>& body) {
    std::string dir = dir_;
    ExpectCleanExit(RunChild([&] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGXFSZ);
      sigprocmask(SIG_BLOCK, &set, nullptr);
      SetLimit(RLIMIT_FSIZE, 100, RLIM_INFINITY);
      body(dir);
    }));
  }
  std::string dir_;
};

int OpenNew(const std::string& dir, const char* name, int flags = 0) {
  return open((dir + "/" + name).c_str(), O_CREAT | O_RDWR | O_TRUNC | flags, 0644);
}

TEST_F(FsizeTest, WriteStopsAtLimitThenFails) {
  Limited([](const std::string& dir) {
    int fd = OpenNew(dir, "f");
    CHILD_CHECK(fd >= 0);
    char buf[150] = {};
    CHILD_CHECK(write(fd, buf, 150) == 100);
    CHILD_CHECK(!TookXfsz());
    CHILD_CHECK(write(fd, buf, 10) == -1 && errno == EFBIG);
    CHILD_CHECK(TookXfsz());
    CHILD_CHECK(write(fd, buf, 0) == 0 && !TookXfsz());  // nothing to write: no check
    struct stat st;
    CHILD_CHECK(fstat(fd, &st) == 0 && st.st_size == 100);
  });
}

TEST_F(FsizeTest, PwriteAndAppend) {
  Limited([](const std::string& dir) {
    int fd = OpenNew(dir, "f");
    char buf[50] = {};
    CHILD_CHECK(pwrite(fd, buf, 10, 95) == 5 && !TookXfsz());
    CHILD_CHECK(pwrite(fd, buf, 10, 100) == -1 && errno == EFBIG && TookXfsz());
    CHILD_CHECK(pwrite(fd, buf, 10, 1000) == -1 && errno == EFBIG && TookXfsz());
    int app = open((dir + "/f").c_str(), O_WRONLY | O_APPEND);
    CHILD_CHECK(app >= 0);
    CHILD_CHECK(write(app, buf, 10) == -1 && errno == EFBIG && TookXfsz());
  });
}

TEST_F(FsizeTest, VectoredWritesAreOneWrite) {
  Limited([](const std::string& dir) {
    int fd = OpenNew(dir, "f");
    char a[60] = {}, b[60] = {};
    struct iovec iov[2] = {{a, 60}, {b, 60}};
    CHILD_CHECK(writev(fd, iov, 2) == 100 && !TookXfsz());
    struct iovec exact[2] = {{a, 50}, {b, 50}};
    CHILD_CHECK(pwritev(fd, exact, 2, 0) == 100 && !TookXfsz());  // ends at the limit
    CHILD_CHECK(pwritev(fd, exact, 2, 100) == -1 && errno == EFBIG && TookXfsz());
  });
}

TEST_F(FsizeTest, TruncateAndFallocateBeyondLimit) {
  Limited([](const std::string& dir) {
    int fd = OpenNew(dir, "f");
    CHILD_CHECK(ftruncate(fd, 100) == 0 && !TookXfsz());  // up to the limit is fine
    CHILD_CHECK(ftruncate(fd, 101) == -1 && errno == EFBIG && TookXfsz());
    CHILD_CHECK(truncate((dir + "/f").c_str(), 4096) == -1 && errno == EFBIG && TookXfsz());
    CHILD_CHECK(ftruncate(fd, 10) == 0 && !TookXfsz());  // shrinking never is
    CHILD_CHECK(fallocate(fd, 0, 0, 4096) == -1 && errno == EFBIG && TookXfsz());
    CHILD_CHECK(fallocate(fd, 0, 0, 50) == 0 && !TookXfsz());
  });
}

TEST_F(FsizeTest, CopiesIntoFilesAreLimited) {
  Limited([](const std::string& dir) {
    int src = OpenNew(dir, "src");
    char buf[90] = {};
    CHILD_CHECK(write(src, buf, 90) == 90);
    int dst = OpenNew(dir, "dst");
    off_t in = 0;
    CHILD_CHECK(sendfile(dst, src, &in, 90) == 90);
    in = 0;
    // Linux's splice loop goes on after the short write and meets the limit: SIGXFSZ.
    CHILD_CHECK(sendfile(dst, src, &in, 90) == 10 && TookXfsz());  // 90..100
    in = 0;
    CHILD_CHECK(sendfile(dst, src, &in, 90) == -1 && errno == EFBIG && TookXfsz());
    int dst2 = OpenNew(dir, "dst2");
    loff_t from = 0, to = 50;
    // copy_file_range cuts the count up front: no signal.
    CHILD_CHECK(copy_file_range(src, &from, dst2, &to, 90, 0) == 50 && !TookXfsz());
    CHILD_CHECK(copy_file_range(src, &from, dst2, &to, 10, 0) == -1 && errno == EFBIG &&
                TookXfsz());
    int p[2];
    CHILD_CHECK(pipe(p) == 0);
    CHILD_CHECK(write(p[1], buf, 90) == 90);
    int dst3 = OpenNew(dir, "dst3");
    loff_t at = 30;
    // The 20 bytes left in the pipe meet the limit: SIGXFSZ, as with sendfile.
    CHILD_CHECK(splice(p[0], nullptr, dst3, &at, 90, 0) == 70 && TookXfsz());
    CHILD_CHECK(splice(p[0], nullptr, dst3, &at, 20, 0) == -1 && errno == EFBIG && TookXfsz());
    // Pipes are not limited.
    CHILD_CHECK(write(p[1], buf, 90) == 90 && write(p[1], buf, 90) == 90 && !TookXfsz());
  });
}

}  // namespace
