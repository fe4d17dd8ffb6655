// Small libc-only helpers shared by the syscall tests (RAII fds, whole-file reads, host paths).
// Owned by the tests team. Single-threaded test code only; no project code may be used here.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace syscall_test {

// Owns one file descriptor; closes it on destruction.
class ScopedFd {
 public:
  ScopedFd() = default;
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.release()) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Returns "errno N (name)" text for assertion messages.
inline std::string ErrnoText(int err) {
  return std::to_string(err) + " (" + strerrordesc_np(err) + ")";
}

// Asserts that a syscall-style expression returned -1 with errno == expected.
#define EXPECT_SYSCALL_ERRNO(expr, expected)                                                  \
  do {                                                                                        \
    errno = 0;                                                                                \
    long _ret = static_cast<long>(expr);                                                      \
    int _err = errno;                                                                         \
    EXPECT_EQ(_ret, -1) << #expr;                                                             \
    EXPECT_EQ(_err, (expected)) << #expr << ": got errno " << ::syscall_test::ErrnoText(_err) \
                                << ", want " << ::syscall_test::ErrnoText(expected);          \
  } while (0)

// Asserts that a syscall-style expression did not return -1.
#define ASSERT_SYSCALL_OK(expr)                                                    \
  do {                                                                             \
    errno = 0;                                                                     \
    long _ret = static_cast<long>(expr);                                           \
    int _err = errno;                                                              \
    ASSERT_NE(_ret, -1) << #expr << ": errno " << ::syscall_test::ErrnoText(_err); \
  } while (0)

// Reads fd from its current offset to EOF with read(2) in chunks of `chunk` bytes.
inline std::string ReadToEnd(int fd, size_t chunk = 4096) {
  std::string out;
  std::vector<char> buf(chunk);
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      EXPECT_EQ(n, 0) << "read failed: " << ErrnoText(errno);
      break;
    }
    out.append(buf.data(), static_cast<size_t>(n));
  }
  return out;
}

// Opens `path` read-only and returns its whole content (fails the test on error).
inline std::string ReadFile(const char* path, size_t chunk = 4096) {
  ScopedFd fd(open(path, O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(fd.valid()) << "open " << path << ": " << ErrnoText(errno);
  if (!fd.valid()) return "";
  return ReadToEnd(fd.get(), chunk);
}

// A regular, world-readable host file present on every Debian system.
inline constexpr const char kRegularFile[] = "/etc/passwd";

// Returns an absolute host path that is a symlink resolving to an existing file or directory
// (e.g. /bin -> usr/bin on merged-/usr Debian), or "" if none of the candidates is one.
inline std::string FindHostSymlink() {
  static const char* const kCandidates[] = {
      "/bin",
      "/lib",
      "/sbin",
      "/lib64",
      "/etc/os-release",
      "/usr/bin/python3",
      "/usr/bin/awk",
      "/usr/bin/pager",
      "/etc/alternatives/awk",
      "/etc/localtime",
  };
  for (const char* path : kCandidates) {
    struct stat lst, st;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && stat(path, &st) == 0) return path;
  }
  return "";
}

// Like FindHostSymlink, but only symlinks whose target is a directory.
inline std::string FindHostDirSymlink() {
  static const char* const kCandidates[] = {"/bin", "/lib", "/sbin", "/lib64"};
  for (const char* path : kCandidates) {
    struct stat lst, st;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && stat(path, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
      return path;
    }
  }
  return "";
}

// The events poll and epoll report for `fd` right now (asking for `events`).
inline unsigned PollNow(int fd, short events) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, 0) == 1 ? static_cast<unsigned short>(p.revents) : 0;
}
inline unsigned EpollNow(int fd, uint32_t events) {
  ScopedFd ep(epoll_create1(0));
  epoll_event ev{};
  ev.events = events;
  EXPECT_EQ(epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev), 0);
  epoll_event out{};
  return epoll_wait(ep.get(), &out, 1, 0) == 1 ? out.events : 0;
}

}  // namespace syscall_test
