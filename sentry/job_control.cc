// Parsing of the host's job-control fields and the orphaned-group rule.
// Pure functions; see sentry/job_control.h.
#include "sentry/job_control.h"

#include <charconv>

namespace sentry {
namespace {

inline constexpr unsigned kPtySlaveMajor = 136;  // UNIX98_PTY_SLAVE_MAJOR

// Reads one space-separated signed integer at `*at`, advancing past it and one space.
bool NextInt(std::string_view s, size_t* at, long* out) {
  if (*at >= s.size()) return false;
  const char* b = s.data() + *at;
  const char* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, *out);
  if (ec != std::errc()) return false;
  *at = static_cast<size_t>(p - s.data());
  if (*at < s.size() && s[*at] == ' ') ++*at;
  return true;
}

}  // namespace

bool ParseHostJobIds(std::string_view line, HostJobIds* out) {
  // "pid (comm) state ppid pgrp session tty_nr tpgid ..."; comm may hold anything, ')' too.
  size_t close = line.rfind(')');
  if (close == std::string_view::npos || close + 4 > line.size()) return false;
  long pid = 0;
  size_t at = 0;
  if (!NextInt(line, &at, &pid)) return false;
  at = close + 2;                        // the state letter
  if (at + 2 > line.size()) return false;
  at += 2;                               // past "S "
  long v[5];
  for (long& x : v) {
    if (!NextInt(line, &at, &x)) return false;
  }
  out->pid = static_cast<pid_t>(pid);
  out->ppid = static_cast<pid_t>(v[0]);
  out->pgrp = static_cast<pid_t>(v[1]);
  out->sid = static_cast<pid_t>(v[2]);
  out->tty_nr = static_cast<unsigned>(v[3]);
  out->tpgid = static_cast<pid_t>(v[4]);
  return true;
}

unsigned EncodeTtyNr(unsigned major, unsigned minor) {
  return (minor & 0xffu) | (major << 8) | ((minor & ~0xffu) << 12);
}
unsigned TtyNrMajor(unsigned tty_nr) { return (tty_nr >> 8) & 0xfffu; }
unsigned TtyNrMinor(unsigned tty_nr) { return (tty_nr & 0xffu) | ((tty_nr >> 12) & 0xfff00u); }

int SandboxPtyIndex(const HostJobIds& ids, pid_t outer_sid) {
  if (ids.tty_nr == 0 || TtyNrMajor(ids.tty_nr) != kPtySlaveMajor) return -1;
  if (ids.sid <= 0 || ids.sid == outer_sid) return -1;
  return static_cast<int>(TtyNrMinor(ids.tty_nr));
}

bool IsOrphanedPgrp(std::span<const HostJobIds> procs, pid_t pgrp) {
  for (const HostJobIds& p : procs) {
    if (p.pgrp != pgrp) continue;
    for (const HostJobIds& parent : procs) {
      if (parent.pid != p.ppid) continue;
      if (parent.pgrp != pgrp && parent.sid == p.sid) return false;
      break;
    }
  }
  return true;
}

}  // namespace sentry
