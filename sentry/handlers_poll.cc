// poll, ppoll, select, pselect6 over virtual fds: readiness comes from each description;
// a task with nothing ready waits in the event loop on the descriptions' host readiness
// fds (plus a timer), then re-checks. The signal mask of ppoll/pselect6 is in force while
// the call waits (call_sigmask.h). Sentry thread only.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>

#include <optional>
#include <vector>

#include "sentry/call_sigmask.h"
#include "sentry/handler_util.h"
#include "sentry/handlers.h"

namespace sentry {
namespace {

constexpr uint32_t kAlwaysReported = POLLERR | POLLHUP | POLLNVAL;

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

uint32_t ToEpoll(uint32_t poll_events) {
  uint32_t e = 0;
  if (poll_events & (POLLIN | POLLPRI | POLLRDNORM)) e |= EPOLLIN | EPOLLPRI;
  if (poll_events & (POLLOUT | POLLWRNORM)) e |= EPOLLOUT;
  return e;
}

// Fills revents; returns how many entries are ready. *tick: a signalfd is among them (its
// readiness is the poller's pending signals, re-checked every kPollerTickNs while waiting).
int Scan(SyscallContext& c, std::vector<pollfd>& fds, bool* tick) {
  int ready = 0;
  for (pollfd& p : fds) {
    p.revents = 0;
    if (p.fd < 0) continue;
    vfs::FileRef f = GetFile(c, static_cast<uint64_t>(p.fd));
    if (!f) {
      p.revents = POLLNVAL;
    } else {
      if (RefreshPollerReadiness(c, f)) *tick = true;
      uint32_t want = static_cast<uint16_t>(p.events) | kAlwaysReported;
      uint32_t ready_now = f->Readiness(want) | (f->has_pushback() ? POLLIN | POLLRDNORM : 0);
      p.revents = static_cast<short>(ready_now & want);
    }
    if (p.revents) ++ready;
  }
  return ready;
}

// The core of every poll-family call. deadline_ns < 0: wait forever; 0: don't wait.
SysResult PollCore(SyscallContext& c, std::vector<pollfd>& fds, int64_t deadline_ns) {
  for (;;) {
    bool tick = false;
    int ready = Scan(c, fds, &tick);
    if (ready > 0) return ready;
    int64_t remaining = -1;
    if (deadline_ns >= 0) {
      remaining = deadline_ns - NowNs();
      if (remaining <= 0) return 0;
    }
    if (tick && (remaining < 0 || remaining > kPollerTickNs)) remaining = kPollerTickNs;
    std::vector<std::pair<int, uint32_t>> waits;
    for (const pollfd& p : fds) {
      if (p.fd < 0) continue;
      vfs::FileRef f = GetFile(c, static_cast<uint64_t>(p.fd));
      if (f && f->ReadinessFd() >= 0)
        waits.emplace_back(f->ReadinessFd(), ToEpoll(static_cast<uint16_t>(p.events)));
    }
    if (!c.kernel.WaitForFds(c.task, waits, remaining)) return SysResult::Errno(EINTR);
    if (!c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
  }
}

SysResult PollImpl(SyscallContext& c, uint64_t fds_addr, uint64_t nfds, int64_t deadline_ns) {
  if (nfds > static_cast<uint64_t>(FdLimit(c))) return SysResult::Errno(EINVAL);
  std::vector<pollfd> fds(nfds);
  if (nfds && !CopyIn(c, fds_addr, fds.data(), nfds * sizeof(pollfd)).ok())
    return SysResult::Errno(EFAULT);
  SysResult r = PollCore(c, fds, deadline_ns);
  if (!r.ok()) return r;
  for (size_t i = 0; i < fds.size(); ++i) {
    // Only revents is written back, as Linux does.
    uint64_t at = fds_addr + i * sizeof(pollfd) + offsetof(pollfd, revents);
    if (!CopyOut(c, at, &fds[i].revents, sizeof(short)).ok()) return SysResult::Errno(EFAULT);
  }
  return r;
}

// Deadline from a relative timespec (NULL: forever). EINVAL for a bad one.
SysResult DeadlineFrom(SyscallContext& c, uint64_t ts_addr, int64_t* deadline) {
  if (!ts_addr) {
    *deadline = -1;
    return 0;
  }
  struct timespec ts;
  if (!CopyInObj(c, ts_addr, &ts).ok()) return SysResult::Errno(EFAULT);
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return SysResult::Errno(EINVAL);
  *deadline = NowNs() + ts.tv_sec * 1000000000LL + ts.tv_nsec;
  return 0;
}

// Writes back the time left, as ppoll/pselect6/select do on Linux.
void StoreRemaining(SyscallContext& c, uint64_t addr, int64_t deadline, bool timeval) {
  if (!addr || deadline < 0) return;
  int64_t left = std::max<int64_t>(0, deadline - NowNs());
  if (timeval) {
    struct timeval tv = {left / 1000000000, (left % 1000000000) / 1000};
    CopyOutObj(c, addr, tv);
  } else {
    struct timespec ts = {left / 1000000000, left % 1000000000};
    CopyOutObj(c, addr, ts);
  }
}

SysResult Poll(SyscallContext& c) {
  int timeout = static_cast<int>(c.arg(2));
  int64_t deadline = timeout < 0 ? -1 : NowNs() + static_cast<int64_t>(timeout) * 1000000;
  return PollImpl(c, c.arg(0), c.arg(1), deadline);
}

SysResult Ppoll(SyscallContext& c) {
  int64_t deadline;
  SysResult r = DeadlineFrom(c, c.arg(2), &deadline);
  if (!r.ok()) return r;
  std::optional<uint64_t> mask;
  r = ReadCallSigmask(c, c.arg(3), c.arg(4), &mask);
  if (!r.ok()) return r;
  r = EnterCallMask(c, mask);
  if (r.raw() == kNoReply) return r;
  r = PollImpl(c, c.arg(0), c.arg(1), deadline);
  if (r.ok() || r.error() == EINTR) StoreRemaining(c, c.arg(2), deadline, false);
  return LeaveCallMask(c, r);
}

// select/pselect6: fd_set bitmaps turned into pollfds and back.
SysResult SelectImpl(SyscallContext& c, int64_t nfds, uint64_t rd, uint64_t wr, uint64_t ex,
                     int64_t deadline) {
  if (nfds < 0 || nfds > FdLimit(c)) return SysResult::Errno(EINVAL);
  size_t bytes = (static_cast<size_t>(nfds) + 63) / 64 * 8;
  std::vector<uint64_t> sets[3];
  uint64_t addrs[3] = {rd, wr, ex};
  for (int k = 0; k < 3; ++k) {
    sets[k].assign(bytes / 8, 0);
    if (addrs[k] && bytes && !CopyIn(c, addrs[k], sets[k].data(), bytes).ok())
      return SysResult::Errno(EFAULT);
  }
  auto isset = [&](int k, int fd) { return (sets[k][fd / 64] >> (fd % 64)) & 1; };
  std::vector<pollfd> fds;
  for (int fd = 0; fd < nfds; ++fd) {
    short ev = 0;
    if (isset(0, fd)) ev |= POLLIN;
    if (isset(1, fd)) ev |= POLLOUT;
    if (isset(2, fd)) ev |= POLLPRI;
    if (!ev) continue;
    if (!GetFile(c, static_cast<uint64_t>(fd))) return SysResult::Errno(EBADF);
    fds.push_back(pollfd{fd, ev, 0});
  }
  SysResult r = PollCore(c, fds, deadline);
  if (!r.ok()) return r;
  for (auto& s : sets) std::fill(s.begin(), s.end(), 0);
  int64_t count = 0;
  for (const pollfd& p : fds) {
    auto set = [&](int k) {
      sets[k][p.fd / 64] |= 1ULL << (p.fd % 64);
      ++count;
    };
    if ((p.events & POLLIN) && (p.revents & (POLLIN | POLLHUP | POLLERR))) set(0);
    if ((p.events & POLLOUT) && (p.revents & (POLLOUT | POLLERR))) set(1);
    if ((p.events & POLLPRI) && (p.revents & POLLPRI)) set(2);
  }
  for (int k = 0; k < 3; ++k) {
    if (addrs[k] && bytes && !CopyOut(c, addrs[k], sets[k].data(), bytes).ok())
      return SysResult::Errno(EFAULT);
  }
  return count;
}

SysResult Select(SyscallContext& c) {
  int64_t deadline = -1;
  if (c.arg(4)) {
    struct timeval tv;
    if (!CopyInObj(c, c.arg(4), &tv).ok()) return SysResult::Errno(EFAULT);
    if (tv.tv_sec < 0 || tv.tv_usec < 0) return SysResult::Errno(EINVAL);
    deadline = NowNs() + tv.tv_sec * 1000000000LL + (tv.tv_usec % 1000000) * 1000 +
               (tv.tv_usec / 1000000) * 1000000000LL;
  }
  SysResult r = SelectImpl(c, static_cast<int32_t>(c.arg(0)), c.arg(1), c.arg(2), c.arg(3),
                           deadline);
  if (r.ok() || r.error() == EINTR) StoreRemaining(c, c.arg(4), deadline, true);
  return r;
}

SysResult Pselect6(SyscallContext& c) {
  int64_t deadline;
  SysResult r = DeadlineFrom(c, c.arg(4), &deadline);
  if (!r.ok()) return r;
  std::optional<uint64_t> mask;
  r = ReadPselectSigmask(c, c.arg(5), &mask);
  if (!r.ok()) return r;
  r = EnterCallMask(c, mask);
  if (r.raw() == kNoReply) return r;
  r = SelectImpl(c, static_cast<int32_t>(c.arg(0)), c.arg(1), c.arg(2), c.arg(3), deadline);
  if (r.ok() || r.error() == EINTR) StoreRemaining(c, c.arg(4), deadline, false);
  return LeaveCallMask(c, r);
}

}  // namespace

void RegisterPollHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_poll] = Poll;
  (*t)[SYS_ppoll] = Ppoll;
  (*t)[SYS_select] = Select;
  (*t)[SYS_pselect6] = Pselect6;
}

}  // namespace sentry
