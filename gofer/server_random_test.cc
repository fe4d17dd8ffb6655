// Deterministic fuzz-style test: ~20,000 random and mutated requests (fixed seed) each get
// exactly one well-formed reply, and the server still answers MOUNT and STAT afterwards.
// Test-only; main thread (the server runs on its own thread).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gofer/channel.h"
#include "gofer/protocol.h"
#include "gofer/test_util.h"
#include "gofer/wire.h"

namespace sentry::gofer {
namespace {

using testing::Bytes;
using testing::Request;
using testing::ServerThread;
using testing::TempTree;

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  std::string Next() {
    std::string msg = Valid();
    switch (Uniform(6)) {
      case 0:  // valid as is
        break;
      case 1:  // flip a few bytes
        for (int n = 1 + Uniform(4); n > 0 && !msg.empty(); --n) {
          msg[Uniform(msg.size())] = static_cast<char>(rng_());
        }
        break;
      case 2:  // truncate (keep the header's size field: a size mismatch)
        msg.resize(Uniform(msg.size() + 1));
        break;
      case 3:  // truncate and fix up the size: a short body
        msg.resize(Uniform(msg.size() + 1));
        FixSize(&msg);
        break;
      case 4:  // append garbage, sometimes fixing the size
        for (int n = 1 + Uniform(64); n > 0; --n) msg.push_back(static_cast<char>(rng_()));
        if (Uniform(2)) FixSize(&msg);
        break;
      default:  // pure noise
        msg.clear();
        for (int n = Uniform(200); n > 0; --n) msg.push_back(static_cast<char>(rng_()));
        if (msg.size() >= 4 && Uniform(2)) FixSize(&msg);
        break;
    }
    return msg;
  }

 private:
  uint32_t Uniform(size_t n) { return static_cast<uint32_t>(rng_() % n); }
  uint64_t SomeHandle() { return Uniform(8) == 0 ? rng_() : Uniform(64); }
  std::string SomeName() {
    static const char* kNames[] = {"a",     "b",    "c.txt", "file.txt", "escape", "abs",
                                   "empty", "fifo", "..",    ".",        "a/b",    "missing"};
    if (Uniform(8) == 0) {
      std::string s;
      for (int n = Uniform(10); n > 0; --n) s.push_back(static_cast<char>(rng_()));
      return s;
    }
    return kNames[Uniform(std::size(kNames))];
  }
  static void FixSize(std::string* msg) {
    if (msg->size() < 4) return;
    uint32_t size = static_cast<uint32_t>(msg->size());
    std::memcpy(msg->data(), &size, 4);
  }

  std::string Valid() {
    const uint32_t tag = static_cast<uint32_t>(rng_());
    switch (Uniform(11)) {
      case 0:
        return Request(wire::kMount, tag, Bytes(wire::MountReq{.index = Uniform(3)}));
      case 10: {
        const uint32_t count = Uniform(4);  // 0 is refused
        std::string body(Bytes(wire::ReadDirPlusReq{.dir = SomeHandle(), .count = count}));
        for (uint32_t i = 0; i < count; ++i) {
          const uint16_t depth = static_cast<uint16_t>(Uniform(3));
          body += Bytes(wire::DirPlusTarget{.offset = Uniform(4) ? 0 : rng_(), .depth = depth});
          for (uint16_t k = 0; k < depth; ++k) {
            std::string name = SomeName();
            body += std::string(Bytes(static_cast<uint16_t>(name.size()))) + name;
          }
        }
        return Request(wire::kReadDirPlus, tag, body);
      }
      case 1: {
        uint32_t count = Uniform(5);
        std::string body(Bytes(wire::WalkReq{.dir = SomeHandle(), .count = count}));
        for (uint32_t i = 0; i < count; ++i) {
          std::string name = SomeName();
          body += std::string(Bytes(static_cast<uint16_t>(name.size()))) + name;
        }
        return Request(wire::kWalk, tag, body);
      }
      case 2: {
        static const uint32_t kFlags[] = {0, 1, 2, 0x200, 0x400, 0x10000, 0x800, 0x200000};
        uint32_t flags = kFlags[Uniform(std::size(kFlags))];
        return Request(wire::kOpen, tag,
                       Bytes(wire::OpenReq{.handle = SomeHandle(), .flags = flags}));
      }
      case 3:
        return Request(wire::kReadDir, tag,
                       Bytes(wire::ReadDirReq{.dir = SomeHandle(),
                                              .offset = Uniform(4) ? 0 : rng_(),
                                              .max_entries = Uniform(20)}));
      case 4:
        return Request(wire::kReadLink, tag, Bytes(wire::HandleReq{SomeHandle()}));
      case 5:
        return Request(wire::kStat, tag, Bytes(wire::HandleReq{SomeHandle()}));
      case 6: {
        // Rarely close anything: keep handles around for the other requests.
        uint32_t count = Uniform(3);
        std::string body(Bytes(wire::CloseReq{.count = count}));
        for (uint32_t i = 0; i < count; ++i) body += Bytes(uint64_t{100 + Uniform(1000)});
        return Request(wire::kClose, tag, body);
      }
      case 7:
        return Request(static_cast<uint16_t>(wire::kCreate + Uniform(12)), tag, "xxxxxxxx");
      case 8:
        return Change(tag);
      default:
        return Request(static_cast<uint16_t>(rng_()), tag, "");
    }
  }

  // A well-formed change request on some handle (mount 1 of the test is writable).
  std::string Change(uint32_t tag) {
    auto named = [&](uint16_t op, std::string body, int names = 1) {
      for (int i = 0; i < names; ++i) {
        std::string name = SomeName();
        body += std::string(Bytes(static_cast<uint16_t>(name.size()))) + name;
      }
      return Request(op, tag, body);
    };
    const uint32_t mode = Uniform(4) ? 0644 : static_cast<uint32_t>(rng_());
    switch (Uniform(10)) {
      case 0:
        return named(wire::kCreate, std::string(Bytes(wire::CreateReq{
                                        .dir = SomeHandle(), .mode = mode, .flags = Uniform(3)})));
      case 1:
        return named(wire::kMkdir,
                     std::string(Bytes(wire::MkdirReq{.dir = SomeHandle(), .mode = mode})));
      case 2: {
        static const uint32_t kTypes[] = {0, S_IFIFO, S_IFCHR, S_IFSOCK, S_IFREG, S_IFDIR};
        return named(wire::kMknod, std::string(Bytes(wire::MknodReq{
                                       .dir = SomeHandle(),
                                       .mode = kTypes[Uniform(std::size(kTypes))] | 0600})));
      }
      case 3: {
        std::string target = Uniform(2) ? "/etc/passwd" : "../../x";
        std::string body(Bytes(wire::SymlinkReq{
            .dir = SomeHandle(), .target_len = static_cast<uint32_t>(target.size())}));
        std::string name = SomeName();
        body += std::string(Bytes(static_cast<uint16_t>(name.size()))) + name + target;
        return Request(wire::kSymlink, tag, body);
      }
      case 4:
        return named(wire::kLink,
                     std::string(Bytes(wire::LinkReq{.dir = SomeHandle(), .target = SomeHandle()})));
      case 5:
        return named(wire::kUnlink, std::string(Bytes(wire::UnlinkReq{
                                        .dir = SomeHandle(), .flags = Uniform(2) ? 0u : 0x200u})));
      case 6:
        return named(wire::kRename,
                     std::string(Bytes(wire::RenameReq{
                         .old_dir = SomeHandle(), .new_dir = SomeHandle(), .flags = Uniform(4)})),
                     2);
      case 7:
        return Request(wire::kSetAttr, tag,
                       Bytes(wire::SetAttrReq{.handle = SomeHandle(),
                                              .mask = Uniform(128),
                                              .mode = mode,
                                              .uid = Uniform(2) ? 0u : static_cast<uint32_t>(rng_()),
                                              .gid = 0,
                                              .size = Uniform(4096),
                                              .atime_nsec = Uniform(2) ? 5u : static_cast<uint32_t>(UTIME_NOW),
                                              .mtime_nsec = static_cast<uint32_t>(rng_())}));
      case 8:
        return Request(wire::kStatFs, tag, Bytes(wire::HandleReq{SomeHandle()}));
      default:
        return Request(wire::kFsync, tag, Bytes(wire::FsyncReq{.handle = SomeHandle(),
                                                               .flags = Uniform(3)}));
    }
  }

  std::mt19937_64 rng_;
};

// Receives one reply and checks its framing. False if none arrived or it is malformed.
bool ReceiveWellFormedReply(int fd, std::string* buf, wire::Header* h) {
  Received rx;
  if (RecvMessage(fd, absl::MakeSpan(buf->data(), buf->size()), &rx) != 0 || rx.eof ||
      rx.truncated || rx.size < sizeof(wire::Header)) {
    return false;
  }
  std::memcpy(h, buf->data(), sizeof(*h));
  if (h->size != rx.size || (h->op & wire::kReplyBit) == 0) return false;
  if (h->error < 0 || h->error >= 4096) return false;
  if (h->error != 0 && h->size != sizeof(wire::Header)) return false;
  const bool donates = h->op == (wire::kOpen | wire::kReplyBit) ||
                       h->op == (wire::kCreate | wire::kReplyBit);
  if (!rx.fds.empty() && (!donates || h->error != 0 || rx.fds.size() != 1)) {
    return false;
  }
  return true;  // rx.fds are closed here
}

TEST(ServerRandomTest, RandomMessagesEachGetOneReplyAndTheServerSurvives) {
  TempTree tree, rw;
  tree.MakeStandard();
  rw.MakeStandard();
  // Mount 1 is writable: changes really happen there (and only there).
  ServerThread server({{tree.path(), true}, {rw.path(), false}});
  const int fd = server.fd();
  std::string buf(wire::kMaxMessage, '\0');
  Generator gen(0x5eed1234abcdull);
  const auto start = std::chrono::steady_clock::now();
  constexpr int kMessages = 20000;
  int errors = 0;
  for (int i = 0; i < kMessages; ++i) {
    std::string msg = gen.Next();
    ASSERT_EQ(SendMessage(fd, msg), 0) << "message " << i;
    wire::Header h;
    ASSERT_TRUE(ReceiveWellFormedReply(fd, &buf, &h)) << "message " << i;
    if (msg.size() >= sizeof(wire::Header)) {
      uint32_t tag;
      std::memcpy(&tag, msg.data() + offsetof(wire::Header, tag), 4);
      EXPECT_EQ(h.tag, tag) << "message " << i;
    }
    errors += h.error != 0;
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_GT(errors, kMessages / 4);               // mostly garbage...
  EXPECT_LT(errors, kMessages - kMessages / 50);  // ...but not only

  // The server still works: a fresh mount and a valid STAT.
  auto root = server.client().Mount();
  ASSERT_TRUE(root.ok()) << root.error();
  auto attr = server.client().Stat(root->handle);
  ASSERT_TRUE(attr.ok()) << attr.error();
  EXPECT_TRUE(S_ISDIR(attr->mode));
  EXPECT_TRUE(server.Stop().ok());
  // The read-only tree is untouched.
  TempTree fresh;
  fresh.MakeStandard();
  for (const char* p : {"file.txt", "a/b/c.txt", "a", "empty"}) {
    struct stat a, b;
    ASSERT_EQ(::lstat(tree.Path(p).c_str(), &a), 0) << p;
    ASSERT_EQ(::lstat(fresh.Path(p).c_str(), &b), 0) << p;
    EXPECT_EQ(a.st_mode, b.st_mode) << p;
    if (S_ISREG(a.st_mode)) {
      EXPECT_EQ(a.st_size, b.st_size) << p;
    }
  }
  EXPECT_NE(::access(tree.Path("missing").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace sentry::gofer
