// signalfd(2)/signalfd4(2): reading queued signals as signalfd_siginfo records, SFD_NONBLOCK,
// poll/epoll readiness, re-masking, dups, fork inheritance and SIGCHLD. libc + gtest only.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

namespace {

using syscall_test::ScopedFd;

sigset_t SetOf(std::initializer_list<int> sigs) {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : sigs) sigaddset(&s, sig);
  return s;
}

class SignalfdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sigset_t block = SetOf({SIGUSR1, SIGUSR2, SIGCHLD});
    ASSERT_EQ(sigprocmask(SIG_BLOCK, &block, &old_), 0);
  }
  void TearDown() override {
    // Drop whatever is still pending (through a signalfd: it needs nothing else), then
    // restore the mask.
    sigset_t all = SetOf({SIGUSR1, SIGUSR2, SIGCHLD});
    int fd = signalfd(-1, &all, SFD_NONBLOCK);
    signalfd_siginfo info;
    while (fd >= 0 && read(fd, &info, sizeof(info)) == sizeof(info)) {
    }
    if (fd >= 0) close(fd);
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  sigset_t old_;
};

ssize_t ReadInfo(int fd, signalfd_siginfo* info) { return read(fd, info, sizeof(*info)); }

TEST_F(SignalfdTest, RaiseThenRead) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, 0));
  ASSERT_TRUE(sfd.valid()) << errno;
  ASSERT_EQ(raise(SIGUSR1), 0);
  signalfd_siginfo info = {};
  ASSERT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(sizeof(info), 128u);
  EXPECT_EQ(info.ssi_signo, static_cast<uint32_t>(SIGUSR1));
  EXPECT_EQ(info.ssi_code, SI_TKILL);  // raise() is tgkill
  EXPECT_EQ(info.ssi_pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(info.ssi_errno, 0);
  // The signal was consumed: nothing is pending any more.
  ASSERT_EQ(fcntl(sfd.get(), F_SETFL, O_NONBLOCK), 0);
  EXPECT_SYSCALL_ERRNO(ReadInfo(sfd.get(), &info), EAGAIN);
}

TEST_F(SignalfdTest, SigqueueValue) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_CLOEXEC));
  ASSERT_TRUE(sfd.valid());
  EXPECT_EQ(fcntl(sfd.get(), F_GETFD), FD_CLOEXEC);
  union sigval v;
  v.sival_int = 42;
  if (sigqueue(getpid(), SIGUSR1, v) != 0 && errno == ENOSYS) {
    GTEST_SKIP() << "rt_sigqueueinfo is not available";
  }
  signalfd_siginfo info = {};
  ASSERT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(info.ssi_signo, static_cast<uint32_t>(SIGUSR1));
  EXPECT_EQ(info.ssi_code, SI_QUEUE);
  EXPECT_EQ(info.ssi_int, 42);
  EXPECT_EQ(info.ssi_pid, static_cast<uint32_t>(getpid()));
}

TEST_F(SignalfdTest, NonblockEagain) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  EXPECT_TRUE(fcntl(sfd.get(), F_GETFL) & O_NONBLOCK);
  signalfd_siginfo info;
  EXPECT_SYSCALL_ERRNO(ReadInfo(sfd.get(), &info), EAGAIN);
}

TEST_F(SignalfdTest, FcntlNonblockEagain) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, 0));
  ASSERT_TRUE(sfd.valid());
  ASSERT_EQ(fcntl(sfd.get(), F_SETFL, O_NONBLOCK), 0);
  signalfd_siginfo info;
  EXPECT_SYSCALL_ERRNO(ReadInfo(sfd.get(), &info), EAGAIN);
}

TEST_F(SignalfdTest, SmallBufferEinval) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  ASSERT_EQ(raise(SIGUSR1), 0);
  char small[64];
  EXPECT_SYSCALL_ERRNO(read(sfd.get(), small, sizeof(small)), EINVAL);
}

TEST_F(SignalfdTest, ReadsSeveralRecords) {
  sigset_t mask = SetOf({SIGUSR1, SIGUSR2});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR2), 0);
  signalfd_siginfo info[4] = {};
  ASSERT_EQ(read(sfd.get(), info, sizeof(info)), static_cast<ssize_t>(2 * sizeof(info[0])));
  EXPECT_EQ(info[0].ssi_signo, static_cast<uint32_t>(SIGUSR1));
  EXPECT_EQ(info[1].ssi_signo, static_cast<uint32_t>(SIGUSR2));
}

TEST_F(SignalfdTest, Readv) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  ASSERT_EQ(raise(SIGUSR1), 0);
  signalfd_siginfo info = {};
  struct iovec iov = {&info, sizeof(info)};
  ASSERT_EQ(readv(sfd.get(), &iov, 1), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(info.ssi_signo, static_cast<uint32_t>(SIGUSR1));
}

TEST_F(SignalfdTest, PollReadiness) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  struct pollfd p = {sfd.get(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);
  ASSERT_EQ(raise(SIGUSR2), 0);  // pending, but not in the mask
  EXPECT_EQ(poll(&p, 1, 0), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(poll(&p, 1, 1000), 1);
  EXPECT_EQ(p.revents, POLLIN);
  signalfd_siginfo info;
  ASSERT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(poll(&p, 1, 0), 0);
}

void* KillLater(void*) {
  usleep(50 * 1000);
  kill(getpid(), SIGUSR1);
  return nullptr;
}

TEST_F(SignalfdTest, PollWakesUpWhenSignalArrives) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, KillLater, nullptr), 0);
  struct pollfd p = {sfd.get(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 5000), 1);
  pthread_join(t, nullptr);
  signalfd_siginfo info;
  EXPECT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
}

TEST_F(SignalfdTest, BlockingReadWaits) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, 0));
  ASSERT_TRUE(sfd.valid());
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, KillLater, nullptr), 0);
  signalfd_siginfo info = {};
  EXPECT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(info.ssi_signo, static_cast<uint32_t>(SIGUSR1));
  EXPECT_EQ(info.ssi_code, SI_USER);
  pthread_join(t, nullptr);
}

TEST_F(SignalfdTest, EpollReadiness) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  ScopedFd ep(epoll_create1(EPOLL_CLOEXEC));
  ASSERT_TRUE(ep.valid());
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = 77;
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, sfd.get(), &ev), 0);
  struct epoll_event out[2];
  EXPECT_EQ(epoll_wait(ep.get(), out, 2, 0), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(epoll_wait(ep.get(), out, 2, 1000), 1);
  EXPECT_EQ(out[0].data.u64, 77u);
  EXPECT_EQ(out[0].events, static_cast<uint32_t>(EPOLLIN));
  signalfd_siginfo info;
  ASSERT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(epoll_wait(ep.get(), out, 2, 0), 0);
  // A signal arriving while epoll_wait waits wakes it.
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, KillLater, nullptr), 0);
  EXPECT_EQ(epoll_wait(ep.get(), out, 2, 5000), 1);
  pthread_join(t, nullptr);
}

TEST_F(SignalfdTest, UpdateMask) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  sigset_t mask2 = SetOf({SIGUSR2});
  // Flags are ignored for an existing signalfd; the fd number comes back.
  ASSERT_EQ(signalfd(sfd.get(), &mask2, SFD_CLOEXEC), sfd.get());
  EXPECT_EQ(fcntl(sfd.get(), F_GETFD), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  signalfd_siginfo info;
  EXPECT_SYSCALL_ERRNO(ReadInfo(sfd.get(), &info), EAGAIN);
  ASSERT_EQ(raise(SIGUSR2), 0);
  ASSERT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(info.ssi_signo, static_cast<uint32_t>(SIGUSR2));
}

TEST_F(SignalfdTest, DupsRead) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  ScopedFd d1(dup(sfd.get()));
  ScopedFd d2(fcntl(sfd.get(), F_DUPFD, 100));
  ASSERT_TRUE(d1.valid());
  ASSERT_GE(d2.get(), 100);
  signalfd_siginfo info;
  for (int fd : {d1.get(), d2.get(), sfd.get()}) {
    ASSERT_EQ(raise(SIGUSR1), 0);
    ASSERT_EQ(ReadInfo(fd, &info), static_cast<ssize_t>(sizeof(info))) << fd;
    EXPECT_EQ(info.ssi_signo, static_cast<uint32_t>(SIGUSR1));
  }
  // dup2 over a read signalfd number, then back.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(dup2(fds[0], d1.get()), d1.get());
  ASSERT_EQ(write(fds[1], "p", 1), 1);
  char c;
  EXPECT_EQ(read(d1.get(), &c, 1), 1);
  ASSERT_EQ(dup2(sfd.get(), d1.get()), d1.get());
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(ReadInfo(d1.get(), &info), static_cast<ssize_t>(sizeof(info)));
  close(fds[0]);
  close(fds[1]);
  // Closing one dup leaves the others working.
  d2.reset();
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
}

TEST_F(SignalfdTest, ForkChildReadsItsOwnSignals) {
  sigset_t mask = SetOf({SIGUSR1});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  ASSERT_EQ(raise(SIGUSR1), 0);  // the parent's, not inherited by the child
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signalfd_siginfo info;
    if (read(sfd.get(), &info, sizeof(info)) != -1 || errno != EAGAIN) _exit(1);
    raise(SIGUSR1);
    if (read(sfd.get(), &info, sizeof(info)) != sizeof(info)) _exit(2);
    if (info.ssi_signo != SIGUSR1 || info.ssi_pid != static_cast<uint32_t>(getpid())) _exit(3);
    _exit(0);
  }
  int status;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  signalfd_siginfo info;
  ASSERT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(info.ssi_pid, static_cast<uint32_t>(getpid()));
}

TEST_F(SignalfdTest, SigchldClassicPattern) {
  sigset_t mask = SetOf({SIGCHLD});
  ScopedFd sfd(signalfd(-1, &mask, SFD_CLOEXEC));
  ASSERT_TRUE(sfd.valid());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(7);
  struct pollfd p = {sfd.get(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  signalfd_siginfo info = {};
  ASSERT_EQ(ReadInfo(sfd.get(), &info), static_cast<ssize_t>(sizeof(info)));
  EXPECT_EQ(info.ssi_signo, static_cast<uint32_t>(SIGCHLD));
  EXPECT_EQ(info.ssi_code, CLD_EXITED);
  EXPECT_EQ(info.ssi_pid, static_cast<uint32_t>(pid));
  EXPECT_EQ(info.ssi_status, 7);
  int status;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST_F(SignalfdTest, Errors) {
  sigset_t mask = SetOf({SIGUSR1});
  EXPECT_SYSCALL_ERRNO(syscall(SYS_signalfd4, -1, &mask, 4, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_signalfd4, -1, &mask, 8, 0x4), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_signalfd4, -1, nullptr, 8, 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_signalfd4, -1, 8, 8, 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_signalfd4, 999, &mask, 8, 0), EBADF);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_signalfd4, -5, &mask, 8, 0), EBADF);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_SYSCALL_ERRNO(signalfd(fds[0], &mask, 0), EINVAL);
  close(fds[0]);
  close(fds[1]);
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  EXPECT_SYSCALL_ERRNO(write(sfd.get(), "12345678", 8), EINVAL);
  EXPECT_EQ(lseek(sfd.get(), 0, SEEK_SET), 0);  // noop_llseek
}

TEST_F(SignalfdTest, FstatAndFdinfo) {
  sigset_t mask = SetOf({SIGUSR1, SIGUSR2});
  ScopedFd sfd(signalfd(-1, &mask, SFD_NONBLOCK));
  ASSERT_TRUE(sfd.valid());
  struct stat st;
  ASSERT_EQ(fstat(sfd.get(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  char link[64];
  std::string path = "/proc/self/fd/" + std::to_string(sfd.get());
  ssize_t n = readlink(path.c_str(), link, sizeof(link) - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(link, n), "anon_inode:[signalfd]");
  std::string info_path = "/proc/self/fdinfo/" + std::to_string(sfd.get());
  ScopedFd info(open(info_path.c_str(), O_RDONLY));
  ASSERT_TRUE(info.valid());
  std::string text = syscall_test::ReadToEnd(info.get());
  EXPECT_NE(text.find("sigmask:\t0000000000000a00\n"), std::string::npos) << text;
}

}  // namespace
