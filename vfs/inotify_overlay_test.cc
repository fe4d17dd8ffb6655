// inotify on the overlay root: a watch on a lower file keeps reporting after copy-up (the
// watch is on the overlay inode, which stays the same object). Test-only; test main thread.
#include <fcntl.h>
#include <sys/inotify.h>

#include <cstring>
#include <string>
#include <vector>

#include "gofer/test_util.h"
#include "gtest/gtest.h"
#include "vfs/fsnotify.h"
#include "vfs/inotify.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

TEST(InotifyOverlayTest, WatchedLowerFileSurvivesCopyUp) {
  testing::ScratchDir tree;
  tree.MakeFile("file.txt", "lower text\n");
  gofer::testing::ServerThread server(tree.path());
  Vfs::Options opts;
  opts.gofer = &server.client();
  opts.upper_fs = MakeTmpfs(TmpfsOptions{.size_bytes = 256 * 1024});
  auto v = Vfs::Create(opts);
  ASSERT_TRUE(v.ok());
  std::unique_ptr<Vfs> vfs = v.take();
  FsContext ctx = vfs->RootContext();
  {
    auto in = InotifyFile::Create(IN_NONBLOCK);
    ASSERT_TRUE(in.ok());
    auto r = vfs->Resolve(ctx, {}, nullptr, "/file.txt", true);
    ASSERT_TRUE(r.ok());
    const Inode* watched = r->dentry->inode().get();
    int wd = static_cast<int>((*in)->AddWatch(r->dentry, IN_ALL_EVENTS).value());
    Vfs::AttrRequest chmod;
    chmod.kind = Vfs::AttrRequest::Kind::kChmod;
    chmod.mode = 0600;
    ASSERT_TRUE(vfs->SetAttrAt(ctx, {}, nullptr, "/file.txt", true, chmod).ok());  // copy-up
    auto f = vfs->OpenAt(ctx, {}, nullptr, "/file.txt", O_WRONLY | O_TRUNC, 0);
    ASSERT_TRUE(f.ok());
    f->reset();  // IN_CLOSE_WRITE
    auto again = vfs->Resolve(ctx, {}, nullptr, "/file.txt", true);
    EXPECT_EQ(again->dentry->inode().get(), watched);
    char buf[512];
    SysResult n = (*in)->Read(std::span<char>(buf, sizeof(buf)));
    ASSERT_TRUE(n.ok());
    std::vector<uint32_t> masks;
    for (int64_t at = 0; at < n.value();) {
      inotify_event e;
      std::memcpy(&e, buf + at, sizeof(e));
      EXPECT_EQ(e.wd, wd);
      masks.push_back(e.mask);
      at += sizeof(e) + e.len;
    }
    EXPECT_EQ(masks, (std::vector<uint32_t>{IN_ATTRIB, IN_MODIFY, IN_OPEN, IN_CLOSE_WRITE}));
  }
  EXPECT_EQ(fsnotify::g_watches, 0);
  vfs.reset();
  EXPECT_TRUE(server.Stop().ok());
}

}  // namespace
}  // namespace sentry::vfs
