// Signals the sentry raises in the guest, sent so that the guest sees Linux's siginfo for
// them (SentSignals notes it; the signal-delivery stop installs it). Sentry thread only.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "sentry/host_job_control.h"
#include "sentry/kernel.h"

namespace sentry {

siginfo_t Kernel::KernelSigInfo(int sig) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  info.si_signo = sig;
  info.si_code = SI_KERNEL;
  return info;
}

siginfo_t Kernel::SelfSigInfo(int sig, const Process& p) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  info.si_signo = sig;
  info.si_code = SI_USER;
  info.si_pid = p.pid;
  info.si_uid = p.creds.uid;
  return info;
}

bool Kernel::SendSignal(const Process& p, pid_t host_tid, const siginfo_t& info) {
  if (p.zombie || p.host_pid <= 0) return false;
  sent_signals_.Note(p.host_pid, info);
  long r = host_tid > 0 ? syscall(SYS_tgkill, p.host_pid, host_tid, info.si_signo)
                        : kill(p.host_pid, info.si_signo);
  return r == 0;
}

void Kernel::SendGroupSignal(pid_t host_pgrp, const siginfo_t& info) {
  if (host_pgrp <= 0) return;
  for (const auto& [pid, p] : processes_) {
    HostJobIds ids;
    if (!p->zombie && p->host_pid > 0 && ReadHostJobIds(p->host_pid, &ids) &&
        ids.pgrp == host_pgrp) {
      sent_signals_.Note(p->host_pid, info);
    }
  }
  kill(-host_pgrp, info.si_signo);
}

void Kernel::InstallSentSignalInfo(pid_t tid, const Process& p, int sig) {
  siginfo_t seen, sent;
  if (!platform_->GetSigInfo(tid, &seen)) return;
  if (sent_signals_.Take(p.host_pid, sig, seen, &sent)) platform_->SetSigInfo(tid, sent);
}

}  // namespace sentry
