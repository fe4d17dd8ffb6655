// Pipe I/O racing signals: children exit (SIGCHLD, which the guest ignores but its tracer
// sees) while the parent reads or writes a pipe. Every byte must arrive exactly once.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace syscall_test {
namespace {

constexpr int kRounds = 8;      // the race is statistical: several rounds per test
constexpr int kExiters = 48;    // children that only exit, spread over the transfer
constexpr int kChunks = 200;    // per writer or per parent write
constexpr size_t kChunk = 1000;

// Forks `n` children that exit after staggered short sleeps (child i `base_us + i *
// step_us` after its fork); returns how many started.
int SpawnExiters(int n, int base_us = 0, int step_us = 200) {
  int started = 0;
  for (int i = 0; i < n; ++i) {
    pid_t p = fork();
    if (p == 0) {
      usleep(static_cast<useconds_t>(base_us + i * step_us));
      _exit(0);
    }
    if (p > 0) ++started;
  }
  return started;
}

// Reaps every child; the number of children that exited with a non-zero status.
int ReapAll() {
  int bad = 0, status;
  while (true) {
    pid_t w = wait(&status);
    if (w < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++bad;
  }
  return bad;
}

// A pipe, or a connected AF_UNIX stream pair: [0] is read, [1] written.
void MakeChannel(bool socket, int p[2]) {
  if (socket) {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p), 0);
  } else {
    ASSERT_EQ(pipe(p), 0);
  }
}

// read(2) on a pipe, recv(2) on a socket.
ssize_t ReadSome(bool socket, int fd, char* buf, size_t len) {
  return socket ? recv(fd, buf, len, 0) : read(fd, buf, len);
}
ssize_t WriteSome(bool socket, int fd, const char* buf, size_t len) {
  return socket ? send(fd, buf, len, MSG_NOSIGNAL) : write(fd, buf, len);
}

// The parent reads while two writers fill the channel and other children exit: no read may
// lose its bytes (a read interrupted after it took them must still deliver them).
void ReadsLoseNothing(bool socket) {
  for (int round = 0; round < kRounds; ++round) {
    int p[2];
    MakeChannel(socket, p);
    for (int w = 0; w < 2; ++w) {
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(p[0]);
        char buf[kChunk];
        memset(buf, 'a' + w, sizeof(buf));
        for (int i = 0; i < kChunks; ++i) {
          if (write(p[1], buf, sizeof(buf)) != static_cast<ssize_t>(sizeof(buf))) _exit(1);
        }
        _exit(0);
      }
    }
    close(p[1]);
    SpawnExiters(kExiters);
    size_t total = 0;
    char buf[777];  // not a divisor of the writes: reads straddle them
    for (;;) {
      ssize_t n = ReadSome(socket, p[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      ASSERT_GE(n, 0) << strerror(errno);
      if (n == 0) break;
      total += static_cast<size_t>(n);
    }
    close(p[0]);
    EXPECT_EQ(ReapAll(), 0);
    ASSERT_EQ(total, 2 * kChunks * kChunk) << "round " << round;
  }
}

TEST(InterruptedIoTest, PipeReadsLoseNothingWhileChildrenExit) { ReadsLoseNothing(false); }
TEST(InterruptedIoTest, SocketRecvsLoseNothingWhileChildrenExit) { ReadsLoseNothing(true); }

// The parent writes while a reader child counts and other children exit: no write may be
// repeated (a write interrupted after its bytes went out must not be written again).
void WritesAreNotRepeated(bool socket) {
  for (int round = 0; round < kRounds; ++round) {
    int p[2], result[2];
    MakeChannel(socket, p);
    ASSERT_EQ(pipe(result), 0);
    pid_t reader = fork();
    ASSERT_GE(reader, 0);
    if (reader == 0) {
      close(p[1]);
      close(result[0]);
      size_t total = 0;
      char buf[4096];
      ssize_t n;
      while ((n = read(p[0], buf, sizeof(buf))) != 0) {
        if (n < 0) {
          if (errno == EINTR) continue;
          _exit(1);
        }
        total += static_cast<size_t>(n);
      }
      _exit(write(result[1], &total, sizeof(total)) == sizeof(total) ? 0 : 1);
    }
    close(p[0]);
    close(result[1]);
    SpawnExiters(kExiters);
    char buf[kChunk];
    memset(buf, 'x', sizeof(buf));
    for (int i = 0; i < kChunks; ++i) {
      ssize_t n = WriteSome(socket, p[1], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) {
        --i;
        continue;
      }
      ASSERT_EQ(n, static_cast<ssize_t>(sizeof(buf))) << strerror(errno);
      if (i % 8 == 0) usleep(100);  // let exits land during the writes
    }
    close(p[1]);
    size_t total = 0;
    ASSERT_EQ(read(result[0], &total, sizeof(total)), static_cast<ssize_t>(sizeof(total)));
    close(result[0]);
    EXPECT_EQ(ReapAll(), 0);
    ASSERT_EQ(total, kChunks * kChunk) << "round " << round;
  }
}

TEST(InterruptedIoTest, PipeWritesAreNotRepeatedWhileChildrenExit) {
  WritesAreNotRepeated(false);
}
TEST(InterruptedIoTest, SocketSendsAreNotRepeatedWhileChildrenExit) {
  WritesAreNotRepeated(true);
}

// A directory listed in small getdents64 calls while children exit: every entry exactly
// once (an interrupted call must not move the directory position). Calls that never wait
// are rarely caught between the sentry's receipt and its reply (the pipe cases above hit
// that window reliably); this guards the listing itself under a storm of SIGCHLDs.
TEST(InterruptedIoTest, GetdentsSkipsNothingWhileChildrenExit) {
  char tmpl[] = "/tmp/interrupted_io_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  constexpr int kFiles = 600;
  for (int i = 0; i < kFiles; ++i) {
    std::string name = dir + "/entry_with_a_long_name_" + std::to_string(i);
    int fd = open(name.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << name << ": " << strerror(errno);
    close(fd);
  }
  for (int round = 0; round < kRounds * 4; ++round) {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    // Exits land while the four listings that follow each burst of forks run.
    if (round % 4 == 0) SpawnExiters(kExiters, 20000);
    int entries = 0;
    alignas(8) char buf[256];  // a few entries per call: many calls
    for (;;) {
      long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      ASSERT_GE(n, 0) << strerror(errno);
      if (n == 0) break;
      for (long off = 0; off < n;) {
        auto* rec_len = reinterpret_cast<unsigned short*>(buf + off + 16);
        ++entries;
        off += *rec_len;
      }
    }
    close(fd);
    if (round % 4 == 3) EXPECT_EQ(ReapAll(), 0);
    ASSERT_EQ(entries, kFiles + 2) << "round " << round;  // with "." and ".."
  }
  for (int i = 0; i < kFiles; ++i) {
    unlink((dir + "/entry_with_a_long_name_" + std::to_string(i)).c_str());
  }
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace syscall_test
