// The sandbox's private devpts instance: a fresh, detached devpts mount (fsopen/fsmount, never
// attached to any directory) made by the sentry during start-up, before its lockdown. Sentry
// thread only.
#pragma once

#include <memory>

namespace sentry {

class Kernel;

namespace vfs {
class PtyRegistry;
}  // namespace vfs

// The flags of every ptmx open the sentry makes (its seccomp filter checks them exactly).
inline constexpr int kDevptsOpenFlags = 02000000 | 04000 | 0400 | 02;
// == O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_RDWR

// The root directory fd of the private devpts instance ("newinstance,ptmxmode=0666,mode=0620";
// nosuid, noexec), made on the first call; -1 when the kernel or the sandbox's privileges do
// not allow it (the sandbox then has no ptys). Call it before the lockdown; idempotent.
int OpenDevptsInstance();

// The fd OpenDevptsInstance() made, or -1 if it has not been called or failed.
int DevptsInstanceFd();

// The sandbox's /dev/ptmx and /dev/pts, backed by OpenDevptsInstance() (called here if it was
// not yet: needs CAP_SYS_ADMIN in the sandbox's user namespace); null when there is no instance. `kernel` answers which pty is a guest process's controlling terminal.
std::shared_ptr<vfs::PtyRegistry> MakeSandboxPtys(Kernel& kernel);

}  // namespace sentry
