// Guest micro-benchmarks of sockets and readiness (Google Benchmark + libc only): unix-socket
// and TCP loopback ping-pong, TCP throughput, epoll wake-up. Owner: benchmark suite (bench/).

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_main.h"
#include "bench/bench_util.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// 1-byte round trips over a connected socket `fd` whose other end `peer_fd` is echoed by a
// forked child (one operation = one round trip: two wake-ups across processes).
void PingPongWithChild(benchmark::State& state, int fd, int peer_fd) {
  pid_t pid = fork();
  if (pid < 0) {
    state.SkipWithError(ErrnoMessage("fork").c_str());
    return;
  }
  if (pid == 0) {
    close(fd);
    _exit(Echo(peer_fd, peer_fd));
  }
  close(peer_fd);
  char b = 'x';
  for (auto _ : state) {
    if (WriteFull(fd, &b, 1) != 1 || ReadFull(fd, &b, 1) != 1) {
      state.SkipWithError(ErrnoMessage("ping-pong").c_str());
      break;
    }
  }
  shutdown(fd, SHUT_WR);  // The child sees EOF and exits.
  std::string err = Reap(pid);
  if (!err.empty() && !state.error_occurred()) state.SkipWithError(err.c_str());
  close(fd);
}

// A connected loopback TCP pair (client, accepted server side) with TCP_NODELAY.
bool TcpPair(int out[2], std::string* err) {
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0) {
    *err = ErrnoMessage("socket");
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int one = 1;
  bool ok = bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            listen(lfd, 1) == 0 &&
            getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (!ok) {
    *err = ErrnoMessage("bind/listen");
    close(lfd);
    return false;
  }
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0 || connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    *err = ErrnoMessage("connect");
    if (c >= 0) close(c);
    close(lfd);
    return false;
  }
  int s = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  close(lfd);
  if (s < 0) {
    *err = ErrnoMessage("accept4");
    close(c);
    return false;
  }
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  out[0] = c;
  out[1] = s;
  return true;
}

void BM_UnixPingPong(benchmark::State& state) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    state.SkipWithError(ErrnoMessage("socketpair").c_str());
    return;
  }
  PingPongWithChild(state, sv[0], sv[1]);
}
BENCHMARK(BM_UnixPingPong)->UseRealTime();

void BM_TcpPingPong(benchmark::State& state) {
  int sv[2];
  std::string err;
  if (!TcpPair(sv, &err)) {
    state.SkipWithError(err.c_str());
    return;
  }
  PingPongWithChild(state, sv[0], sv[1]);
}
BENCHMARK(BM_TcpPingPong)->UseRealTime();

// 64 KiB writes into a loopback TCP connection drained by a reader thread.
void BM_TcpThroughput(benchmark::State& state) {
  int sv[2];
  std::string err;
  if (!TcpPair(sv, &err)) {
    state.SkipWithError(err.c_str());
    return;
  }
  MeasureThroughput(state, sv[0], sv[1], [](int fd) { shutdown(fd, SHUT_WR); });
  close(sv[0]);
  close(sv[1]);
}
BENCHMARK(BM_TcpThroughput)->UseRealTime();

// Waits in epoll_wait for `efd` to become readable, then drains it.
bool WaitAndDrain(int ep, int efd) {
  epoll_event ev;
  int n;
  do {
    n = epoll_wait(ep, &ev, 1, -1);
  } while (n < 0 && errno == EINTR);
  uint64_t v;
  return n == 1 && read(efd, &v, sizeof(v)) == sizeof(v);
}

bool Kick(int efd) {
  uint64_t one = 1;
  return write(efd, &one, sizeof(one)) == sizeof(one);
}

// epoll_wait wake-up latency: two threads, each blocked in epoll_wait on its own eventfd,
// wake each other in turn. One operation = one round trip = two epoll wake-ups.
void BM_EpollWakeup(benchmark::State& state) {
  int ping = eventfd(0, EFD_CLOEXEC);
  int pong = eventfd(0, EFD_CLOEXEC);
  int ep_main = epoll_create1(EPOLL_CLOEXEC);
  int ep_peer = epoll_create1(EPOLL_CLOEXEC);
  if (ping < 0 || pong < 0 || ep_main < 0 || ep_peer < 0) {
    state.SkipWithError(ErrnoMessage("eventfd/epoll_create1").c_str());
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (epoll_ctl(ep_peer, EPOLL_CTL_ADD, ping, &ev) != 0 ||
      epoll_ctl(ep_main, EPOLL_CTL_ADD, pong, &ev) != 0) {
    state.SkipWithError(ErrnoMessage("epoll_ctl").c_str());
    return;
  }
  // The peer echoes until it reads the stop value (2).
  std::thread peer([&] {
    for (;;) {
      epoll_event e;
      int n;
      do {
        n = epoll_wait(ep_peer, &e, 1, -1);
      } while (n < 0 && errno == EINTR);
      uint64_t v = 0;
      if (n != 1 || read(ping, &v, sizeof(v)) != sizeof(v)) return;
      if (v > 1) return;  // Stop.
      if (!Kick(pong)) return;
    }
  });
  for (auto _ : state) {
    if (!Kick(ping) || !WaitAndDrain(ep_main, pong)) {
      state.SkipWithError(ErrnoMessage("epoll ping-pong").c_str());
      break;
    }
  }
  uint64_t stop = 2;
  if (write(ping, &stop, sizeof(stop)) != sizeof(stop)) {
    state.SkipWithError(ErrnoMessage("stop").c_str());
  }
  peer.join();
  for (int fd : {ping, pong, ep_main, ep_peer}) close(fd);
}
BENCHMARK(BM_EpollWakeup)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // A dead peer must show up as EPIPE (an error in the case), not kill the run.
  signal(SIGPIPE, SIG_IGN);
  return RunBenchmarksWithDefaults(argc, argv);
}
