// devfs: device numbers, modes, reads and writes of the memory devices, tty, symlinks.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/devfs.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "gtest/gtest.h"
#include "vfs/test_tree.h"

namespace sentry::vfs {
namespace {

class DevfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = testing::MakeTestVfs();
    ctx_ = vfs_->RootContext();
  }
  FileRef Open(std::string_view path, int flags) {
    ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, creds_, nullptr, path, flags, 0);
    EXPECT_TRUE(f.ok()) << path << ": " << f.error();
    return f.ok() ? *f : nullptr;
  }
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
  Credentials creds_ = testing::User(1000, 1000);
};

TEST_F(DevfsTest, DeviceNumbersAndModes) {
  struct Dev {
    const char* path;
    unsigned major, minor;
  };
  for (const Dev& d :
       {Dev{"/dev/null", 1, 3}, Dev{"/dev/zero", 1, 5}, Dev{"/dev/full", 1, 7},
        Dev{"/dev/random", 1, 8}, Dev{"/dev/urandom", 1, 9}, Dev{"/dev/tty", 5, 0}}) {
    struct stat st;
    ASSERT_TRUE(vfs_->StatAt(ctx_, creds_, nullptr, d.path, true, &st).ok()) << d.path;
    EXPECT_EQ(st.st_mode, S_IFCHR | 0666u) << d.path;
    EXPECT_EQ(major(st.st_rdev), d.major) << d.path;
    EXPECT_EQ(minor(st.st_rdev), d.minor) << d.path;
  }
  struct stat st;
  ASSERT_TRUE(vfs_->StatAt(ctx_, creds_, nullptr, "/dev/shm", true, &st).ok());
  EXPECT_EQ(st.st_mode, S_IFDIR | 01777u);
  ASSERT_TRUE(vfs_->StatAt(ctx_, creds_, nullptr, "/dev/pts", true, &st).ok());
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  for (auto [link, target] :
       {std::pair{"/dev/stdin", "/proc/self/fd/0"}, std::pair{"/dev/stdout", "/proc/self/fd/1"},
        std::pair{"/dev/stderr", "/proc/self/fd/2"}, std::pair{"/dev/fd", "/proc/self/fd"}}) {
    ErrnoOr<std::string> t = vfs_->ReadLinkAt(ctx_, creds_, nullptr, link);
    ASSERT_TRUE(t.ok()) << link;
    EXPECT_EQ(*t, target);
  }
}

TEST_F(DevfsTest, NullZeroFull) {
  char buf[64];
  std::fill(std::begin(buf), std::end(buf), 'x');
  FileRef null = Open("/dev/null", O_RDWR);
  EXPECT_EQ(null->Read(std::span<char>(buf, 64)).value(), 0);
  EXPECT_EQ(null->Write(std::span<const char>("abc", 3)).value(), 3);
  EXPECT_EQ(null->PWrite(std::span<const char>("abc", 3), 100).value(), 3);
  EXPECT_EQ(null->Seek(100, SEEK_SET).value(), 0);

  FileRef zero = Open("/dev/zero", O_RDONLY);
  EXPECT_EQ(zero->Read(std::span<char>(buf, 64)).value(), 64);
  for (char c : buf) EXPECT_EQ(c, 0);
  EXPECT_EQ(zero->Write(std::span<const char>("abc", 3)).error(), EBADF);

  FileRef full = Open("/dev/full", O_WRONLY);
  EXPECT_EQ(full->Write(std::span<const char>("abc", 3)).error(), ENOSPC);
  EXPECT_EQ(full->Read(std::span<char>(buf, 64)).error(), EBADF);
  FileRef full_r = Open("/dev/full", O_RDONLY);
  EXPECT_EQ(full_r->Read(std::span<char>(buf, 8)).value(), 8);
}

TEST_F(DevfsTest, Random) {
  FileRef r = Open("/dev/urandom", O_RDONLY);
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    char buf[32];
    ASSERT_EQ(r->Read(std::span<char>(buf, 32)).value(), 32);
    seen.insert(std::string(buf, 32));
  }
  EXPECT_EQ(seen.size(), 4u);
  FileRef w = Open("/dev/random", O_WRONLY);
  EXPECT_EQ(w->Write(std::span<const char>("entropy", 7)).value(), 7);
}

TEST_F(DevfsTest, TtyWithoutTerminalIsEnxio) {
  ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, creds_, nullptr, "/dev/tty", O_RDWR, 0);
  EXPECT_EQ(f.error(), ENXIO);
  EXPECT_EQ(vfs_->OpenAt(ctx_, Credentials{}, nullptr, "/dev/console", O_RDWR, 0).error(), ENXIO);
}

TEST_F(DevfsTest, ConsoleNodeAndNoPtmx) {
  struct stat st;
  ASSERT_TRUE(vfs_->StatAt(ctx_, creds_, nullptr, "/dev/console", true, &st).ok());
  EXPECT_EQ(st.st_mode, S_IFCHR | 0600u);
  EXPECT_EQ(major(st.st_rdev), 5u);
  EXPECT_EQ(minor(st.st_rdev), 1u);
  // Only root may open it (mode 0600), as on Linux.
  EXPECT_EQ(vfs_->OpenAt(ctx_, creds_, nullptr, "/dev/console", O_RDWR, 0).error(), EACCES);
  EXPECT_EQ(vfs_->StatAt(ctx_, creds_, nullptr, "/dev/ptmx", true, &st).error(), ENOENT);
}

TEST(DevfsTtyTest, TtyOverHostFd) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  Vfs::Options opts;
  opts.root_fs = testing::MakeTestTree();
  opts.host_tty_fd = p[1];
  ErrnoOr<std::unique_ptr<Vfs>> vfs = Vfs::Create(opts);
  ASSERT_TRUE(vfs.ok());
  close(p[1]);  // the Vfs holds its own copy
  ErrnoOr<FileRef> f =
      (*vfs)->OpenAt((*vfs)->RootContext(), Credentials{}, nullptr, "/dev/tty", O_WRONLY, 0);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ((*f)->Write(std::span<const char>("hi", 2)).value(), 2);
  char buf[4];
  EXPECT_EQ(read(p[0], buf, sizeof(buf)), 2);
  EXPECT_EQ((*f)->Path(), "/dev/tty");
  struct stat st;
  ASSERT_TRUE((*f)->Stat(&st).ok());
  EXPECT_EQ(major(st.st_rdev), 5u);  // the /dev/tty node, not the host pipe
  ErrnoOr<FileRef> console =
      (*vfs)->OpenAt((*vfs)->RootContext(), Credentials{}, nullptr, "/dev/console", O_WRONLY, 0);
  ASSERT_TRUE(console.ok()) << console.error();
  EXPECT_EQ((*console)->Write(std::span<const char>("c", 1)).value(), 1);
  EXPECT_EQ(read(p[0], buf, sizeof(buf)), 1);
  close(p[0]);
}

}  // namespace
}  // namespace sentry::vfs
