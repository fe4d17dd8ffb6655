// SentSignals: the siginfo a guest should see for the signals the sentry raises (SIGIO with
// si_fd/si_band, SIGPIPE from the writer itself, SIGTTIN/SIGTTOU/SIGWINCH from the kernel).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <vector>

namespace sentry {

// The host fills the siginfo of a signal the sentry sends as "SI_USER from outside the
// guest's pid namespace" (si_pid 0), and refuses a made-up one sent to another process.
// So the sentry notes what Linux would have put there when it sends the signal, and at the
// signal-delivery stop (every signal to a guest stops in the sentry, its tracer) installs the
// noted siginfo with PTRACE_SETSIGINFO. A signal the guest dequeues itself (sigwaitinfo,
// signalfd) makes no stop and keeps the host's siginfo.
class SentSignals {
 public:
  // Before the sentry sends info.si_signo to the guest process with host pid `host_tgid`.
  void Note(pid_t host_tgid, const siginfo_t& info);

  // At a signal-delivery stop of signal `sig` in a thread of process `host_tgid`, whose
  // host siginfo is `seen`: true, with the siginfo to install in *out, when the sentry sent
  // it. A standard signal is pending at most once, so its newest note wins and its older
  // ones go; real-time signals queue, so they are matched oldest first.
  bool Take(pid_t host_tgid, int sig, const siginfo_t& seen, siginfo_t* out);

  // The process is gone: its notes go.
  void Forget(pid_t host_tgid);

  bool empty() const { return notes_.empty(); }
  size_t size() const { return notes_.size(); }

  // Notes kept at most (a guest that blocks a signal forever must not grow this): beyond it
  // the oldest goes, and that signal keeps the host's siginfo.
  static constexpr size_t kMaxNotes = 256;

 private:
  struct Note_ {
    pid_t host_tgid;
    siginfo_t info;
  };
  std::vector<Note_> notes_;
};

// True when `seen` came from outside the guest's pid namespace through kill/tgkill: what a
// signal the sentry sent looks like to the guest before SentSignals fixes it.
bool SentFromOutside(const siginfo_t& seen);

}  // namespace sentry
