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
#include "common/status_macros.h"

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

absl::StatusOr<TmpfsOption> ParseTmpfsOption(const std::string& spec) {
  std::string_view target = spec;
  TmpfsOption opt;
  opt.size_bytes = kDefaultTmpfsSize;
  if (size_t colon = target.rfind(':'); colon != std::string_view::npos) {
    std::string_view size = target.substr(colon + 1);
    target = target.substr(0, colon);
    if (!ParseByteSize(size, &opt.size_bytes) || opt.size_bytes < 4096) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--tmpfs ", spec, ": bad size \"", std::string(size),
          "\" (want a byte count with an optional k, m or g suffix, from 4k to 1024g)"));
    }
  }
  ASSIGN_OR_RETURN(opt.target, NormalizeSandboxPath("--tmpfs", spec, target));
  return opt;
}

absl::StatusOr<uint64_t> ParseDiskSize(const std::string& text) {
  uint64_t bytes = 0;
  if (!ParseByteSize(text, &bytes) || bytes < 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--disk ", text,
        ": want a byte count with an optional k, m or g suffix, from 4k to 1024g (e.g. 10g)"));
  }
  return bytes;
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
                   "/tmp:1g (may be repeated; /dev/shm always has one, /tmp is the root overlay's "
                   "unless given)")
      ->take_all()
      ->allow_extra_args(false);
  std::string memory_text, pids_text, cpus_text, timeout_text, disk_text;
  CLI::Option* memory_opt = run_cmd->add_option(
      "--memory", memory_text,
      "Memory limit of the whole sandbox, SIZE with an optional k, m or g suffix (e.g. 512m); "
      "when it is reached the OOM killer kills a guest process (exit 137 and a message)")
      ->type_name("SIZE");
  CLI::Option* pids_opt = run_cmd->add_option(
      "--pids", pids_text, "At most N guest processes and threads (fork fails with EAGAIN)")
      ->type_name("N");
  CLI::Option* cpus_opt = run_cmd->add_option(
      "--cpus", cpus_text, "CPU time limit in CPUs, e.g. 0.5 for half of one CPU")
      ->type_name("CPUS");
  CLI::Option* timeout_opt = run_cmd->add_option(
      "--timeout", timeout_text,
      "Kill the whole sandbox after DURATION (seconds, or with a unit ms, s, m, h, d: 1.5, "
      "10s, 2m) and exit 124")
      ->type_name("DURATION");
  CLI::Option* hostname_opt = run_cmd->add_option(
      "--hostname", run.hostname,
      "Host name inside the sandbox: 1-64 of A-Z a-z 0-9 . - (default: sentry)")
      ->type_name("NAME");
  std::vector<std::string> env_specs;
  run_cmd
      ->add_option("-e,--env", env_specs,
                   "Set NAME=VALUE in the guest's environment, or pass NAME through from the "
                   "host (may be repeated). By default the guest gets only PATH, HOME, TERM "
                   "and LANG")
      ->take_all()
      ->allow_extra_args(false)
      ->type_name("NAME[=VALUE]");
  run_cmd->add_flag("--inherit-env", run.inherit_env,
                    "Give the guest the launcher's whole environment (--env still applies)");
  CLI::Option* disk_opt = run_cmd->add_option(
      "--disk", disk_text,
      "Size of the writable layer over the root, SIZE with an optional k, m or g suffix")
      ->type_name("SIZE");
  std::vector<std::string> mount_specs;
  run_cmd
      ->add_option("--mount", mount_specs,
                   "Mount host directory SRC on DST: SRC:DST[:ro|rw] (read-only by default; "
                   "may be repeated)")
      ->take_all()
      ->allow_extra_args(false)
      ->type_name("SRC:DST[:ro|rw]");
  run_cmd
      ->add_option("--unmask", run.unmask,
                   "Serve a host secret that is masked by default when the root is the host's "
                   "/ (e.g. --unmask ~/.ssh; masked: /etc/shadow, /etc/gshadow, /etc/sudoers*, "
                   "ssh host keys, ~/.ssh ~/.aws ~/.gnupg ~/.docker ~/.kube ..., the docker, "
                   "containerd and podman sockets; may be repeated)")
      ->take_all()
      ->allow_extra_args(false)
      ->type_name("PATH");
  run_cmd
      ->add_option("--audit-log", run.audit_log,
                   "Append a JSON line per exec, write-open, create, rename, unlink, socket "
                   "connect/bind, refused syscall, limit hit and the exit to FILE (written "
                   "outside the guest's reach: it can neither forge nor suppress a line)")
      ->type_name("FILE");
  run_cmd->add_option("program", run.argv, "PROGRAM [ARGS...] (after --)")->required();

  CLI::App* syscalls_cmd =
      app.add_subcommand("syscalls", "Print the syscall compatibility table as Markdown");
  CLI::App* seccomp_tables_cmd = app.add_subcommand(
      "seccomp-tables",
      "Print the host syscalls the guest, the sentry and the gofer may make, as Markdown");

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
  if (*seccomp_tables_cmd) {
    Command c;
    c.kind = CommandKind::kSeccompTables;
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
  // Every flag value is checked here, with one message style and exit code 2 for bad input.
  auto usage = [](const absl::Status& st) {
    return ExitWith(kExitUsage, "", absl::StrCat("sentry: ", st.message(), "\n"));
  };
  if (memory_opt->count() > 0) {
    absl::StatusOr<uint64_t> v = ParseMemoryLimit(memory_text);
    if (!v.ok()) return usage(v.status());
    run.memory_bytes = *v;
  }
  if (pids_opt->count() > 0) {
    absl::StatusOr<uint64_t> v = ParsePidsLimit(pids_text);
    if (!v.ok()) return usage(v.status());
    run.pids = *v;
  }
  if (cpus_opt->count() > 0) {
    absl::StatusOr<double> v = ParseCpus(cpus_text);
    if (!v.ok()) return usage(v.status());
    run.cpus = *v;
  }
  if (timeout_opt->count() > 0) {
    absl::StatusOr<int64_t> v = ParseDurationMs(timeout_text);
    if (!v.ok()) return usage(v.status());
    run.timeout_ms = *v;
  }
  if (hostname_opt->count() > 0) {
    if (absl::Status st = ValidateHostname(run.hostname); !st.ok()) return usage(st);
  }
  for (const std::string& spec : env_specs) {
    absl::StatusOr<EnvSpec> e = ParseEnvSpec(spec);
    if (!e.ok()) return usage(e.status());
    run.env.push_back(*std::move(e));
  }
  if (disk_opt->count() > 0) {
    absl::StatusOr<uint64_t> v = ParseDiskSize(disk_text);
    if (!v.ok()) return usage(v.status());
    run.disk_bytes = *v;
  }
  for (const std::string& spec : mount_specs) {
    absl::StatusOr<MountOption> m = ParseMountOption(spec);
    if (!m.ok()) {
      int code = absl::IsInvalidArgument(m.status()) ? kExitUsage : kExitLauncherError;
      return ExitWith(code, "", absl::StrCat("sentry: ", m.status().message(), "\n"));
    }
    for (const MountOption& other : run.mounts) {
      if (other.target == m->target) {
        return usage(absl::InvalidArgumentError(
            absl::StrCat("--mount ", spec, ": ", m->target, " is already a mount target")));
      }
    }
    run.mounts.push_back(*std::move(m));
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
