// SentSignals: notes of the siginfo for sentry-raised signals, matched at signal-delivery
// stops. Sentry thread only.
#include "sentry/sent_signals.h"

#include <algorithm>

namespace sentry {

bool SentFromOutside(const siginfo_t& seen) {
  return (seen.si_code == SI_USER || seen.si_code == SI_TKILL) && seen.si_pid == 0;
}

void SentSignals::Note(pid_t host_tgid, const siginfo_t& info) {
  if (notes_.size() >= kMaxNotes) notes_.erase(notes_.begin());
  notes_.push_back({host_tgid, info});
}

bool SentSignals::Take(pid_t host_tgid, int sig, const siginfo_t& seen, siginfo_t* out) {
  if (!SentFromOutside(seen)) return false;
  auto matches = [&](const Note_& n) {
    return n.host_tgid == host_tgid && n.info.si_signo == sig;
  };
  if (sig >= SIGRTMIN) {
    auto it = std::find_if(notes_.begin(), notes_.end(), matches);
    if (it == notes_.end()) return false;
    *out = it->info;
    notes_.erase(it);
    return true;
  }
  auto newest = std::find_if(notes_.rbegin(), notes_.rend(), matches);
  if (newest == notes_.rend()) return false;
  *out = newest->info;
  std::erase_if(notes_, matches);
  return true;
}

void SentSignals::Forget(pid_t host_tgid) {
  std::erase_if(notes_, [&](const Note_& n) { return n.host_tgid == host_tgid; });
}

}  // namespace sentry
