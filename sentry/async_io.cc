// O_ASYNC signals (see async_io.h), sent with Linux's siginfo (POLL_IN/POLL_OUT, si_band,
// si_fd) through Kernel::SendSignal, which installs it at the signal-delivery stop. Sentry
// thread only.
#include "sentry/async_io.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "sentry/handler_util.h"
#include "sentry/kernel.h"

namespace sentry {
namespace {

constexpr int kOwnerTid = 0, kOwnerPid = 1, kOwnerPgrp = 2;  // F_OWNER_* of struct f_owner_ex

void HookFn(void* ctx, vfs::FileDescription& f, uint32_t band) {
  static_cast<AsyncIo*>(ctx)->Raise(f, band);
}

uint64_t Key(uint32_t slot, uint32_t gen) { return (uint64_t{gen} << 32) | slot; }

// Whether the guest id `id` of owner type `type` exists now.
bool OwnerExists(Kernel& k, int type, int id) {
  if (id == 0) return true;
  if (type == kOwnerPgrp) return k.HostPgrpOf(id) != 0;
  if (type == kOwnerPid) {
    Process* p = k.FindProcess(id);
    return (p != nullptr && !p->zombie) || k.HostTidOf(id) != 0;
  }
  return k.HostTidOf(id) != 0;
}

}  // namespace

AsyncIo::AsyncIo(Kernel* kernel) : kernel_(kernel) {
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  vfs::SetAsyncSignalHook(&HookFn, this);
}

AsyncIo::~AsyncIo() { vfs::SetAsyncSignalHook(nullptr, nullptr); }

void AsyncIo::Update(const vfs::FileRef& f) {
  auto it = slot_of_.find(f.get());
  if (it != slot_of_.end() && watches_[it->second].file.lock() != f) {
    // A description that died at this address: its host fd is closed, so the host dropped
    // its registration already.
    Drop(it->second);
    it = slot_of_.end();
  }
  const bool want = (f->status_flags() & O_ASYNC) && f->ReadinessFd() >= 0;
  if (!want) {
    if (it != slot_of_.end()) {
      epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, watches_[it->second].fd, nullptr);
      Drop(it->second);
    }
    return;
  }
  if (it != slot_of_.end() || !epoll_) return;
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(watches_.size());
    watches_.emplace_back();
  }
  Watch& w = watches_[slot];
  w.file = f;
  w.fd = f->ReadinessFd();
  ++w.gen;
  epoll_event ev{};
  ev.events = EPOLLET | (f->readable() ? EPOLLIN | EPOLLRDHUP : 0) |
              (f->writable() ? EPOLLOUT : 0);
  ev.data.u64 = Key(slot, w.gen);
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, w.fd, &ev) != 0) {
    // The host object is registered through another description already (EEXIST): a dup
    // would keep it open (a pipe writer would not see EPIPE), so this one gets no signals.
    w.file.reset();
    free_.push_back(slot);
    return;
  }
  w.live = true;
  w.key = f.get();
  slot_of_[f.get()] = slot;
  ++live_;
  // Setting O_ASYNC raises nothing by itself: swallow the edge the registration reports for
  // what is ready already.
  Collect(slot);
}

void AsyncIo::Drop(uint32_t slot) {
  Watch& w = watches_[slot];
  if (!w.live) return;
  slot_of_.erase(w.key);
  w.key = nullptr;
  w.live = false;
  w.file.reset();
  w.fd = -1;
  ++w.gen;
  free_.push_back(slot);
  --live_;
}

void AsyncIo::OnReady() { Collect(-1); }

void AsyncIo::Collect(int64_t skip) {
  epoll_event events[32];
  for (;;) {
    int n = epoll_wait(epoll_.get(), events, 32, 0);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      uint32_t slot = static_cast<uint32_t>(events[i].data.u64);
      uint32_t gen = static_cast<uint32_t>(events[i].data.u64 >> 32);
      if (slot >= watches_.size() || watches_[slot].gen != gen || !watches_[slot].live) continue;
      if (static_cast<int64_t>(slot) == skip) continue;
      vfs::FileRef f = watches_[slot].file.lock();
      if (!f) {
        Drop(slot);
        continue;
      }
      uint32_t e = events[i].events;
      uint32_t band = 0;
      if (e & (EPOLLIN | EPOLLRDHUP)) band |= POLLIN;
      if (e & EPOLLOUT) band |= POLLOUT;
      if (e & (EPOLLHUP | EPOLLERR)) band |= POLLHUP;
      f->NotifyAsync(band);
    }
    if (n < 32) return;
  }
}

namespace {

// The siginfo Linux's send_sigio_to_task gives the owner: with F_SETSIG, the poll reason
// (POLL_IN, POLL_OUT, POLL_HUP), its band and the fd O_ASYNC was set through; without it a
// plain SIGIO from the kernel (SI_KERNEL).
siginfo_t AsyncSigInfo(const vfs::AsyncOwner& o, uint32_t band) {
  if (o.sig == 0) return Kernel::KernelSigInfo(SIGIO);
  siginfo_t info = Kernel::KernelSigInfo(o.sig);
  if (band & POLLIN) {
    info.si_code = POLL_IN;
    info.si_band = POLLIN | POLLRDNORM;
  } else if (band & POLLOUT) {
    info.si_code = POLL_OUT;
    info.si_band = POLLOUT | POLLWRNORM | POLLWRBAND;
  } else {
    info.si_code = POLL_HUP;
    info.si_band = POLLHUP | POLLERR;
  }
  info.si_fd = o.fasync_fd;
  return info;
}

}  // namespace

void AsyncIo::Raise(vfs::FileDescription& f, uint32_t band) {
  const vfs::AsyncOwner& o = f.async_owner();
  if (o.id == 0) return;
  siginfo_t info = AsyncSigInfo(o, band);
  switch (o.type) {
    case kOwnerPgrp:
      kernel_->SendGroupSignal(kernel_->HostPgrpOf(o.id), info);
      return;
    case kOwnerPid: {
      Process* p = kernel_->FindProcess(o.id);
      if (p != nullptr) kernel_->SendSignal(*p, 0, info);
      return;
    }
    default: {
      for (Process* p : kernel_->processes()) {
        for (const Task* t : kernel_->TasksOf(p)) {
          if (t->tid == o.id) {
            kernel_->SendSignal(*p, t->host_tid, info);
            return;
          }
        }
      }
      return;
    }
  }
}

bool SupportsAsync(vfs::FileDescription& f) {
  std::string path = f.Path();
  if (path.rfind("socket:", 0) == 0) return true;  // readiness may be sentry-side
  if (path.rfind("anon_inode:", 0) == 0) return path == "anon_inode:inotify";
  return f.ReadinessFd() >= 0;
}

SysResult FcntlAsync(SyscallContext& c, vfs::FileDescription& f, int cmd, uint64_t arg) {
  vfs::AsyncOwner& o = f.async_owner();
  switch (cmd) {
    case F_SETOWN: {
      int who = static_cast<int>(arg);
      if (who == INT_MIN) return SysResult::Errno(EINVAL);
      int type = who < 0 ? kOwnerPgrp : kOwnerPid;
      int id = who < 0 ? -who : who;
      if (!OwnerExists(c.kernel, type, id)) return SysResult::Errno(ESRCH);
      o.type = type;
      o.id = id;
      return 0;
    }
    case F_GETOWN:
      return o.type == kOwnerPgrp ? -static_cast<int64_t>(o.id) : o.id;
    case F_SETOWN_EX: {
      struct {
        int type;
        int pid;
      } ex;
      if (!CopyInObj(c, arg, &ex).ok()) return SysResult::Errno(EFAULT);
      if (ex.type != kOwnerTid && ex.type != kOwnerPid && ex.type != kOwnerPgrp)
        return SysResult::Errno(EINVAL);
      if (ex.pid < 0) return SysResult::Errno(ESRCH);
      if (!OwnerExists(c.kernel, ex.type, ex.pid)) return SysResult::Errno(ESRCH);
      o.type = ex.type;
      o.id = ex.pid;
      return 0;
    }
    case F_GETOWN_EX: {
      struct {
        int type;
        int pid;
      } ex{o.type, o.id};
      if (!CopyOutObj(c, arg, ex).ok()) return SysResult::Errno(EFAULT);
      return 0;
    }
    case F_SETSIG:
      if (arg > 64) return SysResult::Errno(EINVAL);
      o.sig = static_cast<int>(arg);
      return 0;
    case F_GETSIG:
      return o.sig;
    default:
      return SysResult::Errno(EINVAL);
  }
}

}  // namespace sentry
