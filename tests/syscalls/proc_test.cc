// Syscall tests for the /proc files programs commonly read (ps, top, free, Python): self/stat,
// status, task/, fd/, fdinfo/, limits, cmdline, maps, cpuinfo, meminfo, stat, uptime.
// Owned by the tests team. Runs natively and under the sentry.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

// Returns the value of the first "Key:<spaces>value" line of a /proc file, or "" if absent.
std::string FieldValue(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      size_t start = line.find_first_not_of(" \t", key.size() + 1);
      return start == std::string::npos ? "" : line.substr(start);
    }
  }
  return "";
}

std::set<std::string> ListDir(const char* path) {
  std::set<std::string> out;
  DIR* dir = opendir(path);
  EXPECT_NE(dir, nullptr) << path << ": " << ErrnoText(errno);
  if (dir == nullptr) return out;
  while (struct dirent* d = readdir(dir)) out.insert(d->d_name);
  closedir(dir);
  return out;
}

TEST(ProcTest, SelfStatusHasNameAndPid) {
  std::string status = ReadFile("/proc/self/status");
  std::string name = FieldValue(status, "Name");
  EXPECT_FALSE(name.empty()) << status;
  // Name is the executable's basename truncated to 15 characters (TASK_COMM_LEN - 1).
  std::string argv0 = program_invocation_name;
  std::string base = argv0.substr(argv0.rfind('/') + 1);
  EXPECT_EQ(name, base.substr(0, 15));
  EXPECT_EQ(FieldValue(status, "Pid"), std::to_string(getpid()));
  EXPECT_EQ(FieldValue(status, "PPid"), std::to_string(getppid()));
  EXPECT_FALSE(FieldValue(status, "Uid").empty());
}

TEST(ProcTest, SelfCmdlineStartsWithArgv0) {
  std::string cmdline = ReadFile("/proc/self/cmdline");
  std::string argv0 = program_invocation_name;
  ASSERT_GE(cmdline.size(), argv0.size() + 1);
  EXPECT_EQ(cmdline.substr(0, argv0.size() + 1), argv0 + std::string(1, '\0'));
  EXPECT_EQ(cmdline.back(), '\0');
}

TEST(ProcTest, SelfFdListsStdioAndNewFds) {
  auto fds = ListDir("/proc/self/fd");
  EXPECT_TRUE(fds.count("0")) << "stdin";
  EXPECT_TRUE(fds.count("1")) << "stdout";
  EXPECT_TRUE(fds.count("2")) << "stderr";
  // A high fd number, so that opendir() inside ListDir cannot reuse it once closed.
  ScopedFd fd(dup2(1, 150));
  ASSERT_EQ(fd.get(), 150) << ErrnoText(errno);
  EXPECT_TRUE(ListDir("/proc/self/fd").count("150"));
  fd.reset();
  EXPECT_FALSE(ListDir("/proc/self/fd").count("150"));
}

TEST(ProcTest, SelfMapsShowsTheBinary) {
  std::string maps = ReadFile("/proc/self/maps");
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe));
  ASSERT_GT(n, 0);
  EXPECT_NE(maps.find(std::string(exe, static_cast<size_t>(n))), std::string::npos) << maps;
  EXPECT_NE(maps.find("[stack]"), std::string::npos) << maps;
}

TEST(ProcTest, CpuinfoHasProcessor) {
  std::string cpuinfo = ReadFile("/proc/cpuinfo");
  EXPECT_EQ(cpuinfo.rfind("processor", 0), 0u) << cpuinfo.substr(0, 200);
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  EXPECT_GE(online, 1);
}

TEST(ProcTest, MeminfoHasMemTotal) {
  std::string meminfo = ReadFile("/proc/meminfo");
  EXPECT_EQ(meminfo.rfind("MemTotal:", 0), 0u) << meminfo.substr(0, 200);
  std::string total = FieldValue(meminfo, "MemTotal");
  EXPECT_GT(std::stoull(total), 0u) << total;
  EXPECT_NE(total.find("kB"), std::string::npos);
  EXPECT_FALSE(FieldValue(meminfo, "MemFree").empty());
}

TEST(ProcTest, SmallReadsGiveSameContent) {
  // Programs often read /proc with small buffers; the content must be consistent.
  EXPECT_EQ(ReadFile("/proc/self/cmdline", 3), ReadFile("/proc/self/cmdline"));
}

TEST(ProcTest, ProcSelfIsPidDirectory) {
  std::string by_pid = "/proc/" + std::to_string(getpid()) + "/cmdline";
  EXPECT_EQ(ReadFile(by_pid.c_str()), ReadFile("/proc/self/cmdline"));
}

// The fields of a /proc/PID/stat line: [0] pid, [1] comm (without parentheses), [2] state...
// (index = proc(5) field number - 1).
std::vector<std::string> StatFields(const std::string& line) {
  std::vector<std::string> out;
  size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return out;
  out.push_back(line.substr(0, open - 1));
  out.push_back(line.substr(open + 1, close - open - 1));
  std::istringstream in(line.substr(close + 1));
  std::string f;
  while (in >> f) out.push_back(f);
  return out;
}

// Polls /proc/PID/stat until its state is `want` (up to 5 s); returns the last state seen.
char WaitForState(pid_t pid, char want) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  char state = '?';
  for (int i = 0; i < 500; ++i) {
    std::vector<std::string> f = StatFields(ReadFile(path.c_str()));
    if (f.size() > 2) state = f[2][0];
    if (state == want) break;
    usleep(10000);
  }
  return state;
}

TEST(ProcTest, SelfStatFields) {
  std::vector<std::string> f = StatFields(ReadFile("/proc/self/stat"));
  ASSERT_EQ(f.size(), 52u) << ReadFile("/proc/self/stat");
  EXPECT_EQ(f[0], std::to_string(getpid()));
  EXPECT_EQ(f[2], "R");  // the reader is running
  EXPECT_EQ(f[3], std::to_string(getppid()));
  EXPECT_EQ(f[4], std::to_string(getpgrp()));
  EXPECT_EQ(f[5], std::to_string(getsid(0)));
  EXPECT_EQ(std::stoi(f[19]), 1);  // num_threads
  // starttime (clock ticks since boot) lies between boot and now.
  struct timespec boot;
  clock_gettime(CLOCK_BOOTTIME, &boot);
  long long now_ticks = boot.tv_sec * sysconf(_SC_CLK_TCK);
  long long start = std::stoll(f[21]);
  EXPECT_GT(start, 0);
  EXPECT_LE(start, now_ticks + sysconf(_SC_CLK_TCK));
  EXPECT_GT(std::stoull(f[22]), 0u);  // vsize
  EXPECT_GT(std::stoll(f[23]), 0);    // rss
}

TEST(ProcTest, BlockedChildSleepsStoppedChildStops) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c;
    close(p[1]);
    _exit(read(p[0], &c, 1) == 1 ? 0 : 1);
  }
  close(p[0]);
  EXPECT_EQ(WaitForState(child, 'S'), 'S');
  std::vector<std::string> f =
      StatFields(ReadFile(("/proc/" + std::to_string(child) + "/stat").c_str()));
  ASSERT_GT(f.size(), 4u);
  EXPECT_EQ(f[3], std::to_string(getpid()));  // ppid
  std::string status = ReadFile(("/proc/" + std::to_string(child) + "/status").c_str());
  EXPECT_EQ(FieldValue(status, "State"), "S (sleeping)");
  ASSERT_EQ(kill(child, SIGSTOP), 0);
  EXPECT_EQ(WaitForState(child, 'T'), 'T');
  ASSERT_EQ(kill(child, SIGCONT), 0);
  EXPECT_EQ(WaitForState(child, 'S'), 'S');
  ASSERT_EQ(write(p[1], "x", 1), 1);
  close(p[1]);
  int st = 0;
  ASSERT_EQ(waitpid(child, &st, 0), child);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
}

TEST(ProcTest, SelfStatusFields) {
  std::string status = ReadFile("/proc/self/status");
  EXPECT_EQ(FieldValue(status, "State"), "R (running)");
  EXPECT_EQ(FieldValue(status, "Tgid"), std::to_string(getpid()));
  EXPECT_EQ(FieldValue(status, "Pid"), std::to_string(getpid()));
  EXPECT_EQ(FieldValue(status, "PPid"), std::to_string(getppid()));
  std::string uid = FieldValue(status, "Uid");
  EXPECT_EQ(uid.substr(0, uid.find('\t')), std::to_string(getuid())) << uid;
  std::string rss = FieldValue(status, "VmRSS");
  ASSERT_FALSE(rss.empty()) << status;
  EXPECT_GT(std::stoll(rss), 0);
  EXPECT_NE(rss.find("kB"), std::string::npos);
  EXPECT_EQ(FieldValue(status, "Threads"), "1");
  EXPECT_FALSE(FieldValue(status, "SigBlk").empty());
  EXPECT_FALSE(FieldValue(status, "Cpus_allowed").empty());
}

TEST(ProcTest, TaskListsThreads) {
  std::atomic<int> started{0};
  std::atomic<bool> stop{false};
  std::vector<pid_t> tids(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      tids[i] = static_cast<pid_t>(syscall(SYS_gettid));
      started++;
      while (!stop) usleep(1000);
    });
  }
  while (started < 2) usleep(1000);
  std::set<std::string> want = {".", "..", std::to_string(getpid())};
  for (pid_t t : tids) want.insert(std::to_string(t));
  std::set<std::string> got = ListDir("/proc/self/task");
  EXPECT_EQ(got, want);
  std::string path = "/proc/self/task/" + std::to_string(tids[0]) + "/stat";
  std::vector<std::string> f = StatFields(ReadFile(path.c_str()));
  ASSERT_GT(f.size(), 20u);
  EXPECT_EQ(f[0], std::to_string(tids[0]));
  EXPECT_EQ(std::stoi(f[19]), 3);  // num_threads
  EXPECT_EQ(FieldValue(ReadFile("/proc/self/status"), "Threads"), "3");
  stop = true;
  for (auto& t : threads) t.join();
}

TEST(ProcTest, FdInfoShowsPositionAndFlags) {
  ScopedFd fd(open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC));
  ASSERT_GE(fd.get(), 0) << ErrnoText(errno);
  char buf[2];
  ASSERT_EQ(read(fd.get(), buf, 2), 2);
  std::string info = ReadFile(("/proc/self/fdinfo/" + std::to_string(fd.get())).c_str());
  EXPECT_EQ(FieldValue(info, "pos"), "2") << info;
  unsigned long flags = std::stoul(FieldValue(info, "flags"), nullptr, 8);
  EXPECT_TRUE(flags & O_CLOEXEC) << info;
  EXPECT_EQ(flags & O_ACCMODE, static_cast<unsigned long>(O_RDONLY));
  EXPECT_FALSE(FieldValue(info, "mnt_id").empty());
  EXPECT_TRUE(ListDir("/proc/self/fdinfo").count(std::to_string(fd.get())));
}

TEST(ProcTest, LimitsShowsNofile) {
  struct rlimit rl;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  std::string limits = ReadFile("/proc/self/limits");
  std::istringstream in(limits);
  std::string line;
  bool found = false;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(strlen("Max open files")));
    std::string soft;
    fields >> soft;
    EXPECT_EQ(soft, std::to_string(rl.rlim_cur)) << line;
    found = true;
  }
  EXPECT_TRUE(found) << limits;
}

TEST(ProcTest, MeminfoTotalAndAvailable) {
  std::string meminfo = ReadFile("/proc/meminfo");
  unsigned long long total = std::stoull(FieldValue(meminfo, "MemTotal"));
  unsigned long long avail = std::stoull(FieldValue(meminfo, "MemAvailable"));
  unsigned long long free_kb = std::stoull(FieldValue(meminfo, "MemFree"));
  EXPECT_GT(avail, 0u);
  EXPECT_GE(total, avail);
  EXPECT_GE(total, free_kb);
  EXPECT_LT(free_kb, total);  // something is in use
}

TEST(ProcTest, StatHasCpuLinesAndBtime) {
  std::string stat = ReadFile("/proc/stat");
  EXPECT_EQ(stat.rfind("cpu ", 0), 0u) << stat.substr(0, 200);
  EXPECT_NE(stat.find("\ncpu0 "), std::string::npos);
  size_t at = stat.find("\nbtime ");
  ASSERT_NE(at, std::string::npos);
  long long boot = std::stoll(stat.substr(at + 7));
  EXPECT_GT(boot, 1000000000);
  EXPECT_LE(boot, static_cast<long long>(time(nullptr)));
  EXPECT_NE(stat.find("\nprocs_running "), std::string::npos);
}

TEST(ProcTest, UptimeParses) {
  double up = 0, idle = 0;
  ASSERT_EQ(sscanf(ReadFile("/proc/uptime").c_str(), "%lf %lf", &up, &idle), 2);
  EXPECT_GT(up, 0);
  EXPECT_GE(idle, 0);
  struct timespec boot;
  clock_gettime(CLOCK_BOOTTIME, &boot);
  EXPECT_NEAR(up, boot.tv_sec, 2);
}

}  // namespace
}  // namespace syscall_test
