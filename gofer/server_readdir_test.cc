// Tests of READDIRPLUS end to end (Client ↔ Server on a temporary tree): attributes and
// symlink targets, several targets per request, paging, masked nodes, escapes and malformed
// requests. Test-only; main thread (the server runs on its own thread).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gofer/client.h"
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

std::map<std::string, DirPlusEntry> ByName(const DirPlusListing& l) {
  std::map<std::string, DirPlusEntry> m;
  for (const DirPlusEntry& e : l.entries) m[e.name] = e;
  return m;
}

class ReadDirPlusTest : public ::testing::Test {
 protected:
  void Start(ServerOptions opts = {}) {
    server_ = std::make_unique<ServerThread>(tree_.path(), opts);
    auto root = server_->client().Mount();
    ASSERT_TRUE(root.ok());
    root_ = root->handle;
  }
  void SetUp() override { tree_.MakeStandard(); }
  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Stop().ok());
    }
  }
  Client& client() { return server_->client(); }

  TempTree tree_;
  std::unique_ptr<ServerThread> server_;
  Handle root_ = 0;
};

TEST_F(ReadDirPlusTest, ListsEntriesWithAttributesAndLinkTargets) {
  Start();
  DirPlusTarget t{};
  auto r = client().ReadDirPlus(root_, absl::MakeConstSpan(&t, 1));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  const DirPlusListing& l = r->front();
  EXPECT_EQ(l.error, 0);
  EXPECT_TRUE(l.end);
  auto m = ByName(l);
  EXPECT_EQ(m.count("."), 0u);
  EXPECT_EQ(m.count(".."), 0u);
  ASSERT_EQ(m.count("file.txt"), 1u);
  struct stat st;
  ASSERT_EQ(::lstat(tree_.Path("file.txt").c_str(), &st), 0);
  EXPECT_TRUE(m["file.txt"].has_attr);
  EXPECT_EQ(m["file.txt"].attr.ino, st.st_ino);
  EXPECT_EQ(m["file.txt"].attr.size, 12u);
  EXPECT_TRUE(S_ISDIR(m["a"].attr.mode));
  EXPECT_TRUE(S_ISFIFO(m["fifo"].attr.mode));
  EXPECT_EQ(m["escape"].link, "../../etc");
  EXPECT_EQ(m["abs"].link, "/etc/passwd");
  EXPECT_TRUE(m["file.txt"].link.empty());
  EXPECT_EQ(client().calls(wire::kReadDirPlus), 1u);
}

TEST_F(ReadDirPlusTest, SeveralTargetsInOneRoundTripEachWithItsErrno) {
  Start();
  std::vector<std::vector<std::string_view>> paths = {
      {}, {"a"}, {"a", "b"}, {"missing"}, {"file.txt"}, {"escape"}, {"a", "link_to_c"}, {"empty"}};
  std::vector<DirPlusTarget> targets;
  for (const auto& p : paths) targets.push_back(DirPlusTarget{.path = p, .offset = 0});
  auto r = client().ReadDirPlus(root_, targets);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), paths.size());
  EXPECT_EQ((*r)[0].error, 0);
  EXPECT_EQ(ByName((*r)[1]).count("b"), 1u);
  EXPECT_EQ(ByName((*r)[1]).count("link_to_c"), 1u);
  EXPECT_EQ(ByName((*r)[2]).count("c.txt"), 1u);
  EXPECT_EQ((*r)[2].entries.front().attr.size, 5u);
  EXPECT_EQ((*r)[3].error, ENOENT);
  EXPECT_EQ((*r)[4].error, ENOTDIR);
  EXPECT_NE((*r)[5].error, 0);  // a symlink is never followed (no escape to ../../etc)
  EXPECT_TRUE((*r)[5].entries.empty());
  EXPECT_NE((*r)[6].error, 0);
  EXPECT_EQ((*r)[7].error, 0);
  EXPECT_TRUE((*r)[7].end);
  EXPECT_TRUE((*r)[7].entries.empty());
  EXPECT_EQ(client().calls(wire::kReadDirPlus), 1u);
  EXPECT_EQ(server_->client().calls(wire::kWalk), 0u);
}

TEST_F(ReadDirPlusTest, LargeDirectoriesArePagedByCookie) {
  tree_.MakeDir("big");
  std::set<std::string> want;
  for (int i = 0; i < 1500; ++i) {
    std::string name = std::string(100, 'n') + std::to_string(i);
    tree_.MakeFile("big/" + name, "");
    want.insert(name);
  }
  Start();
  std::set<std::string> got;
  std::vector<std::string_view> path = {"big"};
  uint64_t offset = 0;
  int pages = 0;
  for (;;) {
    DirPlusTarget t{.path = path, .offset = offset};
    // A second target that does not fit must be left out, not truncated.
    DirPlusTarget t2{.path = {}, .offset = 0};
    DirPlusTarget both[2] = {t, t2};
    auto r = client().ReadDirPlus(root_, both);
    ASSERT_TRUE(r.ok());
    ASSERT_GE(r->size(), 1u);
    const DirPlusListing& l = r->front();
    ASSERT_EQ(l.error, 0);
    for (const DirPlusEntry& e : l.entries) EXPECT_TRUE(got.insert(e.name).second) << e.name;
    ++pages;
    if (l.end) break;
    ASSERT_FALSE(l.entries.empty());
    EXPECT_EQ(r->size(), 1u);
    offset = l.next_offset;
  }
  EXPECT_GT(pages, 2);
  EXPECT_EQ(got, want);
}

TEST_F(ReadDirPlusTest, MaskedNodesHaveNoAttributesAndCannotBeListed) {
  struct stat file, dir;
  ASSERT_EQ(::lstat(tree_.Path("file.txt").c_str(), &file), 0);
  ASSERT_EQ(::lstat(tree_.Path("a").c_str(), &dir), 0);
  ServerOptions opts;
  opts.masked = {{file.st_dev, file.st_ino}, {dir.st_dev, dir.st_ino}};
  Start(opts);
  std::vector<std::string_view> a = {"a"}, ab = {"a", "b"};
  DirPlusTarget targets[3] = {{.path = {}}, {.path = a}, {.path = ab}};
  auto r = client().ReadDirPlus(root_, targets);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  auto m = ByName((*r)[0]);
  ASSERT_EQ(m.count("file.txt"), 1u);  // the name is listed, as getdents shows it
  EXPECT_FALSE(m["file.txt"].has_attr);
  EXPECT_EQ(m["file.txt"].attr.size, 0u);
  EXPECT_FALSE(m["a"].has_attr);
  EXPECT_TRUE(m["empty"].has_attr);
  EXPECT_EQ((*r)[1].error, EACCES);
  EXPECT_EQ((*r)[2].error, EACCES);
}

TEST_F(ReadDirPlusTest, ClientRefusesBadRequestsWithoutSending) {
  Start();
  std::vector<std::string_view> dotdot = {".."};
  DirPlusTarget t{.path = dotdot};
  EXPECT_EQ(client().ReadDirPlus(root_, absl::MakeConstSpan(&t, 1)).error(), EINVAL);
  EXPECT_EQ(client().ReadDirPlus(root_, {}).error(), EINVAL);
  std::vector<DirPlusTarget> many(wire::kMaxDirPlusTargets + 1);
  EXPECT_EQ(client().ReadDirPlus(root_, many).error(), EINVAL);
  EXPECT_EQ(client().calls(wire::kReadDirPlus), 0u);
  DirPlusTarget root{};
  EXPECT_EQ(client().ReadDirPlus(12345, absl::MakeConstSpan(&root, 1)).error(), EBADF);
}

// Raw requests: every count, length and reserved field is checked before anything is opened.
TEST_F(ReadDirPlusTest, MalformedRequestsAreEinval) {
  Start();
  auto expect = [&](const std::string& body, int err) {
    std::string reply = RawCall(server_->fd(), Request(wire::kReadDirPlus, 9, body));
    ASSERT_GE(reply.size(), sizeof(wire::Header));
    wire::Header h;
    std::memcpy(&h, reply.data(), sizeof(h));
    EXPECT_EQ(h.error, err) << body.size();
    EXPECT_EQ(h.size, sizeof(wire::Header));
  };
  auto req = [&](uint32_t count, uint32_t reserved = 0) {
    return std::string(
        Bytes(wire::ReadDirPlusReq{.dir = root_, .count = count, .reserved = reserved}));
  };
  auto target = [](uint16_t depth, uint16_t r0 = 0, uint32_t r1 = 0) {
    return std::string(
        Bytes(wire::DirPlusTarget{.offset = 0, .depth = depth, .reserved0 = r0, .reserved1 = r1}));
  };
  auto name = [](std::string n) { return std::string(Bytes(static_cast<uint16_t>(n.size()))) + n; };
  expect(req(0), EINVAL);
  expect(req(wire::kMaxDirPlusTargets + 1), EINVAL);
  expect(req(1, 1) + target(0), EINVAL);
  expect(req(1) + target(0, 1), EINVAL);
  expect(req(1) + target(0, 0, 1), EINVAL);
  expect(req(2) + target(0), EINVAL);                    // a target missing
  expect(req(1) + target(0) + "x", EINVAL);              // trailing bytes
  expect(req(1) + target(1), EINVAL);                    // a name missing
  expect(req(1) + target(1) + name("..") , EINVAL);      // never above the node
  expect(req(1) + target(1) + name("a/b"), EINVAL);
  expect(req(1) + target(300), EINVAL);                  // deeper than a walk
  expect(req(1) + target(1) + std::string(Bytes(uint16_t{40})) + "a", EINVAL);
  std::string bad_handle(Bytes(wire::ReadDirPlusReq{.dir = 777, .count = 1}));
  expect(bad_handle + target(0), EBADF);
}

}  // namespace
}  // namespace sentry::gofer
