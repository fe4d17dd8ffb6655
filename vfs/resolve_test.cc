// Path resolution through the Vfs API over the in-memory test tree.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/resolve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "gtest/gtest.h"
#include "vfs/synthetic.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

#define EXPECT_SYS(call, v) EXPECT_EQ((call).raw(), (v))

using testing::MakeTestVfs;
using testing::ReadAll;
using testing::User;

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = MakeTestVfs();
    ASSERT_NE(vfs_, nullptr);
    ctx_ = vfs_->RootContext();
  }

  int OpenErr(std::string_view path, int flags, const Credentials& creds = {}) {
    ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, creds, nullptr, path, flags, 0644);
    return f.ok() ? 0 : f.error();
  }
  std::string Read(std::string_view path) {
    ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, root_, nullptr, path, O_RDONLY, 0);
    EXPECT_TRUE(f.ok()) << path << ": " << f.error();
    return f.ok() ? ReadAll(**f) : "";
  }
  ino_t Ino(std::string_view path, bool follow = true) {
    struct stat st;
    SysResult r = vfs_->StatAt(ctx_, root_, nullptr, path, follow, &st);
    EXPECT_TRUE(r.ok()) << path << ": " << r.error();
    return st.st_ino;
  }
  int StatErr(std::string_view path, bool follow = true) {
    struct stat st;
    return vfs_->StatAt(ctx_, root_, nullptr, path, follow, &st).error();
  }

  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
  Credentials root_;
};

TEST_F(ResolveTest, PlainAndRelative) {
  EXPECT_EQ(Read("/file"), "hello\n");
  EXPECT_EQ(Read("file"), "hello\n");
  EXPECT_EQ(Read("//dir///sub//leaf"), "leaf\n");
  ErrnoOr<std::shared_ptr<Dentry>> dir = vfs_->LookupDirectory(ctx_, root_, nullptr, "dir");
  ASSERT_TRUE(dir.ok());
  ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, root_, *dir, "sub/leaf", O_RDONLY, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Path(), "/dir/sub/leaf");
  EXPECT_EQ(OpenErr("", O_RDONLY), ENOENT);
  EXPECT_EQ(StatErr(""), ENOENT);
  EXPECT_EQ(OpenErr("missing", O_RDONLY), ENOENT);
  EXPECT_EQ(OpenErr("missing/x", O_RDONLY), ENOENT);
  EXPECT_EQ(OpenErr("file/x", O_RDONLY), ENOTDIR);
}

TEST_F(ResolveTest, DotDotStopsAtRoot) {
  ino_t root_ino = Ino("/");
  EXPECT_EQ(Ino("/.."), root_ino);
  EXPECT_EQ(Ino("/../../.."), root_ino);
  EXPECT_EQ(Ino(".."), root_ino);
  EXPECT_EQ(Read("/../../file"), "hello\n");
  EXPECT_EQ(Read("dir/sub/../../file"), "hello\n");
  EXPECT_EQ(Read("dir/./sub/./leaf"), "leaf\n");
  EXPECT_EQ(Ino("dir/up"), root_ino);  // symlink to ".."
  // ".." out of a mount goes to the mountpoint's parent.
  EXPECT_EQ(Ino("/proc/.."), root_ino);
  EXPECT_EQ(Read("/dev/../file"), "hello\n");
  EXPECT_EQ(Ino("/dev/pts/../.."), root_ino);

  // A process root below the global root: ".." stops there.
  ErrnoOr<std::shared_ptr<Dentry>> dir = vfs_->LookupDirectory(ctx_, root_, nullptr, "/dir");
  ASSERT_TRUE(dir.ok());
  FsContext jail = ctx_;
  jail.root = jail.cwd = *dir;
  struct stat a, b;
  ASSERT_TRUE(vfs_->StatAt(jail, root_, nullptr, "/../..", true, &a).ok());
  ASSERT_TRUE(vfs_->StatAt(jail, root_, nullptr, "/", true, &b).ok());
  EXPECT_EQ(a.st_ino, b.st_ino);
  ErrnoOr<FileRef> leaf = vfs_->OpenAt(jail, root_, nullptr, "/../sub/leaf", O_RDONLY, 0);
  ASSERT_TRUE(leaf.ok());
  // Absolute symlinks restart at the process root.
  ErrnoOr<std::shared_ptr<Dentry>> sub = vfs_->LookupDirectory(jail, root_, nullptr, "sub");
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(vfs_->PathOf(*sub, jail.root), "/sub");
  EXPECT_EQ(vfs_->PathOf(*sub, nullptr), "/dir/sub");
  EXPECT_EQ(vfs_->PathOf(ctx_.root, jail.root), "(unreachable)/");
}

TEST_F(ResolveTest, TrailingSlashes) {
  EXPECT_EQ(OpenErr("file/", O_RDONLY), ENOTDIR);
  EXPECT_EQ(StatErr("file/"), ENOTDIR);
  EXPECT_EQ(StatErr("file//"), ENOTDIR);
  EXPECT_EQ(OpenErr("dir/", O_RDONLY), 0);
  EXPECT_EQ(OpenErr("link_dir/", O_RDONLY), 0);
  EXPECT_EQ(StatErr("link_dir/", /*follow=*/false), 0);  // followed despite lstat
  EXPECT_EQ(StatErr("link_file/", false), ENOTDIR);
  EXPECT_EQ(StatErr("file_slash"), ENOTDIR);  // target "file/"
  EXPECT_EQ(OpenErr("missing/", O_RDONLY), ENOENT);
  EXPECT_EQ(OpenErr("missing/", O_CREAT | O_WRONLY), EISDIR);
  EXPECT_EQ(OpenErr("file/", O_CREAT | O_RDONLY), EISDIR);
  EXPECT_EQ(OpenErr("dir/", O_CREAT | O_RDONLY), EISDIR);
  EXPECT_EQ(OpenErr("missing/x/", O_CREAT | O_RDONLY), ENOENT);
}

TEST_F(ResolveTest, Symlinks) {
  EXPECT_EQ(Read("link_file"), "hello\n");
  EXPECT_EQ(Read("chain1"), "hello\n");
  EXPECT_EQ(Read("link_abs/leaf"), "leaf\n");
  EXPECT_EQ(Read("link_dir/sub/leaf"), "leaf\n");
  EXPECT_EQ(Read("slash_link/file"), "hello\n");
  EXPECT_EQ(Ino("slash_link"), Ino("/"));
  EXPECT_EQ(OpenErr("loop1", O_RDONLY), ELOOP);
  EXPECT_EQ(OpenErr("self_loop", O_RDONLY), ELOOP);
  EXPECT_EQ(OpenErr("loop1/x", O_RDONLY), ELOOP);
  EXPECT_EQ(StatErr("loop1", /*follow=*/false), 0);
  EXPECT_EQ(Read("deep2"), "hello\n");           // 40 links: allowed
  EXPECT_EQ(OpenErr("deep1", O_RDONLY), ELOOP);  // 41 links
  EXPECT_EQ(StatErr("dangling"), ENOENT);
  EXPECT_EQ(StatErr("dangling", false), 0);
  ErrnoOr<std::string> t = vfs_->ReadLinkAt(ctx_, root_, nullptr, "chain1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "chain2");
  EXPECT_EQ(vfs_->ReadLinkAt(ctx_, root_, nullptr, "file").error(), EINVAL);
  EXPECT_EQ(vfs_->ReadLinkAt(ctx_, root_, nullptr, "missing").error(), ENOENT);
}

TEST_F(ResolveTest, OpenFlags) {
  EXPECT_EQ(OpenErr("link_file", O_RDONLY | O_NOFOLLOW), ELOOP);
  EXPECT_EQ(OpenErr("link_dir/sub", O_RDONLY | O_NOFOLLOW), 0);  // only the last component
  ErrnoOr<FileRef> p = vfs_->OpenAt(ctx_, root_, nullptr, "link_file", O_PATH | O_NOFOLLOW, 0);
  ASSERT_TRUE(p.ok());
  struct stat st;
  ASSERT_TRUE((*p)->Stat(&st).ok());
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  char buf[8];
  EXPECT_EQ((*p)->Read(std::span<char>(buf, 8)).error(), EBADF);
  EXPECT_TRUE((*p)->is_path());

  EXPECT_EQ(OpenErr("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
  EXPECT_EQ(OpenErr("link_file", O_RDONLY | O_DIRECTORY), ENOTDIR);
  EXPECT_EQ(OpenErr("link_dir", O_RDONLY | O_DIRECTORY), 0);
  EXPECT_EQ(OpenErr("file", O_PATH | O_DIRECTORY), ENOTDIR);
  EXPECT_EQ(OpenErr("dir", O_RDWR), EISDIR);
  EXPECT_EQ(OpenErr("dir", O_WRONLY), EISDIR);
  EXPECT_EQ(OpenErr("x", O_CREAT | O_DIRECTORY | O_RDONLY), EINVAL);
  EXPECT_EQ(OpenErr("dir", O_TMPFILE | O_RDWR), EROFS);
  EXPECT_EQ(OpenErr("dir", O_TMPFILE | O_RDONLY), EINVAL);

  // F_GETFL view (as Linux: creation flags and O_CLOEXEC dropped, O_LARGEFILE added except
  // for O_PATH).
  ErrnoOr<FileRef> d =
      vfs_->OpenAt(ctx_, root_, nullptr, "dir", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->status_flags(), O_DIRECTORY | O_NOFOLLOW | kOLargeFile);
  ErrnoOr<FileRef> c = vfs_->OpenAt(ctx_, root_, nullptr, "file", O_RDONLY | O_CREAT | O_NOCTTY, 0);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->status_flags(), kOLargeFile);
  ErrnoOr<FileRef> pf = vfs_->OpenAt(ctx_, root_, nullptr, "file", O_PATH | O_CLOEXEC | O_RDWR, 0);
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ((*pf)->status_flags(), O_PATH);
  EXPECT_EQ((*pf)->access_mode(), O_RDONLY);

  ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, root_, nullptr, "file", O_RDONLY | O_NONBLOCK, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->access_mode(), O_RDONLY);
  EXPECT_TRUE((*f)->status_flags() & O_NONBLOCK);
  (*f)->set_status_flags(O_APPEND | O_RDWR);
  EXPECT_EQ((*f)->access_mode(), O_RDONLY);  // not settable
  EXPECT_TRUE((*f)->status_flags() & O_APPEND);
  EXPECT_FALSE((*f)->status_flags() & O_NONBLOCK);
}

TEST_F(ResolveTest, ReadOnlyFilesystem) {
  EXPECT_EQ(OpenErr("file", O_CREAT | O_RDONLY), 0);
  EXPECT_EQ(OpenErr("file", O_CREAT | O_EXCL | O_RDONLY), EEXIST);
  EXPECT_EQ(OpenErr("link_file", O_CREAT | O_EXCL | O_RDONLY), EEXIST);
  EXPECT_EQ(OpenErr("dangling", O_CREAT | O_EXCL | O_RDONLY), EEXIST);
  EXPECT_EQ(OpenErr("dangling", O_CREAT | O_WRONLY), EROFS);  // would create "nowhere"
  EXPECT_EQ(OpenErr("newfile", O_CREAT | O_WRONLY), EROFS);
  EXPECT_EQ(OpenErr("newfile", O_CREAT | O_EXCL | O_RDWR), EROFS);
  EXPECT_EQ(OpenErr("dir/sub/newfile", O_CREAT | O_RDONLY), EROFS);
  EXPECT_EQ(OpenErr("missing/newfile", O_CREAT | O_RDONLY), ENOENT);
  EXPECT_EQ(OpenErr("file", O_WRONLY), EROFS);
  EXPECT_EQ(OpenErr("file", O_RDWR), EROFS);
  EXPECT_EQ(OpenErr("file", O_RDONLY | O_TRUNC), EROFS);
  EXPECT_EQ(OpenErr("dir", O_CREAT | O_RDONLY), EISDIR);
  EXPECT_EQ(OpenErr("/", O_CREAT | O_EXCL | O_RDONLY), EEXIST);

  Credentials u = User(1000, 1000);
  EXPECT_SYS(vfs_->AccessAt(ctx_, u, nullptr, "file", W_OK, true), -EROFS);
  EXPECT_SYS(vfs_->AccessAt(ctx_, u, nullptr, "file", R_OK, true), 0);
  EXPECT_SYS(vfs_->AccessAt(ctx_, u, nullptr, "file", F_OK, true), 0);
  EXPECT_SYS(vfs_->AccessAt(ctx_, u, nullptr, "missing", F_OK, true), -ENOENT);
  EXPECT_SYS(vfs_->AccessAt(ctx_, u, nullptr, "file", 8, true), -EINVAL);
  EXPECT_SYS(vfs_->AccessAt(ctx_, root_, nullptr, "noexec", X_OK, true), -EACCES);
  EXPECT_SYS(vfs_->AccessAt(ctx_, root_, nullptr, "exec", X_OK, true), 0);
  EXPECT_SYS(vfs_->AccessAt(ctx_, u, nullptr, "/dev/null", W_OK, true), 0);

  EXPECT_SYS(vfs_->MkdirAt(ctx_, root_, nullptr, "dir", 0755), -EEXIST);
  EXPECT_SYS(vfs_->MkdirAt(ctx_, root_, nullptr, "dir/", 0755), -EEXIST);
  EXPECT_SYS(vfs_->MkdirAt(ctx_, root_, nullptr, "newdir/", 0755), -EROFS);
  EXPECT_SYS(vfs_->MkdirAt(ctx_, root_, nullptr, "missing/newdir", 0755), -ENOENT);
  EXPECT_SYS(vfs_->MkdirAt(ctx_, root_, nullptr, "/", 0755), -EEXIST);
  EXPECT_SYS(vfs_->SymlinkAt(ctx_, root_, "x", nullptr, "newlink/"), -ENOENT);
  EXPECT_SYS(vfs_->UnlinkAt(ctx_, root_, nullptr, "file", false), -EROFS);
  EXPECT_SYS(vfs_->UnlinkAt(ctx_, root_, nullptr, "missing", false), -EROFS);
  EXPECT_SYS(vfs_->UnlinkAt(ctx_, root_, nullptr, "dir/.", true), -EINVAL);
  EXPECT_SYS(vfs_->UnlinkAt(ctx_, root_, nullptr, "dir/..", true), -ENOTEMPTY);
  EXPECT_SYS(vfs_->UnlinkAt(ctx_, root_, nullptr, "/dev/null", false), -EPERM);
  EXPECT_SYS(vfs_->UnlinkAt(ctx_, root_, nullptr, "/dev/missing", false), -ENOENT);
  EXPECT_SYS(vfs_->RenameAt(ctx_, root_, nullptr, "file", nullptr, "other", 0), -EROFS);
  EXPECT_SYS(vfs_->RenameAt(ctx_, root_, nullptr, "file", nullptr, "/dev/x", 0), -EXDEV);
  EXPECT_SYS(vfs_->LinkAt(ctx_, root_, nullptr, "file", nullptr, "dir", false), -EEXIST);
  EXPECT_SYS(vfs_->LinkAt(ctx_, root_, nullptr, "file", nullptr, "newlink", false), -EROFS);
  EXPECT_SYS(vfs_->SetAttrAt(ctx_, root_, nullptr, "file", true), -EROFS);
  EXPECT_SYS(vfs_->SetAttrAt(ctx_, root_, nullptr, "missing", true), -ENOENT);
  EXPECT_SYS(vfs_->MknodAt(ctx_, root_, nullptr, "dev", S_IFDIR, 0), -EPERM);
}

TEST_F(ResolveTest, NameLimits) {
  std::string c255(255, 'a'), c256(256, 'a');
  EXPECT_EQ(OpenErr(c255, O_RDONLY), ENOENT);
  EXPECT_EQ(OpenErr(c256, O_RDONLY), ENAMETOOLONG);
  EXPECT_EQ(OpenErr("dir/" + c256 + "/x", O_RDONLY), ENAMETOOLONG);
  EXPECT_EQ(OpenErr(c256, O_CREAT | O_RDONLY), ENAMETOOLONG);
  // A path of 4095 bytes is fine, 4096 is not.
  std::string p4095;
  while (p4095.size() + 2 <= 4095 - 4) p4095 += "./";
  p4095 += std::string(4095 - p4095.size() - 4, '/') + "file";
  ASSERT_EQ(p4095.size(), 4095u);
  EXPECT_EQ(OpenErr(p4095, O_RDONLY), 0);
  EXPECT_EQ(OpenErr("/" + p4095, O_RDONLY), ENAMETOOLONG);
}

TEST_F(ResolveTest, Permissions) {
  Credentials u = User(1000, 1000);
  EXPECT_EQ(OpenErr("private/secret", O_RDONLY, u), EACCES);
  EXPECT_EQ(OpenErr("private/missing", O_RDONLY, u), EACCES);
  EXPECT_EQ(OpenErr("private", O_RDONLY, u), EACCES);  // no r
  EXPECT_EQ(OpenErr("private", O_PATH, u), 0);         // O_PATH needs no permission
  EXPECT_EQ(OpenErr("private/secret", O_RDONLY), 0);   // root
  EXPECT_EQ(vfs_->LookupDirectory(ctx_, u, nullptr, "private").error(), EACCES);
  EXPECT_EQ(vfs_->LookupDirectory(ctx_, u, nullptr, "file").error(), ENOTDIR);
  EXPECT_EQ(vfs_->LookupDirectory(ctx_, u, nullptr, "missing").error(), ENOENT);
  struct stat st;
  EXPECT_TRUE(vfs_->StatAt(ctx_, u, nullptr, "private", true, &st).ok());
  EXPECT_EQ(vfs_->StatAt(ctx_, u, nullptr, "private/secret", true, &st).error(), EACCES);
  EXPECT_SYS(vfs_->AccessAt(ctx_, u, nullptr, "private", R_OK, true), -EACCES);
  // Real vs effective ids for access(2).
  Credentials setuid = u;
  setuid.euid = setuid.fsuid = 0;
  EXPECT_SYS(vfs_->AccessAt(ctx_, setuid, nullptr, "private/secret", R_OK, true), -EACCES);
  EXPECT_SYS(vfs_->AccessAt(ctx_, setuid, nullptr, "private/secret", R_OK, true, true), 0);
}

TEST_F(ResolveTest, MountsAndPaths) {
  ErrnoOr<std::shared_ptr<Dentry>> pts = vfs_->LookupDirectory(ctx_, root_, nullptr, "/dev/pts");
  ASSERT_TRUE(pts.ok());
  EXPECT_EQ(vfs_->PathOf(*pts, nullptr), "/dev/pts");
  ErrnoOr<std::shared_ptr<Dentry>> proc = vfs_->LookupDirectory(ctx_, root_, nullptr, "/proc");
  ASSERT_TRUE(proc.ok());
  EXPECT_EQ(vfs_->PathOf(*proc, nullptr), "/proc");
  EXPECT_EQ(vfs_->PathOf(vfs_->root(), nullptr), "/");
  std::string mounts = vfs_->DescribeMounts();
  EXPECT_NE(mounts.find("none / testfs ro 0 0\n"), std::string::npos) << mounts;
  EXPECT_NE(mounts.find("dev /dev devtmpfs rw 0 0\n"), std::string::npos) << mounts;
  EXPECT_NE(mounts.find("proc /proc proc rw,nosuid,nodev,noexec 0 0\n"), std::string::npos)
      << mounts;
  std::string info = vfs_->DescribeMountInfo();
  EXPECT_NE(info.find(" / / ro,relatime - testfs none ro\n"), std::string::npos) << info;
  struct statfs sfs;  // (/proc/self needs a process; /proc itself does not)
  ASSERT_TRUE(vfs_->StatFsAt(ctx_, root_, nullptr, "/proc", &sfs).ok());
  EXPECT_EQ(sfs.f_type, 0x9fa0);
  struct stat a, b;
  ASSERT_TRUE(vfs_->StatAt(ctx_, root_, nullptr, "/proc", true, &a).ok());
  ASSERT_TRUE(vfs_->StatAt(ctx_, root_, nullptr, "/dev", true, &b).ok());
  EXPECT_NE(a.st_dev, b.st_dev);
}

TEST(ResolveUnitTest, MissingFinalComponentReportsParent) {
  std::unique_ptr<Vfs> vfs = MakeTestVfs();
  ErrnoOr<Resolved> r =
      vfs->Resolve(vfs->RootContext(), Credentials{}, nullptr, "dir/sub/new", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dentry, nullptr);
  EXPECT_EQ(r->name, "new");
  EXPECT_EQ(vfs->PathOf(r->parent, nullptr), "/dir/sub");
}

}  // namespace
}  // namespace sentry::vfs

namespace sentry::vfs {
namespace {

TEST(DentryTest, DeepChainIsReleasedWithoutRecursion) {
  auto fs = std::make_shared<SyntheticFs>("deep", Filesystem::Traits{}, 0);
  auto dir = std::make_shared<StaticDir>(fs, 0755);
  std::shared_ptr<Dentry> d = std::make_shared<Dentry>(dir, nullptr, "/");
  std::weak_ptr<Dentry> top = d;
  for (int i = 0; i < 1000000; ++i) d = std::make_shared<Dentry>(dir, d, "x");
  d.reset();  // a recursive release would overflow the stack here
  EXPECT_TRUE(top.expired());
  fs->DropCaches();
}

}  // namespace
}  // namespace sentry::vfs
