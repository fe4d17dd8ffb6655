// AuditLog: the `--audit-log FILE` record, JSON lines the sentry writes to a host fd the
// launcher opened (the guest can reach neither the fd nor the file, so it can neither forge
// nor suppress lines). Owned by the Kernel; sentry thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"

namespace sentry {

class AuditLog {
 public:
  AuditLog() = default;
  explicit AuditLog(UniqueFd fd) : fd_(std::move(fd)) {}
  bool enabled() const { return fd_.valid(); }

  // A program started (the first one, or a guest execve that the loader accepted).
  void Exec(int pid, std::string_view path, const std::vector<std::string>& argv);
  // An open for writing, creating or truncating.
  void Open(int pid, std::string_view path, int flags);
  // A change to the tree: op is "mkdir", "mknod", "symlink", "link", "unlink", "rmdir",
  // "rename"; `to` is the second path of link/rename (and a symlink's target).
  void Change(int pid, std::string_view op, std::string_view path, std::string_view to = {});
  // A socket connect or bind (op "connect"/"bind"): the family ("unix", "inet", "inet6")
  // and the address ("/path", "@abstract", "127.0.0.1:80", "[::1]:80").
  void Socket(int pid, std::string_view op, std::string_view family, std::string_view address);
  // A syscall the sandbox refused (unsupported or forbidden), with the errno returned.
  // At most kMaxRefused are written; the rest are counted and reported by Exit.
  void Refused(int pid, int nr, std::string_view name, int err);
  // A resource limit reached (what: "disk"; the launcher adds "memory", "pids", "timeout").
  // At most kMaxLimits are written.
  void Limit(int pid, std::string_view what, std::string_view detail);
  // The sandbox's init ended with `exit_code` (128+N for signal N).
  void Exit(int exit_code);

  static constexpr uint64_t kMaxRefused = 10000;
  static constexpr uint64_t kMaxLimits = 1000;

 private:
  // Writes one line: {"time": ..., "event": ..., <fields>}. `fields` is JSON object text
  // without braces (may be empty).
  void Write(std::string_view event, const std::string& fields);

  UniqueFd fd_;
  uint64_t refused_ = 0;
  uint64_t limits_ = 0;
};

// JSON string literal for arbitrary bytes (invalid UTF-8 becomes \u00XX escapes of the raw
// bytes, so paths are never lost or rejected).
std::string JsonString(std::string_view s);

}  // namespace sentry
