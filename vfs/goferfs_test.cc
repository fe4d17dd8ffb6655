// goferfs against the real gofer (client + server on a thread) over a temporary tree.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/goferfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "gofer/protocol.h"
#include "gofer/test_util.h"
#include "gtest/gtest.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

using gofer::testing::ServerThread;
using gofer::testing::TempTree;

class GoferfsTest : public ::testing::Test {
 protected:
  static constexpr int kBigDir = 3000;

  // The host tree is built once for the suite (read-only for the tests).
  static void SetUpTestSuite() {
    tree_ = new testing::ScratchDir();
    tree_->MakeFile("file.txt", "hello gofer\n");
    tree_->MakeDir("a");
    tree_->MakeDir("a/b");
    tree_->MakeFile("a/b/c.txt", "deep\n");
    tree_->MakeSymlink("a/link_to_c", "b/c.txt");
    tree_->MakeSymlink("chain", "a/link_to_c");
    tree_->MakeSymlink("loop1", "loop2");
    tree_->MakeSymlink("loop2", "loop1");
    tree_->MakeSymlink("abs", "/etc/passwd");
    tree_->MakeSymlink("escape", "../../../etc");
    tree_->MakeDir("private", 0700);
    tree_->MakeFile("private/secret", "s\n");
    ASSERT_EQ(mkfifo(tree_->Path("fifo").c_str(), 0666), 0);
    ASSERT_EQ(link(tree_->Path("fifo").c_str(), tree_->Path("fifo_link").c_str()), 0);
    tree_->MakeDir("dev");  // a real mountpoint for devfs; /proc gets a placeholder
    tree_->MakeDir("big");
    for (int i = 0; i < kBigDir; ++i) {
      tree_->MakeFile("big/entry_with_a_longish_name_" + std::to_string(i), "");
    }
    tree_->MakeFile("blob", std::string(100000, 'z'));
  }
  static void TearDownTestSuite() {
    delete tree_;
    tree_ = nullptr;
  }

  void SetUp() override {
    server_ = std::make_unique<ServerThread>(tree_->path());
    Vfs::Options opts;
    opts.gofer = &server_->client();
    ErrnoOr<std::unique_ptr<Vfs>> v = Vfs::Create(opts);
    ASSERT_TRUE(v.ok()) << v.error();
    vfs_ = v.take();
    ctx_ = vfs_->RootContext();
  }
  void TearDown() override {
    ctx_ = FsContext();
    vfs_.reset();  // releases every handle before the server stops
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }

  ErrnoOr<FileRef> Open(std::string_view path, int flags, const Credentials& creds = {}) {
    return vfs_->OpenAt(ctx_, creds, nullptr, path, flags, 0644);
  }
  std::string Read(std::string_view path) {
    ErrnoOr<FileRef> f = Open(path, O_RDONLY);
    EXPECT_TRUE(f.ok()) << path << ": " << f.error();
    return f.ok() ? testing::ReadAll(**f) : "";
  }
  std::vector<std::string> ListNames(FileDescription& f, size_t bufsize) {
    std::vector<std::string> names;
    std::vector<char> buf(bufsize);
    while (true) {
      SysResult r = f.GetDents64(std::span<char>(buf.data(), buf.size()));
      EXPECT_TRUE(r.ok()) << r.error();
      if (!r.ok() || r.value() == 0) break;
      for (int64_t pos = 0; pos < r.value();) {
        uint16_t reclen;
        std::memcpy(&reclen, buf.data() + pos + 16, 2);
        names.emplace_back(buf.data() + pos + 19);
        pos += reclen;
      }
    }
    return names;
  }

  static testing::ScratchDir* tree_;
  std::unique_ptr<ServerThread> server_;
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
};

testing::ScratchDir* GoferfsTest::tree_ = nullptr;

TEST_F(GoferfsTest, ReadsAndHostFd) {
  EXPECT_EQ(Read("/file.txt"), "hello gofer\n");
  EXPECT_EQ(Read("a/b/c.txt"), "deep\n");
  ErrnoOr<FileRef> f = Open("/blob", O_RDONLY);
  ASSERT_TRUE(f.ok());
  FileDescription& d = **f;
  EXPECT_GE(d.HostFd(), 0);
  char buf[10];
  EXPECT_EQ(pread(d.HostFd(), buf, 10, 99995), 5);  // the donated fd maps/reads the file
  EXPECT_EQ(d.Seek(-10, SEEK_END).value(), 99990);
  EXPECT_EQ(d.Read(std::span<char>(buf, 10)).value(), 10);
  EXPECT_EQ(d.Read(std::span<char>(buf, 10)).value(), 0);
  EXPECT_EQ(d.PRead(std::span<char>(buf, 10), 5).value(), 10);
  EXPECT_EQ(d.PRead(std::span<char>(buf, 10), -1).error(), EINVAL);
  EXPECT_EQ(d.Write(std::span<const char>("x", 1)).error(), EBADF);
  EXPECT_EQ(d.Seek(0, SEEK_HOLE).value(), 100000);
  int left = -1;
  ASSERT_TRUE(d.Seek(99000, SEEK_SET).ok());
  ASSERT_TRUE(d.Ioctl(FIONREAD, &left).ok());
  EXPECT_EQ(left, 1000);
  EXPECT_EQ(d.Path(), "/blob");
  // A second open shares the donated fd while the first is open.
  ErrnoOr<FileRef> g = Open("/blob", O_RDONLY);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->HostFd(), d.HostFd());
}

TEST_F(GoferfsTest, StatMatchesHost) {
  struct stat host, ours, ours2;
  ASSERT_EQ(lstat(tree_->Path("a/b/c.txt").c_str(), &host), 0);
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/a/b/c.txt", true, &ours).ok());
  EXPECT_EQ(ours.st_ino, host.st_ino);
  EXPECT_EQ(ours.st_mode, host.st_mode);
  EXPECT_EQ(ours.st_size, host.st_size);
  EXPECT_EQ(ours.st_mtim.tv_sec, host.st_mtim.tv_sec);
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/file.txt", true, &ours2).ok());
  EXPECT_EQ(ours.st_dev, ours2.st_dev);  // stable per filesystem
  ErrnoOr<FileRef> f = Open("/a/b/c.txt", O_RDONLY);
  ASSERT_TRUE(f.ok());
  struct stat fst;
  ASSERT_TRUE((*f)->Stat(&fst).ok());
  EXPECT_EQ(fst.st_ino, host.st_ino);
  EXPECT_EQ(fst.st_dev, ours.st_dev);
  struct stat link;
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/chain", false, &link).ok());
  EXPECT_TRUE(S_ISLNK(link.st_mode));
  struct statfs sfs;
  ASSERT_TRUE(vfs_->StatFsAt(ctx_, Credentials{}, nullptr, "/a", &sfs).ok());
  EXPECT_TRUE(sfs.f_flags & ST_RDONLY);
}

TEST_F(GoferfsTest, Resolution) {
  Credentials root;
  struct stat st, rootst;
  ASSERT_TRUE(vfs_->StatAt(ctx_, root, nullptr, "/", true, &rootst).ok());
  ASSERT_TRUE(vfs_->StatAt(ctx_, root, nullptr, "/..", true, &st).ok());
  EXPECT_EQ(st.st_ino, rootst.st_ino);
  EXPECT_EQ(Read("a/b/../../file.txt"), "hello gofer\n");
  EXPECT_EQ(Read("chain"), "deep\n");
  EXPECT_EQ(Read("a/link_to_c"), "deep\n");
  EXPECT_EQ(Open("loop1", O_RDONLY).error(), ELOOP);
  EXPECT_EQ(Open("chain", O_RDONLY | O_NOFOLLOW).error(), ELOOP);
  EXPECT_EQ(Open("file.txt", O_RDONLY | O_DIRECTORY).error(), ENOTDIR);
  EXPECT_EQ(Open("file.txt/", O_RDONLY).error(), ENOTDIR);
  EXPECT_EQ(Open("a/", O_RDONLY).error(), 0);
  EXPECT_EQ(Open("a/b/missing", O_RDONLY).error(), ENOENT);
  EXPECT_EQ(Open("a/b/missing", O_RDONLY).error(), ENOENT);  // from the negative cache
  EXPECT_EQ(Open("a/missing/x/y/z", O_RDONLY).error(), ENOENT);
  EXPECT_EQ(Open("file.txt/x/y", O_RDONLY).error(), ENOTDIR);
  EXPECT_EQ(Open(std::string(256, 'n'), O_RDONLY).error(), ENAMETOOLONG);
  // Absolute links and ".." stay inside the served tree.
  EXPECT_EQ(Open("abs", O_RDONLY).error(), ENOENT);
  EXPECT_EQ(Open("escape/passwd", O_RDONLY).error(), ENOENT);
  ErrnoOr<std::string> t = vfs_->ReadLinkAt(ctx_, root, nullptr, "abs");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "/etc/passwd");
  // Read-only: creation and writes.
  EXPECT_EQ(Open("new", O_CREAT | O_WRONLY).error(), EROFS);
  EXPECT_EQ(Open("file.txt", O_CREAT | O_EXCL | O_WRONLY).error(), EEXIST);
  EXPECT_EQ(Open("file.txt", O_WRONLY).error(), EROFS);
  EXPECT_EQ(Open("file.txt", O_CREAT | O_RDONLY).error(), 0);
  EXPECT_EQ(vfs_->MkdirAt(ctx_, root, nullptr, "a", 0755).raw(), -EEXIST);
  EXPECT_EQ(vfs_->UnlinkAt(ctx_, root, nullptr, "file.txt", false).raw(), -EROFS);
  // A host FIFO opens (as a pipe inside the sentry), for writing too: it is not "written".
  EXPECT_EQ(Open("fifo", O_RDWR).error(), 0);
  // Mounts over the tree: /dev on the real directory, /proc on a placeholder.
  EXPECT_EQ(Open("/dev/null", O_WRONLY).error(), 0);
  EXPECT_EQ(vfs_->LookupDirectory(ctx_, root, nullptr, "/proc/sys").error(), 0);
  EXPECT_EQ(Read("/dev/../proc/../file.txt"), "hello gofer\n");
}

// A host FIFO is a rendezvous inside the sentry, shared by every name and inode of the node.
TEST_F(GoferfsTest, HostFifoIsAPipeRendezvous) {
  EXPECT_EQ(Open("fifo", O_WRONLY | O_NONBLOCK).error(), ENXIO);  // no reader yet
  ErrnoOr<FileRef> rd = Open("fifo", O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(rd.ok()) << rd.error();
  struct stat st;
  ASSERT_TRUE((*rd)->Stat(&st).ok());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  // Another name of the node (its own inode on this read-only tree) meets the same reader.
  ErrnoOr<FileRef> wr = Open("fifo_link", O_WRONLY | O_NONBLOCK);
  ASSERT_TRUE(wr.ok()) << wr.error();
  EXPECT_EQ((*wr)->Write(std::span<const char>("through", 7)).value(), 7);
  char buf[16];
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 7);
  EXPECT_EQ(std::string(buf, 7), "through");
  EXPECT_EQ((*wr)->Seek(0, SEEK_SET).error(), ESPIPE);
  wr = ErrnoOr<FileRef>::Errno(EBADF);
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);  // EOF
  // A blocking reader waits for a writer; the writer completes at once.
  rd = ErrnoOr<FileRef>::Errno(EBADF);
  rd = Open("fifo", O_RDONLY);
  ASSERT_TRUE(rd.ok());
  EXPECT_FALSE((*rd)->OpenComplete());
  wr = Open("fifo_link", O_WRONLY);
  ASSERT_TRUE(wr.ok());
  EXPECT_TRUE((*rd)->OpenComplete());
  EXPECT_TRUE((*wr)->OpenComplete());
  // Nothing reached the host node.
  ASSERT_EQ(::stat(tree_->Path("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(GoferfsTest, PermissionsWithVirtualCredentials) {
  Credentials user = testing::User(4242, 4242);
  EXPECT_EQ(Open("private/secret", O_RDONLY, user).error(), EACCES);
  EXPECT_EQ(Open("private/nothing", O_RDONLY, user).error(), EACCES);
  EXPECT_EQ(vfs_->LookupDirectory(ctx_, user, nullptr, "private").error(), EACCES);
  EXPECT_EQ(Open("private/secret", O_RDONLY).error(), 0);  // virtual root
  EXPECT_EQ(Open("file.txt", O_RDONLY, user).error(), 0);
}

TEST_F(GoferfsTest, BigDirectoryListsEveryNameOnce) {
  ErrnoOr<FileRef> f = Open("big", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(f.ok());
  for (size_t bufsize : {size_t{32768}, size_t{100}}) {
    ASSERT_TRUE((*f)->Seek(0, SEEK_SET).ok());
    std::vector<std::string> names = ListNames(**f, bufsize);
    ASSERT_EQ(names.size(), static_cast<size_t>(kBigDir + 2)) << bufsize;
    EXPECT_EQ(names[0], ".");
    EXPECT_EQ(names[1], "..");
    std::set<std::string> unique(names.begin() + 2, names.end());
    EXPECT_EQ(unique.size(), static_cast<size_t>(kBigDir));
    for (int i = 0; i < kBigDir; ++i) {
      EXPECT_TRUE(unique.count("entry_with_a_longish_name_" + std::to_string(i))) << i;
    }
  }
  // A second description of the same directory sees the same order.
  ErrnoOr<FileRef> g = Open("big", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE((*f)->Seek(0, SEEK_SET).ok());
  EXPECT_EQ(ListNames(**g, 4096), ListNames(**f, 8192));
}

TEST_F(GoferfsTest, RootListingHasDotsAndTypes) {
  ErrnoOr<FileRef> f = Open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(f.ok());
  std::vector<std::string> names = ListNames(**f, 4096);
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(names[0], ".");
  EXPECT_EQ(names[1], "..");
  std::set<std::string> set(names.begin(), names.end());
  for (const char* n : {"file.txt", "a", "chain", "private", "big", "dev"}) {
    EXPECT_TRUE(set.count(n)) << n;
  }
}

TEST_F(GoferfsTest, ManyDentriesAreReleased) {
  // More distinct files than the dentry ring holds: old dentries die and their handles
  // are closed in batches; everything still resolves afterwards.
  for (int i = 0; i < kBigDir; ++i) {
    struct stat st;
    ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr,
                             "big/entry_with_a_longish_name_" + std::to_string(i), true, &st)
                    .ok());
  }
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kBigDir; i += 7) {
      ErrnoOr<FileRef> f = Open("big/entry_with_a_longish_name_" + std::to_string(i), O_RDONLY);
      ASSERT_TRUE(f.ok()) << i;
    }
  }
  EXPECT_EQ(Read("/file.txt"), "hello gofer\n");
}

TEST_F(GoferfsTest, CwdSurvivesAndGetcwd) {
  ErrnoOr<std::shared_ptr<Dentry>> d = vfs_->LookupDirectory(ctx_, Credentials{}, nullptr, "a/b");
  ASSERT_TRUE(d.ok());
  FsContext c = ctx_;
  c.cwd = *d;
  EXPECT_EQ(vfs_->PathOf(c.cwd, c.root), "/a/b");
  ErrnoOr<FileRef> f = vfs_->OpenAt(c, Credentials{}, nullptr, "c.txt", O_RDONLY, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(testing::ReadAll(**f), "deep\n");
  EXPECT_EQ((*f)->Path(), "/a/b/c.txt");
}

}  // namespace
}  // namespace sentry::vfs

namespace sentry::vfs {
namespace {

TEST(GoferfsLifetimeTest, ObjectsMayOutliveTheVfsAndClient) {
  TempTree tree;
  tree.MakeDir("d");
  tree.MakeFile("d/f", "x");
  auto server = std::make_unique<ServerThread>(tree.path());
  Vfs::Options opts;
  opts.gofer = &server->client();
  ErrnoOr<std::unique_ptr<Vfs>> vfs = Vfs::Create(opts);
  ASSERT_TRUE(vfs.ok());
  FsContext ctx = (*vfs)->RootContext();
  ErrnoOr<FileRef> dir = (*vfs)->OpenAt(ctx, Credentials{}, nullptr, "d", O_RDONLY, 0);
  ErrnoOr<FileRef> file = (*vfs)->OpenAt(ctx, Credentials{}, nullptr, "d/f", O_RDONLY, 0);
  ASSERT_TRUE(dir.ok() && file.ok());
  vfs->reset();
  EXPECT_TRUE(server->Stop().ok());
  server.reset();  // the client is gone now
  char buf[64];
  EXPECT_EQ((*file)->PRead(std::span<char>(buf, 1), 0).value(), 1);  // the host fd still works
  EXPECT_EQ((*dir)->GetDents64(std::span<char>(buf, sizeof(buf))).value(), 48);  // "." ".."
  EXPECT_EQ((*dir)->GetDents64(std::span<char>(buf, sizeof(buf))).error(), EIO);
  // Dropping the last references must not touch the dead client.
}

// After a directory is listed, lookups, stats, readlinks and misses of its names (and of the
// prefetched subdirectories' names) need no gofer round trip; opening a file still works
// (its handle is walked on demand).
TEST_F(GoferfsTest, ListedDirectoriesAnswerLookupsWithoutRoundTrips) {
  gofer::Client& c = server_->client();
  ErrnoOr<FileRef> dir = Open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir.ok());
  std::vector<std::string> names = ListNames(**dir, 4096);
  EXPECT_GE(c.calls(gofer::wire::kReadDirPlus), 1u);
  ErrnoOr<FileRef> a = Open("/a", O_RDONLY | O_DIRECTORY);  // prefetches a/b's listing
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(ListNames(**a, 4096).size(), 4u);  // . .. b link_to_c
  const uint64_t walks = c.calls(gofer::wire::kWalk);
  const uint64_t plus = c.calls(gofer::wire::kReadDirPlus);
  struct stat st, host;
  ASSERT_TRUE(vfs_->StatAt(ctx_, {}, nullptr, "/file.txt", false, &st).ok());
  ASSERT_EQ(::lstat(tree_->Path("file.txt").c_str(), &host), 0);
  EXPECT_EQ(st.st_ino, host.st_ino);
  EXPECT_EQ(st.st_size, host.st_size);
  EXPECT_EQ(st.st_mtim.tv_nsec, host.st_mtim.tv_nsec);
  EXPECT_EQ(vfs_->StatAt(ctx_, {}, nullptr, "/nothing_here", false, &st).error(), ENOENT);
  EXPECT_EQ(vfs_->StatAt(ctx_, {}, nullptr, "/file.txt/x", false, &st).error(), ENOTDIR);
  ErrnoOr<std::string> link = vfs_->ReadLinkAt(ctx_, {}, nullptr, "/abs");
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(*link, "/etc/passwd");
  // a/ was prefetched with the root's listing, a/b/ when a/ was opened.
  ASSERT_TRUE(vfs_->StatAt(ctx_, {}, nullptr, "/a/b", false, &st).ok());
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(vfs_->StatAt(ctx_, {}, nullptr, "/a/missing", false, &st).error(), ENOENT);
  ASSERT_TRUE(vfs_->StatAt(ctx_, {}, nullptr, "/a/b/c.txt", false, &st).ok());
  EXPECT_EQ(st.st_size, 5);
  ErrnoOr<FileRef> sub = Open("/a/b", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(ListNames(**sub, 4096).size(), 3u);  // . .. c.txt
  EXPECT_EQ(c.calls(gofer::wire::kWalk), walks);
  EXPECT_EQ(c.calls(gofer::wire::kReadDirPlus), plus);
  // Data still comes from a donated fd: the handle is walked when the file is opened.
  EXPECT_EQ(Read("/a/b/c.txt"), "deep\n");
  EXPECT_EQ(c.calls(gofer::wire::kWalk), walks + 1);
  EXPECT_EQ(Read("/a/link_to_c"), "deep\n");
  // Symlinks that leave the tree still resolve inside the sandbox's root only.
  EXPECT_EQ(vfs_->StatAt(ctx_, {}, nullptr, "/escape/x", true, &st).error(), ENOENT);
  // Permissions come from the listed attributes too.
  Credentials user = testing::User(4242, 4242);
  EXPECT_EQ(vfs_->StatAt(ctx_, user, nullptr, "/private/secret", false, &st).error(), EACCES);
}

}  // namespace
}  // namespace sentry::vfs
