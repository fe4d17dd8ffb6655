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

// fcntl's record-lock commands (F_GETLK, F_SETLK, F_SETLKW, F_OFD_*) on `f`, the file of
// fd arg(0); `arg` is the guest's struct flock (handlers_lock.cc).
SysResult FcntlLock(SyscallContext& c, const vfs::FileRef& f, int cmd, uint64_t arg);

}  // namespace sentry
