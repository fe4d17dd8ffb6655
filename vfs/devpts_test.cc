// devpts and pty pairs: /dev/ptmx makes a pair, /dev/pts lists it with the opener's ids, the
// slave opens only once unlocked, data flows through the host line discipline, /dev/tty finds
// a controlling pty. Test-only; needs a private devpts instance (skipped without one).
#include "vfs/devpts.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <dirent.h>

#include <cerrno>
#include <string>

#include "gtest/gtest.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

// A detached private devpts (what sentry/host_devpts.cc makes), or -1.
int NewDevpts() {
  int fs = static_cast<int>(syscall(SYS_fsopen, "devpts", FSOPEN_CLOEXEC));
  if (fs < 0) return -1;
  syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "ptmxmode", "0666", 0);
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    close(fs);
    return -1;
  }
  int mnt = static_cast<int>(syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0));
  close(fs);
  return mnt;
}

class DevptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    devpts_ = NewDevpts();
    if (devpts_ < 0) GTEST_SKIP() << "no private devpts here";
    PtyCallbacks cb;
    cb.owner = [](int pid) { return std::pair<uint32_t, uint32_t>(1000 + pid, 2000); };
    cb.ctty_index = [this](int pid) { return pid == 7 ? ctty_ : -1; };
    Vfs::Options opts;
    opts.root_fs = testing::MakeTestTree();
    opts.ptys = std::make_shared<PtyRegistry>(devpts_, cb);
    ErrnoOr<std::unique_ptr<Vfs>> v = Vfs::Create(opts);
    ASSERT_TRUE(v.ok());
    vfs_ = v.take();
    ctx_ = vfs_->RootContext();
  }
  void TearDown() override {
    vfs_.reset();
    if (devpts_ >= 0) close(devpts_);
  }
  ErrnoOr<FileRef> Open(std::string_view path, int flags) {
    return vfs_->OpenAt(ctx_, Credentials{}, nullptr, path, flags, 0);
  }
  std::vector<std::string> List() {
    ErrnoOr<FileRef> dir = Open("/dev/pts", O_RDONLY | O_DIRECTORY);
    EXPECT_TRUE(dir.ok());
    std::vector<std::string> names;
    char buf[4096];
    for (;;) {
      SysResult n = (*dir)->GetDents64(std::span<char>(buf, sizeof(buf)));
      if (!n.ok() || n.value() == 0) break;
      for (int64_t off = 0; off < n.value();) {
        auto* d = reinterpret_cast<struct dirent64*>(buf + off);
        std::string name = d->d_name;
        if (name != "." && name != "..") names.push_back(name);
        off += d->d_reclen;
      }
    }
    return names;
  }
  int devpts_ = -1;
  int ctty_ = -1;
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
};

TEST_F(DevptsTest, PairLifecycle) {
  ctx_.caller_pid = 5;
  ErrnoOr<FileRef> m = Open("/dev/ptmx", O_RDWR);
  ASSERT_TRUE(m.ok()) << m.error();
  int n = -1;
  ASSERT_TRUE((*m)->Ioctl(TIOCGPTN, &n).ok());
  EXPECT_EQ(n, 0);
  EXPECT_EQ(List(), (std::vector<std::string>{"ptmx", "0"}));
  struct stat st;
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/dev/pts/0", true, &st).ok());
  EXPECT_EQ(st.st_mode, S_IFCHR | 0620u);
  EXPECT_EQ(st.st_rdev, makedev(136, 0));
  EXPECT_EQ(st.st_uid, 1005u);
  EXPECT_EQ(st.st_gid, 2000u);
  // Locked until TIOCSPTLCK 0: EIO, as Linux.
  EXPECT_EQ(Open("/dev/pts/0", O_RDWR).error(), EIO);
  int unlock = 0;
  ASSERT_TRUE((*m)->Ioctl(TIOCSPTLCK, &unlock).ok());
  ErrnoOr<FileRef> s = Open("/dev/pts/0", O_RDWR);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ((*s)->Path(), "/dev/pts/0");
  struct stat fst;
  ASSERT_TRUE((*s)->Stat(&fst).ok());
  EXPECT_EQ(fst.st_ino, st.st_ino);
  EXPECT_EQ(fst.st_dev, st.st_dev);
  // Raw mode: bytes pass unchanged.
  struct termios t;
  ASSERT_TRUE((*s)->Ioctl(TCGETS, &t).ok());
  cfmakeraw(&t);
  ASSERT_TRUE((*s)->Ioctl(TCSETS, &t).ok());
  ASSERT_EQ((*m)->Write(std::span<const char>("ab", 2)).value(), 2);
  char buf[8];
  EXPECT_EQ((*s)->Read(std::span<char>(buf, sizeof(buf))).value(), 2);
  EXPECT_EQ((*s)->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);
  // The peer made by the master stats as the same node.
  auto* pty = AsPty(*m);
  ASSERT_NE(pty, nullptr);
  ErrnoOr<FileRef> peer = pty->OpenPeer(O_RDWR);
  ASSERT_TRUE(peer.ok()) << peer.error();
  ASSERT_TRUE((*peer)->Stat(&fst).ok());
  EXPECT_EQ(fst.st_rdev, st.st_rdev);
  EXPECT_EQ(fst.st_ino, st.st_ino);
  // Closing the master frees N: the node is gone, the next pair reuses 0.
  s = ErrnoOr<FileRef>::Errno(EBADF);
  peer = ErrnoOr<FileRef>::Errno(EBADF);
  m = ErrnoOr<FileRef>::Errno(EBADF);
  EXPECT_EQ(List(), (std::vector<std::string>{"ptmx"}));
  EXPECT_EQ(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/dev/pts/0", true, &st).error(), ENOENT);
  ErrnoOr<FileRef> m2 = Open("/dev/pts/ptmx", O_RDWR);
  ASSERT_TRUE(m2.ok());
  ASSERT_TRUE((*m2)->Ioctl(TIOCGPTN, &n).ok());
  EXPECT_EQ(n, 0);
}

TEST_F(DevptsTest, NamesAndChmod) {
  ErrnoOr<FileRef> m = Open("/dev/ptmx", O_RDWR);
  ASSERT_TRUE(m.ok());
  for (const char* bad : {"/dev/pts/00", "/dev/pts/+0", "/dev/pts/1", "/dev/pts/-1", "/dev/pts/x"}) {
    EXPECT_EQ(Open(bad, O_RDWR).error(), ENOENT) << bad;
  }
  Vfs::AttrRequest chmod;
  chmod.mode = 0600;
  ASSERT_TRUE(vfs_->SetAttrAt(ctx_, Credentials{}, nullptr, "/dev/pts/0", true, chmod).ok());
  struct stat st;
  ASSERT_TRUE(vfs_->StatAt(ctx_, Credentials{}, nullptr, "/dev/pts/0", true, &st).ok());
  EXPECT_EQ(st.st_mode, S_IFCHR | 0600u);
}

TEST_F(DevptsTest, DevTtyFindsTheControllingPty) {
  ErrnoOr<FileRef> m = Open("/dev/ptmx", O_RDWR);
  ASSERT_TRUE(m.ok());
  int unlock = 0;
  ASSERT_TRUE((*m)->Ioctl(TIOCSPTLCK, &unlock).ok());
  ctx_.caller_pid = 7;
  ctty_ = 0;
  ErrnoOr<FileRef> tty = Open("/dev/tty", O_RDWR);
  ASSERT_TRUE(tty.ok()) << tty.error();
  ASSERT_NE(AsPty(*tty), nullptr);
  EXPECT_FALSE(AsPty(*tty)->is_master());
  struct stat st;
  ASSERT_TRUE((*tty)->Stat(&st).ok());
  EXPECT_EQ(st.st_rdev, makedev(5, 0));  // the /dev/tty node, as Linux
  ASSERT_EQ((*tty)->Write(std::span<const char>("x\n", 2)).value(), 2);
  char buf[8];
  SysResult r = (*m)->Read(std::span<char>(buf, sizeof(buf)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(buf, static_cast<size_t>(r.value())), "x\r\n");  // ONLCR
  // Without a pty as controlling terminal (and no host terminal): ENXIO.
  ctx_.caller_pid = 8;
  EXPECT_EQ(Open("/dev/tty", O_RDWR).error(), ENXIO);
}

}  // namespace
}  // namespace sentry::vfs
