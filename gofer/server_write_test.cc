// Tests of the gofer's change operations (CREATE ... FSYNC) through gofer::Client against a
// writable temporary tree, including races where a name is swapped for a symlink.
// Test-only; main thread (the server runs on its own thread).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "gofer/client.h"
#include "gofer/protocol.h"
#include "gofer/server.h"
#include "gofer/test_util.h"

namespace sentry::gofer {
namespace {

using testing::ServerThread;
using testing::TempTree;

std::string ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string out;
  char buf[4096];
  ssize_t n;
  while (fd && (n = ::read(fd.get(), buf, sizeof(buf))) > 0) out.append(buf, n);
  return out;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(/*read_only=*/false); }
  void Start(bool read_only) {
    tree_.MakeStandard();
    outside_.MakeFile("target", "outside\n");
    server_ = std::make_unique<ServerThread>(tree_.path(), ServerOptions{.read_only = read_only});
    auto root = client().Mount();
    ASSERT_TRUE(root.ok()) << root.error();
    root_ = root->handle;
  }
  Client& client() { return server_->client(); }
  Handle Walk(std::vector<std::string_view> names) {
    auto r = client().Walk(root_, names);
    if (!r.ok() || r->steps.size() != names.size()) return 0;
    return r->steps.back().handle;
  }

  TempTree tree_, outside_;
  std::unique_ptr<ServerThread> server_;
  Handle root_ = 0;
};

TEST_F(WriteTest, CreateDonatesAWritableFd) {
  auto c = client().Create(root_, "new.txt", 0640, O_RDWR, 0, 0);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_TRUE(S_ISREG(c->node.attr.mode));
  EXPECT_EQ(c->node.attr.mode & 07777, 0640u);
  ASSERT_EQ(::pwrite(c->fd.get(), "data", 4, 0), 4);
  EXPECT_EQ(ReadFile(tree_.Path("new.txt")), "data");
  EXPECT_FALSE(::fcntl(c->fd.get(), F_GETFL) & O_NONBLOCK);
  auto attr = client().Stat(c->node.handle);
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, 4u);
  // Exclusive: an existing name, a symlink included, is EEXIST and is not followed.
  EXPECT_EQ(client().Create(root_, "new.txt", 0644, O_RDWR, 0, 0).error(), EEXIST);
  tree_.MakeSymlink("dangling", outside_.Path("created"));
  EXPECT_EQ(client().Create(root_, "dangling", 0644, O_RDWR, 0, 0).error(), EEXIST);
  EXPECT_FALSE(Exists(outside_.Path("created")));
  // Set-user-ID never reaches the host.
  auto s = client().Create(root_, "suid", 06755, O_RDONLY, 0, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->node.attr.mode & 07777, 0755u);
  // Bad flags and modes.
  EXPECT_EQ(client().Create(root_, "x", 0644, O_RDWR | O_PATH, 0, 0).error(), EINVAL);
  EXPECT_EQ(client().Create(root_, "x", 0644, O_ACCMODE, 0, 0).error(), EINVAL);
  EXPECT_EQ(client().Create(root_, "x", 0644, O_RDWR | O_DIRECTORY, 0, 0).error(), EINVAL);
}

TEST_F(WriteTest, MkdirMknodSymlink) {
  auto d = client().Mkdir(root_, "dir", 02750, 0, 0);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_TRUE(S_ISDIR(d->attr.mode));
  EXPECT_EQ(d->attr.mode & 07777, 02750u);
  EXPECT_EQ(client().Mkdir(root_, "dir", 0755, 0, 0).error(), EEXIST);

  auto f = client().Mknod(d->handle, "fifo", S_IFIFO | 0600, 0, 0);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_TRUE(S_ISFIFO(f->attr.mode));
  auto r = client().Mknod(d->handle, "plain", 0644, 0, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(S_ISREG(r->attr.mode));
  EXPECT_EQ(client().Mknod(d->handle, "dev", S_IFCHR | 0600, 0, 0).error(), EPERM);
  EXPECT_EQ(client().Mknod(d->handle, "blk", S_IFBLK | 0600, 0, 0).error(), EPERM);
  EXPECT_EQ(client().Mknod(d->handle, "dir2", S_IFDIR | 0600, 0, 0).error(), EINVAL);
  EXPECT_FALSE(Exists(tree_.Path("dir/dev")));

  // Symlink targets are text: absolute and ".." targets are stored, never resolved.
  auto l = client().Symlink(root_, "up", "../../../etc/passwd", 0, 0);
  ASSERT_TRUE(l.ok()) << l.error();
  EXPECT_TRUE(S_ISLNK(l->attr.mode));
  EXPECT_EQ(*client().ReadLink(l->handle), "../../../etc/passwd");
  EXPECT_EQ(client().Open(l->handle, O_RDONLY).error(), ELOOP);
  EXPECT_EQ(client().Symlink(root_, "empty_target", "", 0, 0).error(), ENOENT);
}

TEST_F(WriteTest, LinkUnlinkRmdir) {
  Handle file = Walk({"file.txt"});
  auto l = client().Link(root_, "hard", file);
  ASSERT_TRUE(l.ok()) << l.error();
  EXPECT_EQ(l->attr.nlink, 2u);
  EXPECT_EQ(ReadFile(tree_.Path("hard")), "hello gofer\n");
  EXPECT_EQ(client().Link(root_, "dirlink", Walk({"a"})).error(), EPERM);
  // A symlink is linked as itself.
  auto sl = client().Link(root_, "abs2", Walk({"abs"}));
  ASSERT_TRUE(sl.ok()) << sl.error();
  EXPECT_TRUE(S_ISLNK(sl->attr.mode));

  EXPECT_EQ(client().Unlink(root_, "hard", false), 0);
  EXPECT_FALSE(Exists(tree_.Path("hard")));
  EXPECT_EQ(client().Unlink(root_, "a", false), EISDIR);
  EXPECT_EQ(client().Unlink(root_, "a", true), ENOTEMPTY);
  EXPECT_EQ(client().Unlink(root_, "empty", true), 0);
  EXPECT_FALSE(Exists(tree_.Path("empty")));
  EXPECT_EQ(client().Unlink(root_, "missing", false), ENOENT);
  // Unlinking a symlink removes the link, not its target.
  EXPECT_EQ(client().Unlink(root_, "abs", false), 0);
  EXPECT_TRUE(Exists("/etc/passwd"));
}

TEST_F(WriteTest, RenameFlags) {
  Handle a = Walk({"a"});
  EXPECT_EQ(client().Rename(root_, "file.txt", a, "moved", 0), 0);
  EXPECT_EQ(ReadFile(tree_.Path("a/moved")), "hello gofer\n");
  tree_.MakeFile("other", "other\n");
  EXPECT_EQ(client().Rename(root_, "other", a, "moved", RENAME_NOREPLACE), EEXIST);
  EXPECT_EQ(client().Rename(root_, "other", a, "moved", RENAME_EXCHANGE), 0);
  EXPECT_EQ(ReadFile(tree_.Path("a/moved")), "other\n");
  EXPECT_EQ(ReadFile(tree_.Path("other")), "hello gofer\n");
  EXPECT_EQ(client().Rename(root_, "other", a, "x", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
  EXPECT_EQ(client().Rename(root_, "other", a, "x", 4 /* RENAME_WHITEOUT */), EINVAL);
  EXPECT_EQ(client().Rename(root_, "..", a, "x", 0), EINVAL);
  EXPECT_EQ(client().Rename(Walk({"other"}), "x", a, "y", 0), ENOTDIR);
}

TEST_F(WriteTest, OpenOfARenamedFileStillWorks) {
  Handle file = Walk({"file.txt"});
  ASSERT_EQ(client().Rename(root_, "file.txt", root_, "renamed", 0), 0);
  auto fd = client().Open(file, O_RDWR | O_APPEND);
  ASSERT_TRUE(fd.ok()) << fd.error();
  ASSERT_EQ(::write(fd->get(), "more\n", 5), 5);
  EXPECT_EQ(ReadFile(tree_.Path("renamed")), "hello gofer\nmore\n");
}

TEST_F(WriteTest, SetAttr) {
  Handle file = Walk({"file.txt"});
  SetAttrRequest req;
  req.mask = wire::kSetAttrSize | wire::kSetAttrMode | wire::kSetAttrMtime | wire::kSetAttrAtime;
  req.size = 5;
  req.mode = 04600;  // set-user-ID is dropped
  req.mtime_sec = 1000000;
  req.mtime_nsec = 7;
  req.atime_nsec = UTIME_NOW;
  auto attr = client().SetAttr(file, req);
  ASSERT_TRUE(attr.ok()) << attr.error();
  EXPECT_EQ(attr->size, 5u);
  EXPECT_EQ(attr->mode & 07777, 0600u);
  EXPECT_EQ(attr->mtime_sec, 1000000);
  EXPECT_EQ(attr->mtime_nsec, 7u);
  EXPECT_GT(attr->atime_sec, 1000000);
  EXPECT_EQ(ReadFile(tree_.Path("file.txt")), "hello");
  struct stat st;
  ASSERT_EQ(::stat(tree_.Path("file.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  // Owner: our own ids work; the reply says what the host did.
  req = {};
  req.mask = wire::kSetAttrUid | wire::kSetAttrGid;
  req.uid = ::geteuid();
  req.gid = ::getegid();
  EXPECT_TRUE(client().SetAttr(file, req).ok());

  // Checked before anything changes.
  req = {};
  req.mask = wire::kSetAttrSize | wire::kSetAttrMode;
  req.size = 0;
  req.mode = 010000;
  EXPECT_EQ(client().SetAttr(file, req).error(), EINVAL);
  req = {};
  req.mask = wire::kSetAttrMtime;
  req.mtime_nsec = 1000000000;
  EXPECT_EQ(client().SetAttr(file, req).error(), EINVAL);
  req = {};
  req.mask = 1u << 10;
  EXPECT_EQ(client().SetAttr(file, req).error(), EINVAL);
  EXPECT_EQ(ReadFile(tree_.Path("file.txt")), "hello");
  req = {};
  req.mask = wire::kSetAttrSize;
  EXPECT_EQ(client().SetAttr(Walk({"a"}), req).error(), EISDIR);
  req.mask = wire::kSetAttrMode;
  EXPECT_EQ(client().SetAttr(Walk({"abs"}), req).error(), EOPNOTSUPP);
}

TEST_F(WriteTest, SetAttrOnASymlinkChangesTheLinkNotTheTarget) {
  struct stat before;
  ASSERT_EQ(::stat(outside_.Path("target").c_str(), &before), 0);
  tree_.MakeSymlink("out", outside_.Path("target"));
  Handle link = Walk({"out"});
  SetAttrRequest req;
  req.mask = wire::kSetAttrMtime;
  req.mtime_sec = 12345;
  ASSERT_TRUE(client().SetAttr(link, req).ok());
  struct stat after, l;
  ASSERT_EQ(::stat(outside_.Path("target").c_str(), &after), 0);
  ASSERT_EQ(::lstat(tree_.Path("out").c_str(), &l), 0);
  EXPECT_EQ(after.st_mtime, before.st_mtime);
  EXPECT_EQ(l.st_mtime, 12345);
}

TEST_F(WriteTest, NameSwappedForASymlinkIsNeverFollowed) {
  // A file handle whose name becomes a symlink to a file outside: SETATTR and OPEN act on
  // the handle's own node.
  Handle file = Walk({"file.txt"});
  ASSERT_EQ(::rename(tree_.Path("file.txt").c_str(), tree_.Path("aside").c_str()), 0);
  tree_.MakeSymlink("file.txt", outside_.Path("target"));
  SetAttrRequest req;
  req.mask = wire::kSetAttrSize | wire::kSetAttrMode;
  req.size = 0;
  req.mode = 0600;
  ASSERT_TRUE(client().SetAttr(file, req).ok());
  EXPECT_EQ(ReadFile(outside_.Path("target")), "outside\n");
  EXPECT_EQ(ReadFile(tree_.Path("aside")), "");
  auto fd = client().Open(file, O_WRONLY | O_TRUNC);
  ASSERT_TRUE(fd.ok()) << fd.error();
  ASSERT_EQ(::write(fd->get(), "x", 1), 1);
  EXPECT_EQ(ReadFile(outside_.Path("target")), "outside\n");

  // A directory handle whose name becomes a symlink: changes land in the real directory.
  Handle dir = Walk({"a"});
  ASSERT_EQ(::rename(tree_.Path("a").c_str(), tree_.Path("a_real").c_str()), 0);
  tree_.MakeSymlink("a", outside_.path());
  ASSERT_TRUE(client().Create(dir, "made", 0644, O_RDWR, 0, 0).ok());
  ASSERT_TRUE(client().Mkdir(dir, "sub", 0755, 0, 0).ok());
  EXPECT_TRUE(Exists(tree_.Path("a_real/made")));
  EXPECT_FALSE(Exists(outside_.Path("made")));
  EXPECT_FALSE(Exists(outside_.Path("sub")));
  // From the root, "a" is now the symlink: creating through it is refused, removing it
  // removes the link only.
  EXPECT_EQ(client().Create(root_, "a", 0644, O_RDWR, 0, 0).error(), EEXIST);
  EXPECT_EQ(client().Unlink(root_, "a", true), ENOTDIR);
  EXPECT_EQ(client().Unlink(root_, "a", false), 0);
  EXPECT_TRUE(Exists(outside_.Path("target")));
  // Renaming onto the outside path is impossible: names are single components.
  EXPECT_EQ(client().Rename(root_, "aside", root_, outside_.Path("stolen"), 0), EINVAL);
}

TEST_F(WriteTest, StatFsAndFsync) {
  auto fs = client().StatFs(root_);
  ASSERT_TRUE(fs.ok()) << fs.error();
  EXPECT_GT(fs->bsize, 0u);
  EXPECT_EQ(client().Fsync(Walk({"file.txt"}), false), 0);
  EXPECT_EQ(client().Fsync(Walk({"a"}), true), 0);
  EXPECT_EQ(client().Fsync(Walk({"abs"}), false), EINVAL);
  EXPECT_EQ(client().Fsync(777777, false), EBADF);
}

class ReadOnlyWriteTest : public WriteTest {
 protected:
  void SetUp() override { Start(/*read_only=*/true); }
};

TEST_F(ReadOnlyWriteTest, EveryChangeIsErofs) {
  Handle file = Walk({"file.txt"});
  EXPECT_EQ(client().Create(root_, "n", 0644, O_RDWR, 0, 0).error(), EROFS);
  EXPECT_EQ(client().Mkdir(root_, "n", 0755, 0, 0).error(), EROFS);
  EXPECT_EQ(client().Mknod(root_, "n", S_IFIFO | 0644, 0, 0).error(), EROFS);
  EXPECT_EQ(client().Symlink(root_, "n", "t", 0, 0).error(), EROFS);
  EXPECT_EQ(client().Link(root_, "n", file).error(), EROFS);
  EXPECT_EQ(client().Unlink(root_, "file.txt", false), EROFS);
  EXPECT_EQ(client().Rename(root_, "file.txt", root_, "n", 0), EROFS);
  SetAttrRequest req;
  req.mask = wire::kSetAttrSize;
  EXPECT_EQ(client().SetAttr(file, req).error(), EROFS);
  EXPECT_EQ(client().Fsync(file, false), EROFS);
  EXPECT_TRUE(client().StatFs(root_).ok());
  EXPECT_EQ(ReadFile(tree_.Path("file.txt")), "hello gofer\n");
  EXPECT_FALSE(Exists(tree_.Path("n")));
}

}  // namespace
}  // namespace sentry::gofer
