// Tests of the launcher's audit limit events: one JSON line per limit hit, none otherwise.
// Owner: launcher.
#include "launcher/audit_limits.h"

#include "gtest/gtest.h"

namespace sentry::launcher {
namespace {

TEST(AuditLimitsTest, NothingHitWritesNothing) {
  LimitHits hits;
  hits.memory_bytes = 64 << 20;
  EXPECT_EQ(LimitEventLines(hits, 1), "");
}

TEST(AuditLimitsTest, OneLinePerLimitHit) {
  LimitHits hits{.oom_kills = 2, .pids_refused = 5, .timed_out = true,
                 .memory_bytes = 67108864, .pids_max = 16, .timeout_ms = 1000};
  EXPECT_EQ(LimitEventLines(hits, 1700000000123456),
            "{\"time\":1700000000.123456,\"event\":\"limit\",\"limit\":\"memory\",\"detail\":"
            "\"2 process(es) killed by the OOM killer at 67108864 bytes\"}\n"
            "{\"time\":1700000000.123456,\"event\":\"limit\",\"limit\":\"pids\",\"detail\":"
            "\"5 fork(s) refused at 16 tasks\"}\n"
            "{\"time\":1700000000.123456,\"event\":\"limit\",\"limit\":\"timeout\",\"detail\":"
            "\"killed after 1000 ms\"}\n");
}

}  // namespace
}  // namespace sentry::launcher
