// The sandbox's private devpts instance and the kernel's answers to the pty registry.
// Ownership as described in sentry/host_devpts.h; sentry thread only.
#include "sentry/host_devpts.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "sentry/host_proc.h"
#include "sentry/kernel.h"
#include "sentry/process_info.h"
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

// The sandbox pty that is `p`'s controlling terminal (the host's stat field tty_nr), or -1.
// Guests start in a session without one, so a pty there was made theirs through TIOCSCTTY on
// a sandbox pty (the only host ttys they can reach).
int CttyIndex(const Process& p) {
  std::string stat;
  if (!ReadHostProc(p.host_pid, "stat", &stat)) return -1;
  std::vector<std::string> f = HostStatFields(stat);
  if (f.size() < 5) return -1;
  auto tty = static_cast<dev_t>(std::strtoul(f[4].c_str(), nullptr, 10));
  if (tty == 0 || major(tty) != vfs::kPtySlaveMajor) return -1;
  return static_cast<int>(minor(tty));
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
    return p ? CttyIndex(*p) : -1;
  };
  cb.owner = [&kernel](int pid) {
    Process* p = kernel.FindProcess(pid);
    return p ? std::pair<uint32_t, uint32_t>(p->creds.fsuid, p->creds.fsgid)
             : std::pair<uint32_t, uint32_t>(0, 0);
  };
  return std::make_shared<vfs::PtyRegistry>(g_devpts_fd, std::move(cb));
}

}  // namespace sentry
