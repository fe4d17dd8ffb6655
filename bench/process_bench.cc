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
constexpr size_t kChunk = 64 * 1024;

std::string ErrnoMessage(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// waitpid that retries on EINTR; returns an empty string if pid exited with status 0.
std::string Reap(pid_t pid) {
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r != pid) return ErrnoMessage("waitpid");
  if (WIFSIGNALED(status)) return "child killed by signal " + std::to_string(WTERMSIG(status));
  if (!WIFEXITED(status)) return "child did not exit";
  if (WEXITSTATUS(status) != 0) {
    return "child exit status " + std::to_string(WEXITSTATUS(status));
  }
  return "";
}

// Reads exactly one byte, retrying on EINTR. Returns 1, 0 (EOF) or -1.
ssize_t ReadByte(int fd, char* b) {
  ssize_t n;
  do {
    n = read(fd, b, 1);
  } while (n < 0 && errno == EINTR);
  return n;
}

ssize_t WriteByte(int fd, char b) {
  ssize_t n;
  do {
    n = write(fd, &b, 1);
  } while (n < 0 && errno == EINTR);
  return n;
}

// Echoes bytes from `in` to `out` until EOF on `in`. Returns 0 on EOF, else 1.
int Echo(int in, int out) {
  char b;
  for (;;) {
    ssize_t n = ReadByte(in, &b);
    if (n == 0) return 0;
    if (n < 0 || WriteByte(out, b) != 1) return 1;
  }
}

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
    if (WriteByte(down[1], b) != 1) {
      state.SkipWithError(ErrnoMessage("write").c_str());
      break;
    }
    ssize_t n = ReadByte(up[0], &b);
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
  int64_t received = 0;
  std::thread reader([fd = p[0], &received] {
    std::vector<char> buf(kChunk);
    for (;;) {
      ssize_t n = read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      received += n;
    }
  });
  std::vector<char> buf(kChunk, 'x');
  int64_t sent = 0;
  for (auto _ : state) {
    size_t off = 0;
    while (off < buf.size()) {
      ssize_t n = write(p[1], buf.data() + off, buf.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    sent += static_cast<int64_t>(off);
    if (off != buf.size()) {
      state.SkipWithError(ErrnoMessage("write").c_str());
      break;
    }
  }
  close(p[1]);
  reader.join();
  close(p[0]);
  if (!state.error_occurred() && received != sent) {
    state.SkipWithError("reader received fewer bytes than were written");
  }
  state.SetBytesProcessed(sent);
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
