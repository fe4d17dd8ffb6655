// peak_rss RESULT_FD PROGRAM ARGS...: runs PROGRAM as its only child and writes the child tree's
// getrusage(RUSAGE_CHILDREN).ru_maxrss (KiB) and wait status to RESULT_FD. Owner: bench/run.py.
// A tiny forking parent keeps the runner's own RSS out of ru_maxrss (exec inherits the old peak).

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// Why a helper: ru_maxrss lives in the process's signal struct and survives execve, and execve
// folds the *old* address space's peak into it. A child forked or vforked by the Python runner
// therefore reports at least the runner's own ~10+ MB. This program has a few hundred KiB of
// private memory, so that is all it can add. It uses libc only, no C++ runtime.
int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RESULT_FD PROGRAM ARGS...\n", argv[0]);
    return 2;
  }
  char* end = nullptr;
  long result_fd = std::strtol(argv[1], &end, 10);
  if (*end != '\0' || result_fd < 0 || fcntl(static_cast<int>(result_fd), F_GETFD) < 0) {
    std::fprintf(stderr, "peak_rss: bad RESULT_FD %s\n", argv[1]);
    return 2;
  }
  // The measured program must not inherit the result pipe.
  fcntl(static_cast<int>(result_fd), F_SETFD, FD_CLOEXEC);

  pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "peak_rss: fork: %s\n", std::strerror(errno));
    return 2;
  }
  if (pid == 0) {
    execv(argv[2], argv + 2);
    std::fprintf(stderr, "peak_rss: execv %s: %s\n", argv[2], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r != pid) {
    std::fprintf(stderr, "peak_rss: waitpid: %s\n", std::strerror(errno));
    return 2;
  }
  struct rusage ru = {};
  getrusage(RUSAGE_CHILDREN, &ru);
  dprintf(static_cast<int>(result_fd), "maxrss_kib=%ld status=%d\n", ru.ru_maxrss, status);
  // Mirror the child's fate in the exit status, like a shell would.
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
