// goferfs on a writable gofer mount: changes through the Vfs reach the host tree, and the
// attribute, listing and negative caches follow them. Test-only; the test main thread (the
// gofer server on its own thread).
#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>

#include "gofer/protocol.h"
#include "gofer/test_util.h"
#include "gtest/gtest.h"
#include "vfs/dentry.h"
#include "vfs/file_description.h"
#include "vfs/goferfs.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

using gofer::testing::ServerThread;
using gofer::testing::TestMount;

std::string HostRead(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string out;
  char buf[4096];
  ssize_t n;
  while (fd && (n = ::read(fd.get(), buf, sizeof(buf))) > 0) out.append(buf, n);
  return out;
}

bool HostExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

class GoferfsWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.MakeDir("etc");
    root_.MakeFile("etc/hostname", "sandbox\n");
    data_.MakeFile("file.txt", "hello\n");
    data_.MakeDir("sub");
    ro_.MakeFile("ro.txt", "ro\n");
    server_ = std::make_unique<ServerThread>(std::vector<TestMount>{
        {root_.path(), true}, {data_.path(), false}, {ro_.path(), true}});
    Vfs::Options opts;
    opts.gofer = &server_->client();
    ErrnoOr<std::unique_ptr<Vfs>> v = Vfs::Create(opts);
    ASSERT_TRUE(v.ok()) << v.error();
    vfs_ = v.take();
    auto rw = GoferFs::Create(&server_->client(), 1, /*read_only=*/false);
    ASSERT_TRUE(rw.ok()) << rw.error();
    ASSERT_TRUE(vfs_->Mount("/data", *rw, data_.path(), /*placeholder=*/true).ok());
    auto ro = GoferFs::Create(&server_->client(), 2, /*read_only=*/true);
    ASSERT_TRUE(ro.ok()) << ro.error();
    ASSERT_TRUE(vfs_->Mount("/ro", *ro, ro_.path(), /*placeholder=*/true).ok());
    ctx_ = vfs_->RootContext();
    ctx_.umask = 022;
  }
  void TearDown() override {
    ctx_ = FsContext();
    vfs_.reset();
    EXPECT_TRUE(server_->Stop().ok());
  }

  ErrnoOr<FileRef> Open(std::string_view path, int flags, uint32_t mode = 0644) {
    return vfs_->OpenAt(ctx_, creds_, nullptr, path, flags, mode);
  }
  std::string Read(std::string_view path) {
    auto f = Open(path, O_RDONLY);
    if (!f.ok()) return "<" + std::to_string(f.error()) + ">";
    std::string out(1 << 16, '\0');
    SysResult r = (*f)->Read(std::span<char>(out.data(), out.size()));
    out.resize(r.ok() ? r.value() : 0);
    return out;
  }
  struct stat Stat(std::string_view path) {
    struct stat st {};
    EXPECT_TRUE(vfs_->StatAt(ctx_, creds_, nullptr, path, false, &st).ok()) << path;
    return st;
  }
  std::set<std::string> List(std::string_view path) {
    std::set<std::string> names;
    auto f = Open(path, O_RDONLY | O_DIRECTORY);
    if (!f.ok()) return names;
    char buf[8192];
    for (;;) {
      SysResult r = (*f)->GetDents64(std::span<char>(buf, sizeof(buf)));
      if (!r.ok() || r.value() == 0) break;
      for (int64_t pos = 0; pos < r.value();) {
        auto* d = reinterpret_cast<struct dirent64*>(buf + pos);
        names.insert(d->d_name);
        pos += d->d_reclen;
      }
    }
    names.erase(".");
    names.erase("..");
    return names;
  }

  testing::ScratchDir root_, data_, ro_;
  std::unique_ptr<ServerThread> server_;
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
  Credentials creds_;
};

TEST_F(GoferfsWriteTest, CreateWriteAppend) {
  // A name first looked up and missing is then created: no negative entry hides it.
  struct stat st;
  EXPECT_EQ(vfs_->StatAt(ctx_, creds_, nullptr, "/data/new", false, &st).raw(), -ENOENT);
  auto f = Open("/data/new", O_CREAT | O_WRONLY, 0666);
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ((*f)->Write(std::span<const char>("abc", 3)).value(), 3);
  EXPECT_EQ(HostRead(data_.Path("new")), "abc");
  EXPECT_EQ(Stat("/data/new").st_size, 3);
  EXPECT_EQ(Stat("/data/new").st_mode & 07777, 0644u);  // umask applied
  EXPECT_EQ(Read("/data/new"), "abc");

  auto a = Open("/data/file.txt", O_WRONLY | O_APPEND);
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_EQ((*a)->PWrite(std::span<const char>("more\n", 5), 0).value(), 5);
  EXPECT_EQ(HostRead(data_.Path("file.txt")), "hello\nmore\n");
  a->reset();
  EXPECT_EQ(Stat("/data/file.txt").st_size, 11);

  auto t = Open("/data/file.txt", O_RDWR | O_TRUNC);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(HostRead(data_.Path("file.txt")), "");
  EXPECT_EQ(Stat("/data/file.txt").st_size, 0);
  EXPECT_EQ(Open("/data/new", O_CREAT | O_EXCL | O_WRONLY).error(), EEXIST);
}

TEST_F(GoferfsWriteTest, DirectoriesLinksRenames) {
  const size_t before = List("/data").size();
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, creds_, nullptr, "/data/d", 0777).ok());
  EXPECT_TRUE(HostExists(data_.Path("d")));
  EXPECT_EQ(Stat("/data/d").st_mode & 07777, 0755u);
  EXPECT_EQ(List("/data").size(), before + 1);
  ASSERT_TRUE(vfs_->SymlinkAt(ctx_, creds_, "/etc/hostname", nullptr, "/data/d/l").ok());
  // The link is resolved in the sandbox: it reaches the sandbox's /etc/hostname.
  EXPECT_EQ(Read("/data/d/l"), "sandbox\n");
  ASSERT_TRUE(vfs_->LinkAt(ctx_, creds_, nullptr, "/data/file.txt", nullptr, "/data/d/h", false)
                  .ok());
  EXPECT_EQ(Stat("/data/file.txt").st_nlink, 2u);
  EXPECT_EQ(HostRead(data_.Path("d/h")), "hello\n");
  ASSERT_TRUE(
      vfs_->RenameAt(ctx_, creds_, nullptr, "/data/d/h", nullptr, "/data/sub/h2", 0).ok());
  EXPECT_FALSE(HostExists(data_.Path("d/h")));
  EXPECT_EQ(Read("/data/sub/h2"), "hello\n");
  EXPECT_EQ(List("/data/sub"), std::set<std::string>{"h2"});
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/data/sub/h2", false).ok());
  EXPECT_EQ(Stat("/data/file.txt").st_nlink, 1u);
  EXPECT_TRUE(List("/data/sub").empty());
  EXPECT_EQ(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/data/d", true).raw(), -ENOTEMPTY);
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/data/d/l", false).ok());
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/data/d", true).ok());
  EXPECT_FALSE(HostExists(data_.Path("d")));
  // Across mounts: EXDEV, nothing moves.
  EXPECT_EQ(vfs_->RenameAt(ctx_, creds_, nullptr, "/data/file.txt", nullptr, "/ro/x", 0).raw(),
            -EXDEV);
  EXPECT_TRUE(HostExists(data_.Path("file.txt")));
}

TEST_F(GoferfsWriteTest, RenamedFileStaysUsable) {
  auto f = Open("/data/file.txt", O_RDWR);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(
      vfs_->RenameAt(ctx_, creds_, nullptr, "/data/file.txt", nullptr, "/data/sub/moved", 0).ok());
  f->reset();
  auto g = Open("/data/sub/moved", O_WRONLY | O_APPEND);
  ASSERT_TRUE(g.ok()) << g.error();
  ASSERT_EQ((*g)->Write(std::span<const char>("x", 1)).value(), 1);
  EXPECT_EQ(HostRead(data_.Path("sub/moved")), "hello\nx");
}

TEST_F(GoferfsWriteTest, SetAttrAndAllocate) {
  Vfs::AttrRequest chmod{.kind = Vfs::AttrRequest::Kind::kChmod, .mode = 0600};
  ASSERT_TRUE(vfs_->SetAttrAt(ctx_, creds_, nullptr, "/data/file.txt", true, chmod).ok());
  struct stat host;
  ASSERT_EQ(::stat(data_.Path("file.txt").c_str(), &host), 0);
  EXPECT_EQ(host.st_mode & 07777, 0600u);
  EXPECT_EQ(Stat("/data/file.txt").st_mode & 07777, 0600u);

  Vfs::AttrRequest times{.kind = Vfs::AttrRequest::Kind::kUtimes, .times_now = false};
  times.times[0] = {0, UTIME_OMIT};
  times.times[1] = {100000, 0};
  ASSERT_TRUE(vfs_->SetAttrAt(ctx_, creds_, nullptr, "/data/file.txt", true, times).ok());
  EXPECT_EQ(Stat("/data/file.txt").st_mtime, 100000);

  Vfs::AttrRequest trunc{.kind = Vfs::AttrRequest::Kind::kTruncate, .size = 2};
  ASSERT_TRUE(vfs_->SetAttrAt(ctx_, creds_, nullptr, "/data/file.txt", true, trunc).ok());
  EXPECT_EQ(HostRead(data_.Path("file.txt")), "he");

  auto f = Open("/data/file.txt", O_RDWR);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(Vfs::AllocateFile(**f, 0, 0, 8192).ok());
  EXPECT_EQ(Stat("/data/file.txt").st_size, 8192);
  ASSERT_TRUE(Vfs::TruncateFile(**f, 1).ok());
  EXPECT_EQ(Stat("/data/file.txt").st_size, 1);
}

// mkfifo makes a host FIFO; its opens in the sandbox meet on one pipe even when the names
// were dropped from the dentry cache meanwhile (or the node is reached by another name).
TEST_F(GoferfsWriteTest, FifoOnTheHost) {
  ASSERT_EQ(vfs_->MknodAt(ctx_, creds_, nullptr, "/data/pipe", S_IFIFO | 0666, 0).raw(), 0);
  struct stat host;
  ASSERT_EQ(::lstat(data_.Path("pipe").c_str(), &host), 0);
  EXPECT_TRUE(S_ISFIFO(host.st_mode));
  EXPECT_EQ(host.st_mode & 0777, 0644u);  // umask 022
  EXPECT_TRUE(S_ISFIFO(Stat("/data/pipe").st_mode));
  EXPECT_EQ(vfs_->MknodAt(ctx_, creds_, nullptr, "/data/pipe", S_IFIFO | 0644, 0).raw(), -EEXIST);
  EXPECT_EQ(Open("/data/pipe", O_WRONLY | O_NONBLOCK).error(), ENXIO);  // no reader
  ErrnoOr<FileRef> rd = Open("/data/pipe", O_RDONLY);
  ASSERT_TRUE(rd.ok()) << rd.error();
  EXPECT_FALSE((*rd)->OpenComplete());  // waits for a writer
  // The cache forgets the name; a host link gives the node a second one.
  ErrnoOr<std::shared_ptr<Dentry>> dir = vfs_->LookupDirectory(ctx_, creds_, nullptr, "/data");
  ASSERT_TRUE(dir.ok());
  (*dir)->ForgetChild("pipe");
  ASSERT_EQ(::link(data_.Path("pipe").c_str(), data_.Path("pipe2").c_str()), 0);
  ErrnoOr<FileRef> wr = Open("/data/pipe2", O_WRONLY | O_NONBLOCK);
  ASSERT_TRUE(wr.ok()) << wr.error();
  EXPECT_TRUE((*rd)->OpenComplete());
  ErrnoOr<FileRef> wr2 = Open("/data/pipe", O_WRONLY);
  ASSERT_TRUE(wr2.ok());
  EXPECT_TRUE((*wr2)->OpenComplete());
  EXPECT_EQ((*wr)->Write(std::span<const char>("one ", 4)).value(), 4);
  EXPECT_EQ((*wr2)->Write(std::span<const char>("two", 3)).value(), 3);
  wr = ErrnoOr<FileRef>::Errno(EBADF);
  char buf[16];
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 7);
  EXPECT_EQ(std::string(buf, 7), "one two");
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);  // a writer left
  wr2 = ErrnoOr<FileRef>::Errno(EBADF);
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);  // EOF
  ASSERT_EQ(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/data/pipe", false).raw(), 0);
  EXPECT_FALSE(HostExists(data_.Path("pipe")));
}

TEST_F(GoferfsWriteTest, ReadOnlyMountRefusesEverything) {
  EXPECT_EQ(Open("/ro/new", O_CREAT | O_WRONLY).error(), EROFS);
  EXPECT_EQ(Open("/ro/ro.txt", O_WRONLY).error(), EROFS);
  EXPECT_EQ(vfs_->MkdirAt(ctx_, creds_, nullptr, "/ro/d", 0755).raw(), -EROFS);
  EXPECT_EQ(vfs_->UnlinkAt(ctx_, creds_, nullptr, "/ro/ro.txt", false).raw(), -EROFS);
  Vfs::AttrRequest chmod{.kind = Vfs::AttrRequest::Kind::kChmod, .mode = 0600};
  EXPECT_EQ(vfs_->SetAttrAt(ctx_, creds_, nullptr, "/ro/ro.txt", true, chmod).raw(), -EROFS);
  EXPECT_EQ(HostRead(ro_.Path("ro.txt")), "ro\n");
  EXPECT_FALSE(HostExists(ro_.Path("new")));
}

TEST_F(GoferfsWriteTest, RewindSeesChanges) {
  auto d = Open("/data", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(d.ok());
  char buf[8192];
  ASSERT_TRUE((*d)->GetDents64(std::span<char>(buf, sizeof(buf))).ok());
  ASSERT_TRUE(Open("/data/late", O_CREAT | O_WRONLY).ok());
  ASSERT_TRUE((*d)->Seek(0, SEEK_SET).ok());
  bool found = false;
  SysResult r = (*d)->GetDents64(std::span<char>(buf, sizeof(buf)));
  ASSERT_TRUE(r.ok());
  for (int64_t pos = 0; pos < r.value();) {
    auto* e = reinterpret_cast<struct dirent64*>(buf + pos);
    found |= std::string(e->d_name) == "late";
    pos += e->d_reclen;
  }
  EXPECT_TRUE(found);
}

// fsync reaches the host: a file's own read-write fd is flushed in place, a directory (or a
// file without one) through the gofer's FSYNC; the read-only trees have nothing to flush.
TEST_F(GoferfsWriteTest, SyncReachesTheHost) {
  gofer::Client& c = server_->client();
  auto f = Open("/data/file.txt", O_RDWR);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->PWrite(std::span<const char>("HELLO", 5), 0).ok());
  const uint64_t before = c.calls(gofer::wire::kFsync);
  EXPECT_EQ((*f)->dentry()->inode()->Sync(false), 0);
  EXPECT_EQ((*f)->dentry()->inode()->Sync(true), 0);
  EXPECT_EQ(c.calls(gofer::wire::kFsync), before);  // the live fd was flushed in place
  auto d = Open("/data/sub", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->dentry()->inode()->Sync(false), 0);
  EXPECT_EQ(c.calls(gofer::wire::kFsync), before + 1);
  auto ro = Open("/ro/ro.txt", O_RDONLY);
  ASSERT_TRUE(ro.ok());
  EXPECT_EQ((*ro)->dentry()->inode()->Sync(false), 0);
  EXPECT_EQ(c.calls(gofer::wire::kFsync), before + 1);
}

}  // namespace
}  // namespace sentry::vfs
