// Syscall tests for file locks: flock(2) and fcntl record locks (F_GETLK/F_SETLK/F_SETLKW,
// F_OFD_*) between forked processes, sequenced with pipes (never with sleeps). Files live in
// /dev/shm (writable natively and in the sandbox). Runs natively and under the sentry.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

// A scratch file of 1000 bytes under /dev/shm, removed at the end.
class LockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/dev/shm/lock_test.XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0) << ErrnoText(errno);
    path_ = tmpl;
    fd_.reset(fd);
    std::string data(1000, 'x');
    ASSERT_EQ(write(fd, data.data(), data.size()), 1000);
  }
  void TearDown() override { unlink(path_.c_str()); }

  // A new open file description of the scratch file.
  int Open(int flags = O_RDWR) const { return open(path_.c_str(), flags); }

  std::string path_;
  ScopedFd fd_;  // O_RDWR
};

// Runs `body` in a child process; its return value is the exit status.
pid_t Spawn(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  return pid;
}

// The exit status of `pid` (128+N if killed by signal N, -1 on wait failure).
int Wait(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// A pipe for sequencing parent and child: one byte means "go on".
struct Signal {
  int fds[2] = {-1, -1};
  Signal() { EXPECT_EQ(pipe(fds), 0); }
  ~Signal() {
    close(fds[0]);
    close(fds[1]);
  }
  void Post() const {
    char c = 1;
    EXPECT_EQ(write(fds[1], &c, 1), 1);
  }
  bool Await() const {
    char c;
    return read(fds[0], &c, 1) == 1;
  }
};

// A flag in memory shared with forked children.
struct SharedFlag {
  volatile int* p;
  SharedFlag() {
    void* m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(m, MAP_FAILED);
    p = static_cast<volatile int*>(m);
    *p = 0;
  }
  ~SharedFlag() { munmap(const_cast<int*>(p), 4096); }
};

struct flock Lk(short type, off_t start, off_t len, short whence = SEEK_SET) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = whence;
  fl.l_start = start;
  fl.l_len = len;
  return fl;
}

int SetLk(int fd, short type, off_t start, off_t len, int cmd = F_SETLK) {
  struct flock fl = Lk(type, start, len);
  return fcntl(fd, cmd, &fl);
}

// F_GETLK of (type, start, len) as seen from a child process (a process never sees its own
// POSIX locks). Returns what the kernel wrote back; l_type is -1 if the call failed.
struct flock ProbeFromChild(int fd, short type, off_t start, off_t len) {
  int p[2];
  struct flock out = Lk(-1, 0, 0);
  if (pipe(p) != 0) return out;
  pid_t pid = fork();
  if (pid == 0) {
    struct flock fl = Lk(type, start, len);
    if (fcntl(fd, F_GETLK, &fl) != 0) fl.l_type = -1;
    _exit(write(p[1], &fl, sizeof(fl)) == sizeof(fl) ? 0 : 1);
  }
  close(p[1]);
  if (read(p[0], &out, sizeof(out)) != sizeof(out)) out.l_type = -1;
  close(p[0]);
  Wait(pid);
  return out;
}

// Conflicting F_SETLK: Linux says EAGAIN; POSIX also allows EACCES.
bool IsConflict(int err) { return err == EAGAIN || err == EACCES; }

// --- flock -----------------------------------------------------------------------------

TEST_F(LockTest, FlockExclusiveExcludesOtherDescriptions) {
  ASSERT_EQ(flock(fd_.get(), LOCK_EX), 0);
  std::string path = path_;
  pid_t pid = Spawn([&] {
    int fd = open(path.c_str(), O_RDONLY);  // a description of its own
    if (fd < 0) return 10;
    if (flock(fd, LOCK_EX | LOCK_NB) != -1 || errno != EWOULDBLOCK) return 11;
    if (flock(fd, LOCK_SH | LOCK_NB) != -1 || errno != EWOULDBLOCK) return 12;
    return 0;
  });
  EXPECT_EQ(Wait(pid), 0);
  ASSERT_EQ(flock(fd_.get(), LOCK_UN), 0);
  pid = Spawn([&] {
    int fd = open(path.c_str(), O_RDONLY);
    return flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 20;
  });
  EXPECT_EQ(Wait(pid), 0);
}

TEST_F(LockTest, FlockSharedLocksCoexist) {
  ASSERT_EQ(flock(fd_.get(), LOCK_SH), 0);
  ScopedFd other(Open(O_RDONLY));
  ASSERT_TRUE(other.valid());
  EXPECT_EQ(flock(other.get(), LOCK_SH | LOCK_NB), 0);
  // The same process with another description still conflicts for an exclusive lock.
  ScopedFd third(Open(O_RDONLY));
  EXPECT_SYSCALL_ERRNO(flock(third.get(), LOCK_EX | LOCK_NB), EWOULDBLOCK);
  // Downgrade/upgrade of one's own lock: shared → exclusive fails against `other`.
  EXPECT_EQ(flock(other.get(), LOCK_UN), 0);
  EXPECT_EQ(flock(fd_.get(), LOCK_EX | LOCK_NB), 0);  // the only holder: converts
}

TEST_F(LockTest, FlockBelongsToTheDescriptionSharedByDupAndFork) {
  ASSERT_EQ(flock(fd_.get(), LOCK_EX), 0);
  int dup_fd = dup(fd_.get());
  ASSERT_GE(dup_fd, 0);
  std::string path = path_;
  int inherited = fd_.get();
  // A forked child shares the description, so it already holds the lock.
  pid_t pid = Spawn([&] { return flock(inherited, LOCK_EX | LOCK_NB) == 0 ? 0 : 1; });
  EXPECT_EQ(Wait(pid), 0);
  auto other_can_lock = [&] {
    pid_t p = Spawn([&] {
      int fd = open(path.c_str(), O_RDONLY);
      if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
      return errno == EWOULDBLOCK ? 1 : 2;
    });
    return Wait(p);
  };
  EXPECT_EQ(other_can_lock(), 1);
  fd_.reset();  // one reference closed: the dup still holds the lock
  EXPECT_EQ(other_can_lock(), 1);
  close(dup_fd);  // the last reference: released
  EXPECT_EQ(other_can_lock(), 0);
}

TEST_F(LockTest, FlockBlocksUntilReleased) {
  ASSERT_EQ(flock(fd_.get(), LOCK_EX), 0);
  Signal ready;
  SharedFlag released;
  std::string path = path_;
  pid_t pid = Spawn([&] {
    int fd = open(path.c_str(), O_RDONLY);
    if (flock(fd, LOCK_EX | LOCK_NB) != -1) return 1;
    ready.Post();
    if (flock(fd, LOCK_EX) != 0) return 2;  // waits for the parent
    return *released.p == 1 ? 0 : 3;
  });
  ASSERT_TRUE(ready.Await());
  *released.p = 1;
  ASSERT_EQ(flock(fd_.get(), LOCK_UN), 0);
  EXPECT_EQ(Wait(pid), 0);
}

TEST_F(LockTest, FlockErrors) {
  EXPECT_SYSCALL_ERRNO(flock(fd_.get(), LOCK_SH | LOCK_EX), EINVAL);
  EXPECT_SYSCALL_ERRNO(flock(fd_.get(), 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(flock(fd_.get(), LOCK_NB), EINVAL);
  EXPECT_SYSCALL_ERRNO(flock(-1, LOCK_SH), EBADF);
  EXPECT_SYSCALL_ERRNO(flock(999, LOCK_SH), EBADF);
  ScopedFd path_fd(open(path_.c_str(), O_PATH));
  ASSERT_TRUE(path_fd.valid());
  EXPECT_SYSCALL_ERRNO(flock(path_fd.get(), LOCK_SH), EBADF);
  EXPECT_EQ(flock(fd_.get(), LOCK_UN), 0);  // unlocking what is not locked is fine
}

TEST_F(LockTest, FlockAndRecordLocksAreIndependent) {
  ASSERT_EQ(flock(fd_.get(), LOCK_EX), 0);
  int fd = fd_.get();
  pid_t pid = Spawn([&] { return SetLk(fd, F_WRLCK, 0, 0) == 0 ? 0 : 1; });
  EXPECT_EQ(Wait(pid), 0);
}

// --- fcntl record locks ------------------------------------------------------------------

TEST_F(LockTest, SetlkConflictsBetweenProcesses) {
  ASSERT_EQ(SetLk(fd_.get(), F_WRLCK, 0, 10), 0);
  int fd = fd_.get();
  pid_t pid = Spawn([&] {
    // The inherited fd is the same description, but POSIX locks belong to the process.
    if (SetLk(fd, F_RDLCK, 5, 1) != -1 || !IsConflict(errno)) return 1;
    if (SetLk(fd, F_WRLCK, 9, 100) != -1 || !IsConflict(errno)) return 2;
    if (SetLk(fd, F_WRLCK, 10, 5) != 0) return 3;  // right after the range: free
    return 0;
  });
  EXPECT_EQ(Wait(pid), 0);
}

TEST_F(LockTest, GetlkReportsTheHolder) {
  ASSERT_EQ(SetLk(fd_.get(), F_WRLCK, 100, 50), 0);
  struct flock fl = ProbeFromChild(fd_.get(), F_RDLCK, 0, 0);
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_whence, SEEK_SET);
  EXPECT_EQ(fl.l_start, 100);
  EXPECT_EQ(fl.l_len, 50);
  EXPECT_EQ(fl.l_pid, getpid());
  fl = ProbeFromChild(fd_.get(), F_WRLCK, 0, 100);  // just before: free
  EXPECT_EQ(fl.l_type, F_UNLCK);
  EXPECT_EQ(fl.l_start, 0);  // the rest comes back as given
  EXPECT_EQ(fl.l_len, 100);
  // The owner itself sees no conflict with its own lock.
  struct flock own = Lk(F_WRLCK, 0, 0);
  ASSERT_EQ(fcntl(fd_.get(), F_GETLK, &own), 0);
  EXPECT_EQ(own.l_type, F_UNLCK);
}

TEST_F(LockTest, ReadLocksShareWriteLocksExclude) {
  ASSERT_EQ(SetLk(fd_.get(), F_RDLCK, 0, 0), 0);
  int fd = fd_.get();
  pid_t pid = Spawn([&] {
    if (SetLk(fd, F_RDLCK, 0, 0) != 0) return 1;
    if (SetLk(fd, F_WRLCK, 500, 1) != -1 || !IsConflict(errno)) return 2;
    return 0;
  });
  EXPECT_EQ(Wait(pid), 0);
}

TEST_F(LockTest, RangesSplitAndMerge) {
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 100), 0);
  ASSERT_EQ(SetLk(fd, F_UNLCK, 40, 20), 0);  // a hole in the middle: 0..39 and 60..99
  struct flock fl = ProbeFromChild(fd, F_WRLCK, 40, 20);
  EXPECT_EQ(fl.l_type, F_UNLCK);
  fl = ProbeFromChild(fd, F_WRLCK, 0, 100);
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_start, 0);
  EXPECT_EQ(fl.l_len, 40);
  fl = ProbeFromChild(fd, F_WRLCK, 50, 50);
  EXPECT_EQ(fl.l_start, 60);
  EXPECT_EQ(fl.l_len, 40);
  // Filling the hole merges the three ranges into one.
  ASSERT_EQ(SetLk(fd, F_WRLCK, 40, 20), 0);
  fl = ProbeFromChild(fd, F_WRLCK, 0, 0);
  EXPECT_EQ(fl.l_start, 0);
  EXPECT_EQ(fl.l_len, 100);
  // A read lock inside splits the write lock in three.
  ASSERT_EQ(SetLk(fd, F_RDLCK, 10, 10), 0);
  fl = ProbeFromChild(fd, F_RDLCK, 10, 10);  // readers coexist
  EXPECT_EQ(fl.l_type, F_UNLCK);
  fl = ProbeFromChild(fd, F_WRLCK, 10, 10);
  EXPECT_EQ(fl.l_type, F_RDLCK);
  EXPECT_EQ(fl.l_start, 10);
  EXPECT_EQ(fl.l_len, 10);
  fl = ProbeFromChild(fd, F_RDLCK, 15, 50);
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_start, 20);
  EXPECT_EQ(fl.l_len, 80);
}

TEST_F(LockTest, WhenceNegativeLengthAndToEof) {
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 100, -10), 0);  // 90..99
  struct flock fl = ProbeFromChild(fd, F_WRLCK, 0, 0);
  EXPECT_EQ(fl.l_start, 90);
  EXPECT_EQ(fl.l_len, 10);
  ASSERT_EQ(SetLk(fd, F_UNLCK, 0, 0), 0);
  ASSERT_EQ(lseek(fd, 500, SEEK_SET), 500);
  struct flock cur = Lk(F_WRLCK, 10, 0, SEEK_CUR);  // 510 to EOF and beyond
  ASSERT_EQ(fcntl(fd, F_SETLK, &cur), 0);
  fl = ProbeFromChild(fd, F_RDLCK, 0, 0);
  EXPECT_EQ(fl.l_start, 510);
  EXPECT_EQ(fl.l_len, 0);
  ASSERT_EQ(SetLk(fd, F_UNLCK, 0, 0), 0);
  struct flock end = Lk(F_RDLCK, -10, 5, SEEK_END);  // 990..994 of a 1000-byte file
  ASSERT_EQ(fcntl(fd, F_SETLK, &end), 0);
  fl = ProbeFromChild(fd, F_WRLCK, 0, 0);
  EXPECT_EQ(fl.l_type, F_RDLCK);
  EXPECT_EQ(fl.l_start, 990);
  EXPECT_EQ(fl.l_len, 5);
}

TEST_F(LockTest, RecordLockErrors) {
  int fd = fd_.get();
  struct flock fl = Lk(7, 0, 0);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
  fl = Lk(F_WRLCK, 0, 0, 9);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
  fl = Lk(F_WRLCK, -1, 10);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
  fl = Lk(F_WRLCK, 5, -10);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETLK, &fl), EINVAL);
  fl = Lk(F_UNLCK, 0, 0);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_GETLK, &fl), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETLK, reinterpret_cast<struct flock*>(8)), EFAULT);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_GETLK, reinterpret_cast<struct flock*>(8)), EFAULT);
  fl = Lk(F_WRLCK, 0, 0);
  EXPECT_SYSCALL_ERRNO(fcntl(999, F_SETLK, &fl), EBADF);
  // The access mode must allow the lock type.
  ScopedFd ro(Open(O_RDONLY)), wo(Open(O_WRONLY));
  ASSERT_TRUE(ro.valid() && wo.valid());
  EXPECT_SYSCALL_ERRNO(fcntl(ro.get(), F_SETLK, &fl), EBADF);
  fl = Lk(F_RDLCK, 0, 0);
  EXPECT_SYSCALL_ERRNO(fcntl(wo.get(), F_SETLK, &fl), EBADF);
  fl = Lk(F_UNLCK, 0, 0);
  EXPECT_EQ(fcntl(ro.get(), F_SETLK, &fl), 0);  // unlocking needs neither
  fl = Lk(F_WRLCK, 0, 0);
  EXPECT_EQ(fcntl(ro.get(), F_GETLK, &fl), 0);  // testing needs neither
  EXPECT_EQ(fl.l_type, F_UNLCK);
  // OFD commands want l_pid == 0.
  fl = Lk(F_WRLCK, 0, 0);
  fl.l_pid = 1;
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_OFD_SETLK, &fl), EINVAL);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_OFD_GETLK, &fl), EINVAL);
}

TEST_F(LockTest, CloseOfAnyFdReleasesTheProcessLocks) {
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 10), 0);
  int other = Open(O_RDONLY);
  ASSERT_GE(other, 0);
  EXPECT_EQ(ProbeFromChild(fd, F_WRLCK, 0, 0).l_type, F_WRLCK);
  close(other);  // another fd of the same file: POSIX drops all of our locks on it
  EXPECT_EQ(ProbeFromChild(fd, F_WRLCK, 0, 0).l_type, F_UNLCK);
  // dup2 over an fd of the file closes it too.
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 10), 0);
  int dup_fd = dup(fd);
  ASSERT_GE(dup_fd, 0);
  ScopedFd null_fd(open("/dev/null", O_RDONLY));
  ASSERT_EQ(dup2(null_fd.get(), dup_fd), dup_fd);
  EXPECT_EQ(ProbeFromChild(fd, F_WRLCK, 0, 0).l_type, F_UNLCK);
  close(dup_fd);
}

TEST_F(LockTest, NotInheritedByFork) {
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 10), 0);
  pid_t pid = Spawn([&] {
    // The child holds nothing: the parent's lock conflicts with it, and its close of the
    // inherited fd leaves the parent's lock alone.
    if (SetLk(fd, F_WRLCK, 0, 1) != -1 || !IsConflict(errno)) return 1;
    close(fd);
    return 0;
  });
  EXPECT_EQ(Wait(pid), 0);
  EXPECT_EQ(ProbeFromChild(fd, F_WRLCK, 0, 0).l_type, F_WRLCK);
}

TEST_F(LockTest, SetlkwBlocksUntilTheHolderReleases) {
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 0), 0);
  Signal ready;
  SharedFlag released;
  pid_t pid = Spawn([&] {
    if (SetLk(fd, F_WRLCK, 5, 1) != -1) return 1;
    ready.Post();
    if (SetLk(fd, F_WRLCK, 5, 1, F_SETLKW) != 0) return 2;
    return *released.p == 1 ? 0 : 3;
  });
  ASSERT_TRUE(ready.Await());
  *released.p = 1;
  ASSERT_EQ(SetLk(fd, F_UNLCK, 0, 0), 0);
  EXPECT_EQ(Wait(pid), 0);
}

TEST_F(LockTest, SetlkwWokenWhenTheHolderExits) {
  int fd = fd_.get();
  Signal locked;
  pid_t holder = Spawn([&] {
    if (SetLk(fd, F_WRLCK, 0, 0) != 0) return 1;
    locked.Post();
    for (;;) pause();
  });
  ASSERT_TRUE(locked.Await());
  EXPECT_EQ(SetLk(fd, F_WRLCK, 0, 0), -1);
  pid_t killer = Spawn([&] { return kill(holder, SIGKILL) == 0 ? 0 : 1; });
  EXPECT_EQ(SetLk(fd, F_WRLCK, 0, 0, F_SETLKW), 0) << ErrnoText(errno);
  EXPECT_EQ(Wait(killer), 0);
  EXPECT_EQ(Wait(holder), 128 + SIGKILL);
}

void OnAlarm(int) {}

TEST_F(LockTest, SetlkwInterruptedBySignal) {
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 0), 0);
  pid_t pid = Spawn([&] {
    struct sigaction sa = {};
    sa.sa_handler = OnAlarm;  // no SA_RESTART
    sigaction(SIGALRM, &sa, nullptr);
    struct itimerval it = {};
    it.it_value.tv_usec = 100000;
    setitimer(ITIMER_REAL, &it, nullptr);
    if (SetLk(fd, F_WRLCK, 0, 0, F_SETLKW) != -1) return 1;
    if (errno != EINTR) return 2;
    // Nothing was taken: the lock is still the parent's.
    if (SetLk(fd, F_WRLCK, 0, 0) != -1 || !IsConflict(errno)) return 3;
    return 0;
  });
  EXPECT_EQ(Wait(pid), 0);
  EXPECT_EQ(ProbeFromChild(fd, F_WRLCK, 0, 0).l_type, F_WRLCK);  // still ours
}

int g_alarm_pipe = -1;
void OnAlarmNotify(int) {
  char c = 1;
  (void)!write(g_alarm_pipe, &c, 1);
}

TEST_F(LockTest, SetlkwRestartsWithSaRestart) {
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 0), 0);
  Signal got_signal;
  pid_t pid = Spawn([&] {
    g_alarm_pipe = got_signal.fds[1];
    struct sigaction sa = {};
    sa.sa_handler = OnAlarmNotify;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, nullptr);
    struct itimerval it = {};
    it.it_value.tv_usec = 50000;
    setitimer(ITIMER_REAL, &it, nullptr);
    // Interrupted by the handler, restarted, and then granted once the parent unlocks.
    return SetLk(fd, F_WRLCK, 0, 0, F_SETLKW) == 0 ? 0 : 1;
  });
  ASSERT_TRUE(got_signal.Await());
  ASSERT_EQ(SetLk(fd, F_UNLCK, 0, 0), 0);
  EXPECT_EQ(Wait(pid), 0);
}

TEST_F(LockTest, SetlkwDetectsDeadlock) {
  // Parent holds byte 0, child byte 1; each then waits for the other's byte. Whichever
  // blocks second closes the cycle and gets EDEADLK; it lets go, so the other proceeds.
  int fd = fd_.get();
  ASSERT_EQ(SetLk(fd, F_WRLCK, 0, 1), 0);
  Signal child_locked;
  pid_t pid = Spawn([&] {
    if (SetLk(fd, F_WRLCK, 1, 1) != 0) return 1;
    child_locked.Post();
    if (SetLk(fd, F_WRLCK, 0, 1, F_SETLKW) == 0) return 0;  // the parent gave up
    if (errno != EDEADLK) return 2;
    SetLk(fd, F_UNLCK, 1, 1);
    return 100;  // "I got EDEADLK"
  });
  ASSERT_TRUE(child_locked.Await());
  int r = SetLk(fd, F_WRLCK, 1, 1, F_SETLKW);
  int err = errno;
  if (r != 0) {
    EXPECT_EQ(err, EDEADLK);
    ASSERT_EQ(SetLk(fd, F_UNLCK, 0, 1), 0);
    EXPECT_EQ(Wait(pid), 0);
  } else {
    EXPECT_EQ(Wait(pid), 100);
  }
}

TEST_F(LockTest, ThreadsShareTheProcessLocks) {
  int fd = fd_.get();
  std::thread t([fd] { EXPECT_EQ(SetLk(fd, F_WRLCK, 0, 10), 0); });
  t.join();
  // The same owner (the process): no conflict, and the main thread can unlock it.
  EXPECT_EQ(SetLk(fd, F_WRLCK, 5, 10), 0);
  EXPECT_EQ(ProbeFromChild(fd, F_WRLCK, 0, 0).l_len, 15);
  EXPECT_EQ(SetLk(fd, F_UNLCK, 0, 0), 0);
  EXPECT_EQ(ProbeFromChild(fd, F_WRLCK, 0, 0).l_type, F_UNLCK);
}

TEST_F(LockTest, ExecClosingACloexecFdReleasesLocks) {
  std::string path = path_;
  int stdin_pipe[2], exec_done[2];
  ASSERT_EQ(pipe(stdin_pipe), 0);
  ASSERT_EQ(pipe2(exec_done, O_CLOEXEC), 0);  // EOF once the child's exec closed its end
  Signal locked, go;
  pid_t pid = fork();
  if (pid == 0) {
    // The marker goes to a high number, so exec (closing in fd order) drops the lock first.
    close(exec_done[0]);
    if (dup3(exec_done[1], 100, O_CLOEXEC) != 100) _exit(10);
    close(exec_done[1]);
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0 || fd > 100) _exit(11);
    if (SetLk(fd, F_WRLCK, 0, 0) != 0) _exit(12);
    locked.Post();
    if (!go.Await()) _exit(13);
    dup2(stdin_pipe[0], 0);
    close(stdin_pipe[1]);
    execl("/bin/cat", "cat", static_cast<char*>(nullptr));
    _exit(14);
  }
  close(stdin_pipe[0]);
  close(exec_done[1]);
  ASSERT_TRUE(locked.Await());
  EXPECT_EQ(ProbeFromChild(fd_.get(), F_WRLCK, 0, 0).l_type, F_WRLCK);
  go.Post();
  char c;
  EXPECT_EQ(read(exec_done[0], &c, 1), 0) << strerror(errno);
  close(exec_done[0]);
  // The parent is another process, so it can test directly.
  struct flock fl = Lk(F_WRLCK, 0, 0);
  ASSERT_EQ(fcntl(fd_.get(), F_GETLK, &fl), 0);
  EXPECT_EQ(fl.l_type, F_UNLCK);
  close(stdin_pipe[1]);  // cat sees EOF and exits
  EXPECT_EQ(Wait(pid), 0);
}

TEST_F(LockTest, ReleasedWhenTheProcessExits) {
  int fd = fd_.get();
  pid_t pid = Spawn([&] { return SetLk(fd, F_WRLCK, 0, 0) == 0 ? 0 : 1; });
  ASSERT_EQ(Wait(pid), 0);
  EXPECT_EQ(SetLk(fd, F_WRLCK, 0, 0), 0);
}

// --- open file description locks ---------------------------------------------------------

TEST_F(LockTest, OfdLocksBelongToTheDescription) {
  ScopedFd a(Open()), b(Open());
  ASSERT_TRUE(a.valid() && b.valid());
  struct flock fl = Lk(F_WRLCK, 0, 10);
  ASSERT_EQ(fcntl(a.get(), F_OFD_SETLK, &fl), 0);
  // Another description of the same process conflicts.
  fl = Lk(F_WRLCK, 5, 1);
  EXPECT_EQ(fcntl(b.get(), F_OFD_SETLK, &fl), -1);
  EXPECT_TRUE(IsConflict(errno));
  fl = Lk(F_RDLCK, 0, 0);
  ASSERT_EQ(fcntl(b.get(), F_OFD_GETLK, &fl), 0);
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_pid, -1);
  EXPECT_EQ(fl.l_start, 0);
  EXPECT_EQ(fl.l_len, 10);
  // OFD locks conflict with POSIX locks, even of the same process; F_GETLK says l_pid -1.
  EXPECT_EQ(SetLk(b.get(), F_RDLCK, 0, 1), -1);
  fl = Lk(F_RDLCK, 0, 0);
  ASSERT_EQ(fcntl(b.get(), F_GETLK, &fl), 0);
  EXPECT_EQ(fl.l_pid, -1);
  // Closing another fd of the file does not drop OFD locks (unlike POSIX ones).
  ScopedFd c(Open());
  c.reset();
  fl = Lk(F_WRLCK, 5, 1);
  EXPECT_EQ(fcntl(b.get(), F_OFD_SETLK, &fl), -1);
  // A forked child shares the description, hence the lock.
  int afd = a.get();
  pid_t pid = Spawn([&] {
    struct flock l = Lk(F_WRLCK, 0, 10);
    return fcntl(afd, F_OFD_SETLK, &l) == 0 ? 0 : 1;
  });
  EXPECT_EQ(Wait(pid), 0);
  a.reset();  // the last reference: released
  fl = Lk(F_WRLCK, 5, 1);
  EXPECT_EQ(fcntl(b.get(), F_OFD_SETLK, &fl), 0) << ErrnoText(errno);
}

TEST_F(LockTest, OfdSetlkwBlocksUntilReleased) {
  ScopedFd a(Open()), b(Open());
  ASSERT_TRUE(a.valid() && b.valid());
  struct flock fl = Lk(F_WRLCK, 0, 0);
  ASSERT_EQ(fcntl(a.get(), F_OFD_SETLK, &fl), 0);
  Signal ready;
  SharedFlag released;
  int bfd = b.get();
  pid_t pid = Spawn([&] {
    ready.Post();
    struct flock l = Lk(F_WRLCK, 0, 0);
    if (fcntl(bfd, F_OFD_SETLKW, &l) != 0) return 1;
    return *released.p == 1 ? 0 : 2;
  });
  ASSERT_TRUE(ready.Await());
  *released.p = 1;
  fl = Lk(F_UNLCK, 0, 0);
  ASSERT_EQ(fcntl(a.get(), F_OFD_SETLK, &fl), 0);
  EXPECT_EQ(Wait(pid), 0);
}

}  // namespace
}  // namespace syscall_test
