// Tests MakePipe: data flow, EAGAIN when empty/full, EOF after the writer goes, EPIPE after
// the reader goes, O_NONBLOCK as a status flag. Single-threaded unit test.
#include "vfs/pipe.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

TEST(PipeTest, RoundTripEofAndEpipe) {
  auto p = MakePipe(0);
  ASSERT_TRUE(p.ok());
  auto [r, w] = *p;
  char buf[16];
  EXPECT_EQ(r->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);  // empty: would block
  EXPECT_EQ(w->Write(std::span<const char>("hello", 5)).value(), 5);
  EXPECT_EQ(r->Read(std::span<char>(buf, sizeof(buf))).value(), 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(r->Read(std::span<char>(buf, 1)).error(), EAGAIN);
  EXPECT_EQ(w->Read(std::span<char>(buf, 1)).error(), EBADF);  // write end is not readable
  EXPECT_EQ(r->Write(std::span<const char>("x", 1)).error(), EBADF);
  EXPECT_EQ(r->Seek(0, SEEK_SET).error(), ESPIPE);
  struct stat st;
  ASSERT_TRUE(r->Stat(&st).ok());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(r->Path().rfind("pipe:[", 0), 0u);
  w.reset();
  p->second.reset();
  EXPECT_EQ(r->Read(std::span<char>(buf, 1)).value(), 0);  // EOF once no writer is left
}

TEST(PipeTest, EpipeWithoutReaderAndFullPipeWouldBlock) {
  signal(SIGPIPE, SIG_IGN);  // as the sentry does: EPIPE must come back as an error
  auto p = MakePipe(O_NONBLOCK);
  ASSERT_TRUE(p.ok());
  FileRef w = p->second;
  EXPECT_TRUE(w->status_flags() & O_NONBLOCK);
  std::vector<char> big(1 << 20, 'x');
  SysResult n = w->Write(std::span<const char>(big.data(), big.size()));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 65536);  // Linux's default capacity
  EXPECT_EQ(w->Write(std::span<const char>("y", 1)).error(), EAGAIN);
  p->first.reset();
  EXPECT_EQ(w->Write(std::span<const char>("y", 1)).error(), EPIPE);
}

}  // namespace
}  // namespace sentry::vfs
