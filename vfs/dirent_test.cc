// linux_dirent64 encoding and directory descriptions over synthetic directories.
// Test-only; runs on the test main thread (gofer servers, where used, on their own thread).
#include "vfs/dirent.h"

#include <dirent.h>
#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "gtest/gtest.h"
#include "vfs/test_tree.h"

namespace sentry::vfs {
namespace {

struct Record {
  uint64_t ino;
  int64_t off;
  uint8_t type;
  std::string name;
};

std::vector<Record> Parse(const char* buf, size_t len) {
  std::vector<Record> out;
  size_t pos = 0;
  while (pos < len) {
    Record r;
    uint16_t reclen;
    std::memcpy(&r.ino, buf + pos, 8);
    std::memcpy(&r.off, buf + pos + 8, 8);
    std::memcpy(&reclen, buf + pos + 16, 2);
    r.type = static_cast<uint8_t>(buf[pos + 18]);
    r.name = std::string(buf + pos + 19);
    EXPECT_EQ(reclen % 8, 0);
    EXPECT_GE(reclen, 19 + r.name.size() + 1);
    out.push_back(r);
    pos += reclen;
  }
  EXPECT_EQ(pos, len);
  return out;
}

// Reads all records with a buffer of `bufsize` bytes.
std::vector<Record> ReadDir(FileDescription& f, size_t bufsize) {
  std::vector<Record> all;
  std::vector<char> buf(bufsize);
  while (true) {
    SysResult r = f.GetDents64(std::span<char>(buf.data(), buf.size()));
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r.ok() || r.value() == 0) break;
    for (Record& rec : Parse(buf.data(), static_cast<size_t>(r.value()))) all.push_back(rec);
  }
  return all;
}

TEST(DirentTest, RecordSize) {
  EXPECT_EQ(DirentWriter::RecordSize(1), 24u);  // 19 + 1 + 1 → 24
  EXPECT_EQ(DirentWriter::RecordSize(4), 24u);
  EXPECT_EQ(DirentWriter::RecordSize(5), 32u);
  EXPECT_EQ(DirentWriter::RecordSize(255), 280u);
}

class DirFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_ = testing::MakeTestVfs();
    ctx_ = vfs_->RootContext();
  }
  FileRef Open(std::string_view path, int flags = O_RDONLY | O_DIRECTORY) {
    ErrnoOr<FileRef> f = vfs_->OpenAt(ctx_, creds_, nullptr, path, flags, 0);
    EXPECT_TRUE(f.ok()) << f.error();
    return f.ok() ? *f : nullptr;
  }
  std::unique_ptr<Vfs> vfs_;
  FsContext ctx_;
  Credentials creds_;
};

TEST_F(DirFileTest, ListsDotDotAndEntries) {
  FileRef f = Open("/dir");
  std::vector<Record> recs = ReadDir(*f, 4096);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].name, ".");
  EXPECT_EQ(recs[1].name, "..");
  EXPECT_EQ(recs[0].type, DT_DIR);
  EXPECT_EQ(recs[2].name, "sub");
  EXPECT_EQ(recs[2].type, DT_DIR);
  EXPECT_EQ(recs[3].name, "up");
  EXPECT_EQ(recs[3].type, DT_LNK);
  struct stat st, root;
  ASSERT_TRUE(f->Stat(&st).ok());
  EXPECT_EQ(recs[0].ino, st.st_ino);
  ASSERT_TRUE(vfs_->StatAt(ctx_, creds_, nullptr, "/", true, &root).ok());
  EXPECT_EQ(recs[1].ino, root.st_ino);
  for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].off, static_cast<int64_t>(i + 1));
}

TEST_F(DirFileTest, RootDotDotIsItselfAndMountRootsCross) {
  FileRef f = Open("/");
  std::vector<Record> recs = ReadDir(*f, 4096);
  ASSERT_GE(recs.size(), 2u);
  EXPECT_EQ(recs[0].ino, recs[1].ino);
  FileRef dev = Open("/dev");
  std::vector<Record> d = ReadDir(*dev, 4096);
  EXPECT_EQ(d[1].ino, recs[0].ino);  // /dev/.. is /
}

TEST_F(DirFileTest, SmallBuffersAndSeek) {
  FileRef f = Open("/");
  std::vector<Record> all = ReadDir(*f, 1 << 16);
  // One record at a time gives the same list.
  ASSERT_TRUE(f->Seek(0, SEEK_SET).ok());
  std::vector<Record> one = ReadDir(*f, 32);
  ASSERT_EQ(one.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(one[i].name, all[i].name);
  // Too small for one record.
  ASSERT_TRUE(f->Seek(0, SEEK_SET).ok());
  char tiny[10];
  EXPECT_EQ(f->GetDents64(std::span<char>(tiny, sizeof(tiny))).error(), EINVAL);
  // Seeking to a record's d_off continues after it.
  ASSERT_TRUE(f->Seek(all[4].off, SEEK_SET).ok());
  std::vector<Record> rest = ReadDir(*f, 4096);
  ASSERT_EQ(rest.size(), all.size() - 5);
  EXPECT_EQ(rest[0].name, all[5].name);
  EXPECT_EQ(f->Seek(0, SEEK_END).error(), EINVAL);
  EXPECT_EQ(f->Seek(-1, SEEK_SET).error(), EINVAL);
  char b[4];
  EXPECT_EQ(f->Read(std::span<char>(b, 4)).error(), EISDIR);
  // GetDents64 on a file: ENOTDIR; on an O_PATH directory: EBADF.
  FileRef file = Open("/file", O_RDONLY);
  EXPECT_EQ(file->GetDents64(std::span<char>(tiny, sizeof(tiny))).error(), ENOTDIR);
  FileRef path = Open("/dir", O_PATH);
  EXPECT_EQ(path->GetDents64(std::span<char>(tiny, sizeof(tiny))).error(), EBADF);
}

}  // namespace
}  // namespace sentry::vfs
