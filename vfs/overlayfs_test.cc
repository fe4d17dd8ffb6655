// overlayfs through the Vfs API over a real gofer tree: copy-up, whiteouts, opaque
// directories, renames (files and directories), hard links, listings, the host tree left
// untouched, ENOSPC from the upper layer. Test-only; runs on the test main thread.
#include "vfs/overlayfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gofer/test_util.h"
#include "gtest/gtest.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

using gofer::testing::ServerThread;

std::string HostRead(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class OverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = std::make_unique<testing::ScratchDir>();
    tree_->MakeFile("file.txt", "lower text\n");
    tree_->MakeDir("a");
    tree_->MakeDir("a/b");
    tree_->MakeFile("a/b/c.txt", "deep\n");
    tree_->MakeFile("a/one", "1");
    tree_->MakeSymlink("a/link", "b/c.txt");
    tree_->MakeDir("empty");
    tree_->MakeDir("dev");
    ASSERT_EQ(::link(tree_->Path("a/one").c_str(), tree_->Path("a/one_hard").c_str()), 0);
    server_ = std::make_unique<ServerThread>(tree_->path());
    Vfs::Options opts;
    opts.gofer = &server_->client();
    upper_ = MakeTmpfs(TmpfsOptions{.size_bytes = 256 * 1024});
    opts.upper_fs = upper_;
    ErrnoOr<std::unique_ptr<Vfs>> v = Vfs::Create(opts);
    ASSERT_TRUE(v.ok()) << v.error();
    vfs_ = v.take();
    ctx_ = vfs_->RootContext();
  }
  void TearDown() override {
    ctx_ = FsContext();
    vfs_.reset();
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }

  ErrnoOr<FileRef> Open(std::string_view path, int flags, uint32_t mode = 0644) {
    return vfs_->OpenAt(ctx_, creds_, nullptr, path, flags, mode);
  }
  int Err(const SysResult& r) { return r.ok() ? 0 : r.error(); }
  void Put(std::string_view path, std::string_view data, int flags = O_TRUNC) {
    ErrnoOr<FileRef> f = Open(path, O_CREAT | O_WRONLY | flags);
    ASSERT_TRUE(f.ok()) << path << ": " << f.error();
    SysResult r = (*f)->Write(std::span<const char>(data.data(), data.size()));
    ASSERT_EQ(r.value(), static_cast<int64_t>(data.size())) << path << ": " << r.error();
  }
  std::string Get(std::string_view path) {
    ErrnoOr<FileRef> f = Open(path, O_RDONLY);
    if (!f.ok()) return "errno " + std::to_string(f.error());
    return testing::ReadAll(**f);
  }
  int StatErr(std::string_view path, struct stat* st = nullptr) {
    struct stat tmp;
    return Err(vfs_->StatAt(ctx_, creds_, nullptr, path, false, st ? st : &tmp));
  }
  std::set<std::string> List(std::string_view path) {
    std::set<std::string> names;
    ErrnoOr<FileRef> f = Open(path, O_RDONLY | O_DIRECTORY);
    EXPECT_TRUE(f.ok()) << path;
    if (!f.ok()) return names;
    std::vector<char> buf(8192);
    for (;;) {
      SysResult r = (*f)->GetDents64(buf);
      EXPECT_TRUE(r.ok());
      if (!r.ok() || r.value() == 0) break;
      for (int64_t pos = 0; pos < r.value();) {
        auto* d = reinterpret_cast<struct dirent64*>(&buf[pos]);
        std::string n = d->d_name;
        if (n != "." && n != "..") names.insert(n);
        pos += d->d_reclen;
      }
    }
    return names;
  }

  std::unique_ptr<testing::ScratchDir> tree_;
  std::unique_ptr<ServerThread> server_;
  std::shared_ptr<Filesystem> upper_;
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
  Credentials creds_;
};

TEST_F(OverlayTest, ReadsComeFromTheLowerLayer) {
  EXPECT_EQ(Get("/file.txt"), "lower text\n");
  EXPECT_EQ(Get("/a/link"), "deep\n");
  EXPECT_EQ(List("/a"), (std::set<std::string>{"b", "one", "one_hard", "link"}));
  struct statfs sf;
  ASSERT_TRUE(vfs_->StatFsAt(ctx_, creds_, nullptr, "/", &sf).ok());
  EXPECT_EQ(sf.f_type, OVERLAYFS_SUPER_MAGIC);
}

// df /: the size and use include what the lower layer holds; what is free is the room left
// for changes, and a change takes from it.
TEST_F(OverlayTest, StatFsCountsTheLowerLayerAndTheRoomForChanges) {
  struct statfs before, after;
  ASSERT_TRUE(vfs_->StatFsAt(ctx_, creds_, nullptr, "/", &before).ok());
  EXPECT_GT(before.f_blocks, before.f_bfree);  // the lower layer's files are in use
  EXPECT_EQ(before.f_bavail, before.f_bfree);
  EXPECT_GT(before.f_files, before.f_ffree);
  Put("/big", std::string(64 << 10, 'x'), 0);
  ASSERT_TRUE(vfs_->StatFsAt(ctx_, creds_, nullptr, "/", &after).ok());
  EXPECT_LE(after.f_bfree + (64 << 10) / after.f_frsize, before.f_bfree);
}

TEST_F(OverlayTest, WriteCopiesUpAndLeavesTheHostAlone) {
  struct stat before, after;
  ASSERT_EQ(StatErr("/file.txt", &before), 0);
  Put("/file.txt", "more\n", O_APPEND);
  EXPECT_EQ(Get("/file.txt"), "lower text\nmore\n");
  EXPECT_EQ(HostRead(tree_->Path("file.txt")), "lower text\n");
  ASSERT_EQ(StatErr("/file.txt", &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // the identity survives the copy-up
  EXPECT_EQ(after.st_size, 16);
  Put("/file.txt", "x");  // O_TRUNC
  EXPECT_EQ(Get("/file.txt"), "x");
}

TEST_F(OverlayTest, NewFilesAndDirectoriesLiveInTheUpperLayer) {
  ASSERT_EQ(Err(vfs_->MkdirAt(ctx_, creds_, nullptr, "/a/b/new", 0755)), 0);
  Put("/a/b/new/f", "fresh");
  EXPECT_EQ(Get("/a/b/new/f"), "fresh");
  EXPECT_EQ(List("/a/b"), (std::set<std::string>{"c.txt", "new"}));
  EXPECT_NE(::access(tree_->Path("a/b/new").c_str(), F_OK), 0);
  struct stat st;
  ASSERT_EQ(StatErr("/a/b/new/f", &st), 0);
  EXPECT_EQ(st.st_size, 5);
}

TEST_F(OverlayTest, UnlinkLeavesAWhiteout) {
  EXPECT_EQ(StatErr("/a/one"), 0);  // cached, then removed
  ASSERT_EQ(Err(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/a/one", false)), 0);
  EXPECT_EQ(StatErr("/a/one"), ENOENT);
  EXPECT_EQ(List("/a"), (std::set<std::string>{"b", "one_hard", "link"}));
  EXPECT_EQ(Get("/a/one_hard"), "1");
  EXPECT_EQ(::access(tree_->Path("a/one").c_str(), F_OK), 0);
  // The name can be used again, and the new file has nothing of the old one.
  Put("/a/one", "again");
  EXPECT_EQ(Get("/a/one"), "again");
  EXPECT_EQ(List("/a"), (std::set<std::string>{"b", "one", "one_hard", "link"}));
}

TEST_F(OverlayTest, RmdirOfALowerDirectory) {
  EXPECT_EQ(Err(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/a/b", true)), ENOTEMPTY);
  ASSERT_EQ(Err(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/a/b/c.txt", false)), 0);
  ASSERT_EQ(Err(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/a/b", true)), 0);
  EXPECT_EQ(StatErr("/a/b"), ENOENT);
  EXPECT_EQ(StatErr("/a/b/c.txt"), ENOENT);
  // A directory made again in its place is opaque: the old content stays hidden.
  ASSERT_EQ(Err(vfs_->MkdirAt(ctx_, creds_, nullptr, "/a/b", 0700)), 0);
  EXPECT_TRUE(List("/a/b").empty());
  EXPECT_EQ(StatErr("/a/b/c.txt"), ENOENT);
  EXPECT_EQ(::access(tree_->Path("a/b/c.txt").c_str(), F_OK), 0);
}

TEST_F(OverlayTest, ChmodCopiesUpMetadataOnly) {
  Vfs::AttrRequest req;
  req.kind = Vfs::AttrRequest::Kind::kChmod;
  req.mode = 0600;
  ASSERT_EQ(Err(vfs_->SetAttrAt(ctx_, creds_, nullptr, "/a/b/c.txt", true, req)), 0);
  struct stat st;
  ASSERT_EQ(StatErr("/a/b/c.txt", &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(Get("/a/b/c.txt"), "deep\n");
  struct stat host;
  ASSERT_EQ(::stat(tree_->Path("a/b/c.txt").c_str(), &host), 0);
  EXPECT_EQ(host.st_mode & 07777, 0644u);
}

TEST_F(OverlayTest, RenameOfALowerFile) {
  ASSERT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/file.txt", nullptr, "/a/moved", 0)), 0);
  EXPECT_EQ(StatErr("/file.txt"), ENOENT);
  EXPECT_EQ(Get("/a/moved"), "lower text\n");
  EXPECT_EQ(List("/").count("file.txt"), 0u);
  EXPECT_EQ(HostRead(tree_->Path("file.txt")), "lower text\n");
  // Over an existing lower file, and RENAME_NOREPLACE against one.
  EXPECT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/a/moved", nullptr, "/a/one",
                               RENAME_NOREPLACE)),
            EEXIST);
  ASSERT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/a/moved", nullptr, "/a/one", 0)), 0);
  EXPECT_EQ(Get("/a/one"), "lower text\n");
}

TEST_F(OverlayTest, RenameOfALowerDirectoryMovesItsWholeTree) {
  ASSERT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/a", nullptr, "/z", 0)), 0);
  EXPECT_EQ(StatErr("/a"), ENOENT);
  EXPECT_EQ(Get("/z/b/c.txt"), "deep\n");
  EXPECT_EQ(Get("/z/link"), "deep\n");
  EXPECT_EQ(List("/z"), (std::set<std::string>{"b", "one", "one_hard", "link"}));
  // A new /a does not bring the old content back.
  ASSERT_EQ(Err(vfs_->MkdirAt(ctx_, creds_, nullptr, "/a", 0755)), 0);
  EXPECT_TRUE(List("/a").empty());
  // Onto an empty lower directory: its (empty) lower part must stay hidden too.
  ASSERT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/z", nullptr, "/empty", 0)), 0);
  EXPECT_EQ(Get("/empty/b/c.txt"), "deep\n");
  EXPECT_EQ(::access(tree_->Path("a/b/c.txt").c_str(), F_OK), 0);
}

TEST_F(OverlayTest, RenameOverAnUpperFile) {
  Put("/a/new.lock", "v1");
  ASSERT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/a/new.lock", nullptr, "/a/new", 0)), 0);
  Put("/a/new.lock", "v2");
  ASSERT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/a/new.lock", nullptr, "/a/new", 0)), 0);
  EXPECT_EQ(Get("/a/new"), "v2");
  EXPECT_EQ(StatErr("/a/new.lock"), ENOENT);
}

TEST_F(OverlayTest, RenameExchange) {
  ASSERT_EQ(Err(vfs_->RenameAt(ctx_, creds_, nullptr, "/file.txt", nullptr, "/a/one",
                               RENAME_EXCHANGE)),
            0);
  EXPECT_EQ(Get("/file.txt"), "1");
  EXPECT_EQ(Get("/a/one"), "lower text\n");
}

TEST_F(OverlayTest, HardLinkOfALowerFileSharesTheInode) {
  ASSERT_EQ(Err(vfs_->LinkAt(ctx_, creds_, nullptr, "/file.txt", nullptr, "/a/alias", false)), 0);
  struct stat s1, s2;
  ASSERT_EQ(StatErr("/file.txt", &s1), 0);
  ASSERT_EQ(StatErr("/a/alias", &s2), 0);
  EXPECT_EQ(s1.st_ino, s2.st_ino);
  EXPECT_EQ(s1.st_dev, s2.st_dev);
  EXPECT_EQ(s2.st_nlink, 2u);
  Put("/a/alias", "shared", O_APPEND);
  EXPECT_EQ(Get("/file.txt"), "lower text\nshared");
}

TEST_F(OverlayTest, NegativeCacheForgetsCreatedNames) {
  EXPECT_EQ(StatErr("/a/later"), ENOENT);
  ASSERT_EQ(Err(vfs_->MkdirAt(ctx_, creds_, nullptr, "/a/later", 0755)), 0);
  EXPECT_EQ(StatErr("/a/later"), 0);
  EXPECT_EQ(StatErr("/a/sym"), ENOENT);
  ASSERT_EQ(Err(vfs_->SymlinkAt(ctx_, creds_, "one", nullptr, "/a/sym")), 0);
  EXPECT_EQ(Get("/a/sym"), "1");
  EXPECT_EQ(StatErr("/a/hard"), ENOENT);
  ASSERT_EQ(Err(vfs_->LinkAt(ctx_, creds_, nullptr, "/a/one", nullptr, "/a/hard", false)), 0);
  EXPECT_EQ(StatErr("/a/hard"), 0);
}

TEST_F(OverlayTest, FullUpperLayerIsENOSPCAndStaysUsable) {
  std::string chunk(64 * 1024, 'x');
  ErrnoOr<FileRef> f = Open("/big", O_CREAT | O_WRONLY);
  ASSERT_TRUE(f.ok());
  int err = 0;
  for (int i = 0; i < 16 && err == 0; ++i) {
    SysResult r = (*f)->Write(std::span<const char>(chunk.data(), chunk.size()));
    if (!r.ok()) err = r.error();
  }
  EXPECT_EQ(err, ENOSPC);
  ASSERT_EQ(Err(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/big", false)), 0);
  f = ErrnoOr<FileRef>::Errno(EBADF);  // closes it: the space comes back
  Put("/small", "ok");
  EXPECT_EQ(Get("/small"), "ok");
}

TEST_F(OverlayTest, OTmpFileCanBeLinked) {
  ErrnoOr<FileRef> f = Open("/a", O_TMPFILE | O_RDWR, 0600);
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ((*f)->Write(std::span<const char>("tmp", 3)).value(), 3);
  ASSERT_EQ(Err(vfs_->LinkDentryAt(ctx_, creds_, (*f)->dentry(), nullptr, "/a/named")), 0);
  EXPECT_EQ(Get("/a/named"), "tmp");
}

}  // namespace
}  // namespace sentry::vfs
