// Parsing and validation of the `sentry` command line with CLI11.
// Owned by the launcher; main thread only. CLI11 throws: exceptions stay inside this file.
#include "launcher/options.h"

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace sentry::launcher {
namespace {

const std::map<std::string, log::Level>& LogLevels() {
  static const auto* levels = new std::map<std::string, log::Level>{
      {"debug", log::Level::kDebug},
      {"info", log::Level::kInfo},
      {"warning", log::Level::kWarning},
      {"error", log::Level::kError},
  };
  return *levels;
}

// Only one platform exists today; the flag is there so scripts can pin it.
CLI::Validator PlatformValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value == "seccomp") return "";
        return absl::StrCat("unsupported platform \"", value,
                            "\" (the only available platform is \"seccomp\")");
      },
      "seccomp", "Platform");
}

CLI::Validator LogLevelValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (LogLevels().count(value)) return "";
        return absl::StrCat("unknown log level \"", value,
                            "\" (expected debug, info, warning or error)");
      },
      "debug|info|warning|error", "LogLevel");
}

// CLI11's messages, with our prefix and two rough edges smoothed.
std::string FailureMessage(const CLI::App* app, const CLI::Error& e) {
  std::string msg = CLI::FailureMessage::simple(app, e);
  if (e.get_name() == "RequiredError" && msg.rfind("program is required", 0) == 0) {
    msg = "no program given (usage: sentry run [flags] -- PROGRAM [ARGS...])\n" +
          msg.substr(msg.find('\n') + 1);
  }
  // CLI11 lists the "--" separator among the unexpected arguments; drop it.
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::ExtrasError)) {
    for (size_t pos; (pos = msg.find(" -- ")) != std::string::npos;) msg.erase(pos, 3);
  }
  return absl::StrCat("sentry: ", msg);
}

Command ExitWith(int code, std::string out, std::string err) {
  Command c;
  c.kind = CommandKind::kExit;
  c.exit_code = code;
  c.out = std::move(out);
  c.err = std::move(err);
  return c;
}

// "64m" -> 64 MiB. False for anything else (empty, junk, zero, overflow).
bool ParseSize(std::string_view text, uint64_t* out) {
  if (text.substr(0, 5) == "size=") text.remove_prefix(5);
  if (text.empty()) return false;
  uint64_t unit = 1;
  switch (text.back()) {
    case 'k':
    case 'K':
      unit = 1ull << 10;
      break;
    case 'm':
    case 'M':
      unit = 1ull << 20;
      break;
    case 'g':
    case 'G':
      unit = 1ull << 30;
      break;
    default:
      break;
  }
  if (unit != 1) text.remove_suffix(1);
  if (text.empty() || text.size() > 15) return false;
  uint64_t n = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    n = n * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (n == 0 || n > (1ull << 40) / unit) return false;
  *out = n * unit;
  return true;
}

}  // namespace

absl::StatusOr<TmpfsOption> ParseTmpfsOption(const std::string& spec) {
  std::string_view target = spec;
  TmpfsOption opt;
  opt.size_bytes = kDefaultTmpfsSize;
  if (size_t colon = target.rfind(':'); colon != std::string_view::npos) {
    std::string_view size = target.substr(colon + 1);
    target = target.substr(0, colon);
    if (!ParseSize(size, &opt.size_bytes) || opt.size_bytes < 4096) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--tmpfs ", spec, ": bad size \"", std::string(size),
          "\" (want a byte count with an optional k, m or g suffix, from 4k to 1024g)"));
    }
  }
  if (target.empty() || target[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("--tmpfs ", spec, ": the target must be an absolute path"));
  }
  // Normalize: single slashes, no trailing slash, no "." components; ".." is refused.
  for (size_t i = 0; i < target.size();) {
    size_t end = target.find('/', i);
    if (end == std::string_view::npos) end = target.size();
    std::string_view part = target.substr(i, end - i);
    i = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("--tmpfs ", spec, ": the target must not contain \"..\""));
    }
    absl::StrAppend(&opt.target, "/", std::string(part));
  }
  if (opt.target.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tmpfs ", spec, ": cannot mount over the root"));
  }
  return opt;
}

absl::Status ValidateRunOptions(RunOptions* opts) {
  if (opts->argv.empty() || opts->argv[0].empty()) {
    return absl::InvalidArgumentError(
        "no program given (usage: sentry run [flags] -- PROGRAM ARGS...)");
  }
  if (opts->platform != "seccomp") {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported platform \"", opts->platform, "\""));
  }
  struct stat st;
  if (::stat(opts->rootfs.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("--rootfs ", opts->rootfs, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("--rootfs ", opts->rootfs, ": not a directory"));
  }
  char resolved[PATH_MAX];
  if (::realpath(opts->rootfs.c_str(), resolved) == nullptr) {
    return absl::NotFoundError(absl::StrCat("--rootfs ", opts->rootfs, ": ", std::strerror(errno)));
  }
  opts->rootfs = resolved;
  return absl::OkStatus();
}

Command ParseCommandLine(const std::vector<std::string>& args) {
  CLI::App app{"sentry: runs untrusted Linux programs on a user-space kernel.", "sentry"};
  app.set_version_flag("--version", absl::StrCat("sentry version ", kVersion));
  app.require_subcommand(1);
  app.failure_message(FailureMessage);

  RunOptions run;
  bool debug = false;
  std::string log_level = "error";
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run PROGRAM in a new sandbox: sentry run [flags] -- PROGRAM [ARGS...]");
  // The first positional ends the flags (like `docker run`): `sentry run ls -l` works too.
  run_cmd->positionals_at_end();
  run_cmd->add_option("--rootfs", run.rootfs,
                      "Host directory served read-only as the sandbox's root (default: /)");
  run_cmd->add_flag("--strace", run.strace, "Print one decoded line per guest syscall");
  run_cmd->add_option("--platform", run.platform, "How guest syscalls are trapped")
      ->check(PlatformValidator());
  run_cmd->add_flag("--debug", debug, "Same as --log-level=debug");
  run_cmd->add_option("--log-level", log_level, "debug, info, warning (lists unsupported syscalls once each) or error (default)")
      ->check(LogLevelValidator());
  std::vector<std::string> tmpfs_specs;
  run_cmd
      ->add_option("--tmpfs", tmpfs_specs,
                   "Mount an empty tmpfs of SIZE (default 64m) on DST: DST[:SIZE], e.g. "
                   "/tmp:1g (may be repeated; /tmp and /dev/shm have one by default)")
      ->take_all()
      ->allow_extra_args(false);
  run_cmd->add_option("program", run.argv, "PROGRAM [ARGS...] (after --)")->required();

  CLI::App* syscalls_cmd =
      app.add_subcommand("syscalls", "Print the syscall compatibility table as Markdown");

  std::vector<const char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(a.c_str());
  if (argv.empty()) argv.push_back("sentry");
  argv.push_back(nullptr);

  std::ostringstream out, err;
  if (argv.size() <= 2) {  // bare `sentry`: show what it can do
    return ExitWith(kExitUsage, "", app.help());
  }
  try {
    app.parse(static_cast<int>(argv.size() - 1), argv.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    // CLI11 uses 100+ codes; we keep the shell convention: 2 for any usage error.
    return ExitWith(code == 0 ? 0 : kExitUsage, out.str(), err.str());
  }

  if (*syscalls_cmd) {
    Command c;
    c.kind = CommandKind::kSyscalls;
    return c;
  }
  run.log_level = debug ? log::Level::kDebug : LogLevels().at(log_level);
  for (const std::string& spec : tmpfs_specs) {
    absl::StatusOr<TmpfsOption> t = ParseTmpfsOption(spec);
    if (!t.ok()) {
      return ExitWith(kExitUsage, "", absl::StrCat("sentry: ", t.status().message(), "\n"));
    }
    run.tmpfs.push_back(*std::move(t));
  }
  if (absl::Status st = ValidateRunOptions(&run); !st.ok()) {
    int code = absl::IsInvalidArgument(st) ? kExitUsage : kExitLauncherError;
    return ExitWith(code, "", absl::StrCat("sentry: ", st.message(), "\n"));
  }
  Command c;
  c.kind = CommandKind::kRun;
  c.run = std::move(run);
  return c;
}

}  // namespace sentry::launcher
