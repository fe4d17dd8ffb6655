// Tests of a gofer::Server serving several trees: MOUNT by index, per-mount read-only, and
// handles that never reach from one mount into another (EXDEV). Test-only; main thread
// (the server runs on its own thread).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "gofer/client.h"
#include "gofer/server.h"
#include "gofer/test_util.h"

namespace sentry::gofer {
namespace {

using testing::ServerThread;
using testing::TempTree;

class MountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_tree_.MakeStandard();
    ro_tree_.MakeFile("ro.txt", "ro\n");
    rw_tree_.MakeStandard();
    server_ = std::make_unique<ServerThread>(std::vector<testing::TestMount>{
        {root_tree_.path(), true}, {rw_tree_.path(), false}, {ro_tree_.path(), true}});
    for (uint32_t i = 0; i < 3; ++i) {
      auto r = client().Mount(i);
      ASSERT_TRUE(r.ok()) << i << ": " << r.error();
      roots_[i] = r->handle;
    }
  }
  Client& client() { return server_->client(); }
  Handle WalkOne(Handle dir, std::string_view name) {
    std::string_view names[] = {name};
    auto r = client().Walk(dir, names);
    if (!r.ok() || r->steps.empty()) return 0;
    return r->steps[0].handle;
  }

  TempTree root_tree_, rw_tree_, ro_tree_;
  std::unique_ptr<ServerThread> server_;
  Handle roots_[3] = {};
};

TEST_F(MountsTest, MountByIndex) {
  const std::string* paths[] = {&root_tree_.path(), &rw_tree_.path(), &ro_tree_.path()};
  for (uint32_t i = 0; i < 3; ++i) {
    auto attr = client().Stat(roots_[i]);
    ASSERT_TRUE(attr.ok());
    struct stat st;
    ASSERT_EQ(::stat(paths[i]->c_str(), &st), 0);
    EXPECT_EQ(attr->ino, st.st_ino) << i;
  }
  EXPECT_EQ(client().Mount(3).error(), ENOENT);
  EXPECT_EQ(client().Mount(0xffffffffu).error(), ENOENT);
  EXPECT_NE(WalkOne(roots_[2], "ro.txt"), 0u);
  EXPECT_EQ(WalkOne(roots_[0], "ro.txt"), 0u);  // each mount sees its own tree only
}

TEST_F(MountsTest, ReadOnlyIsPerMount) {
  EXPECT_EQ(client().Mkdir(roots_[0], "x", 0755, 0, 0).error(), EROFS);
  EXPECT_EQ(client().Mkdir(roots_[2], "x", 0755, 0, 0).error(), EROFS);
  auto made = client().Mkdir(roots_[1], "x", 0755, 0, 0);
  ASSERT_TRUE(made.ok()) << made.error();
  struct stat st;
  EXPECT_EQ(::stat(rw_tree_.Path("x").c_str(), &st), 0);
  EXPECT_NE(::stat(root_tree_.Path("x").c_str(), &st), 0);
  Handle ro_file = WalkOne(roots_[2], "ro.txt");
  EXPECT_EQ(client().Open(ro_file, O_RDWR).error(), EROFS);
  Handle rw_file = WalkOne(roots_[1], "file.txt");
  EXPECT_TRUE(client().Open(rw_file, O_RDWR).ok());
}

TEST_F(MountsTest, RenameAndLinkAcrossMountsAreExdev) {
  Handle rw_file = WalkOne(roots_[1], "file.txt");
  // Out of the writable mount into another (even a read-only one: EXDEV first).
  EXPECT_EQ(client().Rename(roots_[1], "file.txt", roots_[0], "stolen", 0), EXDEV);
  EXPECT_EQ(client().Rename(roots_[1], "file.txt", roots_[2], "stolen", 0), EXDEV);
  EXPECT_EQ(client().Rename(roots_[0], "file.txt", roots_[1], "in", 0), EXDEV);
  EXPECT_EQ(client().Link(roots_[0], "l", rw_file).error(), EXDEV);
  Handle ro_file = WalkOne(roots_[2], "ro.txt");
  EXPECT_EQ(client().Link(roots_[1], "l", ro_file).error(), EXDEV);
  struct stat st;
  EXPECT_EQ(::stat(rw_tree_.Path("file.txt").c_str(), &st), 0);
  EXPECT_NE(::stat(rw_tree_.Path("l").c_str(), &st), 0);
  EXPECT_NE(::stat(root_tree_.Path("stolen").c_str(), &st), 0);
}

TEST_F(MountsTest, EscapesStayRefused) {
  // "..", "/" and symlinks out of the writable mount reach nothing.
  EXPECT_EQ(client().Mkdir(roots_[1], "..", 0755, 0, 0).error(), EINVAL);
  EXPECT_EQ(client().Create(roots_[1], "../x", 0644, O_RDWR, 0, 0).error(), EINVAL);
  EXPECT_EQ(client().Unlink(roots_[1], "/etc/passwd", false), EINVAL);
  Handle escape = WalkOne(roots_[1], "escape");  // -> ../../etc
  ASSERT_NE(escape, 0u);
  std::string_view names[] = {"passwd"};
  auto r = client().Walk(escape, names);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error, ENOTDIR);  // a symlink handle is no directory
  EXPECT_EQ(client().Create(escape, "x", 0644, O_RDWR, 0, 0).error(), ENOTDIR);
  EXPECT_EQ(client().Open(escape, O_RDWR).error(), ELOOP);
}

}  // namespace
}  // namespace sentry::gofer
