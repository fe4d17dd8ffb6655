// Tests that malformed gofer requests each get an error reply and that the server survives.
// Raw records on the channel; test-only; main thread (the server runs on its own thread).
#include <dirent.h>
#include <sys/stat.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
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
using testing::RawCall;
using testing::Request;
using testing::ServerThread;
using testing::TempTree;

wire::Header ParseHeader(const std::string& reply) {
  wire::Header h{};
  EXPECT_GE(reply.size(), sizeof(h));
  if (reply.size() >= sizeof(h)) std::memcpy(&h, reply.data(), sizeof(h));
  EXPECT_EQ(h.size, reply.size());
  return h;
}

int CountOpenFds() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  while (::readdir(d) != nullptr) ++n;
  ::closedir(d);
  return n;
}

class MalformedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.MakeStandard();
    server_ = std::make_unique<ServerThread>(tree_.path());
    auto root = server_->client().Mount();
    ASSERT_TRUE(root.ok());
    root_ = root->handle;
  }
  void TearDown() override {
    ExpectStatWorks();
    EXPECT_TRUE(server_->Stop().ok());
  }

  // Sends `msg` and expects a header-only error reply with `err`, `op` and `tag`.
  void ExpectError(const std::string& msg, int err, uint16_t op, uint32_t tag) {
    std::string reply = RawCall(server_->fd(), msg);
    wire::Header h = ParseHeader(reply);
    EXPECT_EQ(h.size, sizeof(wire::Header));
    EXPECT_EQ(h.error, err);
    EXPECT_EQ(h.op, op | wire::kReplyBit);
    EXPECT_EQ(h.tag, tag);
    ExpectStatWorks();
  }
  void ExpectStatWorks() {
    std::string reply =
        RawCall(server_->fd(), Request(wire::kStat, 777, Bytes(wire::HandleReq{root_})));
    wire::Header h = ParseHeader(reply);
    EXPECT_EQ(h.error, 0);
    EXPECT_EQ(h.tag, 777u);
    EXPECT_EQ(h.size, sizeof(wire::Header) + sizeof(wire::Attr));
  }

  TempTree tree_;
  std::unique_ptr<ServerThread> server_;
  uint64_t root_ = 0;
};

TEST_F(MalformedTest, TruncatedHeader) {
  std::string msg = Request(wire::kStat, 5, Bytes(wire::HandleReq{root_}));
  ExpectError(msg.substr(0, 5), EINVAL, 0, 0);
  ExpectError(msg.substr(0, 15), EINVAL, 0, 0);
  ExpectError("", EINVAL, 0, 0);
}

TEST_F(MalformedTest, SizeMismatch) {
  std::string msg = Request(wire::kStat, 6, Bytes(wire::HandleReq{root_}));
  uint32_t size = static_cast<uint32_t>(msg.size() + 4);
  std::memcpy(msg.data(), &size, 4);
  ExpectError(msg, EINVAL, wire::kStat, 6);
  size = 3;
  std::memcpy(msg.data(), &size, 4);
  ExpectError(msg, EINVAL, wire::kStat, 6);
}

TEST_F(MalformedTest, BadOpsAndHeaderFields) {
  ExpectError(Request(999, 7), ENOSYS, 999, 7);
  ExpectError(Request(0, 7), ENOSYS, 0, 7);
  ExpectError(Request(19, 7), ENOSYS, 19, 7);
  ExpectError(Request(0x7fff, 7), ENOSYS, 0x7fff, 7);
  ExpectError(Request(wire::kStat | wire::kReplyBit, 8, Bytes(wire::HandleReq{root_})), EINVAL,
              wire::kStat, 8);
  std::string flagged = Request(wire::kStat, 9, Bytes(wire::HandleReq{root_}));
  flagged[6] = 1;  // flags
  ExpectError(flagged, EINVAL, wire::kStat, 9);
  std::string with_error = Request(wire::kStat, 10, Bytes(wire::HandleReq{root_}));
  with_error[12] = 1;  // error field in a request
  ExpectError(with_error, EINVAL, wire::kStat, 10);
}

TEST_F(MalformedTest, BadHandle) {
  ExpectError(Request(wire::kStat, 11, Bytes(wire::HandleReq{424242})), EBADF, wire::kStat, 11);
  ExpectError(Request(wire::kReadLink, 12, Bytes(wire::HandleReq{0})), EBADF, wire::kReadLink, 12);
  ExpectError(Request(wire::kOpen, 13, Bytes(wire::OpenReq{.handle = 99, .flags = 0})), EBADF,
              wire::kOpen, 13);
  wire::ReadDirReq rd{.dir = 99, .offset = 0, .max_entries = 4};
  ExpectError(Request(wire::kReadDir, 14, Bytes(rd)), EBADF, wire::kReadDir, 14);
  std::string walk(Bytes(wire::WalkReq{.dir = 99, .count = 1}));
  walk += std::string(Bytes(uint16_t{1})) + "a";
  ExpectError(Request(wire::kWalk, 15, walk), EBADF, wire::kWalk, 15);
}

TEST_F(MalformedTest, BodyLengths) {
  // Short and long bodies.
  ExpectError(Request(wire::kStat, 20, "abc"), EINVAL, wire::kStat, 20);
  ExpectError(Request(wire::kStat, 21, std::string(Bytes(wire::HandleReq{root_})) + "x"), EINVAL,
              wire::kStat, 21);
  ExpectError(Request(wire::kMount, 22, "x"), EINVAL, wire::kMount, 22);
  ExpectError(Request(wire::kMount, 22), EINVAL, wire::kMount, 22);  // no MountReq
  ExpectError(Request(wire::kMount, 22, Bytes(wire::MountReq{.index = 0, .reserved = 1})), EINVAL,
              wire::kMount, 22);
  ExpectError(Request(wire::kMount, 22, Bytes(wire::MountReq{.index = 1})), ENOENT, wire::kMount,
              22);
  ExpectError(Request(wire::kMount, 22, Bytes(wire::MountReq{.index = 0xffffffff})), ENOENT,
              wire::kMount, 22);
  // Reserved fields must be 0.
  ExpectError(Request(wire::kOpen, 23, Bytes(wire::OpenReq{.handle = root_, .reserved = 1})),
              EINVAL, wire::kOpen, 23);
}

TEST_F(MalformedTest, WalkNameLengthPastTheEnd) {
  std::string body(Bytes(wire::WalkReq{.dir = root_, .count = 1}));
  body += std::string(Bytes(uint16_t{50})) + "short";
  ExpectError(Request(wire::kWalk, 30, body), EINVAL, wire::kWalk, 30);
  // Count larger than the names present.
  std::string body2(Bytes(wire::WalkReq{.dir = root_, .count = 3}));
  body2 += std::string(Bytes(uint16_t{1})) + "a" + std::string(Bytes(uint16_t{1})) + "b";
  ExpectError(Request(wire::kWalk, 31, body2), EINVAL, wire::kWalk, 31);
  // Count past the limit.
  std::string body3(Bytes(wire::WalkReq{.dir = root_, .count = 100000}));
  ExpectError(Request(wire::kWalk, 32, body3), EINVAL, wire::kWalk, 32);
  // Trailing garbage after the names.
  std::string body4(Bytes(wire::WalkReq{.dir = root_, .count = 1}));
  body4 += std::string(Bytes(uint16_t{1})) + "a" + "zz";
  ExpectError(Request(wire::kWalk, 33, body4), EINVAL, wire::kWalk, 33);
  // Bad names never reach the host.
  for (std::string name :
       {std::string(".."), std::string("."), std::string("a/b"), std::string(1, '\0')}) {
    std::string b(Bytes(wire::WalkReq{.dir = root_, .count = 1}));
    b += std::string(Bytes(static_cast<uint16_t>(name.size()))) + name;
    ExpectError(Request(wire::kWalk, 34, b), EINVAL, wire::kWalk, 34);
  }
  std::string b(Bytes(wire::WalkReq{.dir = root_, .count = 1}));
  b += std::string(Bytes(uint16_t{300})) + std::string(300, 'n');
  ExpectError(Request(wire::kWalk, 35, b), ENAMETOOLONG, wire::kWalk, 35);
}

TEST_F(MalformedTest, CloseCountMismatchClosesNothing) {
  std::string body(Bytes(wire::CloseReq{.count = 2}));
  body += Bytes(root_);  // only one handle present
  ExpectError(Request(wire::kClose, 40, body), EINVAL, wire::kClose, 40);
  std::string huge(Bytes(wire::CloseReq{.count = 0xffffffff}));
  ExpectError(Request(wire::kClose, 41, huge), EINVAL, wire::kClose, 41);
  // Unknown handles: EBADF ack; ExpectStatWorks (TearDown) shows root_ is still open.
  std::string unknown(Bytes(wire::CloseReq{.count = 1}));
  unknown += Bytes(uint64_t{5555});
  ExpectError(Request(wire::kClose, 42, unknown), EBADF, wire::kClose, 42);
}

std::string Name(std::string_view n) {
  return std::string(Bytes(static_cast<uint16_t>(n.size()))) + std::string(n);
}

TEST_F(MalformedTest, ChangeRequestsAreCheckedBeforeAnything) {
  // The fixture's server is read-only: a well-formed change is EROFS, so every EINVAL below
  // comes from parsing, before the mount is even looked at.
  ExpectError(Request(wire::kMkdir, 70, std::string(Bytes(wire::MkdirReq{.dir = root_})) + Name("d")),
              EROFS, wire::kMkdir, 70);
  ExpectError(Request(wire::kMkdir, 71,
                      std::string(Bytes(wire::MkdirReq{.dir = root_, .reserved = 1})) + Name("d")),
              EINVAL, wire::kMkdir, 71);
  ExpectError(Request(wire::kMkdir, 72, std::string(Bytes(wire::MkdirReq{.dir = root_}))),
              EINVAL, wire::kMkdir, 72);  // no name
  ExpectError(Request(wire::kMkdir, 73,
                      std::string(Bytes(wire::MkdirReq{.dir = root_})) + Name("d") + "x"),
              EINVAL, wire::kMkdir, 73);  // trailing bytes
  for (std::string bad : {std::string(".."), std::string("a/b"), std::string("x\0y", 3)}) {
    ExpectError(Request(wire::kCreate, 74,
                        std::string(Bytes(wire::CreateReq{.dir = root_, .mode = 0644})) + Name(bad)),
                EINVAL, wire::kCreate, 74);
  }
  ExpectError(Request(wire::kCreate, 75,
                      std::string(Bytes(wire::CreateReq{.dir = root_, .mode = 010644})) + Name("f")),
              EINVAL, wire::kCreate, 75);  // type bits in a CREATE mode
  ExpectError(Request(wire::kMknod, 76,
                      std::string(Bytes(wire::MknodReq{.dir = root_, .mode = S_IFIFO, .rdev = 1})) +
                          Name("p")),
              EINVAL, wire::kMknod, 76);
  // SYMLINK: target length past the end, empty, with a NUL.
  ExpectError(Request(wire::kSymlink, 77,
                      std::string(Bytes(wire::SymlinkReq{.dir = root_, .target_len = 50})) +
                          Name("l") + "short"),
              EINVAL, wire::kSymlink, 77);
  ExpectError(Request(wire::kSymlink, 78,
                      std::string(Bytes(wire::SymlinkReq{.dir = root_, .target_len = 0})) +
                          Name("l")),
              EINVAL, wire::kSymlink, 78);
  ExpectError(Request(wire::kSymlink, 79,
                      std::string(Bytes(wire::SymlinkReq{.dir = root_, .target_len = 3})) +
                          Name("l") + std::string("a\0b", 3)),
              EINVAL, wire::kSymlink, 79);
  // UNLINK flags, RENAME flags and a missing second name.
  ExpectError(Request(wire::kUnlink, 80,
                      std::string(Bytes(wire::UnlinkReq{.dir = root_, .flags = 1})) + Name("f")),
              EINVAL, wire::kUnlink, 80);
  ExpectError(Request(wire::kRename, 81,
                      std::string(Bytes(wire::RenameReq{.old_dir = root_, .new_dir = root_,
                                                        .flags = 3})) +
                          Name("a") + Name("b")),
              EINVAL, wire::kRename, 81);
  ExpectError(Request(wire::kRename, 82,
                      std::string(Bytes(wire::RenameReq{.old_dir = root_, .new_dir = root_})) +
                          Name("a")),
              EINVAL, wire::kRename, 82);
  // SETATTR unknown mask bits and FSYNC flags; bad handles.
  ExpectError(Request(wire::kSetAttr, 83, Bytes(wire::SetAttrReq{.handle = root_, .mask = 1u << 9})),
              EINVAL, wire::kSetAttr, 83);
  ExpectError(Request(wire::kFsync, 84, Bytes(wire::FsyncReq{.handle = root_, .flags = 2})),
              EINVAL, wire::kFsync, 84);
  ExpectError(Request(wire::kStatFs, 85, Bytes(wire::HandleReq{987654})), EBADF, wire::kStatFs,
              85);
  ExpectError(Request(wire::kLink, 86,
                      std::string(Bytes(wire::LinkReq{.dir = root_, .target = 987654})) + Name("l")),
              EBADF, wire::kLink, 86);
  struct stat st;
  EXPECT_NE(::lstat(tree_.Path("d").c_str(), &st), 0);
  EXPECT_NE(::lstat(tree_.Path("l").c_str(), &st), 0);
}

TEST_F(MalformedTest, OversizedMessage) {
  std::string msg = Request(wire::kStat, 50, std::string(wire::kMaxMessage + 100, 'x'));
  ExpectError(msg, EMSGSIZE, wire::kStat, 50);
}

TEST_F(MalformedTest, FdsSentToTheServerAreRefusedAndClosed) {
  const int before = CountOpenFds();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  std::string msg = Request(wire::kStat, 60, Bytes(wire::HandleReq{root_}));
  ASSERT_EQ(SendMessage(server_->fd(), msg, pipefd[0]), 0);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
  char buf[256];
  Received rx;
  ASSERT_EQ(RecvMessage(server_->fd(), absl::MakeSpan(buf), &rx), 0);
  wire::Header h = ParseHeader(std::string(buf, rx.size));
  EXPECT_EQ(h.error, EINVAL);
  EXPECT_EQ(h.tag, 60u);
  EXPECT_EQ(CountOpenFds(), before);
}

}  // namespace
}  // namespace sentry::gofer
