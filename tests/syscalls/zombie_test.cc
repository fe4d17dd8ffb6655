// Zombies: an exited child stays visible in /proc as state Z (with its parent, no cmdline,
// its files closed) until its parent reaps it; then /proc/PID is gone. Uses only libc + gtest.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace syscall_test {
namespace {

// The whole of /proc/PID/NAME, or "" with errno set.
std::string ReadProc(pid_t pid, const char* name, int* err) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
  *err = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return "";
  }
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

// State letter and ppid from a stat line; false when it does not parse.
bool StateAndPpid(const std::string& stat, char* state, int* ppid) {
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return false;
  return sscanf(stat.c_str() + paren + 1, " %c %d", state, ppid) == 2;
}

bool Listed(pid_t pid) {
  DIR* d = opendir("/proc");
  if (!d) return false;
  bool found = false;
  std::string want = std::to_string(pid);
  while (dirent* e = readdir(d)) found |= want == e->d_name;
  closedir(d);
  return found;
}

// Forks a child that exits with `code` and waits (without reaping) until it has exited.
pid_t ExitedChild(int code) {
  pid_t pid = fork();
  if (pid == 0) _exit(code);
  siginfo_t si{};
  EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0) << strerror(errno);
  EXPECT_EQ(si.si_pid, pid);
  return pid;
}

TEST(ZombieTest, ExitedChildIsAZombieUntilReaped) {
  pid_t pid = ExitedChild(7);
  int err;
  std::string stat = ReadProc(pid, "stat", &err);
  ASSERT_EQ(err, 0) << strerror(err);
  char state = 0;
  int ppid = 0;
  ASSERT_TRUE(StateAndPpid(stat, &state, &ppid)) << stat;
  EXPECT_EQ(state, 'Z') << stat;
  EXPECT_EQ(ppid, getpid());
  EXPECT_TRUE(Listed(pid));
  std::string status = ReadProc(pid, "status", &err);
  EXPECT_NE(status.find("State:\tZ (zombie)"), std::string::npos) << status;
  EXPECT_EQ(ReadProc(pid, "cmdline", &err), "");  // ps shows it as [name] <defunct>

  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 7);
  ReadProc(pid, "stat", &err);
  EXPECT_EQ(err, ENOENT);
  EXPECT_FALSE(Listed(pid));
}

TEST(ZombieTest, KilledChildIsAZombieUntilReaped) {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  siginfo_t si{};
  ASSERT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(si.si_code, CLD_KILLED);
  int err;
  char state = 0;
  int ppid = 0;
  ASSERT_TRUE(StateAndPpid(ReadProc(pid, "stat", &err), &state, &ppid));
  EXPECT_EQ(state, 'Z');
  EXPECT_EQ(ppid, getpid());
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(wstatus));
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);
  ReadProc(pid, "stat", &err);
  EXPECT_EQ(err, ENOENT);
}

TEST(ZombieTest, AZombieHoldsNoFiles) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    _exit(0);  // the write end closes with the process, before anyone reaps it
  }
  close(p[1]);
  char c;
  EXPECT_EQ(read(p[0], &c, 1), 0);  // EOF while the child is still a zombie
  close(p[0]);
  int err;
  char state = 0;
  int ppid = 0;
  siginfo_t si{};
  ASSERT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
  ASSERT_TRUE(StateAndPpid(ReadProc(pid, "stat", &err), &state, &ppid));
  EXPECT_EQ(state, 'Z');
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
}

TEST(ZombieTest, ChildIgnoringParentLeavesNoZombie) {
  struct sigaction old{};
  struct sigaction ign{};
  ign.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGCHLD, &ign, &old), 0);
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  // With SIGCHLD ignored the child is reaped at once: wait reports ECHILD, /proc forgets it.
  EXPECT_EQ(waitpid(pid, nullptr, 0), -1);
  EXPECT_EQ(errno, ECHILD);
  int err;
  ReadProc(pid, "stat", &err);
  EXPECT_EQ(err, ENOENT);
  ASSERT_EQ(sigaction(SIGCHLD, &old, nullptr), 0);
}

TEST(ZombieTest, ManyZombiesAreListedAndReaped) {
  constexpr int kN = 8;
  pid_t pids[kN];
  for (pid_t& pid : pids) pid = ExitedChild(0);
  for (pid_t pid : pids) {
    int err;
    char state = 0;
    int ppid = 0;
    EXPECT_TRUE(StateAndPpid(ReadProc(pid, "stat", &err), &state, &ppid));
    EXPECT_EQ(state, 'Z');
    EXPECT_TRUE(Listed(pid));
  }
  for (int i = 0; i < kN; ++i) {
    ASSERT_GT(waitpid(-1, nullptr, 0), 0);
  }
  for (pid_t pid : pids) EXPECT_FALSE(Listed(pid));
}

}  // namespace
}  // namespace syscall_test
