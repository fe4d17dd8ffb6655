// Pseudo-terminals: posix_openpt/grantpt/unlockpt/ptsname, the locked slave, data through the
// line discipline (raw, canonical, echo), window size, /dev/pts, controlling terminal and job
// control (^C, tcsetpgrp, hang-up, the terminal taken on open, background and orphaned groups
// with read/readv/write/writev), EOF/EIO and poll on the master, /dev/tty. libc + gtest only.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace {

using syscall_test::ScopedFd;

// A master with its slave unlocked; slave_name is /dev/pts/N.
struct Pair {
  ScopedFd master;
  ScopedFd slave;
  int index = -1;
  std::string slave_name;
};

Pair OpenPair(bool open_slave = true) {
  Pair p;
  p.master = ScopedFd(posix_openpt(O_RDWR | O_NOCTTY));
  EXPECT_TRUE(p.master.valid()) << strerror(errno);
  EXPECT_EQ(grantpt(p.master.get()), 0);
  EXPECT_EQ(unlockpt(p.master.get()), 0);
  EXPECT_EQ(ioctl(p.master.get(), TIOCGPTN, &p.index), 0);
  char name[64];
  EXPECT_EQ(ptsname_r(p.master.get(), name, sizeof(name)), 0);
  p.slave_name = name;
  if (open_slave) {
    p.slave = ScopedFd(open(name, O_RDWR | O_NOCTTY));
    EXPECT_TRUE(p.slave.valid()) << name << ": " << strerror(errno);
  }
  return p;
}

// Reads what is available within `ms` milliseconds (stops at the first poll timeout).
std::string ReadAvailable(int fd, int ms = 500) {
  std::string out;
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN)) break;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    ms = 50;
  }
  return out;
}

void SetRaw(int fd) {
  struct termios t;
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  cfmakeraw(&t);
  ASSERT_EQ(tcsetattr(fd, TCSANOW, &t), 0);
}

// Waits for one byte from a child on `fd`; returns it ('\0' on EOF or timeout).
char ReadByte(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, 10000) <= 0) return '\0';
  char c = '\0';
  return read(fd, &c, 1) == 1 ? c : '\0';
}

// Waits up to 10 s for `pid`; returns its wait status (-1 on timeout, after SIGKILL).
int WaitFor(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

TEST(PtyTest, OpenptGrantUnlockPtsname) {
  ScopedFd m(posix_openpt(O_RDWR | O_NOCTTY));
  ASSERT_TRUE(m.valid()) << strerror(errno);
  EXPECT_TRUE(isatty(m.get()));
  int locked = -1;
  ASSERT_EQ(ioctl(m.get(), TIOCGPTLCK, &locked), 0);
  EXPECT_EQ(locked, 1);
  ASSERT_EQ(grantpt(m.get()), 0);
  ASSERT_EQ(unlockpt(m.get()), 0);
  ASSERT_EQ(ioctl(m.get(), TIOCGPTLCK, &locked), 0);
  EXPECT_EQ(locked, 0);
  int n = -1;
  ASSERT_EQ(ioctl(m.get(), TIOCGPTN, &n), 0);
  const char* name = ptsname(m.get());
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(std::string(name), "/dev/pts/" + std::to_string(n));
  ScopedFd s(open(name, O_RDWR | O_NOCTTY));
  ASSERT_TRUE(s.valid()) << strerror(errno);
  EXPECT_TRUE(isatty(s.get()));
  char tty[64];
  ASSERT_EQ(ttyname_r(s.get(), tty, sizeof(tty)), 0);
  EXPECT_STREQ(tty, name);
}

TEST(PtyTest, PtmxInDevPtsToo) {
  ScopedFd m(open("/dev/pts/ptmx", O_RDWR | O_NOCTTY));
  if (!m.valid() && errno == EACCES) GTEST_SKIP() << "/dev/pts/ptmx is mode 0 here";
  ASSERT_TRUE(m.valid()) << strerror(errno);
  int n = -1;
  EXPECT_EQ(ioctl(m.get(), TIOCGPTN, &n), 0);
  EXPECT_GE(n, 0);
}

TEST(PtyTest, SlaveIsEioWhileLocked) {
  ScopedFd m(open("/dev/ptmx", O_RDWR | O_NOCTTY));
  ASSERT_TRUE(m.valid()) << strerror(errno);
  int n = -1;
  ASSERT_EQ(ioctl(m.get(), TIOCGPTN, &n), 0);
  std::string name = "/dev/pts/" + std::to_string(n);
  errno = 0;
  EXPECT_EQ(open(name.c_str(), O_RDWR | O_NOCTTY), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(ioctl(m.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY), -1);
  EXPECT_EQ(errno, EIO);
  int unlock = 0;
  ASSERT_EQ(ioctl(m.get(), TIOCSPTLCK, &unlock), 0);
  ScopedFd s(open(name.c_str(), O_RDWR | O_NOCTTY));
  EXPECT_TRUE(s.valid()) << strerror(errno);
}

TEST(PtyTest, PeerFromMaster) {
  Pair p = OpenPair(false);
  ScopedFd s(ioctl(p.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(s.valid()) << strerror(errno);
  EXPECT_EQ(fcntl(s.get(), F_GETFD), FD_CLOEXEC);
  char tty[64];
  ASSERT_EQ(ttyname_r(s.get(), tty, sizeof(tty)), 0);
  EXPECT_EQ(std::string(tty), p.slave_name);
  struct stat a, b;
  ASSERT_EQ(fstat(s.get(), &a), 0);
  ASSERT_EQ(stat(p.slave_name.c_str(), &b), 0);
  EXPECT_EQ(a.st_rdev, b.st_rdev);
  EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST(PtyTest, RawModeMasterToSlave) {
  Pair p = OpenPair();
  SetRaw(p.slave.get());
  ASSERT_EQ(write(p.master.get(), "hello\x03", 6), 6);
  EXPECT_EQ(ReadAvailable(p.slave.get()), "hello\x03");
  ASSERT_EQ(write(p.slave.get(), "a\nb", 3), 3);
  EXPECT_EQ(ReadAvailable(p.master.get()), "a\nb");  // no ONLCR in raw mode
}

TEST(PtyTest, CanonicalModeAndEcho) {
  Pair p = OpenPair();
  struct termios t;
  ASSERT_EQ(tcgetattr(p.slave.get(), &t), 0);
  ASSERT_TRUE(t.c_lflag & ICANON);
  ASSERT_TRUE(t.c_lflag & ECHO);
  ASSERT_EQ(write(p.master.get(), "ab", 2), 2);
  struct pollfd pf = {p.slave.get(), POLLIN, 0};
  EXPECT_EQ(poll(&pf, 1, 100), 0);  // no line yet
  ASSERT_EQ(write(p.master.get(), "\x7f" "c\n", 3), 3);  // DEL erases 'b'
  EXPECT_EQ(ReadAvailable(p.slave.get()), "ac\n");
  EXPECT_EQ(ReadAvailable(p.master.get()), "ab\b \bc\r\n");  // echo with ECHOE, ONLCR
  // Output processing on the way back: \n becomes \r\n.
  ASSERT_EQ(write(p.slave.get(), "x\n", 2), 2);
  EXPECT_EQ(ReadAvailable(p.master.get()), "x\r\n");
  // No echo.
  t.c_lflag &= ~ECHO;
  ASSERT_EQ(tcsetattr(p.slave.get(), TCSANOW, &t), 0);
  ASSERT_EQ(write(p.master.get(), "q\n", 2), 2);
  EXPECT_EQ(ReadAvailable(p.slave.get()), "q\n");
  EXPECT_EQ(ReadAvailable(p.master.get(), 100), "");
}

TEST(PtyTest, InputQueueAndFlush) {
  Pair p = OpenPair();
  SetRaw(p.slave.get());
  ASSERT_EQ(write(p.master.get(), "12345", 5), 5);
  usleep(50000);
  int n = -1;
  ASSERT_EQ(ioctl(p.slave.get(), FIONREAD, &n), 0);
  EXPECT_EQ(n, 5);
  ASSERT_EQ(tcflush(p.slave.get(), TCIFLUSH), 0);
  ASSERT_EQ(ioctl(p.slave.get(), FIONREAD, &n), 0);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(tcdrain(p.slave.get()), 0);
  EXPECT_EQ(ioctl(p.slave.get(), TIOCOUTQ, &n), 0);
}

TEST(PtyTest, WindowSize) {
  Pair p = OpenPair();
  struct winsize ws = {};
  ws.ws_row = 42;
  ws.ws_col = 137;
  ASSERT_EQ(ioctl(p.master.get(), TIOCSWINSZ, &ws), 0);
  struct winsize got = {};
  ASSERT_EQ(ioctl(p.slave.get(), TIOCGWINSZ, &got), 0);
  EXPECT_EQ(got.ws_row, 42);
  EXPECT_EQ(got.ws_col, 137);
  EXPECT_EQ(ioctl(p.slave.get(), TIOCGWINSZ, nullptr), -1);
  EXPECT_EQ(errno, EFAULT);
}

TEST(PtyTest, DevPtsListsThePair) {
  Pair p = OpenPair();
  std::string n = std::to_string(p.index);
  bool found = false, ptmx = false;
  DIR* d = opendir("/dev/pts");
  ASSERT_NE(d, nullptr);
  while (struct dirent* e = readdir(d)) {
    found |= n == e->d_name;
    ptmx |= std::string("ptmx") == e->d_name;
  }
  closedir(d);
  EXPECT_TRUE(found);
  EXPECT_TRUE(ptmx);
  struct stat st;
  ASSERT_EQ(stat(p.slave_name.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_TRUE((st.st_mode & 07777) == 0620 || (st.st_mode & 07777) == 0600)
      << std::oct << st.st_mode;
  EXPECT_EQ(major(st.st_rdev), 136u);
  EXPECT_EQ(minor(st.st_rdev), static_cast<unsigned>(p.index));
  EXPECT_EQ(st.st_uid, geteuid());
  struct stat fst;
  ASSERT_EQ(fstat(p.slave.get(), &fst), 0);
  EXPECT_EQ(fst.st_rdev, st.st_rdev);
  // Closing every reference frees the pair: the node goes away.
  std::string name = p.slave_name;
  p.slave.reset();
  p.master.reset();
  EXPECT_EQ(stat(name.c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST(PtyTest, MasterSeesEofAsEioAfterSlaveCloses) {
  Pair p = OpenPair();
  SetRaw(p.slave.get());
  ASSERT_EQ(write(p.slave.get(), "bye", 3), 3);
  p.slave.reset();
  EXPECT_EQ(ReadAvailable(p.master.get()), "bye");
  char c;
  errno = 0;
  EXPECT_EQ(read(p.master.get(), &c, 1), -1);
  EXPECT_EQ(errno, EIO);
  struct pollfd pf = {p.master.get(), POLLIN, 0};
  EXPECT_EQ(poll(&pf, 1, 0), 1);
  EXPECT_TRUE(pf.revents & POLLHUP);
}

TEST(PtyTest, PollOnMaster) {
  Pair p = OpenPair();
  struct pollfd pf = {p.master.get(), POLLIN | POLLOUT, 0};
  ASSERT_EQ(poll(&pf, 1, 0), 1);
  EXPECT_EQ(pf.revents, POLLOUT);
  ASSERT_EQ(write(p.slave.get(), "y", 1), 1);
  pf.revents = 0;
  ASSERT_EQ(poll(&pf, 1, 1000), 1);
  EXPECT_TRUE(pf.revents & POLLIN);
  // Non-blocking read after draining: EAGAIN.
  EXPECT_EQ(ReadAvailable(p.master.get()), "y");
  ASSERT_EQ(fcntl(p.master.get(), F_SETFL, O_NONBLOCK), 0);
  char c;
  EXPECT_EQ(read(p.master.get(), &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
}

// The child makes the pty its controlling terminal; ^C typed on the master kills it.
TEST(PtyTest, CtrlCKillsTheForegroundChild) {
  Pair p = OpenPair();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(20);
    close(ready[0]);
    char ok = 'k';
    if (setsid() < 0 || ioctl(p.slave.get(), TIOCSCTTY, 0) != 0) ok = 's';
    else if (tcgetsid(p.slave.get()) != getpid()) ok = 'i';
    else if (tcgetpgrp(p.slave.get()) != getpid()) ok = 'g';
    (void)!write(ready[1], &ok, 1);
    for (;;) pause();
  }
  close(ready[1]);
  EXPECT_EQ(ReadByte(ready[0]), 'k');
  close(ready[0]);
  ASSERT_EQ(write(p.master.get(), "\x03", 1), 1);
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGINT);
  // The master saw the echo of ^C.
  EXPECT_EQ(ReadAvailable(p.master.get()), "^C");
}

// tcsetpgrp with the sandbox's pids: ^C then reaches only the new foreground group.
TEST(PtyTest, TcsetpgrpMovesTheForeground) {
  Pair p = OpenPair();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(20);
    close(ready[0]);
    if (setsid() < 0 || ioctl(p.slave.get(), TIOCSCTTY, 0) != 0) _exit(2);
    pid_t gc = fork();
    if (gc == 0) {
      setpgid(0, 0);
      for (;;) pause();
    }
    setpgid(gc, gc);
    signal(SIGTTOU, SIG_IGN);
    if (tcsetpgrp(p.slave.get(), gc) != 0) _exit(3);
    if (tcgetpgrp(p.slave.get()) != gc) _exit(4);
    signal(SIGINT, SIG_IGN);  // not in the foreground any more anyway
    char ok = 'k';
    (void)!write(ready[1], &ok, 1);
    int status;
    if (waitpid(gc, &status, 0) != gc) _exit(5);
    _exit(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT ? 0 : 6);
  }
  close(ready[1]);
  EXPECT_EQ(ReadByte(ready[0]), 'k');
  close(ready[0]);
  ASSERT_EQ(write(p.master.get(), "\x03", 1), 1);
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Closing the master hangs the terminal up: its session leader gets SIGHUP.
TEST(PtyTest, HangupWhenTheMasterCloses) {
  Pair p = OpenPair();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(20);
    close(ready[0]);
    p.master.reset();
    char ok = 'k';
    if (setsid() < 0 || ioctl(p.slave.get(), TIOCSCTTY, 0) != 0) ok = 's';
    (void)!write(ready[1], &ok, 1);
    for (;;) pause();
  }
  close(ready[1]);
  EXPECT_EQ(ReadByte(ready[0]), 'k');
  close(ready[0]);
  p.slave.reset();
  p.master.reset();
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGHUP);
}

// A process whose controlling terminal is the pty reaches it through /dev/tty.
TEST(PtyTest, DevTtyIsTheControllingPty) {
  Pair p = OpenPair();
  SetRaw(p.slave.get());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(20);
    if (setsid() < 0 || ioctl(p.slave.get(), TIOCSCTTY, 0) != 0) _exit(2);
    int fd = open("/dev/tty", O_RDWR);
    if (fd < 0) _exit(3);
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_rdev != makedev(5, 0)) _exit(4);
    _exit(write(fd, "T", 1) == 1 ? 0 : 5);
  }
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(ReadAvailable(p.master.get()), "T");
}

// Without a controlling terminal, TIOCGPGRP on the slave is ENOTTY; a process that is not a
// session leader cannot take the pty.
TEST(PtyTest, CallerIoctlsNeedTheSession) {
  Pair p = OpenPair();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(20);
    if (setsid() < 0) _exit(2);
    pid_t pg;
    if (ioctl(p.slave.get(), TIOCGPGRP, &pg) != -1 || errno != ENOTTY) _exit(3);
    pid_t child = fork();
    if (child == 0) _exit(ioctl(p.slave.get(), TIOCSCTTY, 0) == -1 && errno == EPERM ? 0 : 1);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      _exit(4);
    _exit(0);
  }
  int status = WaitFor(pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Runs `body` in a child that is the leader of a new session; returns the child's exit code
// (-1 if it did not exit normally within 10 s).
template <typename Body>
int InNewSession(Body body) {
  pid_t pid = fork();
  if (pid == 0) {
    alarm(20);
    if (setsid() < 0) _exit(100);
    _exit(body());
  }
  if (pid < 0) return -1;
  int status = WaitFor(pid);
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A session leader without a controlling terminal that opens a slave without O_NOCTTY takes
// it (Linux's tty_open), and open returns the lowest free fd with the registers intact.
TEST(PtyTest, OpenWithoutNocttyTakesTheTerminal) {
  Pair p = OpenPair();
  std::string name = p.slave_name;
  EXPECT_EQ(InNewSession([&] {
              int low = dup(0);
              if (low < 0) return 2;
              close(low);
              volatile int canary = 0x5a5a;
              int fd = open(name.c_str(), O_RDWR);
              if (fd != low) return 3;
              if (canary != 0x5a5a) return 4;
              if (tcgetsid(fd) != getpid()) return 5;
              if (tcgetpgrp(fd) != getpid()) return 6;
              int tty = open("/dev/tty", O_RDWR);
              if (tty < 0) return 7;
              return write(tty, "o", 1) == 1 ? 0 : 8;
            }),
            0);
  EXPECT_EQ(ReadAvailable(p.master.get()), "o");
}

// With O_NOCTTY, as a process that is not a session leader, or when the pty already is
// another session's terminal, an open takes nothing.
TEST(PtyTest, OpenTakesNoTerminalOtherwise) {
  Pair p = OpenPair();
  std::string name = p.slave_name;
  EXPECT_EQ(InNewSession([&] {
              int fd = open(name.c_str(), O_RDWR | O_NOCTTY);
              if (fd < 0) return 2;
              if (tcgetsid(fd) != -1 || errno != ENOTTY) return 3;
              if (open("/dev/tty", O_RDWR) != -1 || errno != ENXIO) return 4;
              pid_t child = fork();
              if (child == 0) {  // same session, not its leader
                int c = open(name.c_str(), O_RDWR);
                _exit(c >= 0 && tcgetsid(c) == -1 && errno == ENOTTY ? 0 : 1);
              }
              int status;
              if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 5;
              return WEXITSTATUS(status) == 0 ? 0 : 6;
            }),
            0);
  // A leader holds the pty: another session's leader opening it gets no terminal.
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  pid_t holder = fork();
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    alarm(20);
    close(ready[0]);
    close(done[1]);
    if (setsid() < 0 || ioctl(p.slave.get(), TIOCSCTTY, 0) != 0) _exit(2);
    (void)!write(ready[1], "k", 1);
    char c;
    (void)!read(done[0], &c, 1);
    _exit(0);
  }
  close(ready[1]);
  close(done[0]);
  EXPECT_EQ(ReadByte(ready[0]), 'k');
  EXPECT_EQ(InNewSession([&] {
              int fd = open(name.c_str(), O_RDWR);
              if (fd < 0) return 2;
              return tcgetsid(fd) == -1 && errno == ENOTTY ? 0 : 3;
            }),
            0);
  close(done[1]);
  int status = WaitFor(holder);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(ready[0]);
}

// TIOCGPTPEER without O_NOCTTY opens the slave like open(2) does: the terminal is taken.
TEST(PtyTest, PeerWithoutNocttyTakesTheTerminal) {
  Pair p = OpenPair(false);
  int master = p.master.get();
  EXPECT_EQ(InNewSession([&] {
              int fd = ioctl(master, TIOCGPTPEER, O_RDWR);
              if (fd < 0) return 2;
              return tcgetsid(fd) == getpid() ? 0 : 3;
            }),
            0);
}

// The leader of a new session on the pty, with `lflag_on` set on it, forks a child in a new
// (background) process group that runs `bg`; the leader waits for it (stops included) and
// exits with: 0 when it was stopped by `expect_stop`, else 50 + the child's exit code.
template <typename Bg>
int BackgroundChild(Pair& p, tcflag_t lflag_on, int expect_stop, Bg bg) {
  int slave = p.slave.get();
  return InNewSession([&] {
    if (ioctl(slave, TIOCSCTTY, 0) != 0) return 2;
    struct termios t;
    if (tcgetattr(slave, &t) != 0) return 3;
    t.c_lflag |= lflag_on;
    if (tcsetattr(slave, TCSANOW, &t) != 0) return 4;
    pid_t child = fork();
    if (child == 0) {
      alarm(20);
      setpgid(0, 0);
      _exit(bg(slave));
    }
    setpgid(child, child);
    int status;
    if (waitpid(child, &status, WUNTRACED) != child) return 5;
    if (WIFSTOPPED(status)) {
      kill(child, SIGKILL);
      waitpid(child, nullptr, 0);
      return WSTOPSIG(status) == expect_stop ? 0 : 6;
    }
    return WIFEXITED(status) ? 50 + WEXITSTATUS(status) : 7;
  });
}

// readv and writev on the terminal are job-controlled like read and write.
TEST(PtyTest, BackgroundReadvStopsWithSigttin) {
  Pair p = OpenPair();
  EXPECT_EQ(BackgroundChild(p, 0, SIGTTIN, [](int fd) {
              char c;
              struct iovec v = {&c, 1};
              (void)!readv(fd, &v, 1);
              return 1;
            }),
            0);
}

TEST(PtyTest, BackgroundWritevStopsWithSigttouUnderTostop) {
  Pair p = OpenPair();
  EXPECT_EQ(BackgroundChild(p, TOSTOP, SIGTTOU, [](int fd) {
              struct iovec v = {const_cast<char*>("w"), 1};
              (void)!writev(fd, &v, 1);
              return 1;
            }),
            0);
}

TEST(PtyTest, BackgroundReadvIgnoringSigttinIsEio) {
  Pair p = OpenPair();
  EXPECT_EQ(BackgroundChild(p, 0, 0, [](int fd) {
              signal(SIGTTIN, SIG_IGN);
              char c;
              struct iovec v = {&c, 1};
              return readv(fd, &v, 1) == -1 && errno == EIO ? 0 : 1;
            }),
            50);
}

// A process group with no member whose parent is in another group of the session is
// orphaned: nobody could continue it, so background reads, and writes under TOSTOP, fail
// with EIO instead of stopping it.
TEST(PtyTest, OrphanedGroupGetsEioNotAStop) {
  Pair p = OpenPair();
  int result[2];
  ASSERT_EQ(pipe(result), 0);
  int slave = p.slave.get();
  int out = result[1];
  EXPECT_EQ(InNewSession([&] {
              if (ioctl(slave, TIOCSCTTY, 0) != 0) return 2;
              struct termios t;
              if (tcgetattr(slave, &t) != 0) return 3;
              t.c_lflag |= TOSTOP;
              if (tcsetattr(slave, TCSANOW, &t) != 0) return 4;
              // The leader stays until the orphan is done (EOF here): its exit would take
              // the terminal from the session.
              int done[2];
              if (pipe(done) != 0) return 6;
              pid_t mid = fork();
              if (mid == 0) {
                close(done[0]);
                setpgid(0, 0);
                const pid_t mid_pid = getpid();  // `mid` is 0 in this process
                pid_t orphan = fork();
                if (orphan == 0) {
                  alarm(20);
                  // Wait until the middle process is gone: then the group is orphaned.
                  for (int i = 0; i < 1000 && getppid() == mid_pid; ++i) usleep(10000);
                  pid_t me = getpid();
                  (void)!write(out, &me, sizeof(me));
                  char r = 'k', c;
                  struct iovec v = {&c, 1};
                  struct iovec w = {const_cast<char*>("w"), 1};
                  if (getppid() == mid_pid) r = 'p';
                  else if (read(slave, &c, 1) != -1 || errno != EIO) r = 'r';
                  else if (readv(slave, &v, 1) != -1 || errno != EIO) r = 'v';
                  else if (write(slave, "w", 1) != -1 || errno != EIO) r = 'w';
                  else if (writev(slave, &w, 1) != -1 || errno != EIO) r = 'x';
                  (void)!write(out, &r, 1);
                  _exit(0);
                }
                _exit(0);
              }
              close(done[1]);
              int status;
              if (waitpid(mid, &status, 0) != mid) return 5;
              char c;
              (void)!read(done[0], &c, 1);
              return 0;
            }),
            0);
  close(result[1]);
  pid_t orphan = 0;
  struct pollfd pf = {result[0], POLLIN, 0};
  ASSERT_EQ(poll(&pf, 1, 10000), 1);
  ASSERT_EQ(read(result[0], &orphan, sizeof(orphan)), static_cast<ssize_t>(sizeof(orphan)));
  char r = ReadByte(result[0]);
  if (r != 'k' && orphan > 0) kill(orphan, SIGKILL);
  EXPECT_EQ(r, 'k');
  close(result[0]);
}

}  // namespace
