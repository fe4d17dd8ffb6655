// Guest micro-benchmarks of processes, threads and pipes (Google Benchmark + libc only).
// Owner: benchmark suite (bench/); driven by bench/run.py natively, under sentry and under runsc.
// Every case uses real time: the work happens in other tasks and in the supervisor.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

extern char** environ;

namespace {

constexpr const char kTrue[] = "/bin/true";

// fork + child _exit(0) + waitpid: address-space copy, task creation, exit and reap.
void BM_ForkExitWait(benchmark::State& state) {
  for (auto _ : state) {
    pid_t pid = fork();
    if (pid < 0) {
      state.SkipWithError(ErrnoMessage("fork").c_str());
      break;
    }
    if (pid == 0) _exit(0);
    std::string err = Reap(pid);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
  }
}
BENCHMARK(BM_ForkExitWait)->UseRealTime();

// fork + child execve("/bin/true") + waitpid: what a shell does for every command.
void BM_ForkExecWait(benchmark::State& state) {
  char arg0[] = "true";
  char* const argv[] = {arg0, nullptr};
  for (auto _ : state) {
    pid_t pid = fork();
    if (pid < 0) {
      state.SkipWithError(ErrnoMessage("fork").c_str());
      break;
    }
    if (pid == 0) {
      execve(kTrue, argv, environ);
      _exit(127);  // Reported by Reap as "child exit status 127".
    }
    std::string err = Reap(pid);
    if (!err.empty()) {
      state.SkipWithError(("execve " + std::string(kTrue) + ": " + err).c_str());
      break;
    }
  }
}
BENCHMARK(BM_ForkExecWait)->UseRealTime();

void* EmptyThread(void*) { return nullptr; }

// pthread_create + pthread_join of a thread that returns at once.
void BM_ThreadCreateJoin(benchmark::State& state) {
  for (auto _ : state) {
    pthread_t t;
    int rc = pthread_create(&t, nullptr, EmptyThread, nullptr);
    if (rc != 0) {
      errno = rc;
      state.SkipWithError(ErrnoMessage("pthread_create").c_str());
      break;
    }
    rc = pthread_join(t, nullptr);
    if (rc != 0) {
      errno = rc;
      state.SkipWithError(ErrnoMessage("pthread_join").c_str());
      break;
    }
  }
}
BENCHMARK(BM_ThreadCreateJoin)->UseRealTime();

// One 1-byte round trip over two pipes with an echo peer; `use_fork` picks a child
// process (like lmbench lat_pipe) or a second thread as the peer.
void PipePingPong(benchmark::State& state, bool use_fork) {
  int down[2];  // This side -> peer.
  int up[2];    // Peer -> this side.
  if (pipe2(down, O_CLOEXEC) != 0) {
    state.SkipWithError(ErrnoMessage("pipe2").c_str());
    return;
  }
  if (pipe2(up, O_CLOEXEC) != 0) {
    state.SkipWithError(ErrnoMessage("pipe2").c_str());
    close(down[0]);
    close(down[1]);
    return;
  }
  pid_t pid = -1;
  std::thread peer;
  if (use_fork) {
    pid = fork();
    if (pid < 0) {
      state.SkipWithError(ErrnoMessage("fork").c_str());
      for (int fd : {down[0], down[1], up[0], up[1]}) close(fd);
      return;
    }
    if (pid == 0) {
      close(down[1]);
      close(up[0]);
      _exit(Echo(down[0], up[1]));
    }
    close(down[0]);
    close(up[1]);
  } else {
    // The thread owns (and closes) the peer's ends so that EOF works the same way.
    peer = std::thread([in = down[0], out = up[1]] {
      Echo(in, out);
      close(in);
      close(out);
    });
  }
  char b = 'x';
  for (auto _ : state) {
    if (WriteFull(down[1], &b, 1) != 1) {
      state.SkipWithError(ErrnoMessage("write").c_str());
      break;
    }
    ssize_t n = ReadFull(up[0], &b, 1);
    if (n != 1) {
      state.SkipWithError(n == 0 ? "read: peer closed the pipe" : ErrnoMessage("read").c_str());
      break;
    }
  }
  close(down[1]);  // The peer sees EOF and finishes.
  if (use_fork) {
    std::string err = Reap(pid);
    if (!err.empty() && !state.error_occurred()) state.SkipWithError(err.c_str());
  } else {
    peer.join();
  }
  close(up[0]);
}

void BM_PipePingPong(benchmark::State& state) { PipePingPong(state, /*use_fork=*/true); }
BENCHMARK(BM_PipePingPong)->UseRealTime();

void BM_PipePingPongThreads(benchmark::State& state) { PipePingPong(state, /*use_fork=*/false); }
BENCHMARK(BM_PipePingPongThreads)->UseRealTime();

// 64 KiB writes into a pipe drained by a reader thread; one operation is one chunk.
void BM_PipeThroughput(benchmark::State& state) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    state.SkipWithError(ErrnoMessage("pipe2").c_str());
    return;
  }
  MeasureThroughput(state, p[1], p[0], [](int fd) { close(fd); });
  close(p[0]);
}
BENCHMARK(BM_PipeThroughput)->UseRealTime();

}  // namespace

// Like BENCHMARK_MAIN(), but defaults to a short --benchmark_min_time so that a
// bare run stays quick; an explicit flag on the command line wins.
int main(int argc, char** argv) {
  // A dead pipe peer must show up as EPIPE (an error in the case), not kill the run.
  signal(SIGPIPE, SIG_IGN);
  return RunBenchmarksWithDefaults(argc, argv);
}
