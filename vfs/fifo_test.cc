// Tests Fifo: the open rendezvous (blocking opens complete when the other side comes, ENXIO
// for a lone non-blocking writer), data, EOF, EPIPE, PIPE_BUF atomicity, a reader that stays
// across writers. Single-threaded.
#include "vfs/fifo.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>

#include <string>
#include <vector>

#include "common/wait_queue.h"
#include "gtest/gtest.h"
#include "vfs/dentry.h"

namespace sentry::vfs {
namespace {

void NoteWake(void* arg) { *static_cast<bool*>(arg) = true; }

class FifoTest : public ::testing::Test {
 protected:
  ErrnoOr<FileRef> Open(int flags) { return fifo_->Open(dentry_, flags); }

  std::shared_ptr<Fifo> fifo_ = std::make_shared<Fifo>();
  std::shared_ptr<Dentry> dentry_ = std::make_shared<Dentry>(nullptr, nullptr, "f");
};

TEST_F(FifoTest, BlockingOpensMeet) {
  ErrnoOr<FileRef> rd = Open(O_RDONLY);
  ASSERT_TRUE(rd.ok());
  EXPECT_FALSE((*rd)->OpenComplete());  // no writer yet
  bool woken = false;
  WaitQueue::Entry e(&NoteWake, &woken);
  e.Arm(*(*rd)->OpenWaitQueue());
  ErrnoOr<FileRef> wr = Open(O_WRONLY);
  ASSERT_TRUE(wr.ok());
  EXPECT_TRUE(woken);
  EXPECT_TRUE((*rd)->OpenComplete());
  EXPECT_TRUE((*wr)->OpenComplete());  // a reader was there
  EXPECT_EQ(fifo_->readers(), 1);
  EXPECT_EQ(fifo_->writers(), 1);
  EXPECT_EQ((*wr)->Write(std::span<const char>("ping", 4)).value(), 4);
  char buf[8];
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 4);
  EXPECT_EQ(std::string(buf, 4), "ping");
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);
  wr = ErrnoOr<FileRef>::Errno(EBADF);
  EXPECT_EQ(fifo_->writers(), 0);
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);  // EOF
}

TEST_F(FifoTest, NonBlockingOpensAndRdwr) {
  EXPECT_EQ(Open(O_WRONLY | O_NONBLOCK).error(), ENXIO);  // no reader
  EXPECT_EQ(Open(3).error(), EINVAL);
  ErrnoOr<FileRef> rd = Open(O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(rd.ok());
  EXPECT_TRUE((*rd)->OpenComplete());
  ErrnoOr<FileRef> wr = Open(O_WRONLY | O_NONBLOCK);
  ASSERT_TRUE(wr.ok());
  rd = ErrnoOr<FileRef>::Errno(EBADF);
  wr = ErrnoOr<FileRef>::Errno(EBADF);
  // O_RDWR never waits and is both a reader and a writer.
  ErrnoOr<FileRef> both = Open(O_RDWR);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE((*both)->OpenComplete());
  EXPECT_EQ((*both)->Write(std::span<const char>("x", 1)).value(), 1);
  char c;
  EXPECT_EQ((*both)->Read(std::span<char>(&c, 1)).value(), 1);
}

TEST_F(FifoTest, EpipeAndPipeBufAtomicity) {
  signal(SIGPIPE, SIG_IGN);  // as the sentry does
  ErrnoOr<FileRef> rd = Open(O_RDONLY | O_NONBLOCK);
  ErrnoOr<FileRef> wr = Open(O_WRONLY | O_NONBLOCK);
  ASSERT_TRUE(rd.ok() && wr.ok());
  std::vector<char> big(65536 - 100, 'a');
  ASSERT_EQ((*wr)->Write(std::span<const char>(big.data(), big.size())).value(),
            static_cast<int64_t>(big.size()));
  // 100 bytes free: a PIPE_BUF-sized write is all or nothing.
  std::vector<char> atom(PIPE_BUF, 'b');
  EXPECT_EQ((*wr)->Write(std::span<const char>(atom.data(), atom.size())).error(), EAGAIN);
  std::vector<char> out(65536);
  EXPECT_EQ((*rd)->Read(std::span<char>(out.data(), out.size())).value(),
            static_cast<int64_t>(big.size()));
  EXPECT_EQ((*wr)->Write(std::span<const char>(atom.data(), atom.size())).value(), PIPE_BUF);
  rd = ErrnoOr<FileRef>::Errno(EBADF);
  EXPECT_EQ((*wr)->Write(std::span<const char>("y", 1)).error(), EPIPE);
}

// A reader that stays meets the next writer on the same pipe (Linux's pipe lives while
// either side is open): EOF and POLLHUP only while no writer is there, one readiness fd.
TEST_F(FifoTest, ReaderStaysAcrossWriters) {
  ErrnoOr<FileRef> rd = Open(O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(rd.ok());
  char buf[8];
  EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);  // no writer: EOF
  EXPECT_EQ((*rd)->Readiness(POLLIN), 0u);  // but no POLLHUP before a writer came
  const int wait_fd = (*rd)->ReadinessFd();
  ASSERT_GE(wait_fd, 0);
  for (const char* word : {"one", "two"}) {
    ErrnoOr<FileRef> wr = Open(O_WRONLY | O_NONBLOCK);
    ASSERT_TRUE(wr.ok()) << word;
    EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).error(), EAGAIN);
    EXPECT_EQ((*rd)->Readiness(POLLIN), 0u);
    struct pollfd p = {wait_fd, POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 0);  // a waiter would sleep
    EXPECT_EQ((*wr)->Write(std::span<const char>(word, 3)).value(), 3);
    EXPECT_EQ(::poll(&p, 1, 0), 1);
    EXPECT_EQ((*rd)->Readiness(POLLIN), uint32_t{POLLIN});
    EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 3);
    EXPECT_EQ(std::string(buf, 3), word);
    wr = ErrnoOr<FileRef>::Errno(EBADF);  // the last writer leaves
    EXPECT_EQ(::poll(&p, 1, 0), 1);       // a waiting reader wakes up...
    EXPECT_EQ((*rd)->Readiness(POLLIN), uint32_t{POLLHUP});
    EXPECT_EQ((*rd)->Read(std::span<char>(buf, sizeof(buf))).value(), 0);  // ...to EOF
    EXPECT_EQ((*rd)->ReadinessFd(), wait_fd);
  }
}

TEST_F(FifoTest, DescriptionsKeepTheRendezvous) {
  ErrnoOr<FileRef> rd = Open(O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(rd.ok());
  std::weak_ptr<Fifo> weak = fifo_;
  fifo_.reset();  // the inode went away (cache eviction)
  EXPECT_FALSE(weak.expired());
  rd = ErrnoOr<FileRef>::Errno(EBADF);
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace sentry::vfs
