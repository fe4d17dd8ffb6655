// Tests for write_choke.h: a choked host AF_UNIX end reports no POLLOUT (also under epoll),
// is writable again once drained, and a kick gives edge-triggered epoll a new EPOLLOUT.
// Run by ctest (netstack_test).
#include "netstack/write_choke.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/unique_fd.h"

namespace sentry::netstack {
namespace {

short Events(int fd) {
  pollfd p{fd, POLLIN | POLLOUT, 0};
  return ::poll(&p, 1, 0) > 0 ? p.revents : 0;
}

void ChokeAndDrain(int type) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  EXPECT_EQ(Events(a.get()), POLLOUT);
  UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  epoll_event ev{EPOLLOUT, {.u64 = 1}};
  ASSERT_EQ(::epoll_ctl(ep.get(), EPOLL_CTL_ADD, a.get(), &ev), 0);
  ASSERT_TRUE(ChokeWrites(a.get()));
  EXPECT_EQ(Events(a.get()), 0);
  epoll_event out;
  EXPECT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 0);
  // The other end still rings this one (a listener's doorbell).
  ASSERT_EQ(::write(b.get(), "x", 1), 1);
  EXPECT_EQ(Events(a.get()), POLLIN);
  char c;
  ASSERT_EQ(::read(a.get(), &c, 1), 1);
  DrainChoke(b.get());
  EXPECT_EQ(Events(a.get()), POLLOUT);
  EXPECT_EQ(Events(b.get()), POLLOUT);  // nothing left to read
  EXPECT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 1);
}

// A writable end gets a new EPOLLOUT edge from KickWritable, and reports what it did before.
void Kick(int type) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  epoll_event ev{EPOLLOUT | EPOLLIN | EPOLLET, {.u64 = 1}};
  ASSERT_EQ(::epoll_ctl(ep.get(), EPOLL_CTL_ADD, a.get(), &ev), 0);
  epoll_event out;
  ASSERT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 1);  // the edge of the registration
  EXPECT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 0);
  KickWritable(a.get(), b.get());
  ASSERT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 1);
  EXPECT_EQ(out.events, static_cast<uint32_t>(EPOLLOUT));
  EXPECT_EQ(::epoll_wait(ep.get(), &out, 1, 0), 0);
  EXPECT_EQ(Events(a.get()), POLLOUT);
  EXPECT_EQ(Events(b.get()), POLLOUT);  // the byte was read back
}

TEST(WriteChokeTest, KickStream) { Kick(SOCK_STREAM); }
TEST(WriteChokeTest, KickSeqpacket) { Kick(SOCK_SEQPACKET); }

TEST(WriteChokeTest, Stream) { ChokeAndDrain(SOCK_STREAM); }
TEST(WriteChokeTest, Seqpacket) { ChokeAndDrain(SOCK_SEQPACKET); }

}  // namespace
}  // namespace sentry::netstack
