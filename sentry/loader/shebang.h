// "#!" script parsing with Linux's binfmt_script rules, and the argv the interpreter gets.
// Pure logic owned by the sentry's execve path; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "common/sys_result.h"

namespace sentry::loader {

// How many "#!" rewrites an execve follows before failing with ELOOP. Linux's exec_binprm
// allows 5 (measured on this machine's 6.18 kernel: a 5-script chain runs, 6 gives ELOOP);
// DESIGN.md says "up to 4", we follow Linux so that programs run unmodified.
inline constexpr int kMaxShebangDepth = 5;
// How much of the file's head Linux looks at (BINPRM_BUF_SIZE).
inline constexpr size_t kShebangBufSize = 256;

struct Shebang {
  std::string interpreter;
  std::string arg;  // everything after the interpreter, blanks trimmed; one argument
  bool has_arg = false;
};

// head = the first bytes of the file (up to kShebangBufSize are used; fewer means the file
// ends there). ENOEXEC if it is not a script, has no interpreter, or the interpreter name may
// be truncated (no newline and no blank/NUL after the name within the buffer). A long
// argument is silently truncated, as in Linux.
ErrnoOr<Shebang> ParseShebang(std::string_view head);

// The interpreter's argv: {interpreter, [arg], script_path, old_argv[1..]}.
std::vector<std::string> ShebangArgv(const Shebang& shebang, std::string_view script_path,
                                     absl::Span<const std::string> old_argv);

}  // namespace sentry::loader
