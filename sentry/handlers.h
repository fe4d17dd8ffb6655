// Registration of the syscall handlers, one function per handler family.
// Called once at start-up from the sentry thread.
#pragma once

#include <vector>

#include "sentry/kernel.h"

namespace sentry {

void RegisterIoHandlers(std::vector<SyscallHandler>* t);
void RegisterFdHandlers(std::vector<SyscallHandler>* t);
void RegisterPathHandlers(std::vector<SyscallHandler>* t);
void RegisterInfoHandlers(std::vector<SyscallHandler>* t);
void RegisterPollHandlers(std::vector<SyscallHandler>* t);
void RegisterFsWriteHandlers(std::vector<SyscallHandler>* t);

}  // namespace sentry
