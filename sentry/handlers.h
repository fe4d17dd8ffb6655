// Registration of the syscall handlers, one function per handler family.
// Called once at start-up from the sentry thread.
#pragma once

#include <vector>

#include "sentry/kernel.h"

namespace sentry {

void RegisterIoHandlers(std::vector<SyscallHandler>* t);
void RegisterFdHandlers(std::vector<SyscallHandler>* t);
void RegisterPathHandlers(std::vector<SyscallHandler>* t);
void RegisterXattrHandlers(std::vector<SyscallHandler>* t);
void RegisterCopyHandlers(std::vector<SyscallHandler>* t);
void RegisterMemfdHandlers(std::vector<SyscallHandler>* t);
void RegisterInfoHandlers(std::vector<SyscallHandler>* t);
void RegisterPollHandlers(std::vector<SyscallHandler>* t);
void RegisterFsWriteHandlers(std::vector<SyscallHandler>* t);
void RegisterLockHandlers(std::vector<SyscallHandler>* t);
void RegisterEpollHandlers(std::vector<SyscallHandler>* t);
void RegisterEventFdHandlers(std::vector<SyscallHandler>* t);
// Sockets (handlers_socket.cc, handlers_socket_io.cc, handlers_socket_opt.cc).
void RegisterSocketHandlers(std::vector<SyscallHandler>* t);
void RegisterSocketIoHandlers(std::vector<SyscallHandler>* t);
void RegisterSocketOptHandlers(std::vector<SyscallHandler>* t);
void RegisterSignalFdHandlers(std::vector<SyscallHandler>* t);
void RegisterInotifyHandlers(std::vector<SyscallHandler>* t);
// The table's RunOnHost entries (handlers_signal.cc).
void RegisterSignalHandlers(std::vector<SyscallHandler>* t);

// signalfd (handlers_signalfd.cc). read/readv of a description the guest reads itself (a
// signalfd): makes sure its mirror sits at `fd` and sets *r to kContinueSyscall (or the
// install error); false for any other description.
bool ContinueGuestRead(SyscallContext& c, uint64_t fd, const vfs::FileRef& f, SysResult* r);
// Readiness that depends on the polling thread (a signalfd: its pending signals): refreshes
// `f` for the calling task; true when `f` needs this, so the waiter re-checks on a tick.
bool RefreshPollerReadiness(SyscallContext& c, const vfs::FileRef& f);
// epoll_ctl registered `target` in `epoll`; epoll_wait then refreshes the signalfds among its
// targets (true when there are any: wait in ticks of kPollerTickNs).
void NoteEpollTarget(const vfs::FileRef& epoll, const vfs::FileRef& target);
bool RefreshEpollReadiness(SyscallContext& c, const vfs::FileRef& epoll);
inline constexpr int64_t kPollerTickNs = 5'000'000;

// Ioctls on the sandbox's ptys (handlers_tty_pty.cc): `f` is the vfs::PtyFile of fd arg(0).
SysResult PtyIoctl(SyscallContext& c, const vfs::FileRef& f, uint32_t cmd);
// read (write: `write`) of a pty slave by a background process of the pty's session: raises
// SIGTTIN (SIGTTOU with TOSTOP) in its group and returns EINTR, or EIO (SIGTTIN ignored or
// blocked, or the group orphaned);
// 0: go ahead.
int PtyJobControl(SyscallContext& c, const vfs::FileRef& f, bool write);

// fcntl's record-lock commands (F_GETLK, F_SETLK, F_SETLKW, F_OFD_*) on `f`, the file of
// fd arg(0); `arg` is the guest's struct flock (handlers_lock.cc).
SysResult FcntlLock(SyscallContext& c, const vfs::FileRef& f, int cmd, uint64_t arg);

}  // namespace sentry
