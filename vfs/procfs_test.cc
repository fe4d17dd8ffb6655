// procfs over a fake ProcessInfo.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/procfs.h"

#include <dirent.h>
#include <fcntl.h>

#include <cerrno>
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
  std::string StatusFields(int pid) const override {
    return "State:\tS (sleeping)\nPPid:\t0\nUid:\t0\t0\t0\t0\n";
  }
  std::string StatLine(int pid) const override { return std::to_string(pid) + " (x) S 0"; }
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
  uint64_t MemoryUsed() const override { return 256 << 20; }

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
  EXPECT_NE(meminfo.find("MemFree:          786432 kB\n"), std::string::npos) << meminfo;
  EXPECT_NE(Read("/proc/cpuinfo").find("processor\t: 0"), std::string::npos);
  std::string uptime = Read("/proc/uptime");
  double up = 0, idle = 0;
  ASSERT_EQ(sscanf(uptime.c_str(), "%lf %lf", &up, &idle), 2) << uptime;
  EXPECT_GT(up, 0);
  EXPECT_NE(Read("/proc/version").find("Linux version 6.1.0"), std::string::npos);
  EXPECT_NE(Read("/proc/filesystems").find("nodev\tproc\n"), std::string::npos);
  EXPECT_NE(Read("/proc/stat").find("btime "), std::string::npos);
  EXPECT_EQ(Read("/proc/loadavg"), "0.00 0.00 0.00 1/2 42\n");
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
