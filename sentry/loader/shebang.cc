// ParseShebang and ShebangArgv (see shebang.h). Mirrors the behaviour of Linux's
// fs/binfmt_script.c on a zero-padded 256-byte buffer. Any thread, no shared state.
#include "sentry/loader/shebang.h"

#include <array>
#include <cerrno>
#include <cstring>

namespace sentry::loader {
namespace {

bool SpaceTab(char c) { return c == ' ' || c == '\t'; }

// First index in [first, last] (inclusive) that is not a blank, or -1.
int NextNonSpaceTab(const char* buf, int first, int last) {
  for (; first <= last; ++first) {
    if (!SpaceTab(buf[first])) return first;
  }
  return -1;
}

// First index in [first, last] (inclusive) that is a blank or NUL, or -1.
int NextTerminator(const char* buf, int first, int last) {
  for (; first <= last; ++first) {
    if (SpaceTab(buf[first]) || buf[first] == '\0') return first;
  }
  return -1;
}

// The C string starting at buf[from], stopping at `end` (exclusive) or a NUL.
std::string CString(const char* buf, int from, int end) {
  const char* nul = static_cast<const char*>(std::memchr(buf + from, '\0', end - from));
  return std::string(buf + from, nul ? nul : buf + end);
}

}  // namespace

ErrnoOr<Shebang> ParseShebang(std::string_view head) {
  std::array<char, kShebangBufSize> buf{};  // zero padding, as the kernel's buffer
  const size_t n = std::min(head.size(), buf.size());
  std::memcpy(buf.data(), head.data(), n);
  if (n < 2 || buf[0] != '#' || buf[1] != '!') return ErrnoOr<Shebang>::Errno(ENOEXEC);

  const char* b = buf.data();
  const int buf_end = static_cast<int>(buf.size()) - 1;
  // The line ends at the first newline; the search stops at a NUL (strnchr).
  int i_end = -1;
  for (int i = 0; i <= buf_end && b[i] != '\0'; ++i) {
    if (b[i] == '\n') {
      i_end = i;
      break;
    }
  }
  if (i_end < 0) {
    // No newline: accept only if the interpreter name is followed by a blank or NUL inside
    // the buffer, otherwise it may be truncated.
    int name = NextNonSpaceTab(b, 2, buf_end);
    if (name < 0 || NextTerminator(b, name, buf_end) < 0) return ErrnoOr<Shebang>::Errno(ENOEXEC);
    i_end = buf_end;
  }
  while (SpaceTab(b[i_end - 1])) --i_end;  // b[1] == '!' stops this

  const int i_name = NextNonSpaceTab(b, 2, i_end);
  if (i_name < 0 || i_name == i_end) return ErrnoOr<Shebang>::Errno(ENOEXEC);
  int i_arg = -1;
  const int i_sep = NextTerminator(b, i_name, i_end);
  if (i_sep >= 0 && b[i_sep] != '\0') i_arg = NextNonSpaceTab(b, i_sep, i_end);

  Shebang sb;
  sb.interpreter = CString(b, i_name, i_sep >= 0 ? i_sep : i_end);
  if (i_arg >= 0) {
    sb.has_arg = true;
    sb.arg = CString(b, i_arg, i_end);
  }
  if (sb.interpreter.empty()) return ErrnoOr<Shebang>::Errno(ENOEXEC);
  return sb;
}

std::vector<std::string> ShebangArgv(const Shebang& shebang, std::string_view script_path,
                                     absl::Span<const std::string> old_argv) {
  std::vector<std::string> argv;
  argv.reserve(3 + old_argv.size());
  argv.push_back(shebang.interpreter);
  if (shebang.has_arg) argv.push_back(shebang.arg);
  argv.emplace_back(script_path);
  for (size_t i = 1; i < old_argv.size(); ++i) argv.push_back(old_argv[i]);
  return argv;
}

}  // namespace sentry::loader
