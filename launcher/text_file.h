// Whole-file reads and writes of small text files (procfs, cgroupfs control files), with the
// path and errno in every error. Owned by the launcher; any thread, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sentry::launcher {

// Reads the whole file (up to 1 MiB). NotFound when it does not exist.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

// Writes `text` to an existing file with one write(2) (O_WRONLY, no O_CREAT, no O_TRUNC:
// control files take one value per write). NotFound when the file does not exist.
absl::Status WriteTextFile(const std::string& path, const std::string& text);

// Splits `text` at any of the characters in `seps`, dropping empty fields.
std::vector<std::string> SplitFields(std::string_view text, std::string_view seps);

// Parses a whole decimal field ("42"); false for anything else (sign, junk, overflow).
bool ParseUint64(std::string_view text, uint64_t* out);

// True if `path` exists (any type).
bool PathExists(const std::string& path);

}  // namespace sentry::launcher
