// FIFOs made with mkfifo: open(2) blocks until the other side opens (O_NONBLOCK: readers
// return at once, writers get ENXIO), data flows, EOF after the writer closes, and a blocked
// open is interrupted by a signal. libc + gtest only; scratch directory under /tmp.
#include <errno.h>
#include <fcntl.h>
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
