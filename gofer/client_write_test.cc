// Tests that gofer::Client checks the replies to change operations (CREATE ... FSYNC): a
// wrong shape is EIO, an errno is passed through. A raw peer plays the server.
// Test-only; main thread.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "gofer/channel.h"
#include "gofer/client.h"
#include "gofer/protocol.h"
#include "gofer/test_util.h"
#include "gofer/wire.h"

namespace sentry::gofer {
namespace {

using testing::Bytes;

class ClientWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    timeval tv{.tv_sec = 5, .tv_usec = 0};
    ASSERT_EQ(::setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    client_ = std::make_unique<Client>(UniqueFd(sv[0]));
    peer_.reset(sv[1]);
  }
  // Queues the reply to the client's next request (tag 1: one call per test).
  void Queue(uint16_t op, int32_t error, std::string_view body = {}, int fd = -1) {
    std::string msg;
    wire::Writer w(&msg);
    w.Begin(op | wire::kReplyBit, 1, error);
    w.PutBytes(body);
    w.Finish();
    ASSERT_EQ(SendMessage(peer_.get(), msg, fd), 0);
  }
  static std::string StepBody(uint64_t handle, uint32_t mode) {
    wire::Step s{};
    s.handle = handle;
    s.attr.mode = mode;
    return std::string(Bytes(s));
  }
  // The request the client sent (header + body).
  std::string Sent() {
    std::string buf(wire::kMaxMessage, '\0');
    Received rx;
    EXPECT_EQ(RecvMessage(peer_.get(), absl::MakeSpan(buf.data(), buf.size()), &rx), 0);
    buf.resize(rx.size);
    return buf;
  }

  std::unique_ptr<Client> client_;
  UniqueFd peer_;
};

TEST_F(ClientWriteTest, CreateNeedsExactlyOneFdAndARegularFile) {
  Queue(wire::kCreate, 0, StepBody(5, S_IFREG | 0644));
  EXPECT_EQ(client_->Create(1, "f", 0644, O_RDWR, 0, 0).error(), EIO);
}

TEST_F(ClientWriteTest, CreateGood) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  Queue(wire::kCreate, 0, StepBody(5, S_IFREG | 0644), r.get());
  auto c = client_->Create(1, "f", 0644, O_RDWR, 7, 8);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->node.handle, 5u);
  EXPECT_TRUE(c->fd.valid());
  std::string req = Sent();
  wire::CreateReq cr;
  ASSERT_GE(req.size(), sizeof(wire::Header) + sizeof(cr));
  std::memcpy(&cr, req.data() + sizeof(wire::Header), sizeof(cr));
  EXPECT_EQ(cr.dir, 1u);
  EXPECT_EQ(cr.uid, 7u);
  EXPECT_EQ(cr.gid, 8u);
}

TEST_F(ClientWriteTest, CreateOfANonFileIsEio) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  Queue(wire::kCreate, 0, StepBody(5, S_IFDIR | 0755), r.get());
  EXPECT_EQ(client_->Create(1, "f", 0644, O_RDWR, 0, 0).error(), EIO);
}

TEST_F(ClientWriteTest, StepRepliesAreChecked) {
  Queue(wire::kMkdir, 0, StepBody(0, S_IFDIR));  // handle 0
  EXPECT_EQ(client_->Mkdir(1, "d", 0755, 0, 0).error(), EIO);
}

TEST_F(ClientWriteTest, ShortStepIsEio) {
  Queue(wire::kSymlink, 0, StepBody(3, S_IFLNK).substr(0, 20));
  EXPECT_EQ(client_->Symlink(1, "l", "t", 0, 0).error(), EIO);
}

TEST_F(ClientWriteTest, NoBodyRepliesMustBeEmpty) {
  Queue(wire::kUnlink, 0, "x");
  EXPECT_EQ(client_->Unlink(1, "f", false), EIO);
}

TEST_F(ClientWriteTest, ErrnoIsPassedThrough) {
  Queue(wire::kRename, EXDEV);
  EXPECT_EQ(client_->Rename(1, "a", 2, "b", 0), EXDEV);
}

TEST_F(ClientWriteTest, SetAttrNeedsAnAttr) {
  Queue(wire::kSetAttr, 0, "short");
  EXPECT_EQ(client_->SetAttr(1, SetAttrRequest{}).error(), EIO);
}

TEST_F(ClientWriteTest, StatFsGood) {
  wire::StatFsReply r{};
  r.bsize = 4096;
  r.blocks = 10;
  Queue(wire::kStatFs, 0, Bytes(r));
  auto s = client_->StatFs(1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bsize, 4096u);
  EXPECT_EQ(s->blocks, 10u);
}

TEST_F(ClientWriteTest, BadNamesNeverLeave) {
  EXPECT_EQ(client_->Mkdir(1, "a/b", 0755, 0, 0).error(), EINVAL);
  EXPECT_EQ(client_->Unlink(1, "..", false), EINVAL);
  EXPECT_EQ(client_->Rename(1, "ok", 1, ".", 0), EINVAL);
  EXPECT_EQ(client_->Symlink(1, "l", std::string(5000, 'x'), 0, 0).error(), ENAMETOOLONG);
  // Nothing was sent: the next reply read would be the first one queued.
  Queue(wire::kFsync, 0);
  EXPECT_EQ(client_->Fsync(1, false), 0);
}

}  // namespace
}  // namespace sentry::gofer
