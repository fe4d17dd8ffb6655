// Tests for the cgroup layout detection: mountinfo and /proc/self/cgroup parsing, and the
// v2-or-v1 choice against a fake cgroup tree in a temporary directory. Owned by the launcher.
#include "launcher/cgroup_layout.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace sentry::launcher {
namespace {

using Strings = std::vector<std::string>;

TEST(CgroupMountsTest, ParsesV1AndV2AndSkipsOthers) {
  auto mounts = ParseCgroupMounts(
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:7 - cgroup cgroup "
      "rw,cpu,cpuacct\n"
      "35 31 0:32 /sub /sys/fs/cgroup/mem\\040ory rw - cgroup cgroup rw,memory\n"
      "40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
      "garbage line\n");
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(mounts[0].root, "/");
  EXPECT_FALSE(mounts[0].v2);
  EXPECT_EQ(mounts[0].controllers, (Strings{"cpu", "cpuacct"}));
  EXPECT_EQ(mounts[1].mount_point, "/sys/fs/cgroup/mem ory");  // \040 unescaped
  EXPECT_EQ(mounts[1].root, "/sub");
  EXPECT_TRUE(mounts[2].v2);
  EXPECT_TRUE(mounts[2].controllers.empty());
}

TEST(ProcCgroupsTest, Parses) {
  auto self =
      ParseProcCgroups("9:name=systemd:/\n4:memory:/a/b\n2:cpu,cpuacct:/\n0::/user.slice\n");
  ASSERT_EQ(self.size(), 4u);
  EXPECT_EQ(self[1].controllers, (Strings{"memory"}));
  EXPECT_EQ(self[1].path, "/a/b");
  EXPECT_FALSE(self[1].v2);
  EXPECT_EQ(self[2].controllers, (Strings{"cpu", "cpuacct"}));
  EXPECT_TRUE(self[3].v2);
  EXPECT_EQ(self[3].path, "/user.slice");
}

// A fake /sys/fs/cgroup: v1 hierarchies memory, pids, cpu,cpuacct, freezer and a cgroup2 mount
// whose cgroup.controllers the test sets.
class FakeTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cgroup_layout_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    for (const char* d : {"memory", "memory/a", "memory/a/b", "pids", "cpu,cpuacct", "freezer",
                          "unified", "unified/user.slice"}) {
      ASSERT_EQ(mkdir(absl::StrCat(root_, "/", d).c_str(), 0755), 0) << d;
    }
    mountinfo_ =
        absl::StrCat("32 31 0:29 / ", root_, "/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
                     "33 31 0:30 / ", root_, "/memory rw - cgroup cgroup rw,memory\n",
                     "34 31 0:31 / ", root_, "/pids rw - cgroup cgroup rw,pids\n", "35 31 0:32 / ",
                     root_, "/freezer rw - cgroup cgroup rw,freezer\n", "40 31 0:37 / ", root_,
                     "/unified rw - cgroup2 cgroup2 rw\n");
    self_ =
        ParseProcCgroups("5:freezer:/\n4:memory:/a/b\n3:pids:/\n2:cpu,cpuacct:/\n0::/user.slice\n");
  }
  void TearDown() override { ASSERT_EQ(system(("rm -rf -- " + root_).c_str()), 0); }
  void SetV2Controllers(const std::string& text) {
    std::ofstream(root_ + "/unified/user.slice/cgroup.controllers") << text;
  }
  absl::StatusOr<CgroupLayout> Choose(const Strings& needed) {
    return ChooseCgroupLayout(ParseCgroupMounts(mountinfo_), self_, needed);
  }

  std::string root_, mountinfo_;
  std::vector<ProcCgroup> self_;
};

TEST_F(FakeTreeTest, V1WhenTheUnifiedHierarchyHasNoControllers) {
  SetV2Controllers("\n");  // like this project's test machine
  auto layout = Choose({"memory", "pids", "cpu"});
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->version, CgroupVersion::kV1);
  ASSERT_EQ(layout->parents.size(), 4u);
  EXPECT_EQ(layout->parents[0].dir, root_ + "/memory/a/b");  // our own cgroup, nested
  EXPECT_EQ(layout->parents[0].controllers, (Strings{"memory"}));
  EXPECT_EQ(layout->parents[1].dir, root_ + "/pids");
  EXPECT_EQ(layout->parents[2].dir, root_ + "/cpu,cpuacct");
  EXPECT_EQ(layout->parents[2].controllers, (Strings{"cpu"}));
  EXPECT_FALSE(layout->parents[2].optional);
  EXPECT_EQ(layout->parents[3].dir, root_ + "/freezer");
  EXPECT_TRUE(layout->parents[3].optional);
}

TEST_F(FakeTreeTest, V1OnlyWhatIsNeeded) {
  auto layout = Choose({"pids"});  // no cgroup.controllers file at all
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->version, CgroupVersion::kV1);
  ASSERT_EQ(layout->parents.size(), 2u);
  EXPECT_EQ(layout->parents[0].dir, root_ + "/pids");
  EXPECT_EQ(layout->parents[1].controllers, (Strings{"freezer"}));
}

TEST_F(FakeTreeTest, V2WhenItHasEveryNeededController) {
  SetV2Controllers("cpuset cpu io memory pids\n");
  auto layout = Choose({"memory", "pids", "cpu"});
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->version, CgroupVersion::kV2);
  ASSERT_EQ(layout->parents.size(), 1u);
  EXPECT_EQ(layout->parents[0].dir, root_ + "/unified/user.slice");
  EXPECT_EQ(layout->parents[0].controllers, (Strings{"memory", "pids", "cpu"}));
}

TEST_F(FakeTreeTest, V1WhenV2LacksOne) {
  SetV2Controllers("memory pids\n");
  auto layout = Choose({"memory", "cpu"});
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->version, CgroupVersion::kV1);
}

TEST_F(FakeTreeTest, ErrorNamesTheMissingController) {
  SetV2Controllers("memory\n");
  mountinfo_ = absl::StrCat("40 31 0:37 / ", root_, "/unified rw - cgroup2 cgroup2 rw\n");
  auto layout = Choose({"memory", "pids"});
  ASSERT_FALSE(layout.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(layout.status()));
  EXPECT_NE(layout.status().message().find("pids"), std::string::npos) << layout.status();
}

TEST_F(FakeTreeTest, CgroupOutsideTheMountRootIsSkipped) {
  mountinfo_ = absl::StrCat("33 31 0:30 /other ", root_, "/memory rw - cgroup cgroup rw,memory\n");
  EXPECT_FALSE(Choose({"memory"}).ok());
}

}  // namespace
}  // namespace sentry::launcher
