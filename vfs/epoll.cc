// EpollFile: guest epoll instances on host epoll sets. Sentry thread only.
#include "vfs/epoll.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sentry::vfs {
namespace {

// The events EPOLLEXCLUSIVE may be combined with (Linux's rule).
constexpr uint32_t kExclusiveOk =
    EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

}  // namespace

ErrnoOr<std::shared_ptr<EpollFile>> EpollFile::Create(int status_flags) {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return ErrnoOr<std::shared_ptr<EpollFile>>::Errno(errno);
  return std::make_shared<EpollFile>(UniqueFd(fd), status_flags);
}

EpollFile::EpollFile(UniqueFd fd, int flags) : AnonHostFile(std::move(fd), flags, "eventpoll") {}

EpollFile::~EpollFile() = default;

SysResult EpollFile::Read(std::span<char>) { return SysResult::Errno(EINVAL); }
SysResult EpollFile::Write(std::span<const char>) { return SysResult::Errno(EINVAL); }

int EpollFile::Find(int fd, const FileDescription* target) {
  auto it = index_.find(std::make_pair(fd, target));
  if (it == index_.end()) return -1;
  int idx = it->second;
  // A live weak reference pins the address, so a match that still locks is the same
  // description; an expired one was released (Linux drops it from the set then).
  if (items_[idx].file.lock().get() != target) {
    Release(idx);
    return -1;
  }
  return idx;
}

void EpollFile::Release(int idx) {
  Item& it = items_[idx];
  index_.erase(std::make_pair(it.fd, it.raw));
  if (it.dup.valid()) {
    ::epoll_ctl(host_fd(), EPOLL_CTL_DEL, it.dup.get(), nullptr);
    it.dup.reset();
    std::erase(dup_items_, idx);
  } else if (!it.file.expired()) {
    ::epoll_ctl(host_fd(), EPOLL_CTL_DEL, it.host_fd, nullptr);
  }
  // else: the description closed its host fd, which took the host registration with it.
  it.file.reset();
  it.raw = nullptr;
  it.used = false;
  ++it.gen;
  free_.push_back(idx);
}

void EpollFile::PruneDups() {
  for (size_t i = 0; i < dup_items_.size();) {
    int idx = dup_items_[i];
    if (items_[idx].file.expired()) {
      Release(idx);  // erases dup_items_[i]
    } else {
      ++i;
    }
  }
}

int EpollFile::Ctl(int op, int fd, const FileRef& target, const epoll_event& ev) {
  PruneDups();
  bool exclusive = op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE);
  if (exclusive) {
    if (op == EPOLL_CTL_MOD) return EINVAL;
    if (op == EPOLL_CTL_ADD &&
        (dynamic_cast<const EpollFile*>(target.get()) || (ev.events & ~kExclusiveOk)))
      return EINVAL;
  }
  int idx = Find(fd, target.get());
  switch (op) {
    case EPOLL_CTL_ADD: {
      if (idx >= 0) return EEXIST;
      if (free_.empty()) {
        items_.emplace_back();
        free_.push_back(static_cast<int>(items_.size() - 1));
      }
      idx = free_.back();
      Item& it = items_[idx];
      epoll_event host{ev.events, {.u64 = Tag(idx)}};
      int rfd = target->ReadinessFd();
      UniqueFd dup;
      int r = ::epoll_ctl(host_fd(), EPOLL_CTL_ADD, rfd, &host);
      if (r != 0 && errno == EEXIST) {
        // That host fd is already in the set (another guest fd of this description).
        dup.reset(::fcntl(rfd, F_DUPFD_CLOEXEC, 0));
        if (!dup.valid()) return errno;
        rfd = dup.get();
        r = ::epoll_ctl(host_fd(), EPOLL_CTL_ADD, rfd, &host);
      }
      if (r != 0) return errno;
      free_.pop_back();
      it.fd = fd;
      it.file = target;
      it.raw = target.get();
      it.data = ev.data.u64;
      it.events = ev.events;
      it.host_fd = rfd;
      it.dup = std::move(dup);
      it.used = true;
      if (it.dup.valid()) dup_items_.push_back(idx);
      index_[std::make_pair(fd, it.raw)] = idx;
      return 0;
    }
    case EPOLL_CTL_MOD: {
      if (idx < 0) return ENOENT;
      epoll_event host{ev.events, {.u64 = Tag(idx)}};
      if (::epoll_ctl(host_fd(), EPOLL_CTL_MOD, items_[idx].host_fd, &host) != 0) return errno;
      items_[idx].data = ev.data.u64;
      items_[idx].events = ev.events;
      return 0;
    }
    case EPOLL_CTL_DEL:
      if (idx < 0) return ENOENT;
      Release(idx);
      return 0;
    default:
      return EINVAL;
  }
}

size_t EpollFile::size() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Item& it) { return it.used && !it.file.expired(); });
}

SysResult EpollFile::Collect(std::span<epoll_event> out) {
  PruneDups();
  if (out.empty()) return 0;
  int max = static_cast<int>(std::min<size_t>(out.size(), 1 << 20));
  // Events of an epoll_wait whose reply did not land (Kernel::HandleSyscall gives them back
  // as bytes): the host has consumed them (edge-triggered, one-shot), so they come first.
  if (has_pushback()) {
    size_t bytes = TakePushback(std::span<char>(reinterpret_cast<char*>(out.data()),
                                                static_cast<size_t>(max) * sizeof(epoll_event)));
    return static_cast<int64_t>(bytes / sizeof(epoll_event));
  }
  // Bytes pushed back into a description (an undelivered read, FileDescription::PushBack)
  // are invisible to the host epoll: report those items first (rare: a scan only then).
  int pushed = 0;
  if (FileDescription::pushback_holders() > 0) {
    for (const Item& it : items_) {
      if (pushed >= max) break;
      if (!it.used || !(it.events & EPOLLIN)) continue;
      FileRef f = it.file.lock();
      if (f == nullptr || !f->has_pushback()) continue;
      out[pushed].events = EPOLLIN;
      out[pushed].data.u64 = it.data;
      ++pushed;
    }
    if (pushed > 0) return pushed;
  }
  // Events of released descriptions are dropped; retry a few times when that was all.
  for (int round = 0; round < 4; ++round) {
    int n;
    do {
      n = ::epoll_wait(host_fd(), out.data(), max, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return SysResult::Errno(errno);
    if (n == 0) return 0;
    int kept = 0;
    for (int i = 0; i < n; ++i) {
      uint64_t tag = out[i].data.u64;
      size_t idx = static_cast<uint32_t>(tag);
      if (idx >= items_.size()) continue;
      Item& it = items_[idx];
      if (!it.used || it.gen != static_cast<uint32_t>(tag >> 32)) continue;
      if (it.file.expired()) {
        Release(static_cast<int>(idx));
        continue;
      }
      out[kept].events = out[i].events;
      out[kept].data.u64 = it.data;
      ++kept;
    }
    if (kept > 0) return kept;
  }
  return 0;
}

}  // namespace sentry::vfs
