// Reads and writes guest memory by host tid (process_vm_readv/writev, which honour the
// guest's page protections). Never trusts guest addresses: a fault is reported as EFAULT.
// Stateless; sentry thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/sys_result.h"

namespace sentry::platform {

// Copies exactly len bytes; returns 0 or -EFAULT.
SysResult ReadGuest(pid_t tid, uint64_t addr, void* buf, size_t len);
SysResult WriteGuest(pid_t tid, uint64_t addr, const void* buf, size_t len);
// Copies up to len bytes, stopping at the first unreadable page; returns bytes copied.
size_t ReadGuestPartial(pid_t tid, uint64_t addr, void* buf, size_t len);
// Reads a NUL-terminated string of at most max_len bytes (without NUL) into *out.
// -EFAULT on a fault, -ENAMETOOLONG when no NUL within max_len.
SysResult ReadGuestString(pid_t tid, uint64_t addr, size_t max_len, std::string* out);
// Same, into a caller buffer of size cap (cap-1 chars max); returns the length.
SysResult ReadGuestCString(pid_t tid, uint64_t addr, char* buf, size_t cap);

}  // namespace sentry::platform
