// Tests for the sandbox's cgroup: the limit writes for v1 and v2, and creation, joining, OOM
// counting, killing and removal against a fake cgroup tree in a temporary directory (the
// test's after_mkdir hook plays the kernel's part of filling new directories with control
// files). Owned by the launcher.
#include "launcher/cgroup.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace sentry::launcher {
namespace {

using Writes = std::vector<CgroupWrite>;

TEST(CgroupLimitsTest, Controllers) {
  EXPECT_FALSE(CgroupLimits{}.any());
  CgroupLimits l{64ull << 20, 19, 0.5};
  EXPECT_TRUE(l.any());
  EXPECT_EQ(l.Controllers(), (std::vector<std::string>{"memory", "pids", "cpu"}));
  EXPECT_EQ((CgroupLimits{0, 5, 0}.Controllers()), (std::vector<std::string>{"pids"}));
}

TEST(LimitWritesTest, V1) {
  CgroupLimits l{64ull << 20, 19, 0.5};
  EXPECT_EQ(LimitWrites(CgroupVersion::kV1, l),
            (Writes{{"memory", "memory.limit_in_bytes", "67108864"},
                    {"memory", "memory.memsw.limit_in_bytes", "67108864", true},
                    {"memory", "memory.swappiness", "0", true},
                    {"memory", "memory.oom_control", "0", true},
                    {"pids", "pids.max", "19"},
                    {"cpu", "cpu.cfs_period_us", "100000"},
                    {"cpu", "cpu.cfs_quota_us", "50000"}}));
}

TEST(LimitWritesTest, V2) {
  CgroupLimits l{1ull << 30, 7, 2.25};
  EXPECT_EQ(LimitWrites(CgroupVersion::kV2, l), (Writes{{"memory", "memory.max", "1073741824"},
                                                        {"memory", "memory.swap.max", "0", true},
                                                        {"pids", "pids.max", "7"},
                                                        {"cpu", "cpu.max", "225000 100000"}}));
}

TEST(LimitWritesTest, TinyCpuQuotaIsTheKernelMinimum) {
  Writes w = LimitWrites(CgroupVersion::kV2, CgroupLimits{0, 0, 0.001});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].value, "1000 100000");
  EXPECT_TRUE(LimitWrites(CgroupVersion::kV1, CgroupLimits{}).empty());
}

TEST(CgroupNameTest, Format) { EXPECT_EQ(MakeCgroupName(1234, 0xabcdef), "sentry-1234-00abcdef"); }

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Touch(const std::string& path, const std::string& text = "") { std::ofstream(path) << text; }

class FakeCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cgroup_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    for (const char* d : {"memory", "pids", "cpu", "freezer", "unified"}) {
      ASSERT_EQ(mkdir(absl::StrCat(root_, "/", d).c_str(), 0755), 0);
    }
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  CgroupLayout V1Layout() {
    CgroupLayout l;
    l.version = CgroupVersion::kV1;
    l.parents = {{root_ + "/memory", {"memory"}},
                 {root_ + "/pids", {"pids"}},
                 {root_ + "/cpu", {"cpu"}},
                 {root_ + "/freezer", {"freezer"}, true}};
    return l;
  }
  // What the kernel puts in a new v1 directory (without swap accounting if !memsw).
  static void PopulateV1(const std::string& dir, bool memsw) {
    Touch(dir + "/cgroup.procs");
    for (const char* f : {"memory.limit_in_bytes", "memory.oom_control", "memory.swappiness",
                          "pids.max", "cpu.cfs_period_us", "cpu.cfs_quota_us", "freezer.state"}) {
      Touch(dir + "/" + f);
    }
    if (memsw) Touch(dir + "/memory.memsw.limit_in_bytes");
  }
  // The kernel removes control files with the directory; a plain directory needs help.
  static void Unpopulate(const Cgroup& cg) {
    for (const auto& d : cg.dirs()) {
      for (const auto& e : std::filesystem::directory_iterator(d.path)) {
        std::filesystem::remove(e.path());
      }
    }
  }

  std::string root_;
};

TEST_F(FakeCgroupTest, V1CreateWritesLimitsJoinAndRemove) {
  auto cg = Cgroup::Create(V1Layout(), "sentry-1-00000001", CgroupLimits{64ull << 20, 19, 0.5},
                           [](const std::string& dir) { PopulateV1(dir, /*memsw=*/true); });
  ASSERT_TRUE(cg.ok()) << cg.status();
  std::string mem = root_ + "/memory/sentry-1-00000001";
  EXPECT_EQ(Slurp(mem + "/memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(Slurp(mem + "/memory.memsw.limit_in_bytes"), "67108864");
  EXPECT_EQ(Slurp(mem + "/memory.swappiness"), "0");
  EXPECT_EQ(Slurp(mem + "/memory.oom_control"), "0");
  EXPECT_EQ(Slurp(root_ + "/pids/sentry-1-00000001/pids.max"), "19");
  EXPECT_EQ(Slurp(root_ + "/cpu/sentry-1-00000001/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(Slurp(root_ + "/cpu/sentry-1-00000001/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(cg->DirFor("freezer"), root_ + "/freezer/sentry-1-00000001");

  ASSERT_TRUE(cg->Join(4242).ok());
  for (const char* h : {"memory", "pids", "cpu", "freezer"}) {
    EXPECT_EQ(Slurp(absl::StrCat(root_, "/", h, "/sentry-1-00000001/cgroup.procs")), "4242") << h;
  }
  EXPECT_EQ(cg->Procs(), (std::vector<pid_t>{4242}));

  Touch(mem + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  EXPECT_EQ(cg->OomKills(), 2u);

  Unpopulate(*cg);
  ASSERT_TRUE(cg->Remove(std::chrono::milliseconds(100)).ok());
  for (const char* h : {"memory", "pids", "cpu", "freezer"}) {
    EXPECT_FALSE(std::filesystem::exists(absl::StrCat(root_, "/", h, "/sentry-1-00000001"))) << h;
  }
}

TEST_F(FakeCgroupTest, V1WithoutSwapAccountingSkipsMemsw) {
  auto cg = Cgroup::Create(V1Layout(), "sentry-1-2", CgroupLimits{64ull << 20, 0, 0},
                           [](const std::string& dir) { PopulateV1(dir, /*memsw=*/false); });
  ASSERT_TRUE(cg.ok()) << cg.status();
  EXPECT_FALSE(std::filesystem::exists(root_ + "/memory/sentry-1-2/memory.memsw.limit_in_bytes"));
  EXPECT_EQ(Slurp(root_ + "/memory/sentry-1-2/memory.swappiness"), "0");
}

TEST_F(FakeCgroupTest, FailureLeavesNothingBehind) {
  // The pids directory lacks pids.max: the write fails and every directory made is removed.
  auto cg = Cgroup::Create(V1Layout(), "sentry-1-3", CgroupLimits{64ull << 20, 19, 0},
                           [](const std::string& dir) {
                             if (dir.find("/pids/") == std::string::npos) {
                               PopulateV1(dir, true);
                             }
                           });
  ASSERT_FALSE(cg.ok());
  EXPECT_NE(cg.status().message().find("pids.max"), std::string::npos) << cg.status();
  // The populated memory dir cannot be rmdir'ed in a fake tree (files inside), but the empty
  // pids one must be gone.
  EXPECT_FALSE(std::filesystem::exists(root_ + "/pids/sentry-1-3"));
}

TEST_F(FakeCgroupTest, MissingRequiredHierarchyDirIsAnError) {
  CgroupLayout l = V1Layout();
  l.parents[1].dir = root_ + "/nonexistent";
  auto cg = Cgroup::Create(l, "sentry-1-4", CgroupLimits{0, 19, 0},
                           [](const std::string& dir) { PopulateV1(dir, true); });
  ASSERT_FALSE(cg.ok());
  EXPECT_NE(cg.status().message().find("creating the cgroup"), std::string::npos);
}

TEST_F(FakeCgroupTest, V2EnablesControllersAndWritesLimits) {
  std::string parent = root_ + "/unified";
  Touch(parent + "/cgroup.subtree_control", "");
  CgroupLayout l;
  l.version = CgroupVersion::kV2;
  l.parents = {{parent, {"memory", "pids", "cpu"}}};
  auto cg = Cgroup::Create(l, "sentry-9-5", CgroupLimits{128ull << 20, 10, 1.5},
                           [](const std::string& dir) {
                             for (const char* f : {"cgroup.procs", "memory.max", "pids.max",
                                                   "cpu.max", "memory.events", "cgroup.kill"}) {
                               Touch(dir + "/" + f);
                             }
                           });
  ASSERT_TRUE(cg.ok()) << cg.status();
  // A regular file keeps only the last write: "+cpu" overwrote "+memory" and "+pids".
  EXPECT_EQ(Slurp(parent + "/cgroup.subtree_control").substr(0, 4), "+cpu");
  std::string dir = parent + "/sentry-9-5";
  EXPECT_EQ(Slurp(dir + "/memory.max"), "134217728");
  EXPECT_EQ(Slurp(dir + "/pids.max"), "10");
  EXPECT_EQ(Slurp(dir + "/cpu.max"), "150000 100000");
  EXPECT_FALSE(std::filesystem::exists(dir + "/memory.swap.max"));  // optional, absent
  Touch(dir + "/memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
  EXPECT_EQ(cg->OomKills(), 1u);
  // cgroup.kill is written and, the cgroup being empty, KillAll is done.
  EXPECT_TRUE(cg->KillAll(std::chrono::milliseconds(200)).ok());
  EXPECT_EQ(Slurp(dir + "/cgroup.kill"), "1");
}

// v2 without cgroup.kill (kernels before 5.14): freeze through cgroup.freeze (waiting for
// "frozen 1" in cgroup.events), SIGKILL what cgroup.procs lists, thaw.
TEST_F(FakeCgroupTest, V2KillAllWithoutCgroupKillFreezesKillsAndThaws) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  std::string parent = root_ + "/unified";
  Touch(parent + "/cgroup.subtree_control", "");
  CgroupLayout l;
  l.version = CgroupVersion::kV2;
  l.parents = {{parent, {"pids"}}};
  auto cg = Cgroup::Create(l, "sentry-9-6", CgroupLimits{0, 7, 0}, [](const std::string& dir) {
    for (const char* f : {"cgroup.procs", "pids.max", "cgroup.freeze"}) Touch(dir + "/" + f);
    Touch(dir + "/cgroup.events", "populated 1\nfrozen 1\n");
  });
  ASSERT_TRUE(cg.ok()) << cg.status();
  std::string dir = parent + "/sentry-9-6";
  EXPECT_EQ(Slurp(dir + "/pids.max"), "7");
  ASSERT_TRUE(cg->Join(child).ok());
  EXPECT_EQ(Slurp(dir + "/cgroup.procs"), absl::StrCat(child));
  EXPECT_EQ(cg->Procs(), (std::vector<pid_t>{child}));
  EXPECT_EQ(cg->OomKills(), 0u);  // no memory controller: nothing to read
  absl::Status st = cg->KillAll(std::chrono::milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(st)) << st;  // a fake cgroup.procs never empties
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_EQ(Slurp(dir + "/cgroup.freeze"), "0");  // thawed at the end
  EXPECT_FALSE(std::filesystem::exists(dir + "/cgroup.kill"));
  Unpopulate(*cg);
  ASSERT_TRUE(cg->Remove(std::chrono::milliseconds(100)).ok());
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// memory.swap.max is written where the kernel has it (swap accounting on).
TEST_F(FakeCgroupTest, V2WritesSwapMaxWhenPresent) {
  std::string parent = root_ + "/unified";
  Touch(parent + "/cgroup.subtree_control", "");
  CgroupLayout l;
  l.version = CgroupVersion::kV2;
  l.parents = {{parent, {"memory"}}};
  auto cg = Cgroup::Create(l, "sentry-9-7", CgroupLimits{64ull << 20, 0, 0},
                           [](const std::string& dir) {
                             for (const char* f : {"cgroup.procs", "memory.max",
                                                   "memory.swap.max", "memory.events"}) {
                               Touch(dir + "/" + f);
                             }
                           });
  ASSERT_TRUE(cg.ok()) << cg.status();
  EXPECT_EQ(Slurp(parent + "/sentry-9-7/memory.max"), "67108864");
  EXPECT_EQ(Slurp(parent + "/sentry-9-7/memory.swap.max"), "0");
  EXPECT_EQ(Slurp(parent + "/cgroup.subtree_control").substr(0, 7), "+memory");
  EXPECT_EQ(cg->DirFor("memory"), parent + "/sentry-9-7");
}

TEST_F(FakeCgroupTest, KillAllKillsListedProcessesAndReportsLeftovers) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  auto cg = Cgroup::Create(V1Layout(), "sentry-1-6", CgroupLimits{0, 19, 0},
                           [](const std::string& dir) { PopulateV1(dir, true); });
  ASSERT_TRUE(cg.ok()) << cg.status();
  ASSERT_TRUE(cg->Join(child).ok());
  // A fake cgroup.procs never empties, so KillAll must give up at its deadline, but only after
  // SIGKILLing the listed process (and freezing/thawing through freezer.state).
  absl::Status st = cg->KillAll(std::chrono::milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(st)) << st;
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_EQ(Slurp(root_ + "/freezer/sentry-1-6/freezer.state"), "THAWED");
}

}  // namespace
}  // namespace sentry::launcher
