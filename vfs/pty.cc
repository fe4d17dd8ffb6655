// Pty pairs over the private host devpts instance.
// Ownership as described in vfs/pty.h; sentry thread only.
#include "vfs/pty.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <tuple>

#include "vfs/dentry.h"
#include "vfs/fs_context.h"
#include "vfs/inode.h"

namespace sentry::vfs {
namespace {

// struct termios2 ioctls (<asm/termbits.h> clashes with <termios.h>).
constexpr uint32_t kTcGets2 = 0x802c542a;
constexpr uint32_t kTcSets2 = 0x402c542b;
constexpr uint32_t kTcSetsW2 = 0x402c542c;
constexpr uint32_t kTcSetsF2 = 0x402c542d;
constexpr size_t kTermios = 36;   // the kernel's struct termios
constexpr size_t kTermios2 = 44;  // struct termios2

SysResult FromHost(long r) { return r < 0 ? SysResult::Errno(errno) : SysResult(r); }

std::string SlaveName(int index) { return "/dev/pts/" + std::to_string(index); }

}  // namespace

bool ShapeOfPtyIoctl(uint32_t cmd, PtyIoctlShape* s) {
  switch (cmd) {
    case TCGETS: *s = {kTermios, false, true}; return true;
    case TCSETS: case TCSETSW: case TCSETSF: *s = {kTermios, true, false}; return true;
    case kTcGets2: *s = {kTermios2, false, true}; return true;
    case kTcSets2: case kTcSetsW2: case kTcSetsF2: *s = {kTermios2, true, false}; return true;
    case TIOCGLCKTRMIOS: *s = {kTermios, false, true}; return true;
    case TIOCGWINSZ: *s = {sizeof(struct winsize), false, true}; return true;
    case TIOCSWINSZ: *s = {sizeof(struct winsize), true, false}; return true;
    case FIONREAD:  // == TIOCINQ
    case TIOCOUTQ:
    case TIOCGPTN:
    case TIOCGPTLCK:
    case TIOCGPKT:
    case TIOCGEXCL:
    case TIOCGETD:
    case TIOCGDEV:
      *s = {sizeof(int), false, true};
      return true;
    case TIOCSPTLCK:
    case TIOCPKT:
      *s = {sizeof(int), true, false};
      return true;
    case TCFLSH:
    case TCXONC:
    case TCSBRK:
    case TCSBRKP:
      *s = {0, false, false, true};
      return true;
    case TIOCEXCL:
    case TIOCNXCL:
    case TIOCSBRK:
    case TIOCCBRK:
      *s = {0, false, false};
      return true;
    default:
      return false;
  }
}

bool IsPtyCallerIoctl(uint32_t cmd) {
  switch (cmd) {
    case TIOCSCTTY:
    case TIOCNOTTY:
    case TIOCSPGRP:
    case TIOCGPGRP:
    case TIOCGSID:
    case TIOCSTI:
      return true;
    default:
      return false;
  }
}

// ---- PtyRegistry ----

PtyRegistry::PtyRegistry(int devpts_fd, PtyCallbacks callbacks)
    : devpts_fd_(devpts_fd), callbacks_(std::move(callbacks)) {}

ErrnoOr<FileRef> PtyRegistry::OpenMaster(std::shared_ptr<Dentry> d, int flags, int caller_pid) {
  // The raw syscall: the sentry's filter allows exactly this dirfd and these flags.
  int fd = static_cast<int>(::syscall(SYS_openat, devpts_fd_, "ptmx", kPtyHostFlags));
  if (fd < 0) return ErrnoOr<FileRef>::Errno(errno);
  UniqueFd master(fd);
  int index = -1;
  if (::ioctl(fd, TIOCGPTN, &index) != 0 || index < 0) return ErrnoOr<FileRef>::Errno(EIO);
  Entry e;
  e.master_host_fd = fd;
  if (callbacks_.owner) std::tie(e.node.uid, e.node.gid) = callbacks_.owner(caller_pid);
  clock_gettime(CLOCK_REALTIME, &e.node.time);
  pairs_[index] = e;
  return FileRef(std::make_shared<PtyFile>(shared_from_this(), true, index, std::move(master),
                                           std::move(d), flags));
}

ErrnoOr<FileRef> PtyRegistry::OpenSlave(int index, std::shared_ptr<Dentry> d, int flags) {
  auto it = pairs_.find(index);
  if (it == pairs_.end()) return ErrnoOr<FileRef>::Errno(ENOENT);
  int fd = ::ioctl(it->second.master_host_fd, TIOCGPTPEER, kPtyHostFlags);
  if (fd < 0) return ErrnoOr<FileRef>::Errno(errno);  // EIO while locked
  return FileRef(std::make_shared<PtyFile>(shared_from_this(), false, index, UniqueFd(fd),
                                           std::move(d), flags));
}

ErrnoOr<FileRef> PtyRegistry::OpenControllingTty(int caller_pid, std::shared_ptr<Dentry> d,
                                                 int flags) {
  int index = callbacks_.ctty_index ? callbacks_.ctty_index(caller_pid) : -1;
  if (index < 0) return ErrnoOr<FileRef>::Errno(ENXIO);
  ErrnoOr<FileRef> f = OpenSlave(index, std::move(d), flags);
  // The master is gone: the terminal was hung up.
  if (!f.ok() && f.error() == ENOENT) return ErrnoOr<FileRef>::Errno(EIO);
  return f;
}

std::vector<int> PtyRegistry::Indices() const {
  std::vector<int> out;
  out.reserve(pairs_.size());
  for (const auto& [index, e] : pairs_) out.push_back(index);
  return out;
}

PtyRegistry::Node* PtyRegistry::FindNode(int index) {
  auto it = pairs_.find(index);
  return it == pairs_.end() ? nullptr : &it->second.node;
}

SysResult PtyRegistry::StatNode(int index, struct stat* out) {
  Node* n = FindNode(index);
  if (n == nullptr) return SysResult::Errno(ENOENT);
  *out = {};
  out->st_dev = dev_;
  out->st_ino = static_cast<ino_t>(index) + 3;  // devpts: root 1, ptmx 2, pts/N N+3
  out->st_mode = S_IFCHR | (n->mode & 07777);
  out->st_nlink = 1;
  out->st_uid = n->uid;
  out->st_gid = n->gid;
  out->st_rdev = makedev(kPtySlaveMajor, static_cast<unsigned>(index));
  out->st_blksize = 1024;
  out->st_atim = out->st_mtim = out->st_ctim = n->time;
  return 0;
}

// ---- PtyFile ----

PtyFile::PtyFile(std::shared_ptr<PtyRegistry> registry, bool master, int index, UniqueFd fd,
                 std::shared_ptr<Dentry> d, int flags)
    : FileDescription(std::move(d), flags, master ? "/dev/pts/ptmx" : SlaveName(index)),
      registry_(std::move(registry)),
      master_(master),
      index_(index),
      fd_(std::move(fd)) {}

PtyFile::~PtyFile() {
  if (!master_) return;
  auto it = registry_->pairs_.find(index_);
  if (it != registry_->pairs_.end() && it->second.master_host_fd == fd_.get()) {
    registry_->Forget(index_);
  }
}

SysResult PtyFile::Read(std::span<char> buf) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  if (buf.empty()) return 0;
  ssize_t r;
  do {
    r = ::read(fd_.get(), buf.data(), std::min(buf.size(), kMaxRwCount));
  } while (r < 0 && errno == EINTR);
  return FromHost(r);
}

SysResult PtyFile::Write(std::span<const char> buf) {
  if (int err = CheckWritable()) return SysResult::Errno(err);
  if (buf.empty()) return 0;
  ssize_t r;
  do {
    r = ::write(fd_.get(), buf.data(), std::min(buf.size(), kMaxRwCount));
  } while (r < 0 && errno == EINTR);
  return FromHost(r);
}

SysResult PtyFile::Stat(struct stat* out) {
  if (dentry() != nullptr) return FileDescription::Stat(out);
  if (!master_) {
    SysResult r = registry_->StatNode(index_, out);
    if (r.ok()) return r;
  }
  return FromHost(::fstat(fd_.get(), out));
}

SysResult PtyFile::Ioctl(uint32_t cmd, void* arg) {
  if (is_path()) return SysResult::Errno(EBADF);
  PtyIoctlShape s;
  if (!ShapeOfPtyIoctl(cmd, &s)) return SysResult::Errno(ENOTTY);
  if (s.by_value) {
    if (arg == nullptr) return SysResult::Errno(EFAULT);
    return FromHost(::ioctl(fd_.get(), cmd, static_cast<unsigned long>(*static_cast<int*>(arg))));
  }
  if (s.size == 0) return FromHost(::ioctl(fd_.get(), cmd, 0UL));
  if (arg == nullptr) return SysResult::Errno(EFAULT);
  return FromHost(::ioctl(fd_.get(), cmd, arg));
}

uint32_t PtyFile::Readiness(uint32_t mask) {
  struct pollfd p = {fd_.get(), static_cast<short>(mask), 0};
  if (::poll(&p, 1, 0) <= 0) return 0;
  return static_cast<uint16_t>(p.revents);
}

ErrnoOr<FileRef> PtyFile::Reopen(int flags) {
  if (master_) return ErrnoOr<FileRef>::Errno(ENXIO);
  return registry_->OpenSlave(index_, dentry(), flags);
}

bool PtyFile::PairHasSession() const {
  int fd = fd_.get();
  if (!master_) {
    auto it = registry_->pairs_.find(index_);
    if (it == registry_->pairs_.end()) return false;
    fd = it->second.master_host_fd;
  }
  pid_t sid = 0;
  return ::ioctl(fd, TIOCGSID, &sid) == 0;
}

ErrnoOr<FileRef> PtyFile::OpenPeer(int flags) {
  if (!master_) return ErrnoOr<FileRef>::Errno(ENOTTY);
  int fd = ::ioctl(fd_.get(), TIOCGPTPEER, kPtyHostFlags);
  if (fd < 0) return ErrnoOr<FileRef>::Errno(errno);
  // The slave's dentry: /dev/pts/N next to the master's ptmx, when it was opened there.
  std::shared_ptr<Dentry> d;
  if (dentry() != nullptr && dentry()->parent() != nullptr &&
      dentry()->fs() == dentry()->parent()->fs()) {
    const std::shared_ptr<Dentry>& dir = dentry()->parent();
    FsContext ctx;
    ErrnoOr<std::shared_ptr<Inode>> node = dir->inode()->LookupOne(ctx, std::to_string(index_));
    if (node.ok()) d = std::make_shared<Dentry>(*node, dir, std::to_string(index_));
  }
  return FileRef(std::make_shared<PtyFile>(registry_, false, index_, UniqueFd(fd), std::move(d),
                                           flags));
}

}  // namespace sentry::vfs
