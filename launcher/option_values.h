// Parsers for the values of `sentry run` flags (sizes, durations, CPU counts, host names,
// --env and --mount specs). Pure functions except ParseMountOption (checks the source exists).
// Owned by the launcher; main thread, before anything is started.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sentry::launcher {

// "64m" -> 64 MiB: a decimal byte count with an optional k/m/g suffix (powers of 1024,
// either case) and an optional "size=" prefix, from 1 byte to 1 TiB. Returns false
// for anything else (empty, junk, zero, negative, overflow).
bool ParseByteSize(std::string_view text, uint64_t* out);

// 64 MiB -> "64M"; sizes that are not a whole number of KiB/MiB/GiB print in the biggest
// unit that divides them (or in bytes).
std::string FormatByteSize(uint64_t bytes);

// `--memory SIZE`: ParseByteSize, at least kMinMemoryBytes (the sandbox's own processes need
// a few MiB to start).
inline constexpr uint64_t kMinMemoryBytes = 8ull << 20;
absl::StatusOr<uint64_t> ParseMemoryLimit(std::string_view text);

// `--pids N`: a decimal count from 1 to kMaxPids.
inline constexpr uint64_t kMaxPids = 4194304;  // the kernel's PID_MAX_LIMIT
absl::StatusOr<uint64_t> ParsePidsLimit(std::string_view text);

// `--cpus FLOAT`: decimal ("0.5", "2", ".25"), from 0.01 to 1024 CPUs.
absl::StatusOr<double> ParseCpus(std::string_view text);

// `--timeout DURATION`: a decimal number with an optional unit ms, s (default), m, h or d,
// e.g. "1.5", "10s", "2m", "500ms"; more than 0 and at most 365 days. Returns milliseconds
// (rounded up, so "0.0001" is 1 ms, never 0).
absl::StatusOr<int64_t> ParseDurationMs(std::string_view text);

// 1500 -> "1.5s", 120000 -> "2m", 100 -> "0.1s": for messages.
std::string FormatDurationMs(int64_t ms);

// `--hostname NAME`: 1 to 64 characters from [A-Za-z0-9.-], not starting with '-' or '.'.
absl::Status ValidateHostname(std::string_view name);

// One `--env` value: "K=V" sets K, "K" passes the host's K through (if set).
struct EnvSpec {
  std::string key;
  std::string value;
  bool has_value = false;  // "K=V" (possibly "K=") rather than "K"
};
absl::StatusOr<EnvSpec> ParseEnvSpec(std::string_view spec);

// One `--mount SRC:DST[:ro|rw]`.
struct MountOption {
  std::string source;  // absolute host path, canonicalized, must exist
  std::string target;  // absolute, normalized, not "/"
  bool read_only = true;
};
// Parses and checks a --mount value. SRC may be relative (to the current directory); it is
// canonicalized with realpath. Errors: InvalidArgument for syntax, NotFound when SRC does not
// exist. Paths containing ':' cannot be given.
absl::StatusOr<MountOption> ParseMountOption(std::string_view spec);

// Normalizes an absolute path inside the sandbox for flag `flag` (used in messages):
// "/a//b/./" -> "/a/b". Refuses relative paths, "..", and "/" itself.
absl::StatusOr<std::string> NormalizeSandboxPath(std::string_view flag, std::string_view spec,
                                                 std::string_view path);

}  // namespace sentry::launcher
