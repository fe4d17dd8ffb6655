// FIFOs made with mkfifo: open(2) blocks until the other side opens (O_NONBLOCK: readers
// return at once, writers get ENXIO), data flows, EOF after the last writer closes, writes of
// up to PIPE_BUF bytes from several writers never interleave, and a blocked open is
// interrupted by a signal. libc + gtest only; scratch directory under /tmp.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace {

using syscall_test::ScopedFd;

class FifoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fifo_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/f";
    ASSERT_EQ(mkfifo(path_.c_str(), 0644), 0) << strerror(errno);
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_, path_;
};

TEST_F(FifoTest, ReaderOpenWaitsForAWriter) {
  int sync[2];
  ASSERT_EQ(pipe(sync), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c;
    if (read(sync[0], &c, 1) != 1) _exit(2);  // the parent is about to block in open
    usleep(100 * 1000);
    int fd = open(path_.c_str(), O_WRONLY);
    if (fd < 0) _exit(3);
    if (write(fd, "hello", 5) != 5) _exit(4);
    close(fd);
    _exit(0);
  }
  ASSERT_EQ(write(sync[1], "g", 1), 1);
  ScopedFd rd(open(path_.c_str(), O_RDONLY));  // blocks until the child opens
  ASSERT_TRUE(rd.valid()) << strerror(errno);
  char buf[16];
  ssize_t n = read(rd.get(), buf, sizeof(buf));
  ASSERT_EQ(n, 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(read(rd.get(), buf, sizeof(buf)), 0);  // EOF once the writer is gone
  int st;
  ASSERT_EQ(waitpid(child, &st, 0), child);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  close(sync[0]);
  close(sync[1]);
}

TEST_F(FifoTest, NonBlockingOpens) {
  EXPECT_EQ(open(path_.c_str(), O_WRONLY | O_NONBLOCK), -1);
  EXPECT_EQ(errno, ENXIO);  // no reader
  ScopedFd rd(open(path_.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(rd.valid());
  ScopedFd wr(open(path_.c_str(), O_WRONLY | O_NONBLOCK));
  ASSERT_TRUE(wr.valid()) << strerror(errno);
  ASSERT_EQ(write(wr.get(), "x", 1), 1);
  char c;
  ASSERT_EQ(read(rd.get(), &c, 1), 1);
  ScopedFd both(open(path_.c_str(), O_RDWR));  // never waits
  EXPECT_TRUE(both.valid());
}

// A reader that keeps the FIFO open sees EOF (and POLLHUP) once the writer is gone, then the
// data of the next writer, which joins the same pipe.
TEST_F(FifoTest, ReaderStaysAcrossWriters) {
  ScopedFd rd(open(path_.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(rd.valid());
  char buf[8];
  EXPECT_EQ(read(rd.get(), buf, sizeof(buf)), 0);  // no writer: EOF at once
  struct pollfd p = {rd.get(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);  // no POLLHUP before a writer came
  for (const char* word : {"one", "two"}) {
    ScopedFd wr(open(path_.c_str(), O_WRONLY | O_NONBLOCK));
    ASSERT_TRUE(wr.valid()) << word << ": " << strerror(errno);
    EXPECT_EQ(read(rd.get(), buf, sizeof(buf)), -1);
    EXPECT_EQ(errno, EAGAIN);
    ASSERT_EQ(write(wr.get(), word, 3), 3);
    ASSERT_EQ(read(rd.get(), buf, sizeof(buf)), 3);
    EXPECT_EQ(std::string(buf, 3), word);
    wr.reset();
    p.revents = 0;
    EXPECT_EQ(poll(&p, 1, 0), 1);
    EXPECT_EQ(p.revents, POLLHUP);
    EXPECT_EQ(read(rd.get(), buf, sizeof(buf)), 0);
  }
  // A blocked read wakes up to EOF when the last writer leaves.
  ASSERT_EQ(fcntl(rd.get(), F_SETFL, 0), 0);
  int sync[2];
  ASSERT_EQ(pipe(sync), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int fd = open(path_.c_str(), O_WRONLY);  // a reader is there: no wait
    if (fd < 0) _exit(3);
    if (write(sync[1], "o", 1) != 1) _exit(4);
    usleep(100 * 1000);  // the parent is blocked in read by now
    _exit(0);            // leaves without writing
  }
  char c;
  ASSERT_EQ(read(sync[0], &c, 1), 1);  // the writer is in
  EXPECT_EQ(read(rd.get(), buf, sizeof(buf)), 0);
  int st;
  ASSERT_EQ(waitpid(child, &st, 0), child);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  close(sync[0]);
  close(sync[1]);
}

// Two writer processes each write PIPE_BUF-sized blocks of their own letter: the reader
// sees every block whole, and EOF only once both writers are gone.
TEST_F(FifoTest, PipeBufWritesFromSeveralWritersStayWhole) {
  constexpr int kBlocks = 64;
  ScopedFd rd(open(path_.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(rd.valid()) << strerror(errno);
  int opened[2], done[2];
  ASSERT_EQ(pipe(opened), 0);
  ASSERT_EQ(pipe(done), 0);
  pid_t kids[2];
  for (int k = 0; k < 2; ++k) {
    kids[k] = fork();
    ASSERT_GE(kids[k], 0);
    if (kids[k] == 0) {
      int fd = open(path_.c_str(), O_WRONLY);  // a reader is there: no wait
      if (fd < 0) _exit(3);
      if (write(opened[1], "o", 1) != 1) _exit(5);
      std::string block(PIPE_BUF, k ? 'b' : 'a');
      for (int i = 0; i < kBlocks; ++i) {
        if (write(fd, block.data(), block.size()) != PIPE_BUF) _exit(4);
      }
      close(fd);
      // Stay until the reader is done: the test is about the FIFO, not about reads racing
      // with the writers' exits.
      close(done[1]);
      char d;
      if (read(done[0], &d, 1) != 0) _exit(6);
      _exit(0);
    }
  }
  close(done[0]);
  // Both writers are in before anything is read: EOF means both are done.
  char c;
  ASSERT_EQ(read(opened[0], &c, 1), 1);
  ASSERT_EQ(read(opened[0], &c, 1), 1);
  close(opened[0]);
  close(opened[1]);
  ASSERT_EQ(fcntl(rd.get(), F_SETFL, 0), 0);  // blocking reads from here on
  std::string all;
  char buf[1000];  // not a multiple of PIPE_BUF: blocks are checked after reassembly
  for (;;) {
    ssize_t n = read(rd.get(), buf, sizeof(buf));
    ASSERT_GE(n, 0) << strerror(errno);
    if (n == 0) break;
    all.append(buf, n);
  }
  close(done[1]);  // the writers may go
  for (pid_t kid : kids) {
    int st;
    ASSERT_EQ(waitpid(kid, &st, 0), kid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  }
  ASSERT_EQ(all.size(), size_t{2} * kBlocks * PIPE_BUF);
  size_t as = 0;
  for (size_t at = 0; at < all.size(); at += PIPE_BUF) {
    std::string block = all.substr(at, PIPE_BUF);
    ASSERT_EQ(block, std::string(PIPE_BUF, block[0])) << "block at " << at << " is mixed";
    as += block[0] == 'a';
  }
  EXPECT_EQ(as, size_t{kBlocks});
}

void OnAlarm(int) {}

TEST_F(FifoTest, BlockedOpenIsInterruptedBySignal) {
  struct sigaction sa = {};
  sa.sa_handler = OnAlarm;  // no SA_RESTART
  ASSERT_EQ(sigaction(SIGALRM, &sa, nullptr), 0);
  alarm(1);
  EXPECT_EQ(open(path_.c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, EINTR);
  alarm(0);
  signal(SIGALRM, SIG_DFL);
}

}  // namespace
