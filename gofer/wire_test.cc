// Tests for the gofer wire cursors (Reader bounds, Writer layout) and CheckName.
// Test-only; main thread.
#include "gofer/wire.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace sentry::gofer::wire {
namespace {

TEST(WireTest, WriterBuildsHeaderWithSize) {
  std::string buf;
  Writer w(&buf);
  w.Begin(kStat, 42);
  w.Put(HandleReq{.handle = 7});
  w.Finish();
  ASSERT_EQ(buf.size(), sizeof(Header) + sizeof(HandleReq));
  Reader r(absl::MakeConstSpan(buf.data(), buf.size()));
  Header h;
  ASSERT_TRUE(r.Read(&h));
  EXPECT_EQ(h.size, buf.size());
  EXPECT_EQ(h.op, kStat);
  EXPECT_EQ(h.tag, 42u);
  EXPECT_EQ(h.error, 0);
  HandleReq req;
  ASSERT_TRUE(r.Read(&req));
  EXPECT_EQ(req.handle, 7u);
  EXPECT_TRUE(r.done());
}

TEST(WireTest, ReaderRefusesShortReads) {
  const char data[3] = {1, 2, 3};
  Reader r(absl::MakeConstSpan(data, 3));
  uint32_t v;
  EXPECT_FALSE(r.Read(&v));
  EXPECT_EQ(r.remaining(), 3u);
  uint16_t s;
  EXPECT_TRUE(r.Read(&s));
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(WireTest, NameLengthPastTheEndIsRefused) {
  std::string buf;
  Writer w(&buf);
  w.Put(static_cast<uint16_t>(10));
  w.PutBytes("abc");
  Reader r(absl::MakeConstSpan(buf.data(), buf.size()));
  std::string_view name;
  EXPECT_FALSE(r.ReadName(&name));
  EXPECT_EQ(r.remaining(), buf.size());
}

TEST(WireTest, NamesRoundTrip) {
  std::string buf;
  Writer w(&buf);
  w.PutName("alpha");
  w.PutName("b");
  Reader r(absl::MakeConstSpan(buf.data(), buf.size()));
  std::string_view a, b;
  ASSERT_TRUE(r.ReadName(&a));
  ASSERT_TRUE(r.ReadName(&b));
  EXPECT_EQ(a, "alpha");
  EXPECT_EQ(b, "b");
  EXPECT_TRUE(r.done());
}

TEST(WireTest, CheckName) {
  EXPECT_EQ(CheckName("ok.txt"), 0);
  EXPECT_EQ(CheckName("..."), 0);
  EXPECT_EQ(CheckName(""), EINVAL);
  EXPECT_EQ(CheckName("."), EINVAL);
  EXPECT_EQ(CheckName(".."), EINVAL);
  EXPECT_EQ(CheckName("a/b"), EINVAL);
  EXPECT_EQ(CheckName("/"), EINVAL);
  EXPECT_EQ(CheckName(std::string_view("a\0b", 3)), EINVAL);
  EXPECT_EQ(CheckName(std::string(255, 'x')), 0);
  EXPECT_EQ(CheckName(std::string(256, 'x')), ENAMETOOLONG);
}

}  // namespace
}  // namespace sentry::gofer::wire
