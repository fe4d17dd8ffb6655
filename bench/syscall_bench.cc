// Guest micro-benchmarks of single system calls (Google Benchmark + libc only, no project code).
// Owner: benchmark suite (bench/); driven by bench/run.py natively, under sentry and under runsc.
// Every case uses real time: a trapped guest burns little CPU time while its supervisor works.

#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_main.h"
#include "bench/bench_util.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr const char kSmallFile[] = "/etc/os-release";
constexpr const char kStatFile[] = "/etc/os-release";
constexpr const char kBigFile[] = "/usr/bin/ls";  // >= 4 KiB on Debian.
constexpr const char kDir[] = "/usr/bin";
constexpr size_t k4K = 4096;

// getuid is emulated by the sentry: one full trap round trip.
void BM_TrappedSyscall(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(syscall(SYS_getuid));
  }
}
BENCHMARK(BM_TrappedSyscall)->UseRealTime();

// clock_gettime goes through the vDSO: no system call, no trap anywhere.
void BM_ClockGettime(benchmark::State& state) {
  struct timespec ts;
  for (auto _ : state) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    benchmark::DoNotOptimize(ts);
  }
}
BENCHMARK(BM_ClockGettime)->UseRealTime();

// Raw getpid (bypasses any libc caching): trapped, answered by the sentry from its pid table.
void BM_GetpidRaw(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(syscall(SYS_getpid));
  }
}
BENCHMARK(BM_GetpidRaw)->UseRealTime();

// Path walk + file description creation + close.
void BM_OpenClose(benchmark::State& state) {
  for (auto _ : state) {
    int fd = open(kSmallFile, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      state.SkipWithError(ErrnoMessage("open").c_str());
      break;
    }
    close(fd);
  }
}
BENCHMARK(BM_OpenClose)->UseRealTime();

// Path walk + attribute read.
void BM_Stat(benchmark::State& state) {
  struct stat st;
  for (auto _ : state) {
    if (stat(kStatFile, &st) != 0) {
      state.SkipWithError(ErrnoMessage("stat").c_str());
      break;
    }
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_Stat)->UseRealTime();

// 4 KiB read at offset 0 of an open regular file (page cache hit).
void BM_Pread4K(benchmark::State& state) {
  int fd = open(kBigFile, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    state.SkipWithError(ErrnoMessage("open").c_str());
    return;
  }
  std::vector<char> buf(k4K);
  for (auto _ : state) {
    ssize_t n = pread(fd, buf.data(), buf.size(), 0);
    if (n != static_cast<ssize_t>(buf.size())) {
      state.SkipWithError(n < 0 ? ErrnoMessage("pread").c_str() : "pread: short read");
      break;
    }
    benchmark::DoNotOptimize(buf.data());
  }
  close(fd);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * k4K);
}
BENCHMARK(BM_Pread4K)->UseRealTime();

// 64-byte write to /dev/null: a write on a character device.
void BM_WriteDevNull(benchmark::State& state) {
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    state.SkipWithError(ErrnoMessage("open").c_str());
    return;
  }
  char buf[64] = {};
  for (auto _ : state) {
    if (write(fd, buf, sizeof(buf)) != static_cast<ssize_t>(sizeof(buf))) {
      state.SkipWithError(ErrnoMessage("write").c_str());
      break;
    }
  }
  close(fd);
}
BENCHMARK(BM_WriteDevNull)->UseRealTime();

// futex(FUTEX_WAKE) with no waiter: a syscall the sandbox passes through to the host.
void BM_FutexWake(benchmark::State& state) {
  static uint32_t word = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0));
  }
}
BENCHMARK(BM_FutexWake)->UseRealTime();

// Lists `dir` once with getdents64 (32 KiB buffer); returns the entry count or -1 (errno set).
int64_t ListDirectory(const char* dir, std::vector<char>& buf) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int64_t entries = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf.data(), buf.size());
    if (n < 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    if (n == 0) break;
    // struct linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) name.
    for (long off = 0; off < n;) {
      uint16_t reclen;
      std::memcpy(&reclen, buf.data() + off + 16, sizeof(reclen));
      if (reclen == 0) break;
      off += reclen;
      ++entries;
    }
  }
  close(fd);
  return entries;
}

// A directory of 10,000 empty files made under /tmp for the case (writable in every column:
// the sandboxes keep their writes in memory), removed afterwards. One operation = open,
// getdents64 to the end, close.
void BM_Getdents10k(benchmark::State& state) {
  constexpr int kFiles = 10000;
  char dir[] = "/tmp/bench-getdents-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    state.SkipWithError(ErrnoMessage("mkdtemp").c_str());
    return;
  }
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int made = 0;
  for (; dfd >= 0 && made < kFiles; ++made) {
    char name[16];
    std::snprintf(name, sizeof(name), "f%05d", made);
    int fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) break;
    close(fd);
  }
  std::vector<char> buf(32 * 1024);
  if (made != kFiles) {
    state.SkipWithError(ErrnoMessage("creating the files").c_str());
  } else {
    int64_t entries = 0;
    for (auto _ : state) {
      entries = ListDirectory(dir, buf);
      if (entries < 0) {
        state.SkipWithError(ErrnoMessage("listing").c_str());
        break;
      }
    }
    state.counters["entries"] = static_cast<double>(entries);
  }
  for (int i = 0; dfd >= 0 && i < made; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "f%05d", i);
    unlinkat(dfd, name, 0);
  }
  if (dfd >= 0) close(dfd);
  rmdir(dir);
}
BENCHMARK(BM_Getdents10k)->UseRealTime();

// Full directory listing: open /usr/bin, getdents64 until end, close.
void BM_GetdentsUsrBin(benchmark::State& state) {
  std::vector<char> buf(32 * 1024);
  int64_t entries = 0;
  for (auto _ : state) {
    entries = ListDirectory(kDir, buf);
    if (entries < 0) {
      state.SkipWithError(ErrnoMessage("listing").c_str());
      break;
    }
  }
  state.counters["entries"] = static_cast<double>(entries);
}
BENCHMARK(BM_GetdentsUsrBin)->UseRealTime();

// Anonymous memory: mmap 64 KiB, write one byte per page, munmap.
void BM_MmapAnonTouch(benchmark::State& state) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  constexpr size_t kLen = 64 * 1024;
  for (auto _ : state) {
    void* p = mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      state.SkipWithError(ErrnoMessage("mmap").c_str());
      break;
    }
    auto* bytes = static_cast<volatile char*>(p);
    for (size_t off = 0; off < kLen; off += page) bytes[off] = 1;
    munmap(p, kLen);
  }
}
BENCHMARK(BM_MmapAnonTouch)->UseRealTime();

// File mapping: mmap + munmap 4 KiB of an open file (no touch).
void BM_MmapFile(benchmark::State& state) {
  int fd = open(kBigFile, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    state.SkipWithError(ErrnoMessage("open").c_str());
    return;
  }
  for (auto _ : state) {
    void* p = mmap(nullptr, k4K, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      state.SkipWithError(ErrnoMessage("mmap").c_str());
      break;
    }
    benchmark::DoNotOptimize(p);
    munmap(p, k4K);
  }
  close(fd);
}
BENCHMARK(BM_MmapFile)->UseRealTime();

}  // namespace

// Like BENCHMARK_MAIN(), but defaults to a short --benchmark_min_time so that a
// bare run stays quick; an explicit flag on the command line wins.
int main(int argc, char** argv) {
  return RunBenchmarksWithDefaults(argc, argv);
}
