// End-to-end tests of gofer::Server through gofer::Client over a socketpair, against a
// temporary host tree. Test-only; main thread (the server runs on its own thread).
#include "gofer/server.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "gofer/client.h"
#include "gofer/test_util.h"

namespace sentry::gofer {
namespace {

using testing::ServerThread;
using testing::TempTree;

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.MakeStandard();
    StartServer(ServerOptions{});
  }
  void StartServer(ServerOptions opts) {
    server_.reset();
    server_ = std::make_unique<ServerThread>(tree_.path(), opts);
    auto root = client().Mount();
    ASSERT_TRUE(root.ok()) << root.error();
    root_ = root->handle;
  }
  Client& client() { return server_->client(); }

  // Walks `names` from the root and expects every component to be walked.
  Handle WalkAll(std::vector<std::string_view> names) {
    auto r = client().Walk(root_, names);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return 0;
    EXPECT_EQ(r->error, 0);
    EXPECT_EQ(r->steps.size(), names.size());
    return r->steps.empty() ? 0 : r->steps.back().handle;
  }

  TempTree tree_;
  std::unique_ptr<ServerThread> server_;
  Handle root_ = 0;
};

TEST_F(ServerTest, MountReturnsRootAttr) {
  auto again = client().Mount();
  ASSERT_TRUE(again.ok());
  struct stat st;
  ASSERT_EQ(::stat(tree_.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(again->attr.mode));
  EXPECT_EQ(again->attr.ino, st.st_ino);
  EXPECT_EQ(again->attr.dev, st.st_dev);
  EXPECT_NE(again->handle, root_);
  EXPECT_TRUE(server_->Stop().ok());
}

TEST_F(ServerTest, WalkMultipleComponentsWithStats) {
  std::vector<std::string_view> names = {"a", "b", "c.txt"};
  auto r = client().Walk(root_, names);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error, 0);
  ASSERT_EQ(r->steps.size(), 3u);
  const char* paths[] = {"a", "a/b", "a/b/c.txt"};
  for (int i = 0; i < 3; ++i) {
    struct stat st;
    ASSERT_EQ(::lstat(tree_.Path(paths[i]).c_str(), &st), 0);
    EXPECT_EQ(r->steps[i].attr.ino, st.st_ino) << paths[i];
    EXPECT_EQ(r->steps[i].attr.mode, st.st_mode) << paths[i];
    EXPECT_NE(r->steps[i].handle, 0u);
  }
  EXPECT_EQ(r->steps[2].attr.size, 5u);
  EXPECT_TRUE(S_ISREG(r->steps[2].attr.mode));
}

TEST_F(ServerTest, WalkStopsAtSymlink) {
  std::vector<std::string_view> names = {"a", "link_to_c", "more"};
  auto r = client().Walk(root_, names);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error, 0);
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_TRUE(S_ISLNK(r->steps[1].attr.mode));
  auto target = client().ReadLink(r->steps[1].handle);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(*target, "b/c.txt");
}

TEST_F(ServerTest, WalkErrorPositions) {
  {
    std::vector<std::string_view> names = {"a", "missing", "x"};
    auto r = client().Walk(root_, names);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->error, ENOENT);
    EXPECT_EQ(r->steps.size(), 1u);
  }
  {
    std::vector<std::string_view> names = {"nothing"};
    auto r = client().Walk(root_, names);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->error, ENOENT);
    EXPECT_EQ(r->steps.size(), 0u);
  }
  {
    std::vector<std::string_view> names = {"a", "b", "c.txt", "d"};
    auto r = client().Walk(root_, names);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->error, ENOTDIR);
    EXPECT_EQ(r->steps.size(), 3u);
    // Walking from the file's handle itself is ENOTDIR with no step.
    std::vector<std::string_view> one = {"x"};
    auto r2 = client().Walk(r->steps[2].handle, one);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->error, ENOTDIR);
    EXPECT_TRUE(r2->steps.empty());
  }
}

TEST_F(ServerTest, BadNamesAreRefused) {
  for (std::string_view bad :
       {std::string_view("a/b"), std::string_view("."), std::string_view(".."),
        std::string_view(""), std::string_view("/etc"), std::string_view("a\0b", 3)}) {
    std::vector<std::string_view> names = {"a", bad};
    auto r = client().Walk(root_, names);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error(), EINVAL) << bad;
  }
  std::string longname(256, 'x');
  std::vector<std::string_view> names = {longname};
  auto r = client().Walk(root_, names);
  EXPECT_EQ(r.error(), ENAMETOOLONG);
}

TEST_F(ServerTest, OpenDonatesReadableFd) {
  Handle file = WalkAll({"a", "b", "c.txt"});
  auto fd = client().Open(file, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.error();
  EXPECT_EQ(ReadAll(fd->get()), "deep\n");
  EXPECT_FALSE(::fcntl(fd->get(), F_GETFL) & O_NONBLOCK);
  // The kernel's O_LARGEFILE (0100000), as a guest passes it, is accepted.
  EXPECT_TRUE(client().Open(file, O_RDONLY | 0100000).ok());

  Handle dir = WalkAll({"a"});
  auto dfd = client().Open(dir, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dfd.ok()) << dfd.error();
  struct stat st;
  ASSERT_EQ(::fstat(dfd->get(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  // O_DIRECTORY on a file.
  EXPECT_EQ(client().Open(file, O_RDONLY | O_DIRECTORY).error(), ENOTDIR);
}

TEST_F(ServerTest, OpenRefusesSpecialFilesAndBadFlags) {
  Handle fifo = WalkAll({"fifo"});
  EXPECT_EQ(client().Open(fifo, O_RDONLY).error(), ENXIO);
  Handle file = WalkAll({"file.txt"});
  EXPECT_EQ(client().Open(file, O_RDONLY | O_PATH).error(), EINVAL);
  EXPECT_EQ(client().Open(file, O_ACCMODE).error(), EROFS);  // write bits: EROFS first
  EXPECT_EQ(client().Open(12345678, O_RDONLY).error(), EBADF);
}

TEST_F(ServerTest, ReadOnlyRefusesWriteOpens) {
  Handle file = WalkAll({"file.txt"});
  for (int flags :
       {O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC, O_RDONLY | O_CREAT, O_RDONLY | O_APPEND}) {
    EXPECT_EQ(client().Open(file, flags).error(), EROFS) << flags;
  }
  struct stat st;
  ASSERT_EQ(::stat(tree_.Path("file.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 12);
}

TEST_F(ServerTest, WritableServerOpensForWriteAndTruncates) {
  StartServer(ServerOptions{.read_only = false});
  Handle file = WalkAll({"file.txt"});
  auto fd = client().Open(file, O_WRONLY | O_TRUNC);
  ASSERT_TRUE(fd.ok()) << fd.error();
  ASSERT_EQ(::write(fd->get(), "new", 3), 3);
  fd->reset();
  UniqueFd check(::open(tree_.Path("file.txt").c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(ReadAll(check.get()), "new");
  EXPECT_EQ(client().Open(file, O_RDWR | O_CREAT).error(), EINVAL);
  EXPECT_EQ(client().Open(file, O_ACCMODE).error(), EINVAL);
  EXPECT_EQ(client().Open(file, O_RDWR | O_EXCL).error(), EINVAL);
}

TEST_F(ServerTest, SymlinkOutsideIsNeverFollowed) {
  std::vector<std::string_view> names = {"escape", "passwd"};
  auto r = client().Walk(root_, names);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->steps.size(), 1u);
  EXPECT_TRUE(S_ISLNK(r->steps[0].attr.mode));
  struct stat st;
  ASSERT_EQ(::lstat(tree_.Path("escape").c_str(), &st), 0);
  EXPECT_EQ(r->steps[0].attr.ino, st.st_ino);
  EXPECT_EQ(client().Open(r->steps[0].handle, O_RDONLY).error(), ELOOP);
  EXPECT_EQ(client().Open(r->steps[0].handle, O_RDONLY | O_DIRECTORY).error(), ELOOP);
  EXPECT_EQ(client().ReadDir(r->steps[0].handle, 0, 10).error(), ENOTDIR);
  EXPECT_EQ(*client().ReadLink(r->steps[0].handle), "../../etc");

  Handle abs = WalkAll({"abs"});
  EXPECT_EQ(client().Open(abs, O_RDONLY).error(), ELOOP);
  EXPECT_EQ(*client().ReadLink(abs), "/etc/passwd");
}

TEST_F(ServerTest, OpenDoesNotFollowANodeSwappedForASymlink) {
  Handle file = WalkAll({"file.txt"});
  ASSERT_EQ(::unlink(tree_.Path("file.txt").c_str()), 0);
  tree_.MakeSymlink("file.txt", "/etc/passwd");
  // The handle's own node is opened (it lives on while the handle holds it), never the
  // symlink now at its name.
  auto fd = client().Open(file, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.error();
  EXPECT_EQ(ReadAll(fd->get()), "hello gofer\n");
}

TEST_F(ServerTest, OpenOfAReplacedNodeOpensTheHandlesNode) {
  Handle file = WalkAll({"file.txt"});
  tree_.MakeFile("other", "other content");
  ASSERT_EQ(::rename(tree_.Path("other").c_str(), tree_.Path("file.txt").c_str()), 0);
  auto fd = client().Open(file, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.error();
  EXPECT_EQ(ReadAll(fd->get()), "hello gofer\n");
  auto attr = client().Stat(file);
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, 12u);
}

TEST_F(ServerTest, ReadDirBatchesReturnEveryNameOnce) {
  // Hard links of one file: creating 2,000 inodes is slow on some hosts' /tmp.
  tree_.MakeDir("big");
  tree_.MakeFile("big/entry_0000", "");
  std::set<std::string> expected = {"entry_0000"};
  for (int i = 1; i < 2000; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "entry_%04d", i);
    ASSERT_EQ(::link(tree_.Path("big/entry_0000").c_str(),
                     tree_.Path(std::string("big/") + name).c_str()),
              0);
    expected.insert(name);
  }
  Handle big = WalkAll({"big"});
  std::multiset<std::string> seen;
  uint64_t offset = 0;
  int calls = 0;
  for (;;) {
    auto batch = client().ReadDir(big, offset, 97);
    ASSERT_TRUE(batch.ok()) << batch.error();
    ASSERT_LE(batch->size(), 97u);
    if (batch->empty()) break;
    for (const DirEntry& e : *batch) {
      EXPECT_NE(e.name, ".");
      EXPECT_NE(e.name, "..");
      EXPECT_EQ(e.type, DT_REG);
      seen.insert(e.name);
    }
    offset = batch->back().next_offset;
    ASSERT_LT(++calls, 100);
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);

  // One large batch is capped by the message size, not by max_entries.
  auto all = client().ReadDir(big, 0, 100000);
  ASSERT_TRUE(all.ok());
  EXPECT_GT(all->size(), 100u);
}

TEST_F(ServerTest, ReadDirSmallAndErrors) {
  Handle a = WalkAll({"a"});
  auto r = client().ReadDir(a, 0, 100);
  ASSERT_TRUE(r.ok());
  std::set<std::string> names;
  for (const DirEntry& e : *r) names.insert(e.name);
  EXPECT_EQ(names, (std::set<std::string>{"b", "link_to_c"}));
  Handle empty = WalkAll({"empty"});
  EXPECT_TRUE(client().ReadDir(empty, 0, 100)->empty());
  Handle file = WalkAll({"file.txt"});
  EXPECT_EQ(client().ReadDir(file, 0, 100).error(), ENOTDIR);
  EXPECT_EQ(client().ReadDir(a, 0, 0).error(), EINVAL);
}

TEST_F(ServerTest, ReadLinkOfNonSymlinkIsEinval) {
  Handle file = WalkAll({"file.txt"});
  EXPECT_EQ(client().ReadLink(file).error(), EINVAL);
}

TEST_F(ServerTest, StatReportsAttributes) {
  Handle file = WalkAll({"file.txt"});
  auto attr = client().Stat(file);
  ASSERT_TRUE(attr.ok());
  struct stat st;
  ASSERT_EQ(::stat(tree_.Path("file.txt").c_str(), &st), 0);
  EXPECT_EQ(attr->size, 12u);
  EXPECT_EQ(attr->mode, st.st_mode);
  EXPECT_EQ(attr->uid, st.st_uid);
  EXPECT_EQ(attr->nlink, 1u);
  EXPECT_EQ(attr->mtime_sec, st.st_mtim.tv_sec);
  EXPECT_EQ(attr->mtime_nsec, static_cast<uint32_t>(st.st_mtim.tv_nsec));
  EXPECT_EQ(client().Stat(999999).error(), EBADF);
  EXPECT_EQ(client().Stat(0).error(), EBADF);
}

TEST_F(ServerTest, CloseManyHandles) {
  std::vector<Handle> handles;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string_view> names = {"a", "b"};
    auto r = client().Walk(root_, names);
    ASSERT_TRUE(r.ok());
    for (const WalkStep& s : r->steps) handles.push_back(s.handle);
  }
  client().Close(handles);
  for (Handle h : {handles[0], handles[2999], handles.back()}) {
    EXPECT_EQ(client().Stat(h).error(), EBADF);
  }
  EXPECT_TRUE(client().Stat(root_).ok());
  // Many small Close calls in a row (their acks are drained lazily).
  std::vector<Handle> more;
  for (int i = 0; i < 200; ++i) {
    std::vector<std::string_view> names = {"a"};
    more.push_back(client().Walk(root_, names)->steps[0].handle);
  }
  for (Handle h : more) client().Close({&h, 1});
  EXPECT_EQ(client().Stat(more[0]).error(), EBADF);
  EXPECT_TRUE(client().Stat(root_).ok());
}

TEST_F(ServerTest, HandleTableIsBounded) {
  StartServer(ServerOptions{.max_handles = 4});
  std::vector<std::string_view> names = {"a", "b", "c.txt"};
  auto r = client().Walk(root_, names);  // root + 3 = 4 handles
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->steps.size(), 3u);
  std::vector<std::string_view> one = {"a"};
  auto full = client().Walk(root_, one);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->error, ENFILE);
  EXPECT_TRUE(full->steps.empty());
  EXPECT_EQ(client().Mount().error(), ENFILE);
  client().Close({&r->steps[0].handle, 1});
  auto again = client().Walk(root_, one);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->steps.size(), 1u);
}

}  // namespace
}  // namespace sentry::gofer
