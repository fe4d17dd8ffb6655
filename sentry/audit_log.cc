// AuditLog: JSON-lines formatting and the writes (whole lines, retried on EINTR/short writes).
// Ownership as described in sentry/audit_log.h; sentry thread only.
#include "sentry/audit_log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "fmt/format.h"

namespace sentry {

std::string JsonString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    switch (ch) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (ch < 0x20 || ch == 0x7f) {
      out += fmt::format("\\u{:04x}", ch);
      continue;
    }
    if (ch < 0x80) {
      out.push_back(static_cast<char>(ch));
      continue;
    }
    // A well-formed UTF-8 sequence passes through; any other byte is escaped on its own.
    size_t len = ch >= 0xf0 && ch < 0xf5 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc2 && ch < 0xe0 ? 2 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len - 1;
    } else {
      out += fmt::format("\\u{:04x}", ch);
    }
  }
  out.push_back('"');
  return out;
}

void AuditLog::Write(std::string_view event, const std::string& fields) {
  if (!fd_.valid()) return;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  std::string line = fmt::format("{{\"time\":{}.{:06},\"event\":{}{}{}}}\n", ts.tv_sec,
                                 ts.tv_nsec / 1000, JsonString(event), fields.empty() ? "" : ",",
                                 fields);
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_.get(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the log's own failure never stops the guest
    done += static_cast<size_t>(n);
  }
}

void AuditLog::Exec(int pid, std::string_view path, const std::vector<std::string>& argv) {
  if (!enabled()) return;
  std::string args = "[";
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i) args.push_back(',');
    args += JsonString(argv[i]);
  }
  args.push_back(']');
  Write("exec", fmt::format("\"pid\":{},\"path\":{},\"argv\":{}", pid, JsonString(path), args));
}

void AuditLog::Open(int pid, std::string_view path, int flags) {
  if (!enabled()) return;
  std::string mode;
  switch (flags & O_ACCMODE) {
    case O_WRONLY:
      mode = "w";
      break;
    case O_RDWR:
      mode = "rw";
      break;
    default:
      mode = "r";
      break;
  }
  if (flags & O_CREAT) mode += "+create";
  if (flags & O_TRUNC) mode += "+trunc";
  if (flags & O_APPEND) mode += "+append";
  Write("open", fmt::format("\"pid\":{},\"path\":{},\"mode\":{}", pid, JsonString(path),
                            JsonString(mode)));
}

void AuditLog::Change(int pid, std::string_view op, std::string_view path, std::string_view to) {
  if (!enabled()) return;
  std::string fields = fmt::format("\"pid\":{},\"path\":{}", pid, JsonString(path));
  if (!to.empty()) fields += fmt::format(",\"to\":{}", JsonString(to));
  Write(op, fields);
}

void AuditLog::Socket(int pid, std::string_view op, std::string_view family,
                      std::string_view address) {
  if (!enabled()) return;
  Write(op, fmt::format("\"pid\":{},\"family\":{},\"address\":{}", pid, JsonString(family),
                        JsonString(address)));
}

void AuditLog::Refused(int pid, int nr, std::string_view name, int err) {
  if (!enabled()) return;
  if (++refused_ > kMaxRefused) return;
  Write("refused", fmt::format("\"pid\":{},\"nr\":{},\"syscall\":{},\"errno\":{}", pid, nr,
                               JsonString(name), err));
}

void AuditLog::Limit(int pid, std::string_view what, std::string_view detail) {
  if (!enabled()) return;
  if (++limits_ > kMaxLimits) return;  // a guest filling the disk in a loop
  Write("limit", fmt::format("\"pid\":{},\"limit\":{},\"detail\":{}", pid, JsonString(what),
                             JsonString(detail)));
}

void AuditLog::Exit(int exit_code) {
  if (!enabled()) return;
  std::string fields = fmt::format("\"status\":{}", exit_code);
  if (refused_ > kMaxRefused) {
    fields += fmt::format(",\"refused_not_logged\":{}", refused_ - kMaxRefused);
  }
  Write("exit", fields);
}

}  // namespace sentry
