// procfs over a fake ProcessInfo.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/procfs.h"

#include <dirent.h>
#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <map>

#include "gtest/gtest.h"
#include "vfs/hostfd.h"
#include "vfs/test_tree.h"

namespace sentry::vfs {
namespace {

class FakeProcesses : public ProcessInfo {
 public:
  std::vector<int> Pids() const override { return {1, 42}; }
  bool Exists(int pid) const override { return pid == 1 || pid == 42; }
  std::string Cmdline(int pid) const override { return std::string("prog\0arg", 8) + '\0'; }
  std::string Environ(int pid) const override { return std::string("A=1\0", 4); }
  std::string Comm(int pid) const override { return pid == 1 ? "init" : "worker"; }
  std::string ExePath(int pid) const override { return "/dir/sub/leaf"; }
  std::string Cwd(int pid) const override { return "/dir"; }
  std::string Maps(int pid) const override { return "00400000-00401000 r-xp 00000000 00:00 0 \n"; }
  std::string StatusFields(int pid, int tid, int caller_tid) const override {
    std::string state = (tid ? tid : pid) == caller_tid ? "R (running)" : "S (sleeping)";
    return "State:\t" + state + "\nPPid:\t0\nUid:\t0\t0\t0\t0\n";
  }
  std::string StatLine(int pid, int tid, int caller_tid) const override {
    int id = tid ? tid : pid;
    return std::to_string(id) + " (x) " + (id == caller_tid ? "R" : "S") + " 0";
  }
  std::vector<std::pair<int, std::string>> Fds(int pid) const override {
    return {{0, "/dev/null"}, {1, "pipe:[7]"}, {5, "/file"}};
  }
  std::vector<int> Tids(int pid) const override {
    return pid == 42 ? std::vector<int>{42, 43} : std::vector<int>{pid};
  }
  std::pair<uint32_t, uint32_t> Owner(int pid) const override {
    return pid == 42 ? std::pair<uint32_t, uint32_t>{1000, 1000}
                     : std::pair<uint32_t, uint32_t>{0, 0};
  }
  FileRef FdFile(int pid, int fd) const override { return fd == 1 ? pipe_file : nullptr; }
  std::string Hostname() const override { return "sandbox"; }
  MemoryUsage Memory() const override {
    return {.anon_bytes = 256 << 20, .file_bytes = 64 << 20, .shmem_bytes = 16 << 20};
  }
  SchedSummary Sched(int caller_tid) const override {
    return {.running = 2,
            .blocked = 0,
            .threads = 3,
            .last_pid = 43,
            .user_ticks = 500,
            .system_ticks = 100};
  }
  bool FdCloexec(int pid, int fd) const override { return fd == 5; }
  std::string Statm(int pid) const override { return "100 20 10 1 0 30 0"; }
  std::optional<std::array<rlimit, RLIM_NLIMITS>> Limits(int pid) const override {
    std::array<rlimit, RLIM_NLIMITS> l;
    l.fill({RLIM_INFINITY, RLIM_INFINITY});
    l[RLIMIT_NOFILE] = {1024, 524288};
    return l;
  }

  FileRef pipe_file;
};

class ProcfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    procs_ = std::make_shared<FakeProcesses>();
    vfs_ = testing::MakeTestVfs(procs_);
    ctx_ = vfs_->RootContext();
    ctx_.caller_pid = 42;
    ctx_.caller_tid = 43;
  }
  std::string Read(std::string_view path, const Credentials& creds = {}) {
    ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, creds, nullptr, path, O_RDONLY, 0);
    EXPECT_TRUE(f.ok()) << path << ": " << f.error();
    return f.ok() ? testing::ReadAll(**f) : "";
  }
  std::vector<std::string> List(std::string_view path) {
    ErrnoOr<FileRef> f =
        vfs_->OpenAt(ctx_, Credentials{}, nullptr, path, O_RDONLY | O_DIRECTORY, 0);
    EXPECT_TRUE(f.ok()) << path << ": " << f.error();
    std::vector<std::string> names;
    if (!f.ok()) return names;
    char buf[8192];
    while (true) {
      SysResult r = (*f)->GetDents64(std::span<char>(buf, sizeof(buf)));
      if (!r.ok() || r.value() == 0) break;
      for (int64_t pos = 0; pos < r.value();) {
        uint16_t reclen;
        std::memcpy(&reclen, buf + pos + 16, 2);
        names.emplace_back(buf + pos + 19);
        pos += reclen;
      }
    }
    return names;
  }
  std::string Link(std::string_view path) {
    ErrnoOr<std::string> t = vfs_->ReadLinkAt(ctx_, Credentials{}, nullptr, path);
    EXPECT_TRUE(t.ok()) << path << ": " << t.error();
    return t.ok() ? *t : "";
  }

  std::shared_ptr<FakeProcesses> procs_;
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
};

TEST_F(ProcfsTest, SelfAndPidFiles) {
  EXPECT_EQ(Link("/proc/self"), "42");
  EXPECT_EQ(Link("/proc/thread-self"), "42/task/43");
  EXPECT_EQ(Read("/proc/self/cmdline"), std::string("prog\0arg\0", 9));
  EXPECT_EQ(Read("/proc/self/comm"), "worker\n");
  EXPECT_EQ(Read("/proc/1/comm"), "init\n");
  EXPECT_EQ(Read("/proc/42/environ"), std::string("A=1\0", 4));
  std::string status = Read("/proc/self/status");
  EXPECT_EQ(status.rfind("Name:\tworker\n", 0), 0u) << status;
  EXPECT_NE(status.find("Tgid:\t42\n"), std::string::npos);
  EXPECT_NE(status.find("Pid:\t42\n"), std::string::npos);
  EXPECT_NE(status.find("State:\tS (sleeping)\n"), std::string::npos);
  EXPECT_EQ(Read("/proc/self/stat"), "42 (x) S 0\n");
  EXPECT_EQ(Read("/proc/thread-self/stat"), "43 (x) R 0\n");  // the reader runs
  EXPECT_NE(Read("/proc/thread-self/status").find("Pid:\t43\n"), std::string::npos);
  EXPECT_EQ(Read("/proc/self/statm"), "100 20 10 1 0 30 0\n");
  EXPECT_EQ(Read("/proc/self/cgroup"), "0::/\n");
  EXPECT_NE(Read("/proc/self/maps").find("r-xp"), std::string::npos);
  EXPECT_EQ(Link("/proc/self/exe"), "/dir/sub/leaf");
  EXPECT_EQ(Link("/proc/self/cwd"), "/dir");
  EXPECT_EQ(Link("/proc/self/root"), "/");
  // Following exe/cwd reaches the files.
  EXPECT_EQ(Read("/proc/self/exe"), "leaf\n");
  EXPECT_EQ(Read("/proc/self/cwd/sub/leaf"), "leaf\n");
  EXPECT_EQ(Read("/proc/thread-self/comm"), "worker\n");
  EXPECT_NE(Read("/proc/self/mounts").find("proc /proc proc"), std::string::npos);
  EXPECT_EQ(Read("/proc/mounts"), Read("/proc/self/mounts"));
  EXPECT_NE(Read("/proc/self/mountinfo").find(" - proc proc "), std::string::npos);
}

TEST_F(ProcfsTest, Listings) {
  std::vector<std::string> root = List("/proc");
  for (const char* want : {".", "..", "self", "thread-self", "cpuinfo", "meminfo", "uptime",
                           "version", "filesystems", "mounts", "sys", "1", "42"}) {
    EXPECT_NE(std::find(root.begin(), root.end(), want), root.end()) << want;
  }
  std::vector<std::string> fds = List("/proc/self/fd");
  EXPECT_EQ(fds, (std::vector<std::string>{".", "..", "0", "1", "5"}));
  std::vector<std::string> task = List("/proc/42/task");
  EXPECT_EQ(task, (std::vector<std::string>{".", "..", "42", "43"}));
  std::vector<std::string> pid = List("/proc/42");
  EXPECT_NE(std::find(pid.begin(), pid.end(), "status"), pid.end());
  std::vector<std::string> thread = List("/proc/42/task/43");
  EXPECT_EQ(std::find(thread.begin(), thread.end(), "task"), thread.end());
}

TEST_F(ProcfsTest, MissingAndBadNames) {
  Credentials root;
  struct stat st;
  for (const char* bad :
       {"/proc/7", "/proc/042", "/proc/+42", "/proc/-1", "/proc/99999999999", "/proc/42/nothing",
        "/proc/42/fd/3", "/proc/42/fd/05", "/proc/42/task/44", "/proc/1/task/43"}) {
    EXPECT_EQ(vfs_->StatAt(ctx_, root, nullptr, bad, false, &st).error(), ENOENT) << bad;
  }
  EXPECT_EQ(ParseProcNumber("0"), 0);
  EXPECT_EQ(ParseProcNumber("2147483647"), 2147483647);
  EXPECT_EQ(ParseProcNumber("2147483648"), -1);
  EXPECT_EQ(ParseProcNumber(""), -1);
  // Creating files in /proc: EACCES (procfs has no create); writing text files: EINVAL.
  EXPECT_EQ(vfs_->OpenAt(ctx_, root, nullptr, "/proc/newfile", O_CREAT | O_WRONLY, 0644).error(),
            EACCES);
  ErrnoOr<FileRef> comm = vfs_->OpenAt(ctx_, root, nullptr, "/proc/self/comm", O_WRONLY, 0);
  ASSERT_TRUE(comm.ok());
  EXPECT_EQ((*comm)->Write(std::span<const char>("x", 1)).error(), EINVAL);
}

TEST_F(ProcfsTest, FdLinks) {
  EXPECT_EQ(Link("/proc/self/fd/0"), "/dev/null");
  EXPECT_EQ(Link("/proc/self/fd/1"), "pipe:[7]");
  EXPECT_EQ(Read("/proc/self/fd/5"), "hello\n");  // the text path, followed
  EXPECT_EQ(Link("/dev/stdin"), "/proc/self/fd/0");
  struct stat st;
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/dev/stdin", true, &st).ok());
  EXPECT_TRUE(S_ISCHR(st.st_mode));  // /dev/null
  // A magic link to an anonymous file reopens it.
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  procs_->pipe_file = MakeHostFile(p[1], O_WRONLY, "pipe:[7]");
  ErrnoOr<FileRef> w = vfs_->OpenAt(ctx_, Credentials{}, nullptr, "/dev/stdout", O_WRONLY, 0);
  ASSERT_TRUE(w.ok()) << w.error();
  EXPECT_NE(*w, procs_->pipe_file);
  EXPECT_EQ((*w)->Write(std::span<const char>("via", 3)).value(), 3);
  char buf[4];
  EXPECT_EQ(read(p[0], buf, 4), 3);
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/proc/self/fd/1", true, &st).ok());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(vfs_->OpenAt(ctx_, Credentials{}, nullptr, "/proc/self/fd/1/x", O_RDONLY, 0).error(),
            ENOTDIR);
  close(p[0]);
  close(p[1]);
}

TEST_F(ProcfsTest, OwnershipAndPermissions) {
  struct stat st;
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/proc/42", true, &st).ok());
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_mode, S_IFDIR | 0555u);
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/proc/42/environ", true, &st).ok());
  EXPECT_EQ(st.st_mode, S_IFREG | 0400u);
  struct stat again;
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/proc/42/environ", true, &again).ok());
  EXPECT_EQ(st.st_ino, again.st_ino);  // stable inode numbers
  // The owner may read environ; someone else may not.
  EXPECT_EQ(Read("/proc/42/environ", testing::User(1000, 1000)).size(), 4u);
  EXPECT_EQ(vfs_->OpenAt(ctx_, testing::User(1001, 1001), nullptr, "/proc/42/environ", O_RDONLY, 0)
                .error(),
            EACCES);
  EXPECT_EQ(
      vfs_->OpenAt(ctx_, testing::User(1001, 1001), nullptr, "/proc/42/fd/0", O_RDONLY, 0).error(),
      EACCES);  // fd/ is 0500
}

TEST_F(ProcfsTest, TopLevelFiles) {
  std::string meminfo = Read("/proc/meminfo");
  EXPECT_EQ(meminfo.rfind("MemTotal:        1048576 kB\n", 0), 0u) << meminfo;
  EXPECT_NE(meminfo.find("MemFree:          720896 kB\n"), std::string::npos) << meminfo;
  EXPECT_NE(meminfo.find("MemAvailable:     770048 kB\n"), std::string::npos) << meminfo;
  EXPECT_NE(meminfo.find("Cached:            65536 kB\n"), std::string::npos) << meminfo;
  EXPECT_NE(meminfo.find("Shmem:             16384 kB\n"), std::string::npos) << meminfo;
  EXPECT_NE(meminfo.find("SwapTotal:             0 kB\n"), std::string::npos) << meminfo;
  EXPECT_NE(Read("/proc/cpuinfo").find("processor\t: 0"), std::string::npos);
  std::string uptime = Read("/proc/uptime");
  double up = 0, idle = 0;
  ASSERT_EQ(sscanf(uptime.c_str(), "%lf %lf", &up, &idle), 2) << uptime;
  EXPECT_GT(up, 0);
  EXPECT_NE(Read("/proc/version").find("Linux version 6.1.0"), std::string::npos);
  EXPECT_NE(Read("/proc/filesystems").find("nodev\tproc\n"), std::string::npos);
  EXPECT_NE(Read("/proc/stat").find("btime "), std::string::npos);
  EXPECT_EQ(Read("/proc/loadavg"), "0.00 0.00 0.00 2/3 43\n");
  EXPECT_EQ(Read("/proc/sys/kernel/hostname"), "sandbox\n");
  EXPECT_EQ(Read("/proc/sys/kernel/osrelease"), "6.1.0\n");
  EXPECT_EQ(Read("/proc/sys/kernel/ostype"), "Linux\n");
  EXPECT_EQ(Read("/proc/sys/kernel/pid_max"), "4194304\n");
  EXPECT_EQ(Read("/proc/sys/kernel/ngroups_max"), "65536\n");
  EXPECT_EQ(Read("/proc/sys/kernel/random/boot_id"), Read("/proc/sys/kernel/random/boot_id"));
  EXPECT_NE(Read("/proc/sys/kernel/random/uuid"), Read("/proc/sys/kernel/random/uuid"));
  // Text files are seekable and pread-able.
  ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, Credentials{}, nullptr, "/proc/version", O_RDONLY, 0);
  ASSERT_TRUE(f.ok());
  char buf[5];
  EXPECT_EQ((*f)->PRead(std::span<char>(buf, 5), 6).value(), 5);
  EXPECT_EQ(std::string(buf, 5), "versi");
  EXPECT_EQ((*f)->Seek(2, SEEK_SET).value(), 2);
  EXPECT_EQ((*f)->Read(std::span<char>(buf, 3)).value(), 3);
  EXPECT_EQ(std::string(buf, 3), "nux");
  EXPECT_GT((*f)->Seek(0, SEEK_END).value(), 10);
  EXPECT_EQ((*f)->Read(std::span<char>(buf, 3)).value(), 0);
}

TEST_F(ProcfsTest, FdInfo) {
  EXPECT_EQ(List("/proc/self/fdinfo"), (std::vector<std::string>{".", "..", "0", "1", "5"}));
  // fd 5 is the fake's close-on-exec fd; the provider gives no description, so 0s.
  EXPECT_EQ(Read("/proc/self/fdinfo/5"), "pos:\t0\nflags:\t02000000\nmnt_id:\t0\nino:\t0\n");
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  procs_->pipe_file = MakeHostFile(p[1], O_WRONLY, "pipe:[7]");
  EXPECT_EQ(Read("/proc/self/fdinfo/1").substr(0, 20), "pos:\t0\nflags:\t01\nmnt");
  close(p[0]);
  // A file opened by path shows its position, O_LARGEFILE and the mount that holds it.
  ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, Credentials{}, nullptr, "/dir/sub/leaf", O_RDONLY, 0);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ((*f)->Seek(3, SEEK_SET).value(), 3);
  procs_->pipe_file = *f;
  std::string info = Read("/proc/self/fdinfo/1");
  EXPECT_EQ(info.rfind("pos:\t3\nflags:\t0100000\nmnt_id:\t1\nino:\t", 0), 0u) << info;
  struct stat st;
  EXPECT_EQ(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/proc/self/fdinfo/3", true, &st).error(),
            ENOENT);
}

TEST_F(ProcfsTest, LimitsAndTaskFiles) {
  std::string limits = Read("/proc/self/limits");
  EXPECT_EQ(limits.rfind("Limit                     Soft Limit           Hard Limit           "
                         "Units     \n",
                         0),
            0u)
      << limits;
  EXPECT_NE(limits.find("Max open files            1024                 524288               "
                        "files     \n"),
            std::string::npos)
      << limits;
  EXPECT_NE(limits.find("Max nice priority         unlimited            unlimited            \n"),
            std::string::npos)
      << limits;
  std::vector<std::string> thread = List("/proc/42/task/43");
  for (const char* want : {"stat", "status", "comm", "fdinfo", "limits", "statm"}) {
    EXPECT_NE(std::find(thread.begin(), thread.end(), want), thread.end()) << want;
  }
  EXPECT_EQ(Read("/proc/42/task/43/comm"), "worker\n");
  EXPECT_EQ(Read("/proc/42/task/42/stat"), "42 (x) S 0\n");
}

TEST_F(ProcfsTest, SysFiles) {
  EXPECT_EQ(Read("/proc/sys/kernel/cap_last_cap"), "40\n");
  EXPECT_EQ(Read("/proc/sys/fs/pipe-max-size"), "1048576\n");
  EXPECT_EQ(Read("/proc/sys/vm/max_map_count"), "65530\n");
  EXPECT_EQ(Read("/proc/sys/vm/overcommit_memory"), "0\n");
  EXPECT_EQ(Read("/proc/sys/kernel/shmmax"), "18446744073692774399\n");
  std::string stat = Read("/proc/stat");
  EXPECT_EQ(stat.rfind("cpu  500 0 100 ", 0), 0u) << stat;
  EXPECT_NE(stat.find("\ncpu0 500 0 100 "), std::string::npos) << stat;  // one CPU in tests
  EXPECT_NE(stat.find("\nprocs_running 2\n"), std::string::npos) << stat;
  double up = 0, idle = 0;
  ASSERT_EQ(sscanf(Read("/proc/uptime").c_str(), "%lf %lf", &up, &idle), 2);
  EXPECT_LE(idle, up);
}

TEST(ProcfsNoProcessesTest, EmptyProvider) {
  std::unique_ptr<Vfs> vfs = testing::MakeTestVfs(nullptr);
  struct stat st;
  EXPECT_EQ(vfs->StatAt(vfs->RootContext(), Credentials{}, nullptr, "/proc/self/status", true, &st)
                .error(),
            ENOENT);
  EXPECT_TRUE(
      vfs->StatAt(vfs->RootContext(), Credentials{}, nullptr, "/proc/meminfo", true, &st).ok());
}

}  // namespace
}  // namespace sentry::vfs
