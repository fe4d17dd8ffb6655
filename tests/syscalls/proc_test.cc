// Syscall tests for the /proc files programs commonly read: self/status, cmdline, fd, maps,
// cpuinfo, meminfo. Owned by the tests team. Runs natively and under the sentry.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <string>

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

}  // namespace
}  // namespace syscall_test
