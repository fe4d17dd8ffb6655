// Job-control facts about guest processes as the host kernel keeps them (/proc/PID/stat):
// ids, controlling tty, orphaned process groups (Linux's is_current_pgrp_orphaned). Pure logic.
#pragma once

#include <sys/types.h>

#include <span>
#include <string_view>

namespace sentry {

// The job-control fields of one host /proc/PID/stat line, in the reader's pid namespace.
struct HostJobIds {
  pid_t pid = 0, ppid = 0, pgrp = 0, sid = 0;
  unsigned tty_nr = 0;  // encoded as Linux's new_encode_dev (0: no controlling terminal)
  pid_t tpgid = -1;     // the foreground group of that terminal (-1: none)
};

// Parses a host stat line; false when it does not parse.
bool ParseHostJobIds(std::string_view stat_line, HostJobIds* out);

// Linux's /proc tty_nr encoding (new_encode_dev) of major:minor, and back.
unsigned EncodeTtyNr(unsigned major, unsigned minor);
unsigned TtyNrMajor(unsigned tty_nr);
unsigned TtyNrMinor(unsigned tty_nr);

// The index N of the sandbox pty /dev/pts/N that is the controlling terminal of a process
// with `ids`, or -1. `outer_sid` is the session the sentry runs in: a tty there is the user's
// terminal (whose number may equal a sandbox pty's); a sandbox pty can only be the terminal
// of a session a guest made with setsid.
int SandboxPtyIndex(const HostJobIds& ids, pid_t outer_sid);

// Whether process group `pgrp` is orphaned among `procs` (the live processes that may be its
// members or their parents): no member has a parent in another group of the same session.
// Parents missing from `procs` (outside the sandbox) count as outside the session, as Linux
// treats the global init.
bool IsOrphanedPgrp(std::span<const HostJobIds> procs, pid_t pgrp);

}  // namespace sentry
