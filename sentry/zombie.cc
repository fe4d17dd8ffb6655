// Zombie bookkeeping against the host's /proc: one small read of /proc/<pid>/stat, no
// allocation. Sentry thread only.
#include "sentry/zombie.h"

#include <unistd.h>

#include <cstdlib>

#include "sentry/host_proc.h"

namespace sentry {
namespace {

// Reads the host's /proc/<pid>/stat into `buf`; the length, or 0 on failure.
size_t ReadStat(pid_t host_pid, char* buf, size_t size) {
  int fd = OpenHostProc(host_pid, "stat");
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  return static_cast<size_t>(n);
}

bool ZombieAt(pid_t host_pid, char* state, uint64_t* start) {
  if (host_pid <= 0) return false;
  char buf[1024];
  size_t n = ReadStat(host_pid, buf, sizeof(buf));
  if (n == 0 || !StatStateAndStart(std::string_view(buf, n), state, start)) return false;
  return *state == 'Z' || *state == 'X';
}

}  // namespace

bool StatStateAndStart(std::string_view line, char* state, uint64_t* start_time) {
  size_t paren = line.rfind(')');
  if (paren == std::string_view::npos || paren + 3 > line.size()) return false;
  // Field 3 (the state) follows ") "; field 22 is 19 separators further on.
  size_t pos = paren + 2;
  *state = line[pos];
  for (int field = 3; field < 22; ++field) {
    pos = line.find(' ', pos);
    if (pos == std::string_view::npos) return false;
    ++pos;
  }
  uint64_t v = 0;
  bool digits = false;
  for (; pos < line.size() && line[pos] >= '0' && line[pos] <= '9'; ++pos) {
    v = v * 10 + static_cast<uint64_t>(line[pos] - '0');
    digits = true;
  }
  if (!digits) return false;
  *start_time = v;
  return true;
}

bool HostZombieAlive(pid_t host_pid, uint64_t start_time) {
  char state;
  uint64_t start = 0;
  return ZombieAt(host_pid, &state, &start) && start == start_time;
}

uint64_t HostZombieStartTime(pid_t host_pid) {
  char state;
  uint64_t start = 0;
  if (!ZombieAt(host_pid, &state, &start)) return 0;
  return start == 0 ? 1 : start;
}

}  // namespace sentry
