// Implementation of the sentry's host /proc reads (see host_proc.h). Sentry thread only.
#include "sentry/host_proc.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sentry {

static_assert(kHostProcOpenFlags == (O_RDONLY | O_CLOEXEC));

int HostProcFd() {
  static int fd = static_cast<int>(
      syscall(SYS_openat, AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  return fd;
}

int OpenHostProc(pid_t pid, const char* file) {
  if (file == nullptr || file[0] == '/' || std::strstr(file, "..") != nullptr || pid < 0) {
    errno = EINVAL;
    return -1;
  }
  int dir = HostProcFd();
  if (dir < 0) {
    errno = ENOENT;
    return -1;
  }
  char rel[96];
  int n = pid > 0 ? snprintf(rel, sizeof(rel), "%d/%s", pid, file)
                  : snprintf(rel, sizeof(rel), "%s", file);
  if (n < 0 || static_cast<size_t>(n) >= sizeof(rel)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  // The raw syscall: the filter matches these exact flags (glibc's openat could add some).
  return static_cast<int>(syscall(SYS_openat, dir, rel, kHostProcOpenFlags));
}

FILE* FopenHostProc(pid_t pid, const char* file) {
  int fd = OpenHostProc(pid, file);
  if (fd < 0) return nullptr;
  FILE* f = fdopen(fd, "re");
  if (f == nullptr) close(fd);
  return f;
}

bool ReadHostProc(pid_t pid, const char* file, std::string* out) {
  int fd = OpenHostProc(pid, file);
  if (fd < 0) return false;
  out->clear();
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out->append(buf, static_cast<size_t>(n));
  close(fd);
  return n == 0;
}

uint64_t StatusSigMask(const std::string& status, std::string_view key) {
  size_t at = status.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(status.c_str() + at + key.size(), nullptr, 16);
}

}  // namespace sentry
