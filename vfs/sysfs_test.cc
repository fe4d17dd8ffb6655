// sysfs: the CPU files, the cgroup view, read-only-ness and the statfs magic.
// Test-only; runs on the test main thread.
#include "vfs/sysfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>

#include "gtest/gtest.h"
#include "vfs/test_tree.h"

namespace sentry::vfs {
namespace {

class SysfsTest : public ::testing::Test {
 protected:
  void Mount(const ProcfsOptions& machine) {
    vfs_ = testing::MakeTestVfs();
    ASSERT_TRUE(vfs_->Mount("/sys", MakeSysfs(machine), "sysfs", /*placeholder=*/true).ok());
    ctx_ = vfs_->RootContext();
  }
  std::string Read(std::string_view path) {
    ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, Credentials{}, nullptr, path, O_RDONLY, 0);
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
        std::string name(buf + pos + 19);
        if (name != "." && name != "..") names.push_back(name);
        pos += reclen;
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
};

TEST_F(SysfsTest, CpusFromCount) {
  Mount({.num_cpus = 2});
  EXPECT_EQ(Read("/sys/devices/system/cpu/online"), "0-1\n");
  EXPECT_EQ(Read("/sys/devices/system/cpu/possible"), "0-1\n");
  EXPECT_EQ(Read("/sys/devices/system/cpu/present"), "0-1\n");
  std::vector<std::string> cpu = List("/sys/devices/system/cpu");
  EXPECT_NE(std::find(cpu.begin(), cpu.end(), "cpu0"), cpu.end());
  EXPECT_NE(std::find(cpu.begin(), cpu.end(), "cpu1"), cpu.end());
  EXPECT_EQ(std::find(cpu.begin(), cpu.end(), "cpu2"), cpu.end());
  // Nothing but what sysfs has: no host class/, block/, ...
  EXPECT_EQ(List("/sys"), (std::vector<std::string>{"devices", "fs"}));
  EXPECT_EQ(List("/sys/fs/cgroup"), std::vector<std::string>{});  // no limits given
}

TEST_F(SysfsTest, CpuListAndMemoryLimit) {
  Mount({.memory_limit_bytes = 256 << 20, .num_cpus = 3, .cpu_list = "0,2-3"});
  EXPECT_EQ(Read("/sys/devices/system/cpu/online"), "0,2-3\n");
  std::vector<std::string> cpu = List("/sys/devices/system/cpu");
  for (const char* want : {"cpu0", "cpu2", "cpu3"}) {
    EXPECT_NE(std::find(cpu.begin(), cpu.end(), want), cpu.end()) << want;
  }
  EXPECT_EQ(std::find(cpu.begin(), cpu.end(), "cpu1"), cpu.end());
  EXPECT_EQ(Read("/sys/fs/cgroup/memory.max"), "268435456\n");
}

TEST_F(SysfsTest, ReadOnlyWithSysfsMagic) {
  Mount({.num_cpus = 1});
  EXPECT_EQ(Read("/sys/devices/system/cpu/online"), "0\n");
  Credentials root;
  EXPECT_EQ(
      vfs_->OpenAt(ctx_, root, nullptr, "/sys/devices/system/cpu/online", O_WRONLY, 0).error(),
      EROFS);
  EXPECT_EQ(vfs_->OpenAt(ctx_, root, nullptr, "/sys/new", O_CREAT | O_WRONLY, 0644).error(), EROFS);
  ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, root, nullptr, "/sys", O_RDONLY | O_DIRECTORY, 0);
  ASSERT_TRUE(f.ok());
  struct statfs sfs;
  (*f)->dentry()->fs()->StatFs(&sfs);
  EXPECT_EQ(sfs.f_type, SYSFS_MAGIC);
}

TEST(ParseCpuListTest, Forms) {
  EXPECT_EQ(ParseCpuList("0"), std::vector<int>{0});
  EXPECT_EQ(ParseCpuList("0-2\n"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(ParseCpuList("1,3-4"), (std::vector<int>{1, 3, 4}));
  EXPECT_TRUE(ParseCpuList("").empty());
  EXPECT_TRUE(ParseCpuList("2-1").empty());
  EXPECT_TRUE(ParseCpuList("a").empty());
  EXPECT_TRUE(ParseCpuList("1-").empty());
  EXPECT_TRUE(ParseCpuList("0-99999").empty());
  EXPECT_EQ(FormatCpuList({0, 1, 2, 5}), "0-2,5");
  EXPECT_EQ(FormatCpuList({3}), "3");
  EXPECT_EQ(FormatCpuList({0, 2, 4, 5}), "0,2,4-5");
  EXPECT_EQ(FormatCpuList({}), "");
}

}  // namespace
}  // namespace sentry::vfs
