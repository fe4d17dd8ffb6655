// O_ASYNC: fcntl F_SETOWN/F_GETOWN, F_SETOWN_EX/F_GETOWN_EX, F_SETSIG/F_GETSIG, the signal
// a pipe or FIFO raises at its owner when it becomes readable or writable, and its siginfo.
// Uses only libc + gtest.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace syscall_test {
namespace {

volatile sig_atomic_t g_sigio = 0;
volatile sig_atomic_t g_usr1 = 0;

void OnSigio(int) { g_sigio = g_sigio + 1; }
void OnUsr1(int) { g_usr1 = g_usr1 + 1; }

// Installs handlers for SIGIO and SIGUSR1 for the test's lifetime.
class SigioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    struct sigaction sa {};
    sa.sa_handler = OnSigio;
    sa.sa_flags = SA_RESTART;
    ASSERT_EQ(sigaction(SIGIO, &sa, &old_io_), 0);
    sa.sa_handler = OnUsr1;
    ASSERT_EQ(sigaction(SIGUSR1, &sa, &old_usr1_), 0);
    g_sigio = 0;
    g_usr1 = 0;
  }
  void TearDown() override {
    sigaction(SIGIO, &old_io_, nullptr);
    sigaction(SIGUSR1, &old_usr1_, nullptr);
  }
  struct sigaction old_io_ {};
  struct sigaction old_usr1_ {};
};

// Waits up to 5 s for `flag` to become non-zero (the sentry raises the signal from its event
// loop, a moment after the write returned; Linux raises it inside the write).
bool WaitFor(volatile sig_atomic_t& flag, int ms = 5000) {
  for (int i = 0; i < ms && flag == 0; ++i) usleep(1000);
  return flag != 0;
}

void SetAsync(int fd) {
  int fl = fcntl(fd, F_GETFL);
  ASSERT_GE(fl, 0);
  ASSERT_EQ(fcntl(fd, F_SETFL, fl | O_ASYNC), 0);
  EXPECT_TRUE(fcntl(fd, F_GETFL) & O_ASYNC);
}

TEST_F(SigioTest, PipeWriteRaisesSigioAtTheReadersOwner) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(fcntl(p[0], F_SETOWN, getpid()), 0);
  EXPECT_EQ(fcntl(p[0], F_GETOWN), getpid());
  SetAsync(p[0]);
  usleep(50000);
  EXPECT_EQ(g_sigio, 0) << "setting O_ASYNC raises nothing by itself";
  ASSERT_EQ(write(p[1], "x", 1), 1);
  EXPECT_TRUE(WaitFor(g_sigio));
  char c;
  EXPECT_EQ(read(p[0], &c, 1), 1);
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, WithoutOasyncNoSignal) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(fcntl(p[0], F_SETOWN, getpid()), 0);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  EXPECT_FALSE(WaitFor(g_sigio, 200));
  // Turning O_ASYNC off again stops the signals.
  SetAsync(p[0]);
  ASSERT_EQ(fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) & ~O_ASYNC), 0);
  g_sigio = 0;
  ASSERT_EQ(write(p[1], "y", 1), 1);
  EXPECT_FALSE(WaitFor(g_sigio, 200));
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, NoOwnerNoSignal) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  EXPECT_EQ(fcntl(p[0], F_GETOWN), 0);
  SetAsync(p[0]);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  EXPECT_FALSE(WaitFor(g_sigio, 200));
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, SetsigChoosesTheSignal) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  EXPECT_EQ(fcntl(p[0], F_GETSIG), 0);
  ASSERT_EQ(fcntl(p[0], F_SETSIG, SIGUSR1), 0);
  EXPECT_EQ(fcntl(p[0], F_GETSIG), SIGUSR1);
  ASSERT_EQ(fcntl(p[0], F_SETOWN, getpid()), 0);
  SetAsync(p[0]);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  EXPECT_TRUE(WaitFor(g_usr1));
  EXPECT_EQ(g_sigio, 0);
  EXPECT_EQ(fcntl(p[0], F_SETSIG, 65), -1);
  EXPECT_EQ(errno, EINVAL);
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, OwnerExAndProcessGroups) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  struct f_owner_ex ex {F_OWNER_TID, static_cast<pid_t>(syscall(SYS_gettid))};
  ASSERT_EQ(fcntl(p[0], F_SETOWN_EX, &ex), 0);
  struct f_owner_ex got {};
  ASSERT_EQ(fcntl(p[0], F_GETOWN_EX, &got), 0);
  EXPECT_EQ(got.type, F_OWNER_TID);
  EXPECT_EQ(got.pid, ex.pid);
  SetAsync(p[0]);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  EXPECT_TRUE(WaitFor(g_sigio));

  // A negative F_SETOWN names a process group.
  ASSERT_EQ(fcntl(p[0], F_SETOWN, -getpgrp()), 0);
  EXPECT_EQ(fcntl(p[0], F_GETOWN), -getpgrp());
  ASSERT_EQ(fcntl(p[0], F_GETOWN_EX, &got), 0);
  EXPECT_EQ(got.type, F_OWNER_PGRP);
  EXPECT_EQ(got.pid, getpgrp());
  ex.type = F_OWNER_PID;
  ex.pid = getpid();
  ASSERT_EQ(fcntl(p[0], F_SETOWN_EX, &ex), 0);
  EXPECT_EQ(fcntl(p[0], F_GETOWN), getpid());

  ex.type = static_cast<decltype(ex.type)>(7);
  EXPECT_EQ(fcntl(p[0], F_SETOWN_EX, &ex), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(fcntl(p[0], F_SETOWN_EX, nullptr), -1);
  EXPECT_EQ(errno, EFAULT);
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, OwnerMustExist) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  EXPECT_EQ(fcntl(p[0], F_SETOWN, pid), -1);  // reaped: no such process any more
  EXPECT_EQ(errno, ESRCH);
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, ChildOwnerGetsTheSignal) {
  int p[2], done[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(pipe(done), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(done[0]);
    struct sigaction sa {};
    sa.sa_handler = OnSigio;
    sigaction(SIGIO, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    while (g_sigio == 0) sigsuspend(&none);
    _exit(write(done[1], "k", 1) == 1 ? 0 : 1);
  }
  close(done[1]);
  ASSERT_EQ(fcntl(p[0], F_SETOWN, pid), 0);
  SetAsync(p[0]);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  char c;
  EXPECT_EQ(read(done[0], &c, 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(g_sigio, 0) << "the parent was not the owner";
  close(p[0]);
  close(p[1]);
  close(done[0]);
}

TEST_F(SigioTest, WriterGetsSigioWhenAFullPipeDrains) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_NONBLOCK), 0);
  char buf[4096] = {};
  while (write(p[1], buf, sizeof(buf)) > 0) {
  }
  ASSERT_EQ(errno, EAGAIN);
  ASSERT_EQ(fcntl(p[1], F_SETOWN, getpid()), 0);
  SetAsync(p[1]);
  usleep(50000);
  g_sigio = 0;
  ASSERT_EQ(read(p[0], buf, sizeof(buf)), static_cast<ssize_t>(sizeof(buf)));
  EXPECT_TRUE(WaitFor(g_sigio));
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, FifoWriteRaisesSigio) {
  char dir[] = "/tmp/sigio_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/fifo";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  int r = open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(r, 0);
  int w = open(path.c_str(), O_WRONLY);
  ASSERT_GE(w, 0);
  ASSERT_EQ(fcntl(r, F_SETOWN, getpid()), 0);
  SetAsync(r);
  ASSERT_EQ(write(w, "x", 1), 1);
  EXPECT_TRUE(WaitFor(g_sigio));
  close(r);
  close(w);
  unlink(path.c_str());
  rmdir(dir);
}

volatile sig_atomic_t g_info_count = 0;
siginfo_t g_info;
void RecordInfo(int, siginfo_t* info, void*) {
  g_info = *info;
  g_info_count = g_info_count + 1;
}

// Catches `sig` with an SA_SIGINFO handler that keeps the last siginfo, for the test.
class CaughtInfo {
 public:
  explicit CaughtInfo(int sig) : sig_(sig) {
    struct sigaction sa {};
    sa.sa_sigaction = RecordInfo;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(sig, &sa, &old_);
    memset(&g_info, 0, sizeof(g_info));
    g_info_count = 0;
  }
  ~CaughtInfo() { sigaction(sig_, &old_, nullptr); }

 private:
  int sig_;
  struct sigaction old_ {};
};

// With F_SETSIG, Linux queues the chosen signal with the poll reason, its band and the fd
// O_ASYNC was set through (here a dup, not the pipe's first fd).
TEST_F(SigioTest, SetsigSiginfoCarriesReasonBandAndFd) {
  CaughtInfo caught(SIGRTMIN);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  int fd = dup(p[0]);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fcntl(fd, F_SETSIG, SIGRTMIN), 0);
  ASSERT_EQ(fcntl(fd, F_SETOWN, getpid()), 0);
  SetAsync(fd);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  ASSERT_TRUE(WaitFor(g_info_count));
  EXPECT_EQ(g_info.si_signo, SIGRTMIN);
  EXPECT_EQ(g_info.si_code, POLL_IN);
  EXPECT_EQ(g_info.si_fd, fd);
  EXPECT_EQ(g_info.si_band, POLLIN | POLLRDNORM);
  close(fd);
  close(p[0]);
  close(p[1]);
}

TEST_F(SigioTest, SetsigSiginfoOfAWriterIsPollOut) {
  CaughtInfo caught(SIGRTMIN + 2);
  int p[2];
  ASSERT_EQ(pipe2(p, O_NONBLOCK), 0);
  char buf[4096] = {};
  while (write(p[1], buf, sizeof(buf)) > 0) {
  }
  ASSERT_EQ(fcntl(p[1], F_SETSIG, SIGRTMIN + 2), 0);
  ASSERT_EQ(fcntl(p[1], F_SETOWN, getpid()), 0);
  SetAsync(p[1]);
  usleep(50000);
  g_info_count = 0;
  ASSERT_EQ(read(p[0], buf, sizeof(buf)), static_cast<ssize_t>(sizeof(buf)));
  ASSERT_TRUE(WaitFor(g_info_count));
  EXPECT_EQ(g_info.si_code, POLL_OUT);
  EXPECT_EQ(g_info.si_fd, p[1]);
  EXPECT_EQ(g_info.si_band, POLLOUT | POLLWRNORM | POLLWRBAND);
  close(p[0]);
  close(p[1]);
}

// Without F_SETSIG the signal is a plain SIGIO from the kernel.
TEST_F(SigioTest, PlainSigioComesFromTheKernel) {
  CaughtInfo caught(SIGIO);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(fcntl(p[0], F_SETOWN, getpid()), 0);
  SetAsync(p[0]);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  ASSERT_TRUE(WaitFor(g_info_count));
  EXPECT_EQ(g_info.si_signo, SIGIO);
  EXPECT_EQ(g_info.si_code, SI_KERNEL);
  close(p[0]);
  close(p[1]);
}

// SIGPIPE is sent by the writer's own kernel call: SI_USER from its own pid.
TEST_F(SigioTest, SigpipeComesFromTheWriterItself) {
  CaughtInfo caught(SIGPIPE);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  close(p[0]);
  EXPECT_EQ(write(p[1], "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  ASSERT_TRUE(WaitFor(g_info_count));
  EXPECT_EQ(g_info.si_code, SI_USER);
  EXPECT_EQ(g_info.si_pid, getpid());
  EXPECT_EQ(g_info.si_uid, getuid());
  close(p[1]);
}

TEST_F(SigioTest, EventfdHasNoAsyncSignals) {
  // Linux's eventfd has no fasync: F_SETFL drops O_ASYNC, and nothing is raised.
  int fd = eventfd(0, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fcntl(fd, F_SETOWN, getpid()), 0);
  ASSERT_EQ(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC), 0);
  EXPECT_FALSE(fcntl(fd, F_GETFL) & O_ASYNC);
  uint64_t one = 1;
  ASSERT_EQ(write(fd, &one, 8), 8);
  EXPECT_FALSE(WaitFor(g_sigio, 200));
  close(fd);
}

}  // namespace
}  // namespace syscall_test
