// devfs.
// Ownership as described in vfs/devfs.h; sentry thread only.
#include "vfs/devfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <tuple>

#include "vfs/fs_context.h"
#include "vfs/host_dev_zero.h"
#include "vfs/hostfd.h"

namespace sentry::vfs {
namespace {

class MemDeviceFile : public FileDescription {
 public:
  MemDeviceFile(MemDevice kind, std::shared_ptr<Dentry> d, int flags,
                std::shared_ptr<UniqueFd> host_zero)
      : FileDescription(std::move(d), flags), kind_(kind), host_zero_(std::move(host_zero)) {}

  // mmap of /dev/zero: the host's /dev/zero gives exactly Linux's semantics (private:
  // anonymous memory; shared: a fresh shmem object), so the mirror is a host /dev/zero fd
  // opened once when devfs is built.
  int HostFd() const override {
    return kind_ == MemDevice::kZero && host_zero_ ? host_zero_->get() : -1;
  }

  SysResult Read(std::span<char> buf) override { return PRead(buf, 0); }
  SysResult Write(std::span<const char> buf) override { return PWrite(buf, 0); }

  SysResult PRead(std::span<char> buf, int64_t offset) override {
    if (int err = CheckReadable()) return SysResult::Errno(err);
    if (offset < 0) return SysResult::Errno(EINVAL);
    size_t n = std::min(buf.size(), kMaxRwCount);
    switch (kind_) {
      case MemDevice::kNull:
        return 0;
      case MemDevice::kZero:
      case MemDevice::kFull:
        std::memset(buf.data(), 0, n);
        return static_cast<int64_t>(n);
      case MemDevice::kRandom:
      case MemDevice::kURandom: {
        size_t done = 0;
        while (done < n) {
          ssize_t r = ::getrandom(buf.data() + done, n - done, 0);
          if (r < 0) {
            if (errno == EINTR) continue;
            if (done > 0) break;
            return SysResult::Errno(errno);
          }
          done += static_cast<size_t>(r);
        }
        return static_cast<int64_t>(done);
      }
    }
    return SysResult::Errno(EINVAL);
  }

  SysResult PWrite(std::span<const char> buf, int64_t offset) override {
    if (int err = CheckWritable()) return SysResult::Errno(err);
    if (offset < 0) return SysResult::Errno(EINVAL);
    if (kind_ == MemDevice::kFull) return SysResult::Errno(ENOSPC);
    // null and zero discard; random and urandom accept (and ignore) entropy.
    return static_cast<int64_t>(std::min(buf.size(), kMaxRwCount));
  }

  // Linux: null and full reset the position to 0; zero/random keep it (always 0).
  SysResult Seek(int64_t, int) override {
    if (is_path()) return SysResult::Errno(EBADF);
    offset_ = 0;
    return 0;
  }

 private:
  MemDevice kind_;
  std::shared_ptr<UniqueFd> host_zero_;
};

// /dev/tty (5,0): the caller's sandbox pty when it has one as controlling terminal, else the
// host terminal the sandbox was started on (ENXIO without one).
class CttyInode : public SimpleInode {
 public:
  CttyInode(std::shared_ptr<Filesystem> fs, std::shared_ptr<UniqueFd> host_tty,
            std::shared_ptr<PtyRegistry> ptys)
      : SimpleInode(std::move(fs), SimpleAttr{.mode = S_IFCHR | 0666, .rdev = makedev(5, 0)}),
        host_tty_(std::move(host_tty)),
        ptys_(std::move(ptys)) {}
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags,
                        const FsContext& ctx) override {
    ErrnoOr<FileRef> pty = ptys_->OpenControllingTty(ctx.caller_pid, d, flags);
    if (pty.ok() || pty.error() != ENXIO) return pty;
    if (!host_tty_->valid()) return ErrnoOr<FileRef>::Errno(ENXIO);
    int fd = ::fcntl(host_tty_->get(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return ErrnoOr<FileRef>::Errno(errno);
    return FileRef(std::make_shared<HostFile>(UniqueFd(fd), flags, d, "/dev/tty"));
  }

 private:
  std::shared_ptr<UniqueFd> host_tty_;
  std::shared_ptr<PtyRegistry> ptys_;
};

}  // namespace

FileRef MakeMemDeviceFile(MemDevice kind, std::shared_ptr<Dentry> d, int flags) {
  return std::make_shared<MemDeviceFile>(kind, std::move(d), flags, nullptr);
}

std::shared_ptr<SyntheticFs> MakeDevfs(UniqueFd host_tty, std::shared_ptr<PtyRegistry> ptys) {
  auto fs = std::make_shared<SyntheticFs>("devtmpfs", Filesystem::Traits{}, TMPFS_MAGIC);
  auto root = std::make_shared<StaticDir>(fs, 0755);

  struct Mem {
    const char* name;
    MemDevice kind;
    unsigned minor;
  };
  // A copy of the fd opened before the sentry's empty root (no /dev/zero there).
  auto host_zero = std::make_shared<UniqueFd>(::fcntl(HostDevZeroFd(), F_DUPFD_CLOEXEC, 0));
  for (const Mem& m : {Mem{"null", MemDevice::kNull, 3}, Mem{"zero", MemDevice::kZero, 5},
                       Mem{"full", MemDevice::kFull, 7}, Mem{"random", MemDevice::kRandom, 8},
                       Mem{"urandom", MemDevice::kURandom, 9}}) {
    MemDevice kind = m.kind;
    root->Add(m.name, std::make_shared<DeviceInode>(
                          fs, 0666, makedev(1, m.minor),
                          [kind, host_zero](const std::shared_ptr<Dentry>& d,
                                            int flags) -> ErrnoOr<FileRef> {
                            return FileRef(
                                std::make_shared<MemDeviceFile>(kind, d, flags, host_zero));
                          }));
  }

  // tty (5,0) and console (5,1) both reach the host terminal the sandbox was started on.
  auto tty = std::make_shared<UniqueFd>(std::move(host_tty));
  for (auto [name, dev_minor, perm] :
       {std::tuple{"tty", 0u, 0666u}, std::tuple{"console", 1u, 0600u}}) {
    std::string path = std::string("/dev/") + name;
    root->Add(name,
              std::make_shared<DeviceInode>(
                  fs, perm, makedev(5, dev_minor),
                  [tty, path](const std::shared_ptr<Dentry>& d, int flags) -> ErrnoOr<FileRef> {
                    if (!tty->valid()) return ErrnoOr<FileRef>::Errno(ENXIO);
                    int fd = ::fcntl(tty->get(), F_DUPFD_CLOEXEC, 0);
                    if (fd < 0) return ErrnoOr<FileRef>::Errno(errno);
                    return FileRef(std::make_shared<HostFile>(UniqueFd(fd), flags, d, path));
                  }));
  }

  // /dev/tty of a process whose controlling terminal is a sandbox pty reaches that pty.
  if (ptys != nullptr) {
    root->Add("tty", std::make_shared<CttyInode>(fs, tty, ptys));
    root->Add("ptmx", std::make_shared<SymlinkInode>(fs, "pts/ptmx"));
  }
  root->Add("stdin", std::make_shared<SymlinkInode>(fs, "/proc/self/fd/0"));
  root->Add("stdout", std::make_shared<SymlinkInode>(fs, "/proc/self/fd/1"));
  root->Add("stderr", std::make_shared<SymlinkInode>(fs, "/proc/self/fd/2"));
  root->Add("fd", std::make_shared<SymlinkInode>(fs, "/proc/self/fd"));
  root->Add("pts", std::make_shared<StaticDir>(fs, 0755));
  root->Add("shm", std::make_shared<StaticDir>(fs, 01777));
  fs->set_root(root);
  return fs;
}

}  // namespace sentry::vfs
