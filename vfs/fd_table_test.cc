// FdTable semantics: lowest free number, dup2 replacement, close-on-exec, clone, limits.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/fd_table.h"

#include <fcntl.h>

#include <cerrno>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

FileRef NewFile(const std::string& name = "anon") {
  return std::make_shared<PathFile>(nullptr, O_RDONLY, name);
}

TEST(FdTableTest, LowestFree) {
  FdTable t;
  FileRef a = NewFile(), b = NewFile(), c = NewFile();
  EXPECT_EQ(t.Install(a, false, 0, 1024), 0);
  EXPECT_EQ(t.Install(b, false, 0, 1024), 1);
  EXPECT_EQ(t.Install(c, false, 0, 1024), 2);
  EXPECT_TRUE(t.Close(1).ok());
  EXPECT_EQ(t.Get(1), nullptr);
  EXPECT_EQ(t.Install(c, false, 0, 1024), 1);
  EXPECT_EQ(t.Install(c, false, 10, 1024), 10);
  EXPECT_EQ(t.Install(c, false, 10, 1024), 11);
  EXPECT_EQ(t.Get(10), c);
  EXPECT_EQ(t.OpenFds(), (std::vector<int>{0, 1, 2, 10, 11}));
  EXPECT_EQ(t.Close(5).error(), EBADF);
  EXPECT_EQ(t.Close(-1).error(), EBADF);
  EXPECT_EQ(t.Get(-3), nullptr);
  EXPECT_EQ(t.Get(1 << 30), nullptr);
  EXPECT_EQ(t.Install(c, false, -1, 1024), -EINVAL);
}

TEST(FdTableTest, LimitGivesEmfile) {
  FdTable t;
  FileRef f = NewFile();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.Install(f, false, 0, 3), i);
  EXPECT_EQ(t.Install(f, false, 0, 3), -EMFILE);
  EXPECT_EQ(t.Install(f, false, 5, 3), -EMFILE);
  EXPECT_EQ(t.InstallAt(3, f, false, 3).error(), EBADF);
  EXPECT_EQ(t.InstallAt(-1, f, false, 3).error(), EBADF);
  EXPECT_EQ(FdTable().Install(f, false, 0, 0), -EMFILE);
}

TEST(FdTableTest, InstallAtReplaces) {
  FdTable t;
  FileRef a = NewFile("a"), b = NewFile("b");
  std::weak_ptr<FileDescription> weak_a = a;
  EXPECT_EQ(t.Install(std::move(a), true, 0, 100), 0);
  EXPECT_EQ(t.InstallAt(0, b, false, 100).value(), 0);
  EXPECT_TRUE(weak_a.expired());  // the replaced description was dropped
  EXPECT_EQ(t.Get(0), b);
  EXPECT_EQ(t.GetCloexec(0), 0);
  EXPECT_EQ(t.InstallAt(50, b, true, 100).value(), 50);
  EXPECT_EQ(t.GetCloexec(50), 1);
  // Sparse numbers far above the dense range.
  EXPECT_EQ(t.InstallAt(1000000, b, false, 1 << 20).value(), 1000000);
  EXPECT_EQ(t.Get(1000000), b);
  EXPECT_EQ(t.Install(b, false, 1000000, 1 << 20), 1000001);
  EXPECT_EQ(t.OpenFds(), (std::vector<int>{0, 50, 1000000, 1000001}));
  EXPECT_EQ(t.size(), 4u);
}

TEST(FdTableTest, Cloexec) {
  FdTable t;
  FileRef f = NewFile();
  t.Install(f, true, 0, 100);
  t.Install(f, false, 0, 100);
  t.Install(f, false, 0, 100);
  t.InstallAt(2000, f, true, 4096);
  EXPECT_EQ(t.GetCloexec(0), 1);
  EXPECT_EQ(t.GetCloexec(7), -EBADF);
  EXPECT_TRUE(t.SetCloexec(2, true).ok());
  EXPECT_EQ(t.SetCloexec(9, true).error(), EBADF);
  t.CloseOnExec();
  EXPECT_EQ(t.OpenFds(), (std::vector<int>{1}));
  // A reused number starts without the flag.
  EXPECT_EQ(t.Install(f, false, 0, 100), 0);
  EXPECT_EQ(t.GetCloexec(0), 0);
}

TEST(FdTableTest, CloneIsIndependent) {
  auto t = std::make_shared<FdTable>();
  FileRef f = NewFile();
  t->Install(f, false, 0, 100);
  t->Install(f, true, 0, 100);
  std::shared_ptr<FdTable> c = t->Clone();
  EXPECT_EQ(c->Get(0), f);  // descriptions are shared
  EXPECT_EQ(c->GetCloexec(1), 1);
  c->Close(0);
  c->SetCloexec(1, false);
  c->Install(f, false, 5, 100);
  EXPECT_EQ(t->OpenFds(), (std::vector<int>{0, 1}));
  EXPECT_EQ(t->GetCloexec(1), 1);
  EXPECT_EQ(c->OpenFds(), (std::vector<int>{1, 5}));
}

}  // namespace
}  // namespace sentry::vfs
