// The sandbox's private devpts instance and the kernel's answers to the pty registry.
// Ownership as described in sentry/host_devpts.h; sentry thread only.
#include "sentry/host_devpts.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/host_job_control.h"
#include "sentry/kernel.h"
#include "vfs/pty.h"

namespace sentry {
namespace {

static_assert(kDevptsOpenFlags == vfs::kPtyHostFlags);

int g_devpts_fd = -1;
bool g_devpts_tried = false;

// fsopen/fsconfig/fsmount: a devpts superblock of its own (every devpts mount is a new
// instance since Linux 4.7) that is never attached to a directory, so nothing appears in any
// mount tree; it lives exactly as long as the returned fd.
int MakeDetachedDevpts() {
  int fs = static_cast<int>(syscall(SYS_fsopen, "devpts", FSOPEN_CLOEXEC));
  if (fs < 0) return -1;
  bool ok = syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "ptmxmode", "0666", 0) == 0 &&
            syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0620", 0) == 0 &&
            syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0;
  int mnt = -1;
  if (ok) {
    mnt = static_cast<int>(syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
                                   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC));
  }
  close(fs);
  return mnt;
}

}  // namespace

int OpenDevptsInstance() {
  if (!g_devpts_tried) {
    g_devpts_tried = true;
    g_devpts_fd = MakeDetachedDevpts();
  }
  return g_devpts_fd;
}

int DevptsInstanceFd() { return g_devpts_fd; }

std::shared_ptr<vfs::PtyRegistry> MakeSandboxPtys(Kernel& kernel) {
  if (OpenDevptsInstance() < 0) return nullptr;
  vfs::PtyCallbacks cb;
  cb.ctty_index = [&kernel](int pid) {
    Process* p = kernel.FindProcess(pid);
    return p ? SandboxCttyIndex(p->host_pid) : -1;
  };
  cb.owner = [&kernel](int pid) {
    Process* p = kernel.FindProcess(pid);
    return p ? std::pair<uint32_t, uint32_t>(p->creds.fsuid, p->creds.fsgid)
             : std::pair<uint32_t, uint32_t>(0, 0);
  };
  return std::make_shared<vfs::PtyRegistry>(g_devpts_fd, std::move(cb));
}

}  // namespace sentry
