// inotify(7): events for changes in a watched directory (create, modify, close, delete,
// moves with cookies), self events (IN_DELETE_SELF at the last close of an unlinked file),
// copies and xattr changes, IN_ONESHOT, inotify_rm_watch, non-blocking and blocking reads,
// poll/epoll readiness, FIONREAD, overflow, and argument checks. libc + gtest only.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace {

using syscall_test::ScopedFd;

struct Ev {
  int wd;
  uint32_t mask;
  uint32_t cookie;
  std::string name;
};

std::vector<Ev> Parse(const char* buf, ssize_t n) {
  std::vector<Ev> out;
  for (ssize_t at = 0; at < n;) {
    inotify_event e;
    memcpy(&e, buf + at, sizeof(e));
    out.push_back(Ev{e.wd, e.mask, e.cookie, e.len ? std::string(buf + at + sizeof(e)) : ""});
    at += static_cast<ssize_t>(sizeof(e) + e.len);
  }
  return out;
}

std::string Describe(const std::vector<Ev>& ev) {
  std::string s;
  for (const Ev& e : ev) {
    char line[128];
    snprintf(line, sizeof(line), "{wd %d mask %#x cookie %u name '%s'} ", e.wd, e.mask, e.cookie,
             e.name.c_str());
    s += line;
  }
  return s;
}

class InotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/inotify_testXXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    in_.reset(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    ASSERT_TRUE(in_.valid()) << errno;
  }
  void TearDown() override {
    in_.reset();
    RemoveTree(dir_);
  }
  static void RemoveTree(const std::string& path) {
    DIR* d = opendir(path.c_str());
    if (d != nullptr) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        std::string p = path + "/" + n;
        struct stat st;
        if (lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
          RemoveTree(p);
        } else {
          unlink(p.c_str());
        }
      }
      closedir(d);
    }
    rmdir(path.c_str());
  }
  std::string P(const std::string& name) const { return dir_ + "/" + name; }
  int Watch(const std::string& path, uint32_t mask) {
    return inotify_add_watch(in_.get(), path.c_str(), mask);
  }
  std::vector<Ev> Drain() {
    std::vector<Ev> all;
    char buf[8192] __attribute__((aligned(8)));
    for (;;) {
      ssize_t n = read(in_.get(), buf, sizeof(buf));
      if (n <= 0) break;
      auto ev = Parse(buf, n);
      all.insert(all.end(), ev.begin(), ev.end());
    }
    return all;
  }
  void Touch(const std::string& path) {
    int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    close(fd);
  }

  std::string dir_;
  ScopedFd in_;
};

TEST_F(InotifyTest, CreateModifyCloseDelete) {
  int wd = Watch(dir_, IN_ALL_EVENTS);
  ASSERT_GE(wd, 1);
  int fd = open(P("a").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "x", 1), 1);
  ASSERT_EQ(write(fd, "y", 1), 1);  // coalesced with the previous IN_MODIFY
  close(fd);
  ASSERT_EQ(unlink(P("a").c_str()), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 5u) << Describe(ev);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_CREATE});
  EXPECT_EQ(ev[0].name, "a");
  EXPECT_EQ(ev[0].wd, wd);
  EXPECT_EQ(ev[1].mask, uint32_t{IN_OPEN});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_MODIFY});
  EXPECT_EQ(ev[3].mask, uint32_t{IN_CLOSE_WRITE});
  EXPECT_EQ(ev[4].mask, uint32_t{IN_DELETE});
  EXPECT_EQ(ev[4].name, "a");
}

TEST_F(InotifyTest, AccessAndCloseNowrite) {
  Touch(P("r"));
  Watch(dir_, IN_ACCESS | IN_CLOSE_NOWRITE | IN_OPEN);
  int fd = open(P("r").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  char c;
  ASSERT_EQ(read(fd, &c, 1), 0);  // empty: no IN_ACCESS
  close(fd);
  ASSERT_EQ(truncate(P("r").c_str(), 3), 0);
  fd = open(P("r").c_str(), O_RDONLY);
  ASSERT_EQ(read(fd, &c, 1), 1);
  close(fd);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 5u) << Describe(ev);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_OPEN});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_CLOSE_NOWRITE});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_OPEN});
  EXPECT_EQ(ev[3].mask, uint32_t{IN_ACCESS});
  EXPECT_EQ(ev[4].mask, uint32_t{IN_CLOSE_NOWRITE});
}

TEST_F(InotifyTest, AttribAndTruncate) {
  Touch(P("t"));
  Watch(dir_, IN_ATTRIB | IN_MODIFY);
  ASSERT_EQ(chmod(P("t").c_str(), 0600), 0);
  ASSERT_EQ(truncate(P("t").c_str(), 10), 0);
  int fd = open(P("t").c_str(), O_WRONLY);
  ASSERT_EQ(ftruncate(fd, 0), 0);  // coalesced with the truncate's IN_MODIFY
  ASSERT_EQ(fchmod(fd, 0644), 0);
  close(fd);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 3u) << Describe(ev);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(ev[0].name, "t");
  EXPECT_EQ(ev[1].mask, uint32_t{IN_MODIFY});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_ATTRIB});
}

TEST_F(InotifyTest, DirectoriesCarryIsdir) {
  Watch(dir_, IN_CREATE | IN_DELETE);
  ASSERT_EQ(mkdir(P("d").c_str(), 0755), 0);
  ASSERT_EQ(rmdir(P("d").c_str()), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 2u) << Describe(ev);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_CREATE | IN_ISDIR});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_DELETE | IN_ISDIR});
  EXPECT_EQ(ev[1].name, "d");
}

TEST_F(InotifyTest, MovesShareCookie) {
  ASSERT_EQ(mkdir(P("src").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(P("dst").c_str(), 0755), 0);
  Touch(P("src/f"));
  int ws = Watch(P("src"), IN_MOVE);
  int wd = Watch(P("dst"), IN_MOVE);
  ASSERT_EQ(rename(P("src/f").c_str(), P("dst/g").c_str()), 0);
  ASSERT_EQ(rename(P("dst/g").c_str(), P("dst/h").c_str()), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 4u) << Describe(ev);
  EXPECT_EQ(ev[0].wd, ws);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_MOVED_FROM});
  EXPECT_EQ(ev[0].name, "f");
  EXPECT_EQ(ev[1].wd, wd);
  EXPECT_EQ(ev[1].mask, uint32_t{IN_MOVED_TO});
  EXPECT_EQ(ev[1].name, "g");
  EXPECT_NE(ev[0].cookie, 0u);
  EXPECT_EQ(ev[0].cookie, ev[1].cookie);
  EXPECT_EQ(ev[2].name, "g");
  EXPECT_EQ(ev[3].name, "h");
  EXPECT_EQ(ev[2].cookie, ev[3].cookie);
  EXPECT_NE(ev[2].cookie, ev[0].cookie);
}

TEST_F(InotifyTest, SelfEvents) {
  Touch(P("s"));
  int ws = Watch(P("s"), IN_ALL_EVENTS);
  ASSERT_EQ(rename(P("s").c_str(), P("s2").c_str()), 0);
  int fd = open(P("s2").c_str(), O_WRONLY);
  ASSERT_EQ(write(fd, "z", 1), 1);
  close(fd);
  ASSERT_EQ(unlink(P("s2").c_str()), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 7u) << Describe(ev);
  for (const Ev& e : ev) {
    EXPECT_EQ(e.wd, ws);
    EXPECT_EQ(e.name, "");
  }
  EXPECT_EQ(ev[0].mask, uint32_t{IN_MOVE_SELF});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_OPEN});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_MODIFY});
  EXPECT_EQ(ev[3].mask, uint32_t{IN_CLOSE_WRITE});
  EXPECT_EQ(ev[4].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(ev[5].mask, uint32_t{IN_DELETE_SELF});
  EXPECT_EQ(ev[6].mask, uint32_t{IN_IGNORED});
}

TEST_F(InotifyTest, DirectorySelfDelete) {
  ASSERT_EQ(mkdir(P("sd").c_str(), 0755), 0);
  int wd = Watch(P("sd"), IN_DELETE_SELF);
  ASSERT_EQ(rmdir(P("sd").c_str()), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 2u) << Describe(ev);
  EXPECT_EQ(ev[0].wd, wd);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_DELETE_SELF});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_IGNORED});
}

// An unlinked file still open is freed (IN_DELETE_SELF, IN_IGNORED) at its last close.
TEST_F(InotifyTest, DeleteSelfAtLastClose) {
  Touch(P("held"));
  int fd = open(P("held").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int fd2 = dup(fd);  // the same description: its close is not the last
  int ws = Watch(P("held"), IN_ALL_EVENTS);
  ASSERT_GE(ws, 1);
  ASSERT_EQ(unlink(P("held").c_str()), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 1u) << Describe(ev);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_ATTRIB});  // the link count
  close(fd);
  EXPECT_EQ(Drain().size(), 0u);
  close(fd2);
  ev = Drain();
  ASSERT_EQ(ev.size(), 3u) << Describe(ev);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_CLOSE_NOWRITE});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_DELETE_SELF});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_IGNORED});
  EXPECT_EQ(ev[2].wd, ws);
}

// sendfile, copy_file_range and splice report IN_ACCESS on the source and IN_MODIFY on the
// destination, as read and write do.
TEST_F(InotifyTest, CopiesReportAccessAndModify) {
  int src = open(P("src").c_str(), O_CREAT | O_RDWR, 0644);
  int dst = open(P("dst").c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(src, 0);
  ASSERT_GE(dst, 0);
  ASSERT_EQ(write(src, "data", 4), 4);
  Watch(dir_, IN_ACCESS | IN_MODIFY);
  off_t off = 0;
  ASSERT_EQ(sendfile(dst, src, &off, 4), 4);
  loff_t in_off = 0;
  ASSERT_EQ(copy_file_range(src, &in_off, dst, nullptr, 4, 0), 4);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  loff_t splice_off = 0;
  ASSERT_EQ(splice(src, &splice_off, p[1], nullptr, 4, 0), 4);  // file to pipe
  ASSERT_EQ(splice(p[0], nullptr, dst, nullptr, 4, 0), 4);      // pipe to file
  off = 10;
  EXPECT_EQ(sendfile(dst, src, &off, 4), 0);  // nothing copied: no event
  close(p[0]);
  close(p[1]);
  close(src);
  close(dst);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 6u) << Describe(ev);
  const char* want[][2] = {{"a", "src"}, {"m", "dst"}, {"a", "src"},
                           {"m", "dst"}, {"a", "src"}, {"m", "dst"}};
  for (size_t i = 0; i < ev.size(); ++i) {
    EXPECT_EQ(ev[i].mask, want[i][0][0] == 'a' ? uint32_t{IN_ACCESS} : uint32_t{IN_MODIFY}) << i;
    EXPECT_EQ(ev[i].name, want[i][1]) << i;
  }
}

// setxattr and removexattr are attribute changes (IN_ATTRIB).
TEST_F(InotifyTest, XattrChangesAreAttrib) {
  Touch(P("x"));
  if (setxattr(P("x").c_str(), "user.probe", "1", 1, 0) != 0 && errno == EOPNOTSUPP) {
    GTEST_SKIP() << "the native /tmp filesystem has no user xattrs";
  }
  int wd = Watch(dir_, IN_ATTRIB);
  int wf = Watch(P("x"), IN_ATTRIB);
  ASSERT_EQ(setxattr(P("x").c_str(), "user.k", "v", 1, 0), 0);
  ASSERT_EQ(removexattr(P("x").c_str(), "user.k"), 0);
  EXPECT_EQ(removexattr(P("x").c_str(), "user.k"), -1);  // failed: no event
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 4u) << Describe(ev);
  for (size_t i = 0; i < ev.size(); ++i) {
    EXPECT_EQ(ev[i].mask, uint32_t{IN_ATTRIB});
    EXPECT_EQ(ev[i].wd, i % 2 ? wf : wd);
    EXPECT_EQ(ev[i].name, i % 2 ? "" : "x");
  }
}

TEST_F(InotifyTest, OneShot) {
  int wd = Watch(dir_, IN_CREATE | IN_ONESHOT);
  Touch(P("1"));
  Touch(P("2"));
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 2u) << Describe(ev);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_CREATE});
  EXPECT_EQ(ev[0].name, "1");
  EXPECT_EQ(ev[1].wd, wd);
  EXPECT_EQ(ev[1].mask, uint32_t{IN_IGNORED});
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(in_.get(), wd), EINVAL);
}

TEST_F(InotifyTest, RmWatchQueuesIgnored) {
  int wd = Watch(dir_, IN_CREATE);
  ASSERT_EQ(inotify_rm_watch(in_.get(), wd), 0);
  Touch(P("after"));
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 1u) << Describe(ev);
  EXPECT_EQ(ev[0].wd, wd);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_IGNORED});
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(in_.get(), wd), EINVAL);
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(in_.get(), 12345), EINVAL);
}

TEST_F(InotifyTest, SameInodeSameWdAndMaskAdd) {
  int wd = Watch(dir_, IN_CREATE);
  EXPECT_EQ(Watch(dir_ + "/.", IN_DELETE | IN_MASK_ADD), wd);
  EXPECT_SYSCALL_ERRNO(Watch(dir_, IN_DELETE | IN_MASK_CREATE), EEXIST);
  Touch(P("m"));
  ASSERT_EQ(unlink(P("m").c_str()), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 2u) << Describe(ev);
  // Without IN_MASK_ADD the mask is replaced.
  EXPECT_EQ(Watch(dir_, IN_DELETE), wd);
  Touch(P("n"));
  EXPECT_EQ(Drain().size(), 0u);
}

TEST_F(InotifyTest, NonblockingEagainAndSmallBuffer) {
  char buf[64];
  EXPECT_SYSCALL_ERRNO(read(in_.get(), buf, sizeof(buf)), EAGAIN);
  Watch(dir_, IN_CREATE);
  Touch(P("abc"));
  int avail = 0;
  ASSERT_EQ(ioctl(in_.get(), FIONREAD, &avail), 0);
  EXPECT_EQ(avail, 32);  // header + "abc" padded to 16 bytes
  EXPECT_SYSCALL_ERRNO(read(in_.get(), buf, 31), EINVAL);
  ASSERT_EQ(read(in_.get(), buf, sizeof(buf)), 32);
  inotify_event e;
  memcpy(&e, buf, sizeof(e));
  EXPECT_EQ(e.len, 16u);
  EXPECT_STREQ(buf + sizeof(e), "abc");
  ASSERT_EQ(ioctl(in_.get(), FIONREAD, &avail), 0);
  EXPECT_EQ(avail, 0);
}

TEST_F(InotifyTest, PollAndEpollReadiness) {
  Watch(dir_, IN_CREATE);
  struct pollfd p = {in_.get(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);
  ScopedFd ep(epoll_create1(0));
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = 5;
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, in_.get(), &ev), 0);
  struct epoll_event out;
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 0), 0);
  Touch(P("p"));
  EXPECT_EQ(poll(&p, 1, 0), 1);
  EXPECT_EQ(p.revents, POLLIN);
  ASSERT_EQ(epoll_wait(ep.get(), &out, 1, 1000), 1);
  EXPECT_EQ(out.data.u64, 5u);
  Drain();
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 0), 0);
  EXPECT_EQ(poll(&p, 1, 0), 0);
}

TEST_F(InotifyTest, EdgeTriggeredEpollSeesEachEvent) {
  Watch(dir_, IN_CREATE);
  ScopedFd ep(epoll_create1(0));
  struct epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLET;
  ASSERT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, in_.get(), &ev), 0);
  struct epoll_event out;
  Touch(P("e1"));
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 1000), 1);
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 0), 0);  // no new edge without a new event
  Touch(P("e2"));                                   // unread events remain: a new edge still
  EXPECT_EQ(epoll_wait(ep.get(), &out, 1, 1000), 1);
  EXPECT_EQ(Drain().size(), 2u);
}

struct Later {
  std::string path;
};
void* CreateLater(void* arg) {
  usleep(50 * 1000);
  int fd = open(static_cast<Later*>(arg)->path.c_str(), O_CREAT | O_WRONLY, 0644);
  if (fd >= 0) close(fd);
  return nullptr;
}

TEST_F(InotifyTest, BlockingReadWaits) {
  ScopedFd in(inotify_init());
  ASSERT_TRUE(in.valid());
  ASSERT_GE(inotify_add_watch(in.get(), dir_.c_str(), IN_CREATE), 1);
  Later later{P("late")};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, CreateLater, &later), 0);
  char buf[256];
  ssize_t n = read(in.get(), buf, sizeof(buf));
  pthread_join(t, nullptr);
  ASSERT_GT(n, 0);
  auto ev = Parse(buf, n);
  ASSERT_GE(ev.size(), 1u);
  EXPECT_EQ(ev[0].name, "late");
}

TEST_F(InotifyTest, ExclUnlink) {
  Watch(dir_, IN_MODIFY | IN_EXCL_UNLINK);
  int fd = open(P("u").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(unlink(P("u").c_str()), 0);
  ASSERT_EQ(write(fd, "x", 1), 1);
  close(fd);
  EXPECT_EQ(Drain().size(), 0u);
  Watch(dir_, IN_MODIFY);  // replaces the mask: unlinked children report again
  fd = open(P("v").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_EQ(unlink(P("v").c_str()), 0);
  ASSERT_EQ(write(fd, "x", 1), 1);
  close(fd);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 1u) << Describe(ev);
  EXPECT_EQ(ev[0].name, "v");
}

TEST_F(InotifyTest, OnlydirAndDontFollow) {
  Touch(P("file"));
  ASSERT_EQ(symlink("file", P("link").c_str()), 0);
  EXPECT_SYSCALL_ERRNO(Watch(P("file"), IN_ATTRIB | IN_ONLYDIR), ENOTDIR);
  int wl = Watch(P("link"), IN_ATTRIB | IN_DONT_FOLLOW);
  int wf = Watch(P("link"), IN_ATTRIB);
  ASSERT_GE(wl, 1);
  EXPECT_NE(wl, wf);
  EXPECT_EQ(Watch(P("file"), IN_ATTRIB), wf);
  ASSERT_EQ(chmod(P("file").c_str(), 0600), 0);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 1u) << Describe(ev);
  EXPECT_EQ(ev[0].wd, wf);
}

TEST_F(InotifyTest, Overflow) {
  // Reads of two files in turn: one event each (never coalesced), no metadata changes.
  int fds[2];
  for (int i = 0; i < 2; ++i) {
    std::string p = P(i ? "b" : "a");
    fds[i] = open(p.c_str(), O_CREAT | O_RDWR, 0644);
    ASSERT_GE(fds[i], 0);
    ASSERT_EQ(write(fds[i], "x", 1), 1);
  }
  Watch(dir_, IN_ACCESS);
  char c;
  for (int i = 0; i < 8200; ++i) {
    ASSERT_EQ(pread(fds[0], &c, 1, 0), 1);
    ASSERT_EQ(pread(fds[1], &c, 1, 0), 1);
  }
  close(fds[0]);
  close(fds[1]);
  auto ev = Drain();
  ASSERT_EQ(ev.size(), 16385u);
  EXPECT_EQ(ev.back().wd, -1);
  EXPECT_EQ(ev.back().mask, uint32_t{IN_Q_OVERFLOW});
  EXPECT_EQ(ev.back().name, "");
  EXPECT_EQ(ev[16383].mask, uint32_t{IN_ACCESS});
  EXPECT_EQ(ev[16383].name, "b");
  // Once read, the queue takes events again.
  ASSERT_EQ(pread(fds[0] = open(P("a").c_str(), O_RDONLY), &c, 1, 0), 1);
  close(fds[0]);
  ev = Drain();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].name, "a");
}

TEST_F(InotifyTest, Errors) {
  EXPECT_SYSCALL_ERRNO(inotify_init1(0x1), EINVAL);
  EXPECT_SYSCALL_ERRNO(Watch(dir_, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(Watch(dir_, IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
  EXPECT_SYSCALL_ERRNO(Watch(P("missing"), IN_CREATE), ENOENT);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(-1, dir_.c_str(), IN_CREATE), EBADF);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(12345, dir_.c_str(), IN_CREATE), EBADF);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(fds[0], dir_.c_str(), IN_CREATE), EINVAL);
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(fds[0], 1), EINVAL);
  close(fds[0]);
  close(fds[1]);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_inotify_add_watch, in_.get(), 8, IN_CREATE), EFAULT);
  EXPECT_SYSCALL_ERRNO(write(in_.get(), "x", 1), EBADF);  // opened read-only
  EXPECT_EQ(fcntl(in_.get(), F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(fcntl(in_.get(), F_GETFD), FD_CLOEXEC);
  EXPECT_TRUE(fcntl(in_.get(), F_GETFL) & O_NONBLOCK);
  char link[64];
  std::string fdpath = "/proc/self/fd/" + std::to_string(in_.get());
  ssize_t n = readlink(fdpath.c_str(), link, sizeof(link));
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(link, n), "anon_inode:inotify");
}

}  // namespace
