// Command line of the `sentry` binary: parsed into a Command without side effects.
// Owned by the launcher; called once from the main thread before anything is started.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/log.h"
#include "launcher/option_values.h"

namespace sentry::launcher {

inline constexpr char kVersion[] = "0.1.0";

// One `--tmpfs DST[:SIZE]`.
struct TmpfsOption {
  std::string target;       // absolute, normalized ("/a//b/" -> "/a/b")
  uint64_t size_bytes = 0;  // kDefaultTmpfsSize when SIZE is left out
};
inline constexpr uint64_t kDefaultTmpfsSize = 64ull << 20;

// Everything `sentry run` needs to start a sandbox.
struct RunOptions {
  std::string rootfs = "/";  // host directory served read-only as the sandbox's root
  bool strace = false;
  std::string platform = "seccomp";
  log::Level log_level = log::Level::kError;
  std::vector<std::string> argv;   // PROGRAM ARGS...; never empty once validated
  std::vector<TmpfsOption> tmpfs;  // --tmpfs, in command-line order
  // Resource limits (0: none). --pids counts the guest's tasks (processes and threads).
  uint64_t memory_bytes = 0;  // --memory
  uint64_t pids = 0;          // --pids
  double cpus = 0;            // --cpus
  int64_t timeout_ms = 0;     // --timeout (wall clock)
  std::string hostname = "sentry";  // --hostname
  std::vector<EnvSpec> env;         // --env, in command-line order
  bool inherit_env = false;         // --inherit-env
  uint64_t disk_bytes = 0;          // --disk: overlay upper size; 0: the default
  std::vector<MountOption> mounts;  // --mount, in command-line order
  std::string audit_log;            // --audit-log: host file for JSON lines; "": none
  std::vector<std::string> unmask;  // --unmask: host secrets to serve after all
};

enum class CommandKind {
  kRun,       // start a sandbox with `run`
  kSyscalls,  // print the syscall table as Markdown
  kSeccompTables,  // print the guest/sentry/gofer host syscall allowlists as Markdown
  kExit,      // nothing to run: print `out`/`err` and exit with `exit_code`
};

struct Command {
  CommandKind kind = CommandKind::kExit;
  RunOptions run;
  int exit_code = 0;
  std::string out;  // for stdout (help, version)
  std::string err;  // for stderr (usage errors, invalid options), newline-terminated
};

// Exit codes of the launcher itself.
inline constexpr int kExitUsage = 2;            // bad command line
inline constexpr int kExitLauncherError = 125;  // the sandbox could not be set up
inline constexpr int kExitTimeout = 124;        // --timeout expired (as timeout(1))

// Parses argv (args[0] is the program name). Syntax errors give kExit with kExitUsage;
// options that are well-formed but unusable (e.g. --rootfs not a directory) give
// kExit with kExitLauncherError. Touches the file system only to check --rootfs.
Command ParseCommandLine(const std::vector<std::string>& args);

// Semantic checks on a parsed RunOptions; canonicalizes `rootfs` to an absolute path.
absl::Status ValidateRunOptions(RunOptions* opts);

// Parses `--tmpfs` text: DST[:SIZE], DST absolute (not "/"), SIZE a byte count with an
// optional k/m/g suffix (powers of 1024) and an optional "size=" prefix, between 4 KiB and
// 1 TiB. Errors are InvalidArgument with a message naming the flag.
absl::StatusOr<TmpfsOption> ParseTmpfsOption(const std::string& spec);

// Parses `--disk SIZE`: the same size syntax as --tmpfs, from 4 KiB to 1 TiB.
absl::StatusOr<uint64_t> ParseDiskSize(const std::string& text);

}  // namespace sentry::launcher
