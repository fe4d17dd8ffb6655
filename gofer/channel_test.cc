// Tests for the gofer channel's record I/O: fd passing, empty records vs EOF, truncation.
// Test-only; main thread.
#include "gofer/channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sentry::gofer {
namespace {

struct Pair {
  Pair() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    a.reset(sv[0]);
    b.reset(sv[1]);
  }
  UniqueFd a, b;
};

TEST(ChannelTest, MessageWithFd) {
  Pair p;
  int pipefd[2];
  ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0);
  UniqueFd r(pipefd[0]), w(pipefd[1]);
  ASSERT_EQ(SendMessage(p.a.get(), std::string_view("hi"), r.get()), 0);
  char buf[16];
  Received rx;
  ASSERT_EQ(RecvMessage(p.b.get(), absl::MakeSpan(buf), &rx), 0);
  EXPECT_EQ(std::string_view(buf, rx.size), "hi");
  ASSERT_EQ(rx.fds.size(), 1u);
  EXPECT_FALSE(rx.eof);
  ASSERT_EQ(::write(w.get(), "x", 1), 1);
  char c = 0;
  EXPECT_EQ(::read(rx.fds[0].get(), &c, 1), 1);
  EXPECT_EQ(c, 'x');
  EXPECT_TRUE(::fcntl(rx.fds[0].get(), F_GETFD) & FD_CLOEXEC);
}

TEST(ChannelTest, EmptyRecordIsNotEof) {
  Pair p;
  ASSERT_EQ(SendMessage(p.a.get(), std::string_view()), 0);
  char buf[16];
  Received rx;
  ASSERT_EQ(RecvMessage(p.b.get(), absl::MakeSpan(buf), &rx), 0);
  EXPECT_EQ(rx.size, 0u);
  EXPECT_FALSE(rx.eof);
  p.a.reset();
  ASSERT_EQ(RecvMessage(p.b.get(), absl::MakeSpan(buf), &rx), 0);
  EXPECT_TRUE(rx.eof);
}

TEST(ChannelTest, TruncatedRecord) {
  Pair p;
  std::string big(100, 'z');
  ASSERT_EQ(SendMessage(p.a.get(), big), 0);
  char buf[16];
  Received rx;
  ASSERT_EQ(RecvMessage(p.b.get(), absl::MakeSpan(buf), &rx), 0);
  EXPECT_TRUE(rx.truncated);
  EXPECT_EQ(rx.size, sizeof(buf));
}

TEST(ChannelTest, SendToClosedPeerIsEpipe) {
  Pair p;
  p.b.reset();
  EXPECT_EQ(SendMessage(p.a.get(), std::string_view("x")), EPIPE);
}

}  // namespace
}  // namespace sentry::gofer
