// memfd_create: an anonymous file on a sandbox-wide hidden tmpfs (its data is a host memfd the
// guest can map). Named "/memfd:NAME (deleted)" in /proc/PID/fd like Linux's. File seals are not
// supported yet (F_ADD_SEALS/F_GET_SEALS: EINVAL). Sentry thread only.
#include <linux/memfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"

namespace sentry {
namespace {

constexpr size_t kMfdNameMax = 249;  // NAME_MAX - strlen("memfd:")
// Linux 6.3's flags (Debian 12's headers predate them).
constexpr unsigned kMfdNoexecSeal = 0x0008U;
constexpr unsigned kMfdExec = 0x0010U;

// The filesystem behind every memfd: as large as half the RAM, like a default tmpfs.
vfs::Filesystem* MemfdFs() {
  static const std::shared_ptr<vfs::Filesystem> fs = [] {
    uint64_t ram = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                   static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE));
    return vfs::MakeTmpfs({.size_bytes = ram / 2, .root_mode = 01777});
  }();
  return fs.get();
}

SysResult MemfdCreate(SyscallContext& c) {
  unsigned flags = static_cast<unsigned>(c.arg(1));
  constexpr unsigned kKnown = MFD_CLOEXEC | MFD_ALLOW_SEALING | kMfdNoexecSeal | kMfdExec;
  if (flags & MFD_HUGETLB) return SysResult::Errno(EINVAL);  // no huge pages in the sandbox
  if (flags & ~kKnown) return SysResult::Errno(EINVAL);
  if ((flags & kMfdNoexecSeal) && (flags & kMfdExec)) return SysResult::Errno(EINVAL);
  std::string name;
  SysResult r = platform::ReadGuestString(c.tid(), c.arg(0), kMfdNameMax, &name);
  if (!r.ok()) return r.error() == ENAMETOOLONG ? SysResult::Errno(EINVAL) : r;
  std::shared_ptr<vfs::Inode> root = MemfdFs()->RootInode();
  vfs::NewNode node;
  node.mode = S_IFREG | ((flags & kMfdNoexecSeal) ? 0666 : 0777);
  node.uid = c.proc.creds.fsuid;
  node.gid = c.proc.creds.fsgid;
  node.linkable = false;
  ErrnoOr<std::shared_ptr<vfs::Inode>> inode = root->CreateTmpFile(node);
  if (!inode.ok()) return SysResult::Errno(inode.error());
  auto root_dentry = std::make_shared<vfs::Dentry>(root, nullptr, "");
  auto d = std::make_shared<vfs::Dentry>(*inode, root_dentry, "memfd:" + name + " (deleted)");
  ErrnoOr<vfs::FileRef> f = (*inode)->Open(d, O_RDWR | vfs::kOLargeFile, FsFor(c));
  if (!f.ok()) return SysResult::Errno(f.error());
  return c.proc.fds->Install(f.take(), (flags & MFD_CLOEXEC) != 0, 0, FdLimit(c));
}

}  // namespace

void RegisterMemfdHandlers(std::vector<SyscallHandler>* t) { (*t)[SYS_memfd_create] = MemfdCreate; }

}  // namespace sentry
