// Limit events the launcher adds to the --audit-log after the sandbox ended: the memory limit
// (OOM kills), the pids limit (refused forks) and --timeout, which only the cgroup and the
// launcher see. Same JSON-lines shape as the sentry's `"event":"limit"` lines.
#pragma once

#include <cstdint>
#include <string>

namespace sentry::launcher {

struct LimitHits {
  uint64_t oom_kills = 0;      // processes the OOM killer ended (--memory)
  uint64_t pids_refused = 0;   // forks the pids controller refused (--pids)
  bool timed_out = false;      // --timeout ended the sandbox
  uint64_t memory_bytes = 0;   // the limits, for the detail text
  uint64_t pids_max = 0;
  uint64_t timeout_ms = 0;
};

// The lines to append (each ending in '\n'; empty when no limit was hit). `now_us` is the
// wall-clock time in microseconds.
std::string LimitEventLines(const LimitHits& hits, uint64_t now_us);

// Appends LimitEventLines(hits, now) to `fd` (an O_APPEND file); errors are ignored, as the
// sentry ignores its own log's failures.
void AppendLimitEvents(int fd, const LimitHits& hits);

}  // namespace sentry::launcher
