// Pipe and socket I/O racing signals: children exit (SIGCHLD, which the guest ignores but
// its tracer sees) while the parent reads, writes, receives or accepts. Every byte, datagram,
// passed fd, urgent byte and connection must arrive exactly once.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace syscall_test {
namespace {

constexpr int kRounds = 8;      // the race is statistical: several rounds per test
constexpr int kExiters = 48;    // children that only exit, spread over the transfer
constexpr int kChunks = 200;    // per writer or per parent write
constexpr size_t kChunk = 1000;

// Forks `n` children that exit after staggered short sleeps (child i `base_us + i *
// step_us` after its fork, or after `go` — a pipe — is closed by the parent: StartExiters);
// returns how many started.
int SpawnExiters(int n, int base_us = 0, int step_us = 200, const int* go = nullptr) {
  int started = 0;
  for (int i = 0; i < n; ++i) {
    pid_t p = fork();
    if (p == 0) {
      if (go != nullptr) {
        char c;
        close(go[1]);
        while (read(go[0], &c, 1) < 0 && errno == EINTR) {
        }
      }
      usleep(static_cast<useconds_t>(base_us + i * step_us));
      _exit(0);
    }
    if (p > 0) ++started;
  }
  return started;
}

// Exiters held on a pipe: the parent starts their countdowns together with StartExiters,
// right before the calls they are to interrupt (forking them under the sentry takes long).
struct HeldExiters {
  int go[2] = {-1, -1};
  HeldExiters(int n, int step_us) {
    if (pipe(go) == 0) SpawnExiters(n, 0, step_us, go);
    close(go[0]);
  }
  void Start() {
    close(go[1]);
    go[1] = -1;
  }
  ~HeldExiters() {
    if (go[1] >= 0) close(go[1]);
  }
};

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

// --- Sockets: what a receive or accept takes beyond plain bytes goes back whole. ---

// How many fds the process has open (a receive that installed rights, or an accept, must
// not leave fds behind when its reply fails).
int OpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

// After a fatal failure half-way, kills the writers (they may block on a receiver that
// stopped) and reaps everything, so that the next test does not wait for them.
struct KillWritersOnFailure {
  std::vector<pid_t> pids;
  ~KillWritersOnFailure() {
    if (!::testing::Test::HasFatalFailure()) return;
    for (pid_t p : pids) kill(p, SIGKILL);
    ReapAll();
  }
};

// A datagram of the storms below: who sent it, its number, its length; then filler bytes.
struct DgramHeader {
  int32_t writer, seq, len;
  uint16_t port;  // UDP: the writer's port (network order), to check the sender address
};

size_t DgramLen(int writer, int seq) {
  return sizeof(DgramHeader) + static_cast<size_t>(seq * 37 + writer * 11) % 1500;
}
char Filler(int writer, int seq, size_t i) { return static_cast<char>(writer * 7 + seq + i); }

enum class DgramKind { kUnix, kSeqpacket, kUdp };

// Abstract AF_UNIX names, unique per test process and use.
sockaddr_un AbstractName(const std::string& what, socklen_t* len) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  static const pid_t test_pid = getpid();  // first asked by the test process, before forks
  std::string name = "interrupted_io_" + std::to_string(test_pid) + "_" + what;
  memcpy(a.sun_path + 1, name.data(), name.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  return a;
}

// The receiving end of a datagram storm and what writers need to reach it.
struct DgramChannel {
  DgramKind kind;
  int rx = -1;
  int tx = -1;  // seqpacket: the other end of the pair (writers inherit it)
  sockaddr_storage to{};
  socklen_t to_len = 0;
};

void OpenDgramChannel(DgramKind kind, int round, DgramChannel* ch) {
  ch->kind = kind;
  if (kind == DgramKind::kSeqpacket) {
    int p[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p), 0);
    ch->rx = p[0];
    ch->tx = p[1];
    return;
  }
  if (kind == DgramKind::kUnix) {
    ch->rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(ch->rx, 0);
    sockaddr_un a = AbstractName("rx" + std::to_string(round), &ch->to_len);
    memcpy(&ch->to, &a, sizeof(a));
  } else {
    ch->rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(ch->rx, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    memcpy(&ch->to, &a, sizeof(a));
    ch->to_len = sizeof(a);
  }
  ASSERT_EQ(bind(ch->rx, reinterpret_cast<sockaddr*>(&ch->to), ch->to_len), 0) << strerror(errno);
  if (kind == DgramKind::kUdp) {
    ASSERT_EQ(getsockname(ch->rx, reinterpret_cast<sockaddr*>(&ch->to), &ch->to_len), 0);
  }
}

// A writer child: its own named socket (the receiver checks the sender address), then
// kChunks datagrams. UDP is paced: a loopback UDP receiver drops what does not fit.
[[noreturn]] void DgramWriter(const DgramChannel& ch, int w, int round, int go) {
  char c;
  while (read(go, &c, 1) < 0 && errno == EINTR) {
  }
  int fd = ch.tx;
  uint16_t port = 0;
  if (ch.kind != DgramKind::kSeqpacket) {
    fd = socket(ch.kind == DgramKind::kUdp ? AF_INET : AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_storage me{};
    socklen_t me_len;
    if (ch.kind == DgramKind::kUnix) {
      sockaddr_un a = AbstractName("w" + std::to_string(round) + "_" + std::to_string(w), &me_len);
      memcpy(&me, &a, sizeof(a));
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      memcpy(&me, &a, sizeof(a));
      me_len = sizeof(a);
    }
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&me), me_len) != 0) _exit(2);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&me), &me_len) != 0) _exit(2);
    if (ch.kind == DgramKind::kUdp) port = reinterpret_cast<sockaddr_in*>(&me)->sin_port;
  }
  char buf[2048];
  for (int i = 0; i < kChunks; ++i) {
    DgramHeader h{w, i, static_cast<int32_t>(DgramLen(w, i)), port};
    memcpy(buf, &h, sizeof(h));
    for (size_t k = sizeof(h); k < DgramLen(w, i); ++k) buf[k] = Filler(w, i, k);
    ssize_t n;
    do {
      n = ch.kind == DgramKind::kSeqpacket
              ? send(fd, buf, h.len, 0)
              : sendto(fd, buf, h.len, 0, reinterpret_cast<const sockaddr*>(&ch.to), ch.to_len);
    } while (n < 0 && errno == EINTR);
    if (n != h.len) _exit(1);
    if (ch.kind == DgramKind::kUdp && i % 4 == 3) usleep(300);
  }
  _exit(0);
}

// Checks one received datagram: whole, the next of its writer, from the writer's address.
void CheckDgram(const DgramChannel& ch, const char* buf, size_t n, const sockaddr_storage& from,
                socklen_t from_len, int round, std::vector<int>* next) {
  ASSERT_GE(n, sizeof(DgramHeader));
  DgramHeader h;
  memcpy(&h, buf, sizeof(h));
  ASSERT_TRUE(h.writer >= 0 && h.writer < static_cast<int>(next->size()));
  ASSERT_EQ(h.seq, (*next)[h.writer]) << "writer " << h.writer << " round " << round;
  ++(*next)[h.writer];
  ASSERT_EQ(n, DgramLen(h.writer, h.seq)) << "a datagram came back cut";
  for (size_t k = sizeof(h); k < n; ++k) ASSERT_EQ(buf[k], Filler(h.writer, h.seq, k));
  if (ch.kind == DgramKind::kUnix) {
    socklen_t want_len;
    sockaddr_un want =
        AbstractName("w" + std::to_string(round) + "_" + std::to_string(h.writer), &want_len);
    ASSERT_EQ(from_len, want_len);
    ASSERT_EQ(memcmp(&from, &want, want_len), 0) << "wrong sender address";
  } else if (ch.kind == DgramKind::kUdp) {
    ASSERT_EQ(reinterpret_cast<const sockaddr_in&>(from).sin_port, h.port);
  }
}

// Two writers send datagrams while other children exit; the parent receives them with
// recvfrom (or recvmmsg): each exactly once, whole, in order, with its sender's address.
void DatagramsLoseNothing(DgramKind kind, bool mmsg) {
  const int baseline = OpenFds();
  for (int round = 0; round < kRounds; ++round) {
    DgramChannel ch;
    OpenDgramChannel(kind, round, &ch);
    timeval tv{5, 0};  // a lost datagram fails the test instead of hanging it
    ASSERT_EQ(setsockopt(ch.rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    KillWritersOnFailure writers;
    int go[2];  // the writers start once the exiters are forked (a UDP queue would overflow)
    ASSERT_EQ(pipe(go), 0);
    for (int w = 0; w < 2; ++w) {
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) DgramWriter(ch, w, round, go[0]);
      writers.pids.push_back(pid);
    }
    if (ch.tx >= 0) close(ch.tx);
    SpawnExiters(kExiters, 0, 500);  // spread over the storm
    ASSERT_EQ(write(go[1], "gg", 2), 2);
    close(go[0]);
    close(go[1]);
    std::vector<int> next(2, 0);
    constexpr int kBatch = 8;
    static char bufs[kBatch][2048];
    sockaddr_storage from[kBatch];
    for (int got = 0; got < 2 * kChunks;) {
      mmsghdr mm[kBatch] = {};
      iovec iov[kBatch];
      for (int i = 0; i < kBatch; ++i) {
        iov[i] = {bufs[i], sizeof(bufs[i])};
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_name = &from[i];
        mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
      }
      int n;
      if (mmsg) {
        n = recvmmsg(ch.rx, mm, kBatch, MSG_WAITFORONE, nullptr);
      } else {
        ssize_t r = recvfrom(ch.rx, bufs[0], sizeof(bufs[0]), 0,
                             reinterpret_cast<sockaddr*>(&from[0]), &mm[0].msg_hdr.msg_namelen);
        mm[0].msg_len = static_cast<unsigned>(r);
        n = r < 0 ? -1 : 1;
      }
      if (n < 0 && errno == EINTR) continue;
      ASSERT_GT(n, 0) << strerror(errno) << " after " << got << " datagrams, round " << round;
      for (int i = 0; i < n; ++i) {
        // recvmmsg counts a seqpacket's end of file as an empty message (the writers are
        // done): there is no empty message in these storms.
        if (mm[i].msg_len == 0 && kind == DgramKind::kSeqpacket) continue;
        CheckDgram(ch, bufs[i], mm[i].msg_len, from[i], mm[i].msg_hdr.msg_namelen, round, &next);
        if (::testing::Test::HasFatalFailure()) return;
        ++got;
      }
    }
    close(ch.rx);
    EXPECT_EQ(ReapAll(), 0);
  }
  EXPECT_EQ(OpenFds(), baseline);
}

TEST(InterruptedIoTest, UnixDatagramsLoseNothingWhileChildrenExit) {
  DatagramsLoseNothing(DgramKind::kUnix, false);
}
TEST(InterruptedIoTest, SeqpacketMessagesLoseNothingWhileChildrenExit) {
  DatagramsLoseNothing(DgramKind::kSeqpacket, false);
}
TEST(InterruptedIoTest, UdpDatagramsLoseNothingWhileChildrenExit) {
  DatagramsLoseNothing(DgramKind::kUdp, false);
}
TEST(InterruptedIoTest, RecvmmsgLosesNothingWhileChildrenExit) {
  DatagramsLoseNothing(DgramKind::kUnix, true);
}
TEST(InterruptedIoTest, SeqpacketRecvmmsgLosesNothingWhileChildrenExit) {
  DatagramsLoseNothing(DgramKind::kSeqpacket, true);
}

// Writers pass an fd (SCM_RIGHTS) with every message, and the receiver wants credentials
// (SO_PASSCRED): every message, its fd and its sender's pid arrive exactly once, and no fd
// is left behind by a receive whose reply failed.
void RightsArriveOnce(int type) {
  constexpr int kMessages = kChunks;
  const int baseline = OpenFds();
  for (int round = 0; round < kRounds; ++round) {
    int p[2], passed[2];
    ASSERT_EQ(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, p), 0);
    ASSERT_EQ(pipe2(passed, O_CLOEXEC), 0);
    int one = 1;
    ASSERT_EQ(setsockopt(p[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
    timeval tv{5, 0};
    ASSERT_EQ(setsockopt(p[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    KillWritersOnFailure writers;
    for (int w = 0; w < 2; ++w) {
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      writers.pids.push_back(pid);
      if (pid == 0) {
        for (int i = 0; i < kMessages; ++i) {
          int32_t body[2] = {w << 16 | i, static_cast<int32_t>(getpid())};
          iovec iov{body, sizeof(body)};
          alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
          msghdr m{};
          m.msg_iov = &iov;
          m.msg_iovlen = 1;
          m.msg_control = ctl;
          m.msg_controllen = sizeof(ctl);
          cmsghdr* c = CMSG_FIRSTHDR(&m);
          c->cmsg_level = SOL_SOCKET;
          c->cmsg_type = SCM_RIGHTS;
          c->cmsg_len = CMSG_LEN(sizeof(int));
          memcpy(CMSG_DATA(c), &passed[0], sizeof(int));
          ssize_t n;
          do n = sendmsg(p[1], &m, MSG_NOSIGNAL);
          while (n < 0 && errno == EINTR);
          if (n != sizeof(body)) _exit(1);
        }
        _exit(0);
      }
    }
    close(p[1]);
    // The receives run back to back on a full queue (a receive that waits is interrupted
    // before it takes anything): the exits land during them.
    SpawnExiters(kExiters, 20000, 100);
    usleep(20000);
    int next[2] = {0, 0};
    for (int got = 0; got < 2 * kMessages;) {
      int32_t body[2];
      iovec iov{body, sizeof(body)};
      alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(4 * sizeof(int))];
      msghdr m{};
      m.msg_iov = &iov;
      m.msg_iovlen = 1;
      m.msg_control = ctl;
      m.msg_controllen = sizeof(ctl);
      ssize_t n = recvmsg(p[0], &m, MSG_CMSG_CLOEXEC);
      if (n < 0 && errno == EINTR) continue;
      ASSERT_EQ(n, static_cast<ssize_t>(sizeof(body))) << strerror(errno) << " after " << got;
      int w = body[0] >> 16, seq = body[0] & 0xffff;
      ASSERT_TRUE(w == 0 || w == 1);
      ASSERT_EQ(seq, next[w]) << "writer " << w << " round " << round;
      ++next[w];
      int fds = 0;
      bool cred = false;
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type == SCM_CREDENTIALS) {
          ucred u;
          memcpy(&u, CMSG_DATA(c), sizeof(u));
          EXPECT_EQ(u.pid, body[1]) << "credentials of another message";
          cred = true;
        } else if (c->cmsg_type == SCM_RIGHTS) {
          for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++k) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
            struct stat st;
            EXPECT_EQ(fstat(fd, &st), 0);
            EXPECT_TRUE(S_ISFIFO(st.st_mode));
            close(fd);
            ++fds;
          }
        }
      }
      ASSERT_EQ(fds, 1) << "message " << seq << " of writer " << w << " round " << round;
      ASSERT_TRUE(cred);
      ++got;
    }
    close(p[0]);
    close(passed[0]);
    close(passed[1]);
    EXPECT_EQ(ReapAll(), 0);
  }
  EXPECT_EQ(OpenFds(), baseline) << "received fds left behind";
}

TEST(InterruptedIoTest, StreamRightsArriveOnceWhileChildrenExit) { RightsArriveOnce(SOCK_STREAM); }
TEST(InterruptedIoTest, DatagramRightsArriveOnceWhileChildrenExit) { RightsArriveOnce(SOCK_DGRAM); }
TEST(InterruptedIoTest, SeqpacketRightsArriveOnceWhileChildrenExit) {
  RightsArriveOnce(SOCK_SEQPACKET);
}

// A writer sends urgent bytes one at a time (each after the parent's acknowledgement);
// the parent takes each with recv(MSG_OOB): none may be lost to an interrupted receive.
TEST(InterruptedIoTest, UrgentBytesLoseNothingWhileChildrenExit) {
  constexpr int kBytes = kChunks;
  for (int round = 0; round < kRounds; ++round) {
    int p[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p), 0);
    pid_t writer = fork();
    ASSERT_GE(writer, 0);
    KillWritersOnFailure writers{{writer}};
    if (writer == 0) {
      close(p[0]);
      for (int i = 0; i < kBytes; ++i) {
        char b = static_cast<char>('A' + i % 26), ack;
        if (send(p[1], &b, 1, MSG_OOB | MSG_NOSIGNAL) != 1) _exit(1);
        ssize_t n;
        do n = read(p[1], &ack, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1) _exit(1);
      }
      _exit(0);
    }
    close(p[1]);
    SpawnExiters(kExiters, 0, 100);
    for (int i = 0; i < kBytes; ++i) {
      pollfd pf{p[0], POLLPRI, 0};
      int r = poll(&pf, 1, 5000);
      if (r < 0 && errno == EINTR) {
        --i;
        continue;
      }
      ASSERT_EQ(r, 1) << "urgent byte " << i << " never came, round " << round;
      char b;
      ssize_t n = recv(p[0], &b, 1, MSG_OOB);
      if (n < 0 && errno == EINTR) {
        --i;
        continue;
      }
      ASSERT_EQ(n, 1) << strerror(errno) << ": urgent byte " << i << " lost, round " << round;
      ASSERT_EQ(b, 'A' + i % 26);
      ASSERT_EQ(WriteSome(true, p[0], "k", 1), 1);
    }
    close(p[0]);
    EXPECT_EQ(ReapAll(), 0);
  }
}

// Children connect to a listener, each sending its number; the parent accepts them all
// while others exit: every connection exactly once, no fd left behind.
TEST(InterruptedIoTest, AcceptLosesNoConnectionWhileChildrenExit) {
  constexpr int kConnectors = 64;
  const int baseline = OpenFds();
  for (int round = 0; round < 2 * kRounds; ++round) {  // accepts are rarely caught: more
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(l, 0);
    socklen_t len;
    sockaddr_un a = AbstractName("listen" + std::to_string(round), &len);
    ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), len), 0);
    ASSERT_EQ(listen(l, kConnectors), 0);
    timeval tv{5, 0};  // a lost connection fails the test instead of hanging it
    ASSERT_EQ(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    for (int i = 0; i < kConnectors; ++i) {
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&a), len) != 0) _exit(1);
        if (write(s, &i, sizeof(i)) != sizeof(i)) _exit(1);
        _exit(0);
      }
    }
    // The accepts run back to back on a full queue, while the exits land.
    HeldExiters exiters(kExiters, 300);
    usleep(20000);
    exiters.Start();
    std::vector<bool> seen(kConnectors, false);
    for (int got = 0; got < kConnectors;) {
      int c = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0 && errno == EINTR) continue;
      ASSERT_GE(c, 0) << strerror(errno) << " after " << got << " connections, round " << round;
      int id = -1;
      ssize_t n;
      do n = read(c, &id, sizeof(id));
      while (n < 0 && errno == EINTR);
      close(c);
      ASSERT_EQ(n, static_cast<ssize_t>(sizeof(id)));
      ASSERT_TRUE(id >= 0 && id < kConnectors && !seen[id]) << "connection " << id;
      seen[id] = true;
      ++got;
    }
    close(l);
    EXPECT_EQ(ReapAll(), 0);
  }
  EXPECT_EQ(OpenFds(), baseline) << "accepted fds left behind";
}

// The parent sends batches with sendmmsg to a counting reader while children exit: no
// datagram may be sent twice by a restarted sendmmsg.
TEST(InterruptedIoTest, SendmmsgIsNotRepeatedWhileChildrenExit) {
  constexpr int kBatch = 8;
  for (int round = 0; round < kRounds; ++round) {
    int p[2], result[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, p), 0);
    ASSERT_EQ(pipe(result), 0);
    pid_t reader = fork();
    ASSERT_GE(reader, 0);
    if (reader == 0) {
      close(p[1]);
      close(result[0]);
      int32_t count = 0, seq;
      ssize_t n;
      while ((n = recv(p[0], &seq, sizeof(seq), 0)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n != sizeof(seq)) _exit(1);
        if (seq < 0) break;       // the end
        if (seq != count) _exit(3);  // repeated or lost
        ++count;
      }
      _exit(write(result[1], &count, sizeof(count)) == sizeof(count) ? 0 : 1);
    }
    close(p[0]);
    close(result[1]);
    SpawnExiters(kExiters);
    int32_t seqs[kBatch];
    iovec iov[kBatch];
    mmsghdr mm[kBatch];
    for (int sent = 0; sent < kChunks * kBatch;) {
      memset(mm, 0, sizeof(mm));
      // A batch may be cut short (a signal): the last one sends just what is left.
      const int batch = std::min(kBatch, kChunks * kBatch - sent);
      for (int i = 0; i < batch; ++i) {
        seqs[i] = sent + i;
        iov[i] = {&seqs[i], sizeof(seqs[i])};
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
      }
      int n = sendmmsg(p[1], mm, batch, 0);
      if (n < 0 && errno == EINTR) continue;
      ASSERT_GT(n, 0) << strerror(errno);
      sent += n;
      if (sent % 64 == 0) usleep(100);  // let exits land during the sends
    }
    int32_t end = -1;
    ASSERT_EQ(send(p[1], &end, sizeof(end), 0), static_cast<ssize_t>(sizeof(end)));
    close(p[1]);
    int32_t total = 0;
    ASSERT_EQ(read(result[0], &total, sizeof(total)), static_cast<ssize_t>(sizeof(total)));
    close(result[0]);
    EXPECT_EQ(ReapAll(), 0);
    ASSERT_EQ(total, kChunks * kBatch) << "round " << round;
  }
}

}  // namespace
}  // namespace syscall_test
