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

}  // namespace

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
