// InotifyFile and the sentry-wide watch registry (see inotify.h). Sentry thread only.
#include "vfs/inotify.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "vfs/dentry.h"
#include "vfs/fsnotify.h"

namespace sentry::vfs {
namespace {

using Registry = absl::flat_hash_map<const Inode*, std::vector<InotifyWatch*>>;
Registry& Watches() {
  static auto* r = new Registry();
  return *r;
}

void Register(InotifyWatch* w) {
  Watches()[w->inode].push_back(w);
  ++fsnotify::g_watches;
}

void Unregister(InotifyWatch* w) {
  auto it = Watches().find(w->inode);
  if (it == Watches().end()) return;
  auto& v = it->second;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == w) {
      v.erase(v.begin() + static_cast<ptrdiff_t>(i));
      --fsnotify::g_watches;
      break;
    }
  }
  if (v.empty()) Watches().erase(it);
}

bool Unlinked(Inode* subject) {
  struct stat st;
  return subject != nullptr && subject->Stat(&st).ok() && st.st_nlink == 0;
}

}  // namespace

namespace inotify {

bool Watched(const Inode* inode) { return Watches().contains(inode); }

void Deliver(const Inode* inode, uint32_t mask, uint32_t cookie, std::string_view name,
             Inode* subject) {
  auto it = Watches().find(inode);
  if (it == Watches().end()) return;
  // A one-shot watch ends while we deliver: iterate over a copy.
  std::vector<InotifyWatch*> list = it->second;
  for (InotifyWatch* w : list) {
    if (!(w->mask & mask & IN_ALL_EVENTS)) continue;
    if ((w->mask & IN_EXCL_UNLINK) && Unlinked(subject)) continue;
    w->owner->Queue(w->wd, mask & (IN_ALL_EVENTS | IN_ISDIR), cookie, name);
    if (w->mask & IN_ONESHOT) w->owner->EndWatch(w);
  }
}

void EndWatches(const Inode* inode, bool is_dir) {
  auto it = Watches().find(inode);
  if (it == Watches().end()) return;
  std::vector<InotifyWatch*> list = it->second;
  for (InotifyWatch* w : list) {
    if (w->mask & IN_DELETE_SELF) w->owner->Queue(w->wd, IN_DELETE_SELF, 0, "");
    w->owner->EndWatch(w);
  }
  (void)is_dir;  // IN_DELETE_SELF carries no IN_ISDIR on Linux
}

}  // namespace inotify

size_t InotifyFile::Event::Size() const {
  size_t len = name.empty() ? 0 : (name.size() + 1 + 15) / 16 * 16;
  return sizeof(struct inotify_event) + len;
}

ErrnoOr<std::shared_ptr<InotifyFile>> InotifyFile::Create(int flags) {
  using R = ErrnoOr<std::shared_ptr<InotifyFile>>;
  if (flags & ~(IN_NONBLOCK | IN_CLOEXEC)) return R::Errno(EINVAL);
  int bell = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (bell < 0) return R::Errno(errno);
  return std::make_shared<InotifyFile>(UniqueFd(bell), flags & IN_NONBLOCK);
}

InotifyFile::InotifyFile(UniqueFd doorbell, int flags)
    : HostFile(std::move(doorbell), O_RDONLY | (flags & O_NONBLOCK), nullptr, "anon_inode:inotify") {}

SysResult InotifyFile::Stat(struct stat* out) {
  if (::fstat(host_fd(), out) != 0) return SysResult::Errno(errno);
  out->st_uid = 0;
  out->st_gid = 0;
  return 0;
}

ErrnoOr<FileRef> InotifyFile::Reopen(int) { return ErrnoOr<FileRef>::Errno(ENXIO); }

InotifyFile::~InotifyFile() {
  for (auto& [wd, w] : watches_) Unregister(w.get());
}

void InotifyFile::Ring(bool ready) {
  uint64_t v = 1;
  if (ready) {
    // Every queued event adds to the counter, so an edge-triggered epoll waiter sees a new
    // edge per event, as with Linux's wake-up per event.
    (void)!::write(host_fd(), &v, sizeof(v));
  } else if (bell_) {
    (void)!::read(host_fd(), &v, sizeof(v));
  }
  bell_ = ready;
}

void InotifyFile::Queue(int wd, uint32_t mask, uint32_t cookie, std::string_view name) {
  if (events_.size() >= inotify::kMaxQueuedEvents) {
    if (overflow_queued_) return;
    overflow_queued_ = true;
    events_.push_back(Event{-1, IN_Q_OVERFLOW, 0, ""});
    bytes_ += events_.back().Size();
    Ring(true);
    return;
  }
  if (!events_.empty()) {
    const Event& last = events_.back();
    if (last.wd == wd && last.mask == mask && last.cookie == cookie && last.name == name) return;
  }
  events_.push_back(Event{wd, mask, cookie, std::string(name)});
  bytes_ += events_.back().Size();
  Ring(true);
}

SysResult InotifyFile::Read(std::span<char> buf) {
  if (events_.empty()) return SysResult::Errno(EAGAIN);
  if (events_.front().Size() > buf.size()) return SysResult::Errno(EINVAL);
  size_t done = 0;
  while (!events_.empty() && events_.front().Size() <= buf.size() - done) {
    const Event& e = events_.front();
    struct inotify_event h = {};
    h.wd = e.wd;
    h.mask = e.mask;
    h.cookie = e.cookie;
    h.len = static_cast<uint32_t>(e.Size() - sizeof(h));
    std::memcpy(buf.data() + done, &h, sizeof(h));
    if (h.len) {
      std::memset(buf.data() + done + sizeof(h), 0, h.len);
      std::memcpy(buf.data() + done + sizeof(h), e.name.data(), e.name.size());
    }
    done += e.Size();
    bytes_ -= e.Size();
    if (e.mask == IN_Q_OVERFLOW && e.wd == -1) overflow_queued_ = false;
    events_.pop_front();
  }
  if (events_.empty()) Ring(false);
  return static_cast<int64_t>(done);
}

SysResult InotifyFile::Ioctl(uint32_t cmd, void* arg) {
  if (cmd != FIONREAD) return SysResult::Errno(ENOTTY);
  int n = static_cast<int>(bytes_);
  std::memcpy(arg, &n, sizeof(n));
  return 0;
}

uint32_t InotifyFile::Readiness(uint32_t mask) {
  return events_.empty() ? 0 : (mask & (POLLIN | POLLRDNORM));
}

std::string InotifyFile::FdInfo() const {
  std::string out;
  for (const auto& [wd, w] : watches_) {
    struct stat st = {};
    const_cast<Inode*>(w->inode)->Stat(&st);
    char line[128];
    std::snprintf(line, sizeof(line), "inotify wd:%x ino:%llx sdev:%llx mask:%x ignored_mask:0\n",
                  wd, static_cast<unsigned long long>(st.st_ino),
                  static_cast<unsigned long long>(st.st_dev), w->mask & inotify::kWatchBits);
    out += line;
  }
  return out;
}

SysResult InotifyFile::AddWatch(const std::shared_ptr<Dentry>& d, uint32_t mask) {
  const Inode* inode = d->inode().get();
  uint32_t bits = mask & inotify::kWatchBits;
  if (auto it = by_inode_.find(inode); it != by_inode_.end()) {
    if (mask & IN_MASK_CREATE) return SysResult::Errno(EEXIST);
    InotifyWatch* w = it->second;
    w->mask = (mask & IN_MASK_ADD) ? (w->mask | bits) : bits;
    return w->wd;
  }
  auto w = std::make_unique<InotifyWatch>();
  w->owner = this;
  w->wd = next_wd_++;
  w->mask = bits;
  w->dentry = d;
  w->inode = inode;
  InotifyWatch* raw = w.get();
  watches_[raw->wd] = std::move(w);
  by_inode_[inode] = raw;
  Register(raw);
  return raw->wd;
}

int InotifyFile::RemoveWatch(int wd) {
  auto it = watches_.find(wd);
  if (it == watches_.end()) return EINVAL;
  EndWatch(it->second.get());
  return 0;
}

void InotifyFile::EndWatch(InotifyWatch* w) {
  int wd = w->wd;
  Queue(wd, IN_IGNORED, 0, "");
  Unregister(w);
  by_inode_.erase(w->inode);
  watches_.erase(wd);  // frees w
}

}  // namespace sentry::vfs
