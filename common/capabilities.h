// Capability sets of the sandbox's own processes (init, gofer, sentry): each keeps only what
// its next steps need. Plain syscalls (capset, prctl); call on the process's only thread.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace sentry::caps {

// The bit of capability `cap` (CAP_* from linux/capability.h) in a 64-bit set.
constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

// Limits the calling process for good: locks the securebits (NOROOT, no ambient raise, no
// keep-caps: a later exec, even as uid 0, grants nothing), empties the bounding set, clears
// the ambient and inheritable sets, and leaves `keep` (a subset of what it has) permitted and
// effective. Needs CAP_SETPCAP in the effective set (the sandbox's processes start with all
// capabilities of the sandbox's user namespace).
absl::Status LimitCapabilities(uint64_t keep);

// Drops the permitted and effective sets to `keep` (a subset); needs no capability. Used for
// the last step after LimitCapabilities.
absl::Status ReduceCapabilities(uint64_t keep);

// The sets as /proc/self/status shows them ("CapEff" etc.), parsed; for tests and checks.
struct Sets {
  uint64_t inheritable = 0, permitted = 0, effective = 0, bounding = 0, ambient = 0;
};
absl::Status ReadOwnSets(Sets* out);

// Parses the Cap* lines of a /proc/PID/status text; false if one is missing.
bool ParseStatusSets(const std::string& status, Sets* out);

}  // namespace sentry::caps
