// tmpfs through the Vfs API: creation, links, rename edge cases, permissions and the sticky
// bit, attributes, space and inode limits, stable directory listings, FIFOs, O_TMPFILE.
// Test-only; runs on the test main thread.
#include "vfs/tmpfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

using testing::MakeTestVfs;
using testing::User;
using Attr = Vfs::AttrRequest;

constexpr uint64_t kSize = 1 << 20;

class TmpfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = MakeTestVfs();
    ASSERT_NE(vfs_, nullptr);
    fs_ = MakeTmpfs(TmpfsOptions{.size_bytes = kSize});
    // The test tree has no /tmp: the mount stands in for it.
    ASSERT_TRUE(vfs_->Mount("/tmp", fs_, "tmpfs", /*placeholder=*/true).ok());
    ctx_ = vfs_->RootContext();
  }

  ErrnoOr<FileRef> Open(std::string_view path, int flags, uint32_t mode = 0666,
                        const Credentials& c = {}) {
    return vfs_->OpenAt(ctx_, c, nullptr, path, flags, mode);
  }
  int OpenErr(std::string_view path, int flags, const Credentials& c = {}) {
    ErrnoOr<FileRef> f = Open(path, flags, 0666, c);
    return f.ok() ? 0 : f.error();
  }
  void Put(std::string_view path, std::string_view data, const Credentials& c = {}) {
    ErrnoOr<FileRef> f = Open(path, O_CREAT | O_WRONLY | O_TRUNC, 0666, c);
    ASSERT_TRUE(f.ok()) << path << ": " << f.error();
    SysResult r = (*f)->Write(std::span<const char>(data.data(), data.size()));
    ASSERT_EQ(r.value(), static_cast<int64_t>(data.size())) << r.error();
  }
  std::string Get(std::string_view path) {
    ErrnoOr<FileRef> f = Open(path, O_RDONLY);
    EXPECT_TRUE(f.ok()) << path << ": " << f.error();
    return f.ok() ? testing::ReadAll(**f) : "";
  }
  struct stat St(std::string_view path, bool follow = true) {
    struct stat st {};
    SysResult r = vfs_->StatAt(ctx_, {}, nullptr, path, follow, &st);
    EXPECT_TRUE(r.ok()) << path << ": " << r.error();
    return st;
  }
  int StatErr(std::string_view path) {
    struct stat st;
    return vfs_->StatAt(ctx_, {}, nullptr, path, false, &st).error();
  }
  int Mkdir(std::string_view path, uint32_t mode = 0777, const Credentials& c = {}) {
    return vfs_->MkdirAt(ctx_, c, nullptr, path, mode).error();
  }
  int Unlink(std::string_view path, bool dir = false, const Credentials& c = {}) {
    return vfs_->UnlinkAt(ctx_, c, nullptr, path, dir).error();
  }
  int Rename(std::string_view from, std::string_view to, unsigned flags = 0,
             const Credentials& c = {}) {
    return vfs_->RenameAt(ctx_, c, nullptr, from, nullptr, to, flags).error();
  }
  int Link(std::string_view from, std::string_view to, const Credentials& c = {}) {
    return vfs_->LinkAt(ctx_, c, nullptr, from, nullptr, to, false).error();
  }
  int SetAttr(std::string_view path, const Attr& a, const Credentials& c = {}, bool follow = true) {
    return vfs_->SetAttrAt(ctx_, c, nullptr, path, follow, a).error();
  }
  struct statfs Fs() {
    struct statfs s {};
    EXPECT_TRUE(vfs_->StatFsAt(ctx_, {}, nullptr, "/tmp", &s).ok());
    return s;
  }
  std::vector<std::string> List(std::string_view path) {
    ErrnoOr<FileRef> d = Open(path, O_RDONLY | O_DIRECTORY);
    EXPECT_TRUE(d.ok()) << d.error();
    std::vector<std::string> names;
    if (!d.ok()) return names;
    char buf[4096];
    while (true) {
      SysResult r = (*d)->GetDents64(std::span<char>(buf, sizeof(buf)));
      EXPECT_TRUE(r.ok()) << r.error();
      if (!r.ok() || r.value() == 0) break;
      for (int64_t off = 0; off < r.value();) {
        uint16_t reclen;
        std::memcpy(&reclen, buf + off + 16, 2);
        names.emplace_back(buf + off + 19);
        off += reclen;
      }
    }
    return names;
  }

  std::unique_ptr<Vfs> vfs_;
  std::shared_ptr<Filesystem> fs_;
  FsContext ctx_;
};

TEST_F(TmpfsTest, CreateWriteReadStat) {
  struct stat root = St("/tmp");
  EXPECT_EQ(root.st_mode, S_IFDIR | 01777u);
  EXPECT_EQ(root.st_nlink, 2u);
  Put("/tmp/f", "hello");
  EXPECT_EQ(Get("/tmp/f"), "hello");
  struct stat st = St("/tmp/f");
  EXPECT_EQ(st.st_mode, S_IFREG | 0644u);  // 0666 & ~022
  EXPECT_EQ(st.st_size, 5);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(st.st_blocks, 8);
  EXPECT_EQ(st.st_dev, root.st_dev);
  EXPECT_NE(st.st_ino, root.st_ino);
  EXPECT_EQ(St("/tmp").st_size, 60);  // Linux's 20 bytes per entry
  // The caller's ids and umask.
  ctx_.umask = 077;
  Put("/tmp/u", "", User(1000, 100));
  st = St("/tmp/u");
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 100u);
  EXPECT_EQ(st.st_mode, S_IFREG | 0600u);
  // O_EXCL, O_TRUNC, trailing slash, O_CREAT on a directory.
  EXPECT_EQ(OpenErr("/tmp/f", O_CREAT | O_EXCL | O_WRONLY), EEXIST);
  EXPECT_EQ(OpenErr("/tmp/new/", O_CREAT | O_WRONLY), EISDIR);
  EXPECT_EQ(OpenErr("/tmp", O_CREAT | O_WRONLY), EISDIR);
  EXPECT_EQ(OpenErr("/tmp/missing/x", O_CREAT | O_WRONLY), ENOENT);
  ASSERT_EQ(OpenErr("/tmp/f", O_RDONLY | O_TRUNC), 0);
  EXPECT_EQ(St("/tmp/f").st_size, 0);
  // A new file may be opened for writing whatever its mode.
  ErrnoOr<FileRef> ro = Open("/tmp/ro", O_CREAT | O_RDWR, 0400, User(1000, 1000));
  ASSERT_TRUE(ro.ok()) << ro.error();
  EXPECT_EQ((*ro)->Write(std::span<const char>("x", 1)).value(), 1);
  EXPECT_EQ(OpenErr("/tmp/ro", O_WRONLY, User(1000, 1000)), EACCES);
  EXPECT_EQ(OpenErr("/tmp/ro", O_RDONLY | O_TRUNC, User(1000, 1000)), EACCES);
  EXPECT_EQ(OpenErr("/tmp/ro", O_RDONLY, User(1001, 1001)), EACCES);
}

TEST_F(TmpfsTest, DirectoriesAndLinkCounts) {
  ASSERT_EQ(Mkdir("/tmp/d", 0755), 0);
  EXPECT_EQ(Mkdir("/tmp/d"), EEXIST);
  EXPECT_EQ(Mkdir("/tmp/e/"), 0);
  EXPECT_EQ(St("/tmp").st_nlink, 4u);
  EXPECT_EQ(St("/tmp/d").st_nlink, 2u);
  EXPECT_EQ(St("/tmp/d").st_mode, S_IFDIR | 0755u);
  ASSERT_EQ(Mkdir("/tmp/d/sub"), 0);
  EXPECT_EQ(St("/tmp/d").st_nlink, 3u);
  Put("/tmp/d/file", "x");
  EXPECT_EQ(Unlink("/tmp/d", true), ENOTEMPTY);
  EXPECT_EQ(Unlink("/tmp/d"), EISDIR);
  EXPECT_EQ(Unlink("/tmp/d/file", true), ENOTDIR);
  EXPECT_EQ(Unlink("/tmp/d/file/"), ENOTDIR);
  EXPECT_EQ(Unlink("/tmp/d/."), EISDIR);
  EXPECT_EQ(Unlink("/tmp/d/.", true), EINVAL);
  EXPECT_EQ(Unlink("/tmp/d/..", true), ENOTEMPTY);
  EXPECT_EQ(Unlink("/tmp", true), EROFS);  // its parent is the read-only root
  ASSERT_EQ(Mkdir("/tmp/mnt"), 0);
  ASSERT_TRUE(vfs_->Mount("/tmp/mnt", MakeTmpfs({}), "tmpfs").ok());
  EXPECT_EQ(Unlink("/tmp/mnt", true), EBUSY);  // a mountpoint
  EXPECT_EQ(Rename("/tmp/mnt", "/tmp/mnt2"), EBUSY);
  EXPECT_EQ(Unlink("/tmp/missing"), ENOENT);
  ASSERT_EQ(Unlink("/tmp/d/file"), 0);
  EXPECT_EQ(StatErr("/tmp/d/file"), ENOENT);
  ASSERT_EQ(Unlink("/tmp/d/sub/", true), 0);
  EXPECT_EQ(St("/tmp/d").st_nlink, 2u);
  ASSERT_EQ(Unlink("/tmp/d", true), 0);
  EXPECT_EQ(St("/tmp").st_nlink, 4u);  // e, mnt
  // A file recreated under the same name is a new inode (no stale dentry).
  Put("/tmp/again", "1");
  ino_t first = St("/tmp/again").st_ino;
  ASSERT_EQ(Unlink("/tmp/again"), 0);
  EXPECT_EQ(OpenErr("/tmp/again", O_RDONLY), ENOENT);
  Put("/tmp/again", "2");
  EXPECT_NE(St("/tmp/again").st_ino, first);
  EXPECT_EQ(Get("/tmp/again"), "2");
}

TEST_F(TmpfsTest, RemovedDirectoryRefusesNewEntries) {
  ASSERT_EQ(Mkdir("/tmp/gone"), 0);
  ErrnoOr<std::shared_ptr<Dentry>> d = vfs_->LookupDirectory(ctx_, {}, nullptr, "/tmp/gone");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(Unlink("/tmp/gone", true), 0);
  EXPECT_EQ(vfs_->MkdirAt(ctx_, {}, *d, "x", 0777).error(), ENOENT);
  EXPECT_EQ(vfs_->OpenAt(ctx_, {}, *d, "x", O_CREAT | O_WRONLY, 0666).error(), ENOENT);
  struct stat st;
  ASSERT_TRUE((*d)->inode()->Stat(&st).ok());
  EXPECT_EQ(st.st_nlink, 0u);
}

TEST_F(TmpfsTest, UnlinkedOpenFileKeepsItsDataUntilClosed) {
  std::string big(64 * 1024 + 1, 'b');
  Put("/tmp/big", big);
  uint64_t free_before = Fs().f_bfree;
  ErrnoOr<FileRef> f = Open("/tmp/big", O_RDWR);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(Unlink("/tmp/big"), 0);
  EXPECT_EQ(testing::ReadAll(**f), big);
  struct stat st;
  ASSERT_TRUE((*f)->Stat(&st).ok());
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(Fs().f_bfree, free_before);
  f = ErrnoOr<FileRef>::Errno(EBADF);  // the last close
  EXPECT_EQ(Fs().f_bfree, Fs().f_blocks);
}

TEST_F(TmpfsTest, HardLinks) {
  Put("/tmp/a", "data");
  ASSERT_EQ(Link("/tmp/a", "/tmp/b"), 0);
  EXPECT_EQ(St("/tmp/a").st_nlink, 2u);
  EXPECT_EQ(St("/tmp/a").st_ino, St("/tmp/b").st_ino);
  EXPECT_EQ(Get("/tmp/b"), "data");
  EXPECT_EQ(Link("/tmp/a", "/tmp/b"), EEXIST);
  EXPECT_EQ(Link("/tmp/a", "/tmp/c/"), ENOENT);
  EXPECT_EQ(Link("/tmp/missing", "/tmp/c"), ENOENT);
  ASSERT_EQ(Mkdir("/tmp/dir"), 0);
  EXPECT_EQ(Link("/tmp/dir", "/tmp/dir2"), EPERM);
  EXPECT_EQ(Link("/file", "/tmp/x"), EXDEV);  // from the read-only root
  EXPECT_EQ(Link("/tmp/a", "/dir/x"), EROFS);
  ASSERT_EQ(Unlink("/tmp/a"), 0);
  EXPECT_EQ(St("/tmp/b").st_nlink, 1u);
  EXPECT_EQ(Get("/tmp/b"), "data");
  // Symlinks: linkat without AT_SYMLINK_FOLLOW links the link itself.
  ASSERT_EQ(vfs_->SymlinkAt(ctx_, {}, "b", nullptr, "/tmp/sl").error(), 0);
  ASSERT_EQ(Link("/tmp/sl", "/tmp/sl2"), 0);
  EXPECT_TRUE(S_ISLNK(St("/tmp/sl2", false).st_mode));
  ASSERT_EQ(vfs_->LinkAt(ctx_, {}, nullptr, "/tmp/sl", nullptr, "/tmp/b2", true).error(), 0);
  EXPECT_EQ(St("/tmp/b2", false).st_ino, St("/tmp/b").st_ino);
  // protected_hardlinks: another user's file needs read and write access.
  Put("/tmp/mine", "m", User(1000, 1000));
  EXPECT_EQ(Link("/tmp/mine", "/tmp/theirs", User(1001, 1001)), EPERM);
  EXPECT_EQ(Link("/tmp/mine", "/tmp/own", User(1000, 1000)), 0);
}

TEST_F(TmpfsTest, Symlinks) {
  ASSERT_EQ(vfs_->SymlinkAt(ctx_, {}, "target", nullptr, "/tmp/l").error(), 0);
  struct stat st = St("/tmp/l", false);
  EXPECT_EQ(st.st_mode, S_IFLNK | 0777u);
  EXPECT_EQ(st.st_size, 6);
  ErrnoOr<std::string> t = vfs_->ReadLinkAt(ctx_, {}, nullptr, "/tmp/l");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "target");
  EXPECT_EQ(vfs_->SymlinkAt(ctx_, {}, "x", nullptr, "/tmp/l").error(), EEXIST);
  EXPECT_EQ(vfs_->SymlinkAt(ctx_, {}, "", nullptr, "/tmp/e").error(), ENOENT);
  EXPECT_EQ(vfs_->SymlinkAt(ctx_, {}, "x", nullptr, "/tmp/e/").error(), ENOENT);
  // O_CREAT through a dangling link creates its target; O_EXCL refuses the link.
  EXPECT_EQ(OpenErr("/tmp/l", O_CREAT | O_EXCL | O_WRONLY), EEXIST);
  ASSERT_EQ(OpenErr("/tmp/l", O_CREAT | O_WRONLY), 0);
  EXPECT_TRUE(S_ISREG(St("/tmp/target").st_mode));
  std::string long_target(3000, 'x');
  ASSERT_EQ(vfs_->SymlinkAt(ctx_, {}, long_target, nullptr, "/tmp/long").error(), 0);
  EXPECT_EQ(St("/tmp/long", false).st_blocks, 8);
  EXPECT_EQ(vfs_->SymlinkAt(ctx_, {}, std::string(4096, 'x'), nullptr, "/tmp/l2").error(),
            ENAMETOOLONG);
}

TEST_F(TmpfsTest, RenameFilesAndDirectories) {
  Put("/tmp/a", "A");
  Put("/tmp/b", "B");
  ino_t a = St("/tmp/a").st_ino;
  ASSERT_EQ(Rename("/tmp/a", "/tmp/c"), 0);
  EXPECT_EQ(StatErr("/tmp/a"), ENOENT);
  EXPECT_EQ(St("/tmp/c").st_ino, a);
  // Over an existing file: it is replaced.
  ASSERT_EQ(Rename("/tmp/c", "/tmp/b"), 0);
  EXPECT_EQ(Get("/tmp/b"), "A");
  EXPECT_EQ(St("/tmp/b").st_ino, a);
  EXPECT_EQ(Rename("/tmp/missing", "/tmp/x"), ENOENT);
  EXPECT_EQ(Rename("/tmp/b/", "/tmp/x"), ENOTDIR);
  EXPECT_EQ(Rename("/tmp/b", "/tmp/x/"), ENOTDIR);
  // Directories.
  ASSERT_EQ(Mkdir("/tmp/d1"), 0);
  ASSERT_EQ(Mkdir("/tmp/d2"), 0);
  ASSERT_EQ(Mkdir("/tmp/d1/sub"), 0);
  Put("/tmp/d1/sub/f", "f");
  EXPECT_EQ(Rename("/tmp/d1", "/tmp/d1/sub/x"), EINVAL);  // into itself
  EXPECT_EQ(Rename("/tmp/d1", "/tmp/d1/x"), EINVAL);
  EXPECT_EQ(Rename("/tmp/d1/sub", "/tmp/d1"), ENOTEMPTY);  // over its ancestor
  EXPECT_EQ(Rename("/tmp/b", "/tmp/d2"), EISDIR);
  EXPECT_EQ(Rename("/tmp/d2", "/tmp/b"), ENOTDIR);
  EXPECT_EQ(Rename("/tmp/d2", "/tmp/d1"), ENOTEMPTY);
  EXPECT_EQ(Rename("/tmp/d1/.", "/tmp/x"), EBUSY);
  EXPECT_EQ(Rename("/tmp/x", "/tmp/d1/.."), EBUSY);
  EXPECT_EQ(Rename("/tmp/b", "/tmp/d1/.."), EBUSY);
  EXPECT_EQ(Rename("/tmp/b", "/file"), EXDEV);
  EXPECT_EQ(Rename("/tmp/b", "/dev/x"), EXDEV);
  // A directory over an empty directory; link counts follow.
  ASSERT_EQ(Rename("/tmp/d1/sub", "/tmp/d2/"), 0);
  EXPECT_EQ(Get("/tmp/d2/f"), "f");
  EXPECT_EQ(St("/tmp/d1").st_nlink, 2u);
  EXPECT_EQ(St("/tmp").st_nlink, 4u);  // d1, d2
  ASSERT_EQ(Mkdir("/tmp/d1/in"), 0);
  ASSERT_EQ(Rename("/tmp/d2", "/tmp/d1/in/d2"), 0);
  EXPECT_EQ(St("/tmp").st_nlink, 3u);
  EXPECT_EQ(St("/tmp/d1/in").st_nlink, 3u);
  EXPECT_EQ(Get("/tmp/d1/in/d2/f"), "f");
  // Hard links to one file: nothing happens.
  ASSERT_EQ(Link("/tmp/b", "/tmp/b2"), 0);
  ASSERT_EQ(Rename("/tmp/b", "/tmp/b2"), 0);
  EXPECT_EQ(St("/tmp/b").st_nlink, 2u);
  // Same name: nothing happens either.
  ASSERT_EQ(Rename("/tmp/b", "/tmp/b"), 0);
}

TEST_F(TmpfsTest, RenameFlags) {
  Put("/tmp/a", "A");
  Put("/tmp/b", "B");
  ASSERT_EQ(Mkdir("/tmp/d"), 0);
  Put("/tmp/d/in", "in");
  EXPECT_EQ(Rename("/tmp/a", "/tmp/b", RENAME_NOREPLACE), EEXIST);
  EXPECT_EQ(Rename("/tmp/a", "/tmp/b", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
  EXPECT_EQ(Rename("/tmp/a", "/tmp/b", 0x100), EINVAL);
  EXPECT_EQ(Rename("/tmp/a", "/tmp/new", RENAME_EXCHANGE), ENOENT);
  ASSERT_EQ(Rename("/tmp/a", "/tmp/n", RENAME_NOREPLACE), 0);
  // Exchange a file and a directory across directories.
  ASSERT_EQ(Mkdir("/tmp/other"), 0);
  Put("/tmp/other/file", "F");
  ASSERT_EQ(Rename("/tmp/d", "/tmp/other/file", RENAME_EXCHANGE), 0);
  EXPECT_EQ(Get("/tmp/d"), "F");
  EXPECT_EQ(Get("/tmp/other/file/in"), "in");
  EXPECT_EQ(St("/tmp/other").st_nlink, 3u);
  EXPECT_EQ(St("/tmp").st_nlink, 3u);  // "other" only
  EXPECT_EQ(Rename("/tmp/other", "/tmp/other/file", RENAME_EXCHANGE), EINVAL);
  EXPECT_EQ(Rename("/tmp/other/file", "/tmp/other", RENAME_EXCHANGE), EINVAL);
}

TEST_F(TmpfsTest, RenameMovesOpenDirectoriesAndPaths) {
  ASSERT_EQ(Mkdir("/tmp/a"), 0);
  ASSERT_EQ(Mkdir("/tmp/a/b"), 0);
  Put("/tmp/a/b/f", "x");
  ErrnoOr<std::shared_ptr<Dentry>> cwd = vfs_->LookupDirectory(ctx_, {}, nullptr, "/tmp/a/b");
  ASSERT_TRUE(cwd.ok());
  ErrnoOr<FileRef> f = Open("/tmp/a/b/f", O_RDONLY);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(Rename("/tmp/a", "/tmp/z"), 0);
  EXPECT_EQ(vfs_->PathOf(*cwd, nullptr), "/tmp/z/b");
  EXPECT_EQ((*f)->Path(), "/tmp/z/b/f");
  EXPECT_EQ(StatErr("/tmp/a/b"), ENOENT);
  EXPECT_EQ(Get("/tmp/z/b/f"), "x");
  ErrnoOr<std::shared_ptr<Dentry>> again = vfs_->LookupDirectory(ctx_, {}, nullptr, "/tmp/z/b");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), cwd->get());
  // Exchange keeps both dentries right.
  ASSERT_EQ(Mkdir("/tmp/y"), 0);
  ErrnoOr<std::shared_ptr<Dentry>> y = vfs_->LookupDirectory(ctx_, {}, nullptr, "/tmp/y");
  ASSERT_EQ(Rename("/tmp/y", "/tmp/z/b", RENAME_EXCHANGE), 0);
  EXPECT_EQ(vfs_->PathOf(*y, nullptr), "/tmp/z/b");
  EXPECT_EQ(vfs_->PathOf(*cwd, nullptr), "/tmp/y");
  EXPECT_EQ(Get("/tmp/y/f"), "x");
}

TEST_F(TmpfsTest, PermissionsAndStickyBit) {
  Credentials alice = User(1000, 1000), bob = User(1001, 1001);
  ctx_.umask = 0;
  ASSERT_EQ(Mkdir("/tmp/rootonly", 0755), 0);
  EXPECT_EQ(Mkdir("/tmp/rootonly/x", 0777, alice), EACCES);
  EXPECT_EQ(OpenErr("/tmp/rootonly/x", O_CREAT | O_WRONLY, alice), EACCES);
  Put("/tmp/rootonly/f", "");
  EXPECT_EQ(Unlink("/tmp/rootonly/f", false, alice), EACCES);
  EXPECT_EQ(Rename("/tmp/rootonly/f", "/tmp/g", 0, alice), EACCES);
  // /tmp is 01777: everybody creates, only owners (and root) remove.
  Put("/tmp/alices", "a", alice);
  EXPECT_EQ(Unlink("/tmp/alices", false, bob), EPERM);
  EXPECT_EQ(Rename("/tmp/alices", "/tmp/bobs", 0, bob), EPERM);
  Put("/tmp/bobs", "b", bob);
  EXPECT_EQ(Rename("/tmp/bobs", "/tmp/alices", 0, bob), EPERM);  // replacing alice's file
  EXPECT_EQ(Unlink("/tmp/bobs", false, bob), 0);
  EXPECT_EQ(Unlink("/tmp/alices", false, alice), 0);
  // The directory's owner may remove anything in it.
  ASSERT_EQ(Mkdir("/tmp/alicedir", 01777, alice), 0);
  Put("/tmp/alicedir/bobs", "b", bob);
  EXPECT_EQ(Unlink("/tmp/alicedir/bobs", false, alice), 0);
  // Moving a directory to another parent needs write permission on it ("..").
  ASSERT_EQ(Mkdir("/tmp/alicedir/ro", 0555, alice), 0);
  ASSERT_EQ(Mkdir("/tmp/alicedir/other", 0777, alice), 0);
  EXPECT_EQ(Rename("/tmp/alicedir/ro", "/tmp/alicedir/other/ro", 0, alice), EACCES);
  EXPECT_EQ(Rename("/tmp/alicedir/ro", "/tmp/alicedir/ro2", 0, alice), 0);
  // Search permission on the way.
  ASSERT_EQ(Mkdir("/tmp/alicedir/closed", 0700, alice), 0);
  Put("/tmp/alicedir/closed/f", "", alice);
  EXPECT_EQ(OpenErr("/tmp/alicedir/closed/f", O_RDONLY, bob), EACCES);
}

TEST_F(TmpfsTest, SetGidDirectories) {
  ASSERT_EQ(Mkdir("/tmp/g", 02775), 0);
  ASSERT_EQ(SetAttr("/tmp/g", Attr{.kind = Attr::Kind::kChown, .gid = 50}), 0);
  ASSERT_EQ(SetAttr("/tmp/g", Attr{.kind = Attr::Kind::kChmod, .mode = 02777}), 0);
  Put("/tmp/g/f", "", User(1000, 1000));
  EXPECT_EQ(St("/tmp/g/f").st_gid, 50u);
  ASSERT_EQ(Mkdir("/tmp/g/sub", 0777, User(1000, 1000)), 0);
  EXPECT_EQ(St("/tmp/g/sub").st_gid, 50u);
  EXPECT_TRUE(St("/tmp/g/sub").st_mode & S_ISGID);
}

TEST_F(TmpfsTest, ChmodChown) {
  Credentials alice = User(1000, 1000), bob = User(1001, 1001);
  Put("/tmp/f", "x", alice);
  EXPECT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChmod, .mode = 0600}, bob), EPERM);
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChmod, .mode = 0100755}, alice), 0);
  EXPECT_EQ(St("/tmp/f").st_mode, S_IFREG | 0755u);
  // Without membership of the file's group, the set-group-ID bit is dropped.
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .gid = 7}), 0);
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChmod, .mode = 02755}, alice), 0);
  EXPECT_EQ(St("/tmp/f").st_mode & 07777, 0755u);
  // Only root gives files away; owners may pick one of their groups.
  EXPECT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .uid = 1001}, alice), EPERM);
  EXPECT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .uid = 1000}, alice), 0);
  EXPECT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .gid = 1000}, alice), 0);
  EXPECT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .gid = 99}, alice), EPERM);
  EXPECT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .gid = 1000}, bob), EPERM);
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .uid = 5, .gid = 6}), 0);
  EXPECT_EQ(St("/tmp/f").st_uid, 5u);
  EXPECT_EQ(St("/tmp/f").st_gid, 6u);
  // A new owner drops set-user-ID (and set-group-ID with group exec).
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChmod, .mode = 06755}), 0);
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChown, .uid = 0}), 0);
  EXPECT_EQ(St("/tmp/f").st_mode & 07777, 0755u);
  // Symlinks: lchown changes the link; chmod of a link is EOPNOTSUPP.
  ASSERT_EQ(vfs_->SymlinkAt(ctx_, {}, "f", nullptr, "/tmp/l").error(), 0);
  ASSERT_EQ(SetAttr("/tmp/l", Attr{.kind = Attr::Kind::kChown, .uid = 9}, {}, false), 0);
  EXPECT_EQ(St("/tmp/l", false).st_uid, 9u);
  EXPECT_EQ(St("/tmp/f").st_uid, 0u);
  EXPECT_EQ(SetAttr("/tmp/l", Attr{.kind = Attr::Kind::kChmod, .mode = 0}, {}, false), EOPNOTSUPP);
  // The read-only root.
  EXPECT_EQ(SetAttr("/file", Attr{.kind = Attr::Kind::kChmod, .mode = 0}), EROFS);
  EXPECT_EQ(SetAttr("/missing", Attr{.kind = Attr::Kind::kChmod, .mode = 0}), ENOENT);
}

TEST_F(TmpfsTest, Times) {
  Credentials alice = User(1000, 1000), bob = User(1001, 1001);
  Put("/tmp/f", "x", alice);
  Attr set{.kind = Attr::Kind::kUtimes, .times_now = false};
  set.times[0] = {1000, 5};
  set.times[1] = {2000, 6};
  EXPECT_EQ(SetAttr("/tmp/f", set, bob), EPERM);
  ASSERT_EQ(SetAttr("/tmp/f", set, alice), 0);
  struct stat st = St("/tmp/f");
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_EQ(st.st_atim.tv_nsec, 5);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_GT(st.st_ctim.tv_sec, 2000);
  // UTIME_OMIT keeps one; UTIME_NOW sets it.
  set.times[0] = {0, UTIME_OMIT};
  set.times[1] = {0, UTIME_NOW};
  ASSERT_EQ(SetAttr("/tmp/f", set, alice), 0);
  st = St("/tmp/f");
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_GT(st.st_mtim.tv_sec, 2000);
  set.times[1] = {0, 1000000000};
  EXPECT_EQ(SetAttr("/tmp/f", set, alice), EINVAL);
  // "Now" needs ownership or write permission.
  Attr touch{.kind = Attr::Kind::kUtimes};
  EXPECT_EQ(SetAttr("/tmp/f", touch, bob), EACCES);
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kChmod, .mode = 0666}, alice), 0);
  EXPECT_EQ(SetAttr("/tmp/f", touch, bob), 0);
  // Writes move mtime; creating an entry moves the directory's.
  set.times[0] = set.times[1] = {1, 0};
  ASSERT_EQ(SetAttr("/tmp/f", set), 0);
  ASSERT_EQ(SetAttr("/tmp", set), 0);
  Put("/tmp/f", "y");
  EXPECT_GT(St("/tmp/f").st_mtim.tv_sec, 1);
  Put("/tmp/g", "");
  EXPECT_GT(St("/tmp").st_mtim.tv_sec, 1);
}

TEST_F(TmpfsTest, TruncateAndAllocate) {
  Put("/tmp/f", "hello world");
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kTruncate, .size = 5}), 0);
  EXPECT_EQ(Get("/tmp/f"), "hello");
  ASSERT_EQ(SetAttr("/tmp/f", Attr{.kind = Attr::Kind::kTruncate, .size = 10 << 20}), 0);
  EXPECT_EQ(St("/tmp/f").st_size, 10 << 20);  // sparse: larger than the mount is fine
  EXPECT_EQ(St("/tmp/f").st_blocks, 8);
  ASSERT_EQ(Mkdir("/tmp/d"), 0);
  EXPECT_EQ(SetAttr("/tmp/d", Attr{.kind = Attr::Kind::kTruncate}), EISDIR);
  EXPECT_EQ(SetAttr("/dev/null", Attr{.kind = Attr::Kind::kTruncate}), EINVAL);
  EXPECT_EQ(SetAttr("/file", Attr{.kind = Attr::Kind::kTruncate}), EROFS);
  Put("/tmp/theirs", "x");
  EXPECT_EQ(SetAttr("/tmp/theirs", Attr{.kind = Attr::Kind::kTruncate}, User(1, 1)), EACCES);
  // ftruncate and fallocate on descriptions.
  ErrnoOr<FileRef> rw = Open("/tmp/f", O_RDWR);
  ErrnoOr<FileRef> ro = Open("/tmp/f", O_RDONLY);
  ErrnoOr<FileRef> path = Open("/tmp/f", O_PATH);
  ErrnoOr<FileRef> dir = Open("/tmp/d", O_RDONLY);
  ASSERT_TRUE(rw.ok() && ro.ok() && path.ok() && dir.ok());
  EXPECT_EQ(Vfs::TruncateFile(**rw, 3).error(), 0);
  EXPECT_EQ(St("/tmp/f").st_size, 3);
  EXPECT_EQ(Vfs::TruncateFile(**ro, 3).error(), EINVAL);
  EXPECT_EQ(Vfs::TruncateFile(**path, 3).error(), EBADF);
  EXPECT_EQ(Vfs::TruncateFile(**rw, -1).error(), EINVAL);
  EXPECT_EQ(Vfs::TruncateFile(**dir, 0).error(), EINVAL);
  EXPECT_EQ(Vfs::AllocateFile(**rw, 0, 0, 8192).error(), 0);
  EXPECT_EQ(St("/tmp/f").st_size, 8192);
  EXPECT_EQ(Vfs::AllocateFile(**rw, FALLOC_FL_KEEP_SIZE, 0, 16384).error(), 0);
  EXPECT_EQ(St("/tmp/f").st_size, 8192);
  EXPECT_EQ(Vfs::AllocateFile(**rw, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096).error(),
            0);
  EXPECT_EQ(Vfs::AllocateFile(**rw, FALLOC_FL_PUNCH_HOLE, 0, 4096).error(), EOPNOTSUPP);
  EXPECT_EQ(Vfs::AllocateFile(**rw, FALLOC_FL_ZERO_RANGE, 0, 4096).error(), EOPNOTSUPP);
  EXPECT_EQ(Vfs::AllocateFile(**rw, 0x1000, 0, 4096).error(), EOPNOTSUPP);
  EXPECT_EQ(
      Vfs::AllocateFile(**rw, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096).error(),
      EINVAL);
  EXPECT_EQ(Vfs::AllocateFile(**rw, 0, -1, 1).error(), EINVAL);
  EXPECT_EQ(Vfs::AllocateFile(**rw, 0, 0, 0).error(), EINVAL);
  EXPECT_EQ(Vfs::AllocateFile(**rw, 0, INT64_MAX, 1).error(), EFBIG);
  EXPECT_EQ(Vfs::AllocateFile(**ro, 0, 0, 1).error(), EBADF);
  EXPECT_EQ(Vfs::AllocateFile(**path, 0, 0, 1).error(), EBADF);
  EXPECT_EQ(Vfs::AllocateFile(**rw, 0, 0, 2 * kSize).error(), ENOSPC);
}

TEST_F(TmpfsTest, SizeLimitAndStatfs) {
  struct statfs s = Fs();
  EXPECT_EQ(s.f_type, TMPFS_MAGIC);
  EXPECT_EQ(s.f_bsize, 4096);
  EXPECT_EQ(s.f_blocks, kSize / 4096);
  EXPECT_EQ(s.f_bfree, s.f_blocks);
  EXPECT_EQ(s.f_bavail, s.f_blocks);
  EXPECT_GT(s.f_files, s.f_ffree);  // the root directory
  ErrnoOr<FileRef> f = Open("/tmp/big", O_CREAT | O_WRONLY, 0644);
  ASSERT_TRUE(f.ok());
  std::string mb(1 << 20, 'x');
  SysResult r = (*f)->Write(std::span<const char>(mb.data(), mb.size()));
  ASSERT_EQ(r.value(), static_cast<int64_t>(kSize));  // all of it fits exactly
  r = (*f)->Write(std::span<const char>(mb.data(), 1));
  EXPECT_EQ(r.error(), ENOSPC);
  EXPECT_EQ(Fs().f_bfree, 0u);
  // Other files cannot grow either; small metadata still works.
  Put("/tmp/empty", "");
  ErrnoOr<FileRef> g = Open("/tmp/empty", O_WRONLY);
  EXPECT_EQ((*g)->Write(std::span<const char>("x", 1)).error(), ENOSPC);
  EXPECT_EQ(Mkdir("/tmp/stilldirs"), 0);
  // Truncating frees space.
  EXPECT_EQ(Vfs::TruncateFile(**f, 4096).error(), 0);
  EXPECT_EQ(Fs().f_bfree, kSize / 4096 - 1);
  EXPECT_EQ((*g)->Write(std::span<const char>("x", 1)).value(), 1);
  EXPECT_NE(vfs_->DescribeMounts().find("tmpfs /tmp tmpfs rw,nosuid,nodev,relatime,size=1024k"),
            std::string::npos)
      << vfs_->DescribeMounts();
}

TEST(TmpfsLimitsTest, InodeLimit) {
  std::unique_ptr<Vfs> vfs = MakeTestVfs();
  ASSERT_TRUE(vfs->Mount("/dir", MakeTmpfs({.size_bytes = 1 << 20, .max_inodes = 4}), "t").ok());
  FsContext ctx = vfs->RootContext();
  EXPECT_EQ(vfs->MkdirAt(ctx, {}, nullptr, "/dir/a", 0777).error(), 0);
  EXPECT_EQ(vfs->MkdirAt(ctx, {}, nullptr, "/dir/b", 0777).error(), 0);
  EXPECT_EQ(vfs->SymlinkAt(ctx, {}, "x", nullptr, "/dir/c").error(), 0);
  EXPECT_EQ(vfs->MkdirAt(ctx, {}, nullptr, "/dir/d", 0777).error(), ENOSPC);
  EXPECT_EQ(vfs->OpenAt(ctx, {}, nullptr, "/dir/e", O_CREAT | O_RDWR, 0644).error(), ENOSPC);
  struct statfs s;
  ASSERT_TRUE(vfs->StatFsAt(ctx, {}, nullptr, "/dir", &s).ok());
  EXPECT_EQ(s.f_files, 4u);
  EXPECT_EQ(s.f_ffree, 0u);
  EXPECT_EQ(vfs->UnlinkAt(ctx, {}, nullptr, "/dir/c", false).error(), 0);
  EXPECT_EQ(vfs->UnlinkAt(ctx, {}, nullptr, "/dir/b", true).error(), 0);
  EXPECT_EQ(vfs->OpenAt(ctx, {}, nullptr, "/dir/e", O_CREAT | O_RDWR, 0644).error(), 0);
  EXPECT_EQ(vfs->MkdirAt(ctx, {}, nullptr, "/dir/f", 0777).error(), 0);
}

TEST_F(TmpfsTest, DirectoryListingsAreStable) {
  ASSERT_EQ(Mkdir("/tmp/d"), 0);
  for (int i = 0; i < 100; ++i) Put("/tmp/d/f" + std::to_string(i), "");
  std::vector<std::string> all = List("/tmp/d");
  ASSERT_EQ(all.size(), 102u);
  EXPECT_EQ(all[0], ".");
  EXPECT_EQ(all[1], "..");
  // Read part of the listing, then remove and add entries, then read on.
  ErrnoOr<FileRef> d = Open("/tmp/d", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(d.ok());
  char buf[512];
  std::multiset<std::string> seen;
  auto read_some = [&]() -> int64_t {
    SysResult r = (*d)->GetDents64(std::span<char>(buf, sizeof(buf)));
    EXPECT_TRUE(r.ok());
    for (int64_t off = 0; off < r.value();) {
      uint16_t reclen;
      std::memcpy(&reclen, buf + off + 16, 2);
      seen.insert(buf + off + 19);
      off += reclen;
    }
    return r.value();
  };
  ASSERT_GT(read_some(), 0);
  size_t first = seen.size();
  ASSERT_LT(first, 50u);
  for (int i = 60; i < 70; ++i) ASSERT_EQ(Unlink("/tmp/d/f" + std::to_string(i)), 0);
  for (int i = 0; i < 5; ++i) Put("/tmp/d/new" + std::to_string(i), "");
  ASSERT_EQ(Unlink("/tmp/d/f0"), 0);  // already listed
  while (read_some() > 0) {
  }
  for (int i = 0; i < 100; ++i) {
    std::string name = "f" + std::to_string(i);
    EXPECT_EQ(seen.count(name), (i >= 60 && i < 70) ? 0u : 1u) << name;
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(seen.count("new" + std::to_string(i)), 1u);
  // Rewind starts over.
  ASSERT_TRUE((*d)->Seek(0, SEEK_SET).ok());
  seen.clear();
  while (read_some() > 0) {
  }
  EXPECT_EQ(seen.size(), 2u + 100 - 10 - 1 + 5);
  // A buffer too small for one record.
  ASSERT_TRUE((*d)->Seek(0, SEEK_SET).ok());
  EXPECT_EQ((*d)->GetDents64(std::span<char>(buf, 10)).error(), EINVAL);
}

TEST_F(TmpfsTest, AppendSeekAndHostFd) {
  Put("/tmp/f", "abc");
  ErrnoOr<FileRef> f = Open("/tmp/f", O_WRONLY | O_APPEND);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Write(std::span<const char>("de", 2)).value(), 2);
  EXPECT_EQ((*f)->PWrite(std::span<const char>("f", 1), 0).value(), 1);  // appends anyway
  EXPECT_EQ(Get("/tmp/f"), "abcdef");
  ErrnoOr<FileRef> r = Open("/tmp/f", O_RDWR);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Seek(0, SEEK_END).value(), 6);
  EXPECT_EQ((*r)->Seek(0, SEEK_DATA).value(), 0);
  EXPECT_EQ((*r)->Seek(0, SEEK_HOLE).value(), 6);
  EXPECT_EQ((*r)->Seek(6, SEEK_DATA).error(), ENXIO);
  EXPECT_EQ((*r)->Seek(-1, SEEK_SET).error(), EINVAL);
  // The host fd (mmap, exec) is a memfd with the same bytes, and stays in sync.
  int fd = (*r)->HostFd();
  ASSERT_GE(fd, 0);
  char buf[8] = {};
  ASSERT_EQ(::pread(fd, buf, sizeof(buf), 0), 6);
  EXPECT_STREQ(buf, "abcdef");
  EXPECT_EQ((*r)->PWrite(std::span<const char>("X", 1), 0).value(), 1);
  ASSERT_EQ(::pread(fd, buf, 1, 0), 1);
  EXPECT_EQ(buf[0], 'X');
  EXPECT_EQ(Get("/tmp/f"), "Xbcdef");
  // Directories and other files have none.
  ErrnoOr<FileRef> d = Open("/tmp", O_RDONLY);
  EXPECT_EQ((*d)->HostFd(), -1);
}

TEST_F(TmpfsTest, TmpFile) {
  ErrnoOr<FileRef> f = Open("/tmp", O_TMPFILE | O_RDWR, 0600);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ((*f)->Write(std::span<const char>("tmp", 3)).value(), 3);
  struct stat st;
  ASSERT_TRUE((*f)->Stat(&st).ok());
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(List("/tmp").size(), 2u);
  ASSERT_EQ(vfs_->LinkDentryAt(ctx_, {}, (*f)->dentry(), nullptr, "/tmp/named").error(), 0);
  EXPECT_EQ(Get("/tmp/named"), "tmp");
  EXPECT_EQ(St("/tmp/named").st_nlink, 1u);
  ErrnoOr<FileRef> excl = Open("/tmp", O_TMPFILE | O_EXCL | O_RDWR, 0600);
  ASSERT_TRUE(excl.ok());
  EXPECT_EQ(vfs_->LinkDentryAt(ctx_, {}, (*excl)->dentry(), nullptr, "/tmp/no").error(), ENOENT);
  EXPECT_EQ(OpenErr("/tmp", O_TMPFILE | O_RDONLY), EINVAL);
  EXPECT_EQ(OpenErr("/dir", O_TMPFILE | O_RDWR), EROFS);
  EXPECT_EQ(OpenErr("/tmp/named", O_TMPFILE | O_RDWR), ENOTDIR);
  // An unlinked (not O_TMPFILE) file cannot be linked again.
  ErrnoOr<FileRef> g = Open("/tmp/named", O_RDONLY);
  ASSERT_EQ(Unlink("/tmp/named"), 0);
  EXPECT_EQ(vfs_->LinkDentryAt(ctx_, {}, (*g)->dentry(), nullptr, "/tmp/back").error(), ENOENT);
}

TEST_F(TmpfsTest, NodesAndFifos) {
  signal(SIGPIPE, SIG_IGN);  // as in the sentry: EPIPE, not a signal
  EXPECT_EQ(vfs_->MknodAt(ctx_, {}, nullptr, "/tmp/dev", S_IFCHR | 0666, 0x103).error(), EPERM);
  EXPECT_EQ(vfs_->MknodAt(ctx_, {}, nullptr, "/tmp/bad", 0170000 | 0666, 0).error(), EINVAL);
  ASSERT_EQ(vfs_->MknodAt(ctx_, {}, nullptr, "/tmp/reg", 0644, 0).error(), 0);
  EXPECT_EQ(St("/tmp/reg").st_mode, S_IFREG | 0644u);
  ASSERT_EQ(vfs_->MknodAt(ctx_, {}, nullptr, "/tmp/sock", S_IFSOCK | 0777, 0).error(), 0);
  EXPECT_EQ(St("/tmp/sock").st_mode, S_IFSOCK | 0755u);
  EXPECT_EQ(OpenErr("/tmp/sock", O_RDONLY), ENXIO);
  EXPECT_EQ(vfs_->MknodAt(ctx_, {}, nullptr, "/tmp/reg", S_IFIFO | 0644, 0).error(), EEXIST);
  ASSERT_EQ(vfs_->MknodAt(ctx_, {}, nullptr, "/tmp/fifo", S_IFIFO | 0644, 0).error(), 0);
  EXPECT_EQ(St("/tmp/fifo").st_mode, S_IFIFO | 0644u);
  EXPECT_EQ(OpenErr("/tmp/fifo", O_WRONLY | O_NONBLOCK), ENXIO);  // no reader
  ErrnoOr<FileRef> rd = Open("/tmp/fifo", O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(rd.ok());
  char buf[16];
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);  // no writer: EOF
  {
    ErrnoOr<FileRef> wr = Open("/tmp/fifo", O_WRONLY | O_NONBLOCK);
    ASSERT_TRUE(wr.ok()) << wr.error();
    EXPECT_EQ((*wr)->Write(std::span<const char>("ping", 4)).value(), 4);
    struct stat st;
    ASSERT_TRUE((*wr)->Stat(&st).ok());
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ((*wr)->Seek(0, SEEK_SET).error(), ESPIPE);
  }
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 4);
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);  // EOF: writer gone
  // A writer that comes first leaves its data for the first reader.
  rd = ErrnoOr<FileRef>::Errno(EBADF);
  {
    ErrnoOr<FileRef> wr = Open("/tmp/fifo", O_WRONLY);
    ASSERT_TRUE(wr.ok()) << wr.error();
    EXPECT_EQ((*wr)->Write(std::span<const char>("early", 5)).value(), 5);
  }
  rd = Open("/tmp/fifo", O_RDONLY);
  ASSERT_TRUE(rd.ok());
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 5);
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);
  // No readers left: writers get EPIPE.
  rd = ErrnoOr<FileRef>::Errno(EBADF);
  rd = Open("/tmp/fifo", O_RDONLY | O_NONBLOCK);
  ErrnoOr<FileRef> wr = Open("/tmp/fifo", O_WRONLY);
  ASSERT_TRUE(rd.ok() && wr.ok());
  EXPECT_EQ((*wr)->Write(std::span<const char>("x", 1)).value(), 1);
  rd = ErrnoOr<FileRef>::Errno(EBADF);
  EXPECT_EQ((*wr)->Write(std::span<const char>("x", 1)).error(), EPIPE);
}

TEST_F(TmpfsTest, OtherFilesystemsStayUnwritable) {
  EXPECT_EQ(Mkdir("/dir/new"), EROFS);
  EXPECT_EQ(OpenErr("/dir/new", O_CREAT | O_WRONLY), EROFS);
  EXPECT_EQ(OpenErr("/dev/new", O_CREAT | O_WRONLY), EACCES);
  EXPECT_EQ(Mkdir("/dev/new"), EPERM);
  EXPECT_EQ(Unlink("/dev/null"), EPERM);
  EXPECT_EQ(Rename("/dev/null", "/dev/zero2"), EPERM);
}

TEST(TmpfsMountTest, PlaceholderAndMissingTargets) {
  std::unique_ptr<Vfs> vfs = MakeTestVfs();
  std::shared_ptr<Filesystem> fs = MakeTmpfs({});
  EXPECT_EQ(vfs->Mount("/nope", fs, "tmpfs").error(), ENOENT);
  EXPECT_EQ(vfs->Mount("/nope/deeper", fs, "tmpfs", true).error(), ENOENT);
  EXPECT_EQ(vfs->Mount("/file", fs, "tmpfs", true).error(), ENOTDIR);
  ASSERT_EQ(vfs->Mount("/dev/shm", fs, "tmpfs").error(), 0);
  FsContext ctx = vfs->RootContext();
  ASSERT_EQ(vfs->MkdirAt(ctx, {}, nullptr, "/dev/shm/x", 0777).error(), 0);
  struct stat st;
  ASSERT_TRUE(vfs->StatAt(ctx, {}, nullptr, "/dev/shm/x", true, &st).ok());
}

}  // namespace
}  // namespace sentry::vfs
