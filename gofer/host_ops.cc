// Implementation of the gofer server's host-side helpers (see host_ops.h).
// Stateless; called on the server's thread.
#include "gofer/host_ops.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>


namespace sentry::gofer::host {

wire::Attr ToWire(const struct stat& st) {
  wire::Attr a{};
  a.mode = st.st_mode;
  a.nlink = static_cast<uint32_t>(st.st_nlink);
  a.uid = st.st_uid;
  a.gid = st.st_gid;
  a.ino = st.st_ino;
  a.dev = st.st_dev;
  a.rdev = st.st_rdev;
  a.size = static_cast<uint64_t>(st.st_size);
  a.blocks = static_cast<uint64_t>(st.st_blocks);
  a.blksize = static_cast<uint32_t>(st.st_blksize);
  a.atime_sec = st.st_atim.tv_sec;
  a.mtime_sec = st.st_mtim.tv_sec;
  a.ctime_sec = st.st_ctim.tv_sec;
  a.atime_nsec = static_cast<uint32_t>(st.st_atim.tv_nsec);
  a.mtime_nsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  a.ctime_nsec = static_cast<uint32_t>(st.st_ctim.tv_nsec);
  return a;
}

int StatFd(int fd, struct stat* st) {
  return ::fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

int OpenBeneath(int dir, const std::string& name, int flags, mode_t mode, UniqueFd* out) {
  static bool have_openat2 = true;
  flags |= O_NOFOLLOW | O_CLOEXEC;
  if (have_openat2) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, dir, name.c_str(), &how, sizeof(how));
    if (fd >= 0) {
      out->reset(static_cast<int>(fd));
      return 0;
    }
    if (errno != ENOSYS) return errno;
    have_openat2 = false;
  }
  int fd = ::openat(dir, name.c_str(), flags, mode);
  if (fd < 0) return errno;
  out->reset(fd);
  return 0;
}

int ChmodNode(int fd, mode_t mode) {
#ifndef SYS_fchmodat2
  constexpr long SYS_fchmodat2 = 452;
#endif
  static bool have_fchmodat2 = true;
  if (have_fchmodat2) {
    if (::syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0) return 0;
    if (errno != ENOSYS) return errno;
    have_fchmodat2 = false;
  }
  return ::fchmodat(ProcSelfFdDir(), ProcFdName(fd).c_str(), mode, 0) == 0 ? 0 : errno;
}

int ProcSelfFdDir() {
  static const int fd = ::open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd;
}

std::string ProcFdName(int fd) { return std::to_string(fd); }

int Reopen(const Node& node, int flags, UniqueFd* out) {
  flags = (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_PATH | O_NOFOLLOW)) | O_CLOEXEC | O_NOCTTY |
          O_NONBLOCK | kKernelLargeFile;
  UniqueFd fd;
  if (S_ISDIR(node.type)) {
    // The O_PATH fd is the directory itself: "." resolves no name.
    fd.reset(::openat(node.fd.get(), ".", flags | O_DIRECTORY | O_NOFOLLOW));
    if (!fd) return errno;
  } else if (S_ISREG(node.type)) {
    // The magic link is the node's own fd: no name is resolved below the mount.
    fd.reset(::openat(ProcSelfFdDir(), ProcFdName(node.fd.get()).c_str(), flags));
    if (!fd && (errno == ENOENT || errno == EBADF) && node.parent != nullptr) {  // no /proc
      if (int e = OpenBeneath(node.parent->fd.get(), node.name, flags, 0, &fd)) return e;
    } else if (!fd) {
      return errno;
    }
  } else {
    return S_ISLNK(node.type) ? ELOOP : ENXIO;
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return errno;
  if (st.st_dev != node.dev || st.st_ino != node.ino || (st.st_mode & S_IFMT) != node.type) {
    return ESTALE;  // only reachable through the by-name fallback
  }
  *out = std::move(fd);
  return 0;
}

}  // namespace sentry::gofer::host
