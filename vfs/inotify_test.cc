// Unit tests of vfs::InotifyFile and the fsnotify hooks in the Vfs (tmpfs at /tmp): event
// records, coalescing, overflow, one-shot watches, IN_IGNORED, renames with cookies.
#include "vfs/inotify.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "vfs/fsnotify.h"
#include "vfs/test_tree.h"
#include "vfs/vfs.h"

namespace sentry::vfs {
namespace {

struct Ev {
  int wd;
  uint32_t mask;
  uint32_t cookie;
  std::string name;
};

class InotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = testing::MakeTestVfs();
    ASSERT_NE(vfs_, nullptr);
    ASSERT_TRUE(vfs_->Mount("/tmp", MakeTmpfs(TmpfsOptions{.size_bytes = 1 << 20}), "tmpfs",
                            true)
                    .ok());
    ctx_ = vfs_->RootContext();
    auto f = InotifyFile::Create(IN_NONBLOCK);
    ASSERT_TRUE(f.ok());
    in_ = *f;
  }
  void TearDown() override {
    in_.reset();
    EXPECT_EQ(fsnotify::g_watches, 0);
  }
  int Watch(std::string_view path, uint32_t mask) {
    auto r = vfs_->Resolve(ctx_, {}, nullptr, path, true);
    EXPECT_TRUE(r.ok());
    return static_cast<int>(in_->AddWatch(r->dentry, mask).value());
  }
  FileRef Open(std::string_view path, int flags) {
    auto f = vfs_->OpenAt(ctx_, {}, nullptr, path, flags, 0644);
    EXPECT_TRUE(f.ok()) << path;
    return f.ok() ? *f : nullptr;
  }
  std::vector<Ev> Drain() {
    std::vector<Ev> out;
    char buf[4096];
    SysResult r = in_->Read(std::span<char>(buf, sizeof(buf)));
    if (!r.ok()) return out;
    for (int64_t at = 0; at < r.value();) {
      inotify_event e;
      std::memcpy(&e, buf + at, sizeof(e));
      out.push_back(Ev{e.wd, e.mask, e.cookie, std::string(buf + at + sizeof(e)).c_str()});
      at += sizeof(e) + e.len;
    }
    return out;
  }
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
  std::shared_ptr<InotifyFile> in_;
};

TEST_F(InotifyTest, NoWatchesNoCounter) {
  EXPECT_EQ(fsnotify::g_watches, 0);
  char buf[64];
  EXPECT_EQ(in_->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);
  EXPECT_EQ(in_->Readiness(POLLIN), 0u);
  EXPECT_EQ(in_->Path(), "anon_inode:inotify");
}

TEST_F(InotifyTest, CreateWriteCloseDelete) {
  int wd = Watch("/tmp", IN_ALL_EVENTS);
  EXPECT_EQ(fsnotify::g_watches, 1);
  {
    FileRef f = Open("/tmp/a", O_CREAT | O_WRONLY);
    fsnotify::FileEvent(*f, IN_MODIFY);  // what the write handler does
  }
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, {}, nullptr, "/tmp/a", false).ok());
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/d", 0755).ok());
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_CREATE});
  EXPECT_EQ(ev[0].name, "a");
  EXPECT_EQ(ev[0].wd, wd);
  EXPECT_EQ(ev[1].mask, uint32_t{IN_OPEN});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_MODIFY});
  EXPECT_EQ(ev[3].mask, uint32_t{IN_CLOSE_WRITE});
  EXPECT_EQ(ev[4].mask, uint32_t{IN_DELETE});
  EXPECT_EQ(ev[5].mask, uint32_t{IN_CREATE | IN_ISDIR});
  EXPECT_EQ(ev[5].name, "d");
}

TEST_F(InotifyTest, RecordLayoutAndSmallBuffer) {
  Watch("/tmp", IN_CREATE);
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/abc", 0755).ok());
  int n = 0;
  ASSERT_TRUE(in_->Ioctl(FIONREAD, &n).ok());
  EXPECT_EQ(n, 32);  // 16-byte header + "abc\0" padded to 16
  char small[31];
  EXPECT_EQ(in_->Read(std::span<char>(small, sizeof(small))).error(), EINVAL);
  char buf[64];
  EXPECT_EQ(in_->Read(std::span<char>(buf, sizeof(buf))).value(), 32);
  inotify_event e;
  std::memcpy(&e, buf, sizeof(e));
  EXPECT_EQ(e.len, 16u);
  EXPECT_STREQ(buf + 16, "abc");
}

TEST_F(InotifyTest, CoalescesIdenticalConsecutiveEvents) {
  Watch("/tmp", IN_MODIFY);
  FileRef f = Open("/tmp/x", O_CREAT | O_WRONLY);
  for (int i = 0; i < 3; ++i) fsnotify::FileEvent(*f, IN_MODIFY);
  EXPECT_EQ(in_->queued_events(), 1u);
}

TEST_F(InotifyTest, OverflowQueuesOneOverflowEvent) {
  int wd = Watch("/tmp", IN_CREATE | IN_DELETE);
  for (size_t i = 0; i < inotify::kMaxQueuedEvents / 2 + 10; ++i) {
    ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/o", 0755).ok());
    ASSERT_TRUE(vfs_->UnlinkAt(ctx_, {}, nullptr, "/tmp/o", true).ok());
  }
  EXPECT_EQ(in_->queued_events(), inotify::kMaxQueuedEvents + 1);
  std::vector<char> buf(1 << 20);
  int64_t got = in_->Read(std::span<char>(buf.data(), buf.size())).value();
  inotify_event last;
  std::memcpy(&last, buf.data() + got - sizeof(last), sizeof(last));
  EXPECT_EQ(last.wd, -1);
  EXPECT_EQ(last.mask, uint32_t{IN_Q_OVERFLOW});
  (void)wd;
}

TEST_F(InotifyTest, OneShotAndRmWatch) {
  int wd = Watch("/tmp", IN_CREATE | IN_ONESHOT);
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/1", 0755).ok());
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/2", 0755).ok());
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].name, "1");
  EXPECT_EQ(ev[1].mask, uint32_t{IN_IGNORED});
  EXPECT_EQ(ev[1].wd, wd);
  EXPECT_EQ(in_->RemoveWatch(wd), EINVAL);
  int wd2 = Watch("/tmp", IN_CREATE);
  EXPECT_NE(wd2, wd);
  EXPECT_EQ(in_->RemoveWatch(wd2), 0);
  ev = Drain();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_IGNORED});
}

TEST_F(InotifyTest, MaskAddAndCreate) {
  int wd = Watch("/tmp", IN_CREATE);
  EXPECT_EQ(Watch("/tmp", IN_DELETE | IN_MASK_ADD), wd);
  auto r = vfs_->Resolve(ctx_, {}, nullptr, "/tmp", true);
  EXPECT_EQ(in_->AddWatch(r->dentry, IN_DELETE | IN_MASK_CREATE).error(), EEXIST);
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/m", 0755).ok());
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, {}, nullptr, "/tmp/m", true).ok());
  EXPECT_EQ(Drain().size(), 2u);
}

TEST_F(InotifyTest, RenameSharesCookieAndMoveSelf) {
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/src", 0755).ok());
  ASSERT_TRUE(vfs_->MkdirAt(ctx_, {}, nullptr, "/tmp/dst", 0755).ok());
  Open("/tmp/src/f", O_CREAT | O_WRONLY);
  int ws = Watch("/tmp/src", IN_MOVE);
  int wd = Watch("/tmp/dst", IN_MOVE);
  int wf = Watch("/tmp/src/f", IN_MOVE_SELF);
  ASSERT_TRUE(vfs_->RenameAt(ctx_, {}, nullptr, "/tmp/src/f", nullptr, "/tmp/dst/g", 0).ok());
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].wd, ws);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_MOVED_FROM});
  EXPECT_EQ(ev[0].name, "f");
  EXPECT_EQ(ev[1].wd, wd);
  EXPECT_EQ(ev[1].mask, uint32_t{IN_MOVED_TO});
  EXPECT_EQ(ev[1].name, "g");
  EXPECT_NE(ev[0].cookie, 0u);
  EXPECT_EQ(ev[0].cookie, ev[1].cookie);
  EXPECT_EQ(ev[2].wd, wf);
  EXPECT_EQ(ev[2].mask, uint32_t{IN_MOVE_SELF});
}

TEST_F(InotifyTest, DeleteSelfEndsWatch) {
  Open("/tmp/gone", O_CREAT | O_WRONLY);
  int wd = Watch("/tmp/gone", IN_ALL_EVENTS);
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, {}, nullptr, "/tmp/gone", false).ok());
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_DELETE_SELF});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_IGNORED});
  EXPECT_EQ(ev[2].wd, wd);
  EXPECT_EQ(in_->watch_count(), 0u);
}

// Linux frees an unlinked inode (IN_DELETE_SELF) at the last close of what holds it open,
// O_PATH descriptions included; the unlink itself is IN_ATTRIB (the link count).
TEST_F(InotifyTest, DeleteSelfWaitsForTheLastClose) {
  FileRef f = Open("/tmp/held", O_CREAT | O_WRONLY);
  FileRef p = Open("/tmp/held", O_PATH);
  int wd = Watch("/tmp/held", IN_ALL_EVENTS);
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, {}, nullptr, "/tmp/held", false).ok());
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(fsnotify::PendingGone(), 1u);
  fsnotify::FileEvent(*f, IN_MODIFY);  // still watched while open
  f.reset();
  ev = Drain();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_MODIFY});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_CLOSE_WRITE});
  EXPECT_EQ(in_->watch_count(), 1u);
  p.reset();  // the last use
  ev = Drain();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_DELETE_SELF});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_IGNORED});
  EXPECT_EQ(ev[1].wd, wd);
  EXPECT_EQ(in_->watch_count(), 0u);
  EXPECT_EQ(fsnotify::PendingGone(), 0u);
}

// A file with another link left is not freed when its last description closes.
TEST_F(InotifyTest, CloseOfALinkedFileFreesNothing) {
  FileRef f = Open("/tmp/one", O_CREAT | O_WRONLY);
  ASSERT_TRUE(vfs_->LinkAt(ctx_, {}, nullptr, "/tmp/one", nullptr, "/tmp/two", 0).ok());
  Watch("/tmp/one", IN_DELETE_SELF | IN_ATTRIB);
  ASSERT_TRUE(vfs_->UnlinkAt(ctx_, {}, nullptr, "/tmp/one", false).ok());
  f.reset();
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(in_->watch_count(), 1u);
  EXPECT_EQ(fsnotify::PendingGone(), 0u);
}

TEST_F(InotifyTest, AttribAndTruncate) {
  Open("/tmp/t", O_CREAT | O_WRONLY);
  Watch("/tmp", IN_ATTRIB | IN_MODIFY);
  Vfs::AttrRequest chmod;
  chmod.kind = Vfs::AttrRequest::Kind::kChmod;
  chmod.mode = 0600;
  ASSERT_TRUE(vfs_->SetAttrAt(ctx_, {}, nullptr, "/tmp/t", true, chmod).ok());
  Vfs::AttrRequest trunc;
  trunc.kind = Vfs::AttrRequest::Kind::kTruncate;
  trunc.size = 10;
  ASSERT_TRUE(vfs_->SetAttrAt(ctx_, {}, nullptr, "/tmp/t", true, trunc).ok());
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(ev[0].name, "t");
  EXPECT_EQ(ev[1].mask, uint32_t{IN_MODIFY});
}

}  // namespace
}  // namespace sentry::vfs
