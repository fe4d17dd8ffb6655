// Tests that gofer::Client turns malformed server replies into EIO (never a crash) and
// accepts well-formed ones. Replies are queued on the socket before each call, so no server
// thread is needed. Test-only; main thread.
#include "gofer/client.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "gofer/channel.h"
#include "gofer/protocol.h"
#include "gofer/test_util.h"
#include "gofer/wire.h"

namespace sentry::gofer {
namespace {

using testing::Bytes;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    timeval tv{.tv_sec = 5, .tv_usec = 0};
    ASSERT_EQ(::setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    client_ = std::make_unique<Client>(UniqueFd(sv[0]));
    peer_.reset(sv[1]);
  }

  // Queues a reply for the client's next request (tags start at 1).
  void Queue(uint16_t op, int32_t error, std::string_view body = {}, int fd = -1,
             uint32_t tag = 0) {
    std::string msg;
    wire::Writer w(&msg);
    w.Begin(op | wire::kReplyBit, tag != 0 ? tag : next_tag_, error);
    w.PutBytes(body);
    w.Finish();
    QueueRaw(msg, fd);
  }
  void QueueRaw(std::string_view msg, int fd = -1) {
    ASSERT_EQ(SendMessage(peer_.get(), msg, fd), 0);
  }
  // Call after each client call that sent a request.
  void Sent() { ++next_tag_; }

  static std::string StatBody() {
    wire::Attr a{};
    a.mode = S_IFREG | 0644;
    a.size = 42;
    return std::string(Bytes(a));
  }

  std::unique_ptr<Client> client_;
  UniqueFd peer_;
  uint32_t next_tag_ = 1;
};

TEST_F(ClientTest, WellFormedStatAndErrno) {
  Queue(wire::kStat, 0, StatBody());
  auto a = client_->Stat(5);
  Sent();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->size, 42u);
  Queue(wire::kStat, ENOENT);
  EXPECT_EQ(client_->Stat(5).error(), ENOENT);
}

TEST_F(ClientTest, WrongTagIsEioAndBreaksTheChannel) {
  Queue(wire::kStat, 0, StatBody(), -1, /*tag=*/77);
  EXPECT_EQ(client_->Stat(5).error(), EIO);
  Queue(wire::kStat, 0, StatBody());
  EXPECT_EQ(client_->Stat(5).error(), EIO);  // broken: does not even send
}

TEST_F(ClientTest, WrongOpIsEio) {
  Queue(wire::kReadLink, 0, StatBody());
  EXPECT_EQ(client_->Stat(5).error(), EIO);
}

TEST_F(ClientTest, ShortRecordIsEio) {
  QueueRaw("abc");
  EXPECT_EQ(client_->Stat(5).error(), EIO);
}

TEST_F(ClientTest, SizeMismatchIsEio) {
  std::string msg;
  wire::Writer w(&msg);
  w.Begin(wire::kStat | wire::kReplyBit, 1);
  w.PutBytes(StatBody());
  w.Finish();
  msg[0] ^= 1;
  QueueRaw(msg);
  EXPECT_EQ(client_->Stat(5).error(), EIO);
}

TEST_F(ClientTest, TruncatedStatBodyIsEio) {
  Queue(wire::kStat, 0, StatBody().substr(0, 50));
  EXPECT_EQ(client_->Stat(5).error(), EIO);
}

TEST_F(ClientTest, BadErrnoIsEio) {
  Queue(wire::kStat, 99999);
  EXPECT_EQ(client_->Stat(5).error(), EIO);
}

TEST_F(ClientTest, ErrorReplyWithBodyIsEio) {
  Queue(wire::kStat, ENOENT, "junk");
  EXPECT_EQ(client_->Stat(5).error(), EIO);
}

TEST_F(ClientTest, NegativeErrnoIsEio) {
  Queue(wire::kStat, -5);
  EXPECT_EQ(client_->Stat(5).error(), EIO);
}

TEST_F(ClientTest, WalkReplyCountsAreChecked) {
  std::vector<std::string_view> names = {"a"};
  Queue(wire::kWalk, 0, Bytes(wire::WalkReply{.count = 2, .error = 0}));
  EXPECT_EQ(client_->Walk(1, names).error(), EIO);
}

TEST_F(ClientTest, WalkReplyMissingStepIsEio) {
  std::vector<std::string_view> names = {"a", "b"};
  Queue(wire::kWalk, 0, Bytes(wire::WalkReply{.count = 1, .error = 0}));
  EXPECT_EQ(client_->Walk(1, names).error(), EIO);
}

TEST_F(ClientTest, WalkShortWithoutSymlinkOrErrorIsEio) {
  std::vector<std::string_view> names = {"a", "b"};
  wire::Step step{};
  step.handle = 9;
  step.attr.mode = S_IFDIR | 0755;
  Queue(wire::kWalk, 0,
        std::string(Bytes(wire::WalkReply{.count = 1, .error = 0})) + std::string(Bytes(step)));
  EXPECT_EQ(client_->Walk(1, names).error(), EIO);
}

TEST_F(ClientTest, WalkGoodReply) {
  std::vector<std::string_view> names = {"a", "b"};
  wire::Step step{};
  step.handle = 9;
  step.attr.mode = S_IFDIR | 0755;
  Queue(
      wire::kWalk, 0,
      std::string(Bytes(wire::WalkReply{.count = 1, .error = ENOENT})) + std::string(Bytes(step)));
  auto r = client_->Walk(1, names);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error, ENOENT);
  ASSERT_EQ(r->steps.size(), 1u);
  EXPECT_EQ(r->steps[0].handle, 9u);
}

TEST_F(ClientTest, WalkRefusesBadNamesLocally) {
  std::vector<std::string_view> names = {"a", ".."};
  EXPECT_EQ(client_->Walk(1, names).error(), EINVAL);
}

std::string Dirent(std::string_view name, uint16_t len_override = 0) {
  wire::Dirent d{};
  d.ino = 1;
  d.type = DT_REG;
  d.name_len = len_override ? len_override : static_cast<uint16_t>(name.size());
  return std::string(Bytes(d)) + std::string(name);
}

TEST_F(ClientTest, ReadDirNameLengthPastTheEndIsEio) {
  Queue(wire::kReadDir, 0, std::string(Bytes(wire::ReadDirReply{.count = 1})) + Dirent("x", 40));
  EXPECT_EQ(client_->ReadDir(1, 0, 10).error(), EIO);
}

TEST_F(ClientTest, ReadDirBadNamesAreEio) {
  Queue(wire::kReadDir, 0, std::string(Bytes(wire::ReadDirReply{.count = 1})) + Dirent("a/b"));
  EXPECT_EQ(client_->ReadDir(1, 0, 10).error(), EIO);
}

TEST_F(ClientTest, ReadDirDotDotIsEio) {
  Queue(wire::kReadDir, 0, std::string(Bytes(wire::ReadDirReply{.count = 1})) + Dirent(".."));
  EXPECT_EQ(client_->ReadDir(1, 0, 10).error(), EIO);
}

TEST_F(ClientTest, ReadDirTooManyEntriesIsEio) {
  Queue(wire::kReadDir, 0,
        std::string(Bytes(wire::ReadDirReply{.count = 2})) + Dirent("a") + Dirent("b"));
  EXPECT_EQ(client_->ReadDir(1, 0, 1).error(), EIO);
}

TEST_F(ClientTest, ReadDirGood) {
  Queue(wire::kReadDir, 0,
        std::string(Bytes(wire::ReadDirReply{.count = 2})) + Dirent("a") + Dirent("bb"));
  auto r = client_->ReadDir(1, 0, 10);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].name, "bb");
}

TEST_F(ClientTest, ReadLinkLengthPastTheEndIsEio) {
  Queue(wire::kReadLink, 0, std::string(Bytes(wire::ReadLinkReply{.len = 100})) + "short");
  EXPECT_EQ(client_->ReadLink(1).error(), EIO);
}

TEST_F(ClientTest, OpenWithoutFdIsEio) {
  Queue(wire::kOpen, 0);
  EXPECT_EQ(client_->Open(1, O_RDONLY).error(), EIO);
}

TEST_F(ClientTest, OpenWithFdSucceeds) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  Queue(wire::kOpen, 0, {}, r.get());
  auto fd = client_->Open(1, O_RDONLY);
  ASSERT_TRUE(fd.ok());
  EXPECT_TRUE(fd->valid());
}

TEST_F(ClientTest, FdOnANonOpenReplyIsEio) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  Queue(wire::kStat, 0, StatBody(), r.get());
  EXPECT_EQ(client_->Stat(1).error(), EIO);
}

TEST_F(ClientTest, EofIsEio) {
  peer_.reset();
  EXPECT_EQ(client_->Stat(1).error(), EIO);
}

TEST_F(ClientTest, CloseAcksAreSkipped) {
  Handle hs[] = {3, 4};
  Queue(wire::kClose, 0);  // ack of the Close (tag 1)
  client_->Close(hs);
  Sent();
  Queue(wire::kStat, 0, StatBody());
  auto a = client_->Stat(5);
  ASSERT_TRUE(a.ok()) << a.error();
  // The peer received a CLOSE with both handles, then the STAT.
  char buf[256];
  Received rx;
  ASSERT_EQ(RecvMessage(peer_.get(), absl::MakeSpan(buf), &rx), 0);
  wire::Header h;
  std::memcpy(&h, buf, sizeof(h));
  EXPECT_EQ(h.op, wire::kClose);
  EXPECT_EQ(rx.size, sizeof(wire::Header) + sizeof(wire::CloseReq) + 2 * sizeof(uint64_t));
}

TEST_F(ClientTest, UnexpectedCloseAckIsEio) {
  Queue(wire::kClose, 0);
  EXPECT_EQ(client_->Stat(1).error(), EIO);
}

// Queues a WALK reply of `n` directory steps with handles first..first+n-1.
std::string DirSteps(uint32_t n, uint64_t first) {
  std::string body(Bytes(wire::WalkReply{.count = n, .error = 0}));
  for (uint32_t i = 0; i < n; ++i) {
    wire::Step step{};
    step.handle = first + i;
    step.attr.mode = S_IFDIR | 0755;
    body += Bytes(step);
  }
  return body;
}

// Reads the next request from the peer; returns (dir, count) of a WALK.
std::pair<uint64_t, uint32_t> ReadWalkRequest(int fd) {
  std::string buf(wire::kMaxMessage, '\0');
  Received rx;
  EXPECT_EQ(RecvMessage(fd, absl::MakeSpan(buf.data(), buf.size()), &rx), 0);
  wire::Header h{};
  wire::WalkReq req{};
  std::memcpy(&h, buf.data(), sizeof(h));
  std::memcpy(&req, buf.data() + sizeof(h), sizeof(req));
  EXPECT_EQ(h.op, wire::kWalk);
  EXPECT_EQ(h.size, rx.size);
  EXPECT_LE(rx.size, wire::kMaxMessage);
  return {req.dir, req.count};
}

TEST_F(ClientTest, LongWalkIsSplitByCount) {
  std::vector<std::string_view> names(300, "d");
  Queue(wire::kWalk, 0, DirSteps(255, 1000), -1, 1);
  Queue(wire::kWalk, 0, DirSteps(45, 2000), -1, 2);
  auto r = client_->Walk(7, names);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->error, 0);
  ASSERT_EQ(r->steps.size(), 300u);
  EXPECT_EQ(r->steps[299].handle, 2044u);
  EXPECT_EQ(ReadWalkRequest(peer_.get()), std::make_pair(uint64_t{7}, uint32_t{255}));
  EXPECT_EQ(ReadWalkRequest(peer_.get()), std::make_pair(uint64_t{1254}, uint32_t{45}));
}

TEST_F(ClientTest, LongWalkIsSplitByBytes) {
  std::string name(255, 'n');
  std::vector<std::string_view> names(255, name);
  const uint32_t first = (wire::kMaxMessage - sizeof(wire::Header) - sizeof(wire::WalkReq)) / 257;
  Queue(wire::kWalk, 0, DirSteps(first, 1000), -1, 1);
  Queue(wire::kWalk, 0, DirSteps(255 - first, 2000), -1, 2);
  auto r = client_->Walk(7, names);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->steps.size(), 255u);
  EXPECT_EQ(ReadWalkRequest(peer_.get()), std::make_pair(uint64_t{7}, first));
  EXPECT_EQ(ReadWalkRequest(peer_.get()), std::make_pair(uint64_t{1000 + first - 1}, 255 - first));
}

TEST_F(ClientTest, LongWalkStopsAfterAShortChunk) {
  std::vector<std::string_view> names(300, "d");
  std::string body(Bytes(wire::WalkReply{.count = 1, .error = ENOENT}));
  wire::Step step{};
  step.handle = 5;
  step.attr.mode = S_IFDIR | 0755;
  body += Bytes(step);
  Queue(wire::kWalk, 0, body, -1, 1);
  auto r = client_->Walk(7, names);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error, ENOENT);
  EXPECT_EQ(r->steps.size(), 1u);
}

}  // namespace
}  // namespace sentry::gofer
