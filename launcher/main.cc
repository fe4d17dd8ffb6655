// Entry point of the `sentry` binary: parses the command line and dispatches
// (`run`, `syscalls`, `--version`). Owned by the launcher; main thread.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/log.h"
#include "gofer/gofer_main.h"
#include "launcher/options.h"
#include "launcher/sandbox.h"
#include "sentry/seccomp_tables.h"
#include "sentry/sentry_main.h"

extern char** environ;

namespace sentry::launcher {
namespace {

void WriteAll(std::FILE* f, const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), f);
  std::fflush(f);
}

int Main(int argc, char** argv) {
  Command cmd = ParseCommandLine(std::vector<std::string>(argv, argv + argc));
  switch (cmd.kind) {
    case CommandKind::kExit:
      WriteAll(stdout, cmd.out);
      WriteAll(stderr, cmd.err);
      return cmd.exit_code;
    case CommandKind::kSyscalls: {
      std::string table;
      PrintSyscallTableMarkdown(&table);
      WriteAll(stdout, table);
      return 0;
    }
    case CommandKind::kSeccompTables:
      WriteAll(stdout, SeccompTablesMarkdown());
      return 0;
    case CommandKind::kRun:
      break;
  }
  log::SetPrefix("launcher");
  log::SetLevel(cmd.run.log_level);
  SandboxEntryPoints entry;
  entry.sentry_main = &SentryMain;
  entry.gofer_main = &gofer::GoferMain;
  SandboxConfig config = MakeSandboxConfig(cmd.run, entry, environ, CurrentDirectory());
  absl::StatusOr<int> code = RunSandbox(config);
  if (!code.ok()) {
    WriteAll(stderr, "sentry: " + std::string(code.status().message()) + "\n");
    return kExitLauncherError;
  }
  return *code;
}

}  // namespace
}  // namespace sentry::launcher

int main(int argc, char** argv) { return sentry::launcher::Main(argc, argv); }
