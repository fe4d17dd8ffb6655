// Vfs-level behaviour: creation, mounting, statfs, and hostile random paths.
// Test-only; runs on the test main thread.
#include "vfs/vfs.h"

#include <fcntl.h>
#include <linux/magic.h>

#include <cerrno>
#include <random>

#include "gtest/gtest.h"
#include "vfs/synthetic.h"
#include "vfs/test_tree.h"

namespace sentry::vfs {
namespace {

TEST(VfsTest, CreateNeedsARoot) {
  Vfs::Options opts;
  EXPECT_EQ(Vfs::Create(opts).error(), EINVAL);
}

TEST(VfsTest, MountOnADirectory) {
  std::unique_ptr<Vfs> vfs = testing::MakeTestVfs();
  FsContext ctx = vfs->RootContext();
  Credentials root;
  auto fs = std::make_shared<SyntheticFs>("tmpfs", Filesystem::Traits{}, TMPFS_MAGIC);
  auto dir = std::make_shared<StaticDir>(fs, 01777);
  dir->Add("inside", std::make_shared<TextFile>(fs, 0644, [](const FsContext&) { return "in"; }));
  fs->set_root(dir);
  EXPECT_EQ(vfs->Mount("/file", fs, "tmpfs").raw(), -ENOTDIR);
  EXPECT_EQ(vfs->Mount("/missing", fs, "tmpfs").raw(), -ENOENT);
  ASSERT_TRUE(vfs->Mount("/dir/sub", fs, "tmpfs").ok());
  // The mount hides what was there and is reachable through symlinks and "..".
  struct stat st;
  EXPECT_EQ(vfs->StatAt(ctx, root, nullptr, "/dir/sub/leaf", true, &st).error(), ENOENT);
  ErrnoOr<FileRef> f = vfs->OpenAt(ctx, root, nullptr, "/link_abs/inside", O_RDONLY, 0);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(testing::ReadAll(**f), "in");
  EXPECT_EQ((*f)->Path(), "/dir/sub/inside");
  ErrnoOr<FileRef> up = vfs->OpenAt(ctx, root, nullptr, "/dir/sub/../sub/inside", O_RDONLY, 0);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE(vfs->StatAt(ctx, root, nullptr, "/dir/sub", true, &st).ok());
  EXPECT_EQ(st.st_mode, S_IFDIR | 01777u);
  EXPECT_NE(vfs->DescribeMounts().find("tmpfs /dir/sub tmpfs rw 0 0\n"), std::string::npos);
  // A mount on a mount stacks on top.
  auto fs2 = std::make_shared<SyntheticFs>("tmpfs", Filesystem::Traits{}, TMPFS_MAGIC);
  fs2->set_root(std::make_shared<StaticDir>(fs2, 0700));
  ASSERT_TRUE(vfs->Mount("/dir/sub", fs2, "second").ok());
  ASSERT_TRUE(vfs->StatAt(ctx, root, nullptr, "/dir/sub", true, &st).ok());
  EXPECT_EQ(st.st_mode, S_IFDIR | 0700u);
  struct statfs sfs;
  ASSERT_TRUE(vfs->StatFsAt(ctx, root, nullptr, "/dir/sub", &sfs).ok());
  EXPECT_EQ(sfs.f_type, TMPFS_MAGIC);
  ASSERT_TRUE(vfs->StatFsAt(ctx, root, nullptr, "/dev/null", &sfs).ok());
  EXPECT_EQ(sfs.f_type, TMPFS_MAGIC);
  EXPECT_TRUE(Vfs::StatFsOf(**f, &sfs).ok());
  std::string info = vfs->DescribeMountInfo();
  EXPECT_NE(info.find(" /dir/sub rw,relatime - tmpfs second rw\n"), std::string::npos) << info;
}

TEST(VfsTest, MangledMountPaths) {
  EXPECT_EQ(MangleMountPath("a b\tc\\d\ne"), "a\\040b\\011c\\134d\\012e");
}

TEST(VfsTest, AnonymousFiles) {
  auto f = std::make_shared<PathFile>(nullptr, O_RDONLY, "anon_inode:[eventfd]");
  EXPECT_EQ(f->Path(), "anon_inode:[eventfd]");
  struct stat st;
  EXPECT_EQ(f->Stat(&st).error(), EBADF);
  EXPECT_EQ(Vfs::SetAttrOf(*f).raw(), -EPERM);
}

// Random paths built from hostile pieces never crash and give only plausible errnos.
TEST(VfsTest, HostilePaths) {
  std::unique_ptr<Vfs> vfs = testing::MakeTestVfs();
  FsContext ctx = vfs->RootContext();
  const std::vector<std::string> pieces = {"/",
                                           "//",
                                           ".",
                                           "..",
                                           "file",
                                           "dir",
                                           "link_dir",
                                           "loop1",
                                           "self_loop",
                                           "dangling",
                                           "slash_link",
                                           "deep0",
                                           "proc",
                                           "self",
                                           "dev",
                                           "null",
                                           "fd",
                                           std::string(1, '\0'),
                                           std::string(255, 'a'),
                                           std::string(256, 'b'),
                                           "\xff\xfe",
                                           "private",
                                           "sub",
                                           "up",
                                           std::string(300, '/'),
                                           "..."};
  std::mt19937 rng(1234);
  Credentials users[2] = {Credentials{}, testing::User(1000, 1000)};
  for (int i = 0; i < 20000; ++i) {
    std::string path;
    int n = static_cast<int>(rng() % 12);
    for (int j = 0; j < n; ++j) {
      path += pieces[rng() % pieces.size()];
      if (rng() % 2) path += '/';
    }
    if (rng() % 50 == 0) path = std::string(4096 + rng() % 10, 'x');
    const Credentials& creds = users[rng() % 2];
    int flags = static_cast<int>(rng()) & (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_DIRECTORY |
                                           O_NOFOLLOW | O_PATH | O_TMPFILE);
    ErrnoOr<FileRef> f = vfs->OpenAt(ctx, creds, nullptr, path, flags, 0644);
    if (f.ok()) {
      char buf[512];
      (*f)->Read(std::span<char>(buf, sizeof(buf)));
      (*f)->GetDents64(std::span<char>(buf, sizeof(buf)));
      (*f)->Seek(static_cast<int64_t>(rng()), SEEK_SET);
      (*f)->PRead(std::span<char>(buf, sizeof(buf)), static_cast<int64_t>(rng()));
    } else {
      EXPECT_GT(f.error(), 0);
      EXPECT_LT(f.error(), 134);
    }
    struct stat st;
    vfs->StatAt(ctx, creds, nullptr, path, rng() % 2, &st);
    vfs->ReadLinkAt(ctx, creds, nullptr, path);
    vfs->AccessAt(ctx, creds, nullptr, path, static_cast<int>(rng() % 9), rng() % 2);
    vfs->LookupDirectory(ctx, creds, nullptr, path);
    vfs->UnlinkAt(ctx, creds, nullptr, path, rng() % 2);
    vfs->RenameAt(ctx, creds, nullptr, path, nullptr, "/dir/x", static_cast<unsigned>(rng() % 8));
  }
}

}  // namespace
}  // namespace sentry::vfs
