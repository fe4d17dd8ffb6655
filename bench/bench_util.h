// Helpers shared by the guest benchmark programs (libc + Google Benchmark): error text, reaping
// a child, whole reads and writes, a byte echo peer, a bulk-throughput case. Owner: bench/.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"

inline std::string ErrnoMessage(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// waitpid that retries on EINTR; returns an empty string if pid exited with status 0.
inline std::string Reap(pid_t pid) {
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

// Reads exactly `len` bytes, retrying on EINTR: `len`, 0 at EOF before anything, or -1.
inline ssize_t ReadFull(int fd, char* buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = read(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return off ? -1 : n;
    off += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(off);
}

// Writes all `len` bytes, retrying on EINTR and short writes: `len` or -1.
inline ssize_t WriteFull(int fd, const char* buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    off += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(off);
}

// Echoes bytes from `in` to `out` until EOF on `in`. Returns 0 on EOF, else 1.
inline int Echo(int in, int out) {
  char b;
  for (;;) {
    ssize_t n = ReadFull(in, &b, 1);
    if (n == 0) return 0;
    if (n < 0 || WriteFull(out, &b, 1) != 1) return 1;
  }
}

// One operation = one 64 KiB write into `write_fd`, drained from `read_fd` by a reader thread.
// `end_writes(write_fd)` gives the reader its EOF (close for a pipe, shutdown for a socket);
// the caller closes what is left afterwards. Bytes per second land in the JSON.
inline void MeasureThroughput(benchmark::State& state, int write_fd, int read_fd,
                              void (*end_writes)(int)) {
  constexpr size_t kChunk = 64 * 1024;
  int64_t received = 0;
  std::thread reader([read_fd, &received] {
    std::vector<char> buf(kChunk);
    for (;;) {
      ssize_t n = read(read_fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      received += n;
    }
  });
  std::vector<char> buf(kChunk, 'x');
  int64_t sent = 0;
  for (auto _ : state) {
    if (WriteFull(write_fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) {
      state.SkipWithError(ErrnoMessage("write").c_str());
      break;
    }
    sent += static_cast<int64_t>(buf.size());
  }
  end_writes(write_fd);
  reader.join();
  if (!state.error_occurred() && received != sent) {
    state.SkipWithError("reader received fewer bytes than were written");
  }
  state.SetBytesProcessed(sent);
}
