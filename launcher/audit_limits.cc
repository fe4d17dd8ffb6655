// Formats and appends the launcher's limit events to the audit log (see audit_limits.h).
// Fields are numbers and fixed words only, so no JSON escaping is needed.
#include "launcher/audit_limits.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "fmt/format.h"

namespace sentry::launcher {
namespace {

std::string Line(uint64_t now_us, std::string_view what, const std::string& detail) {
  return fmt::format("{{\"time\":{}.{:06},\"event\":\"limit\",\"limit\":\"{}\",\"detail\":\"{}\"}}\n",
                     now_us / 1000000, now_us % 1000000, what, detail);
}

}  // namespace

std::string LimitEventLines(const LimitHits& hits, uint64_t now_us) {
  std::string out;
  if (hits.oom_kills > 0) {
    out += Line(now_us, "memory",
                fmt::format("{} process(es) killed by the OOM killer at {} bytes", hits.oom_kills,
                            hits.memory_bytes));
  }
  if (hits.pids_refused > 0) {
    out += Line(now_us, "pids",
                fmt::format("{} fork(s) refused at {} tasks", hits.pids_refused, hits.pids_max));
  }
  if (hits.timed_out) {
    out += Line(now_us, "timeout", fmt::format("killed after {} ms", hits.timeout_ms));
  }
  return out;
}

void AppendLimitEvents(int fd, const LimitHits& hits) {
  if (fd < 0) return;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t now_us = static_cast<uint64_t>(ts.tv_sec) * 1000000 +
                          static_cast<uint64_t>(ts.tv_nsec) / 1000;
  const std::string text = LimitEventLines(hits, now_us);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace sentry::launcher
