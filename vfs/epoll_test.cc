// Tests EpollFile over pipes and eventfds: registration errors, data passed back verbatim,
// level vs edge triggering, EPOLLONESHOT rearming, two fds of one description, release of
// a description dropping its registration, nesting. Single-threaded unit test.
#include "vfs/epoll.h"

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>

#include "gtest/gtest.h"
#include "vfs/eventfd.h"
#include "vfs/pipe.h"

namespace sentry::vfs {
namespace {

epoll_event Ev(uint32_t events, uint64_t data) { return epoll_event{events, {.u64 = data}}; }

struct Fixture {
  std::shared_ptr<EpollFile> ep;
  FileRef r, w;
  Fixture() {
    auto e = EpollFile::Create();
    EXPECT_TRUE(e.ok());
    ep = *e;
    auto p = MakePipe(O_NONBLOCK);
    EXPECT_TRUE(p.ok());
    r = p->first;
    w = p->second;
  }
  int Collect(epoll_event* out, int n = 8) {
    return static_cast<int>(ep->Collect(std::span<epoll_event>(out, n)).value());
  }
  void WriteByte() { EXPECT_EQ(w->Write(std::span<const char>("x", 1)).value(), 1); }
};

TEST(EpollTest, CtlErrorsAndData) {
  Fixture f;
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, f.r, Ev(EPOLLIN, 0xdeadbeefcafeULL)), 0);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, f.r, Ev(EPOLLIN, 1)), EEXIST);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_MOD, 4, f.r, Ev(EPOLLIN, 1)), ENOENT);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_DEL, 4, f.r, Ev(0, 0)), ENOENT);
  EXPECT_EQ(f.ep->Ctl(99, 3, f.r, Ev(EPOLLIN, 1)), EINVAL);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_MOD, 3, f.r, Ev(EPOLLIN | EPOLLEXCLUSIVE, 1)), EINVAL);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 5, f.w, Ev(EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 1)),
            EINVAL);
  epoll_event out[8];
  EXPECT_EQ(f.Collect(out), 0);
  f.WriteByte();
  ASSERT_EQ(f.Collect(out), 1);
  EXPECT_EQ(out[0].events, static_cast<uint32_t>(EPOLLIN));
  EXPECT_EQ(out[0].data.u64, 0xdeadbeefcafeULL);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_MOD, 3, f.r, Ev(EPOLLIN, 42)), 0);
  ASSERT_EQ(f.Collect(out), 1);
  EXPECT_EQ(out[0].data.u64, 42u);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_DEL, 3, f.r, Ev(0, 0)), 0);
  EXPECT_EQ(f.Collect(out), 0);
  EXPECT_EQ(f.ep->size(), 0u);
}

TEST(EpollTest, LevelEdgeOneshot) {
  Fixture f;
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, f.r, Ev(EPOLLIN | EPOLLET, 3)), 0);
  epoll_event out[8];
  f.WriteByte();
  EXPECT_EQ(f.Collect(out), 1);
  EXPECT_EQ(f.Collect(out), 0);  // edge: reported once
  f.WriteByte();
  EXPECT_EQ(f.Collect(out), 1);  // new data: a new edge
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_MOD, 3, f.r, Ev(EPOLLIN | EPOLLONESHOT, 3)), 0);
  EXPECT_EQ(f.Collect(out), 1);
  EXPECT_EQ(f.Collect(out), 0);  // disarmed
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_MOD, 3, f.r, Ev(EPOLLIN, 3)), 0);
  EXPECT_EQ(f.Collect(out), 1);  // level: again and again
  EXPECT_EQ(f.Collect(out), 1);
}

// An undelivered epoll_wait reply gives its events back (Kernel::HandleSyscall): a one-shot
// event the host already consumed comes out of the next Collect, once.
TEST(EpollTest, GivenBackEventsComeFirstOnce) {
  Fixture f;
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, f.r, Ev(EPOLLIN | EPOLLONESHOT, 77)), 0);
  epoll_event out[8];
  f.WriteByte();
  ASSERT_EQ(f.Collect(out), 1);
  EXPECT_EQ(f.Collect(out), 0);  // the host disarmed it
  f.ep->GiveBack(reinterpret_cast<const char*>(out), sizeof(epoll_event));
  epoll_event again[8] = {};
  ASSERT_EQ(f.Collect(again), 1);
  EXPECT_EQ(again[0].events, static_cast<uint32_t>(EPOLLIN));
  EXPECT_EQ(again[0].data.u64, 77u);
  EXPECT_EQ(f.Collect(again), 0);
  // A pipe read given back is read again first, and poll-style readiness shows it.
  char byte = 0;
  ASSERT_EQ(f.r->Read(std::span<char>(&byte, 1)).value(), 1);
  EXPECT_FALSE(f.r->has_pushback());
  f.r->GiveBack(&byte, 1);
  EXPECT_TRUE(f.r->has_pushback());
  char again_byte = 0;
  EXPECT_EQ(f.r->TakePushback(std::span<char>(&again_byte, 1)), 1u);
  EXPECT_EQ(again_byte, 'x');
  EXPECT_FALSE(f.r->has_pushback());
}

TEST(EpollTest, TwoFdsOfOneDescription) {
  Fixture f;
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, f.r, Ev(EPOLLIN, 3)), 0);
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 7, f.r, Ev(EPOLLIN, 7)), 0);  // a dup of fd 3
  f.WriteByte();
  epoll_event out[8];
  ASSERT_EQ(f.Collect(out), 2);
  EXPECT_EQ(out[0].data.u64 + out[1].data.u64, 10u);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_DEL, 7, f.r, Ev(0, 0)), 0);
  ASSERT_EQ(f.Collect(out), 1);
  EXPECT_EQ(out[0].data.u64, 3u);
}

TEST(EpollTest, ReleasedDescriptionLeavesTheSet) {
  Fixture f;
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, f.r, Ev(EPOLLIN, 3)), 0);
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 4, f.r, Ev(EPOLLIN, 4)), 0);  // held through a dup
  f.WriteByte();
  f.r.reset();  // the last reference: the pipe's read end is released
  epoll_event out[8];
  EXPECT_EQ(f.Collect(out), 0);
  EXPECT_EQ(f.ep->size(), 0u);
  // Nothing keeps the host read end open: the writer sees EPIPE.
  signal(SIGPIPE, SIG_IGN);
  EXPECT_EQ(f.w->Write(std::span<const char>("x", 1)).error(), EPIPE);
  // The same number may be registered again for a new description.
  auto e = MakeEventFd(1, 0);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, *e, Ev(EPOLLIN, 9)), 0);
  ASSERT_EQ(f.Collect(out), 1);
  EXPECT_EQ(out[0].data.u64, 9u);
}

TEST(EpollTest, NestedAndPollable) {
  Fixture f;
  auto outer = EpollFile::Create();
  ASSERT_TRUE(outer.ok());
  ASSERT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 3, f.r, Ev(EPOLLIN, 3)), 0);
  ASSERT_EQ((*outer)->Ctl(EPOLL_CTL_ADD, 5, f.ep, Ev(EPOLLIN, 5)), 0);
  EXPECT_EQ(f.ep->Ctl(EPOLL_CTL_ADD, 6, *outer, Ev(EPOLLIN, 6)), ELOOP);
  EXPECT_EQ((*outer)->Ctl(EPOLL_CTL_MOD, 5, f.ep, Ev(EPOLLIN | EPOLLEXCLUSIVE, 5)), EINVAL);
  EXPECT_EQ(f.ep->Readiness(POLLIN), 0u);
  epoll_event out[8];
  EXPECT_EQ((*outer)->Collect(std::span<epoll_event>(out, 8)).value(), 0);
  f.WriteByte();
  EXPECT_EQ(f.ep->Readiness(POLLIN), static_cast<uint32_t>(POLLIN));
  ASSERT_EQ((*outer)->Collect(std::span<epoll_event>(out, 8)).value(), 1);
  EXPECT_EQ(out[0].data.u64, 5u);
  EXPECT_EQ(f.ep->Path(), "anon_inode:[eventpoll]");
  char b[8];
  EXPECT_EQ(f.ep->Read(std::span<char>(b, 8)).error(), EINVAL);
}

}  // namespace
}  // namespace sentry::vfs
