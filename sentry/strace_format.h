// --strace decoding: one strace-style line per completed syscall, decoded from the syscall
// table (names, flags, strings, return value and errno). Owned by the sentry; pure functions
// that any thread may call (the reader callback decides whose memory is read).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace sentry {

// Reads `len` bytes of guest memory at `addr` into `buf`; false when any of it faults.
using ReadGuestFn = std::function<bool(uint64_t addr, void* buf, size_t len)>;

// Appends one line without a trailing newline, e.g.
//   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
//   openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
// `ret` is the raw kernel result (-4095..-1 is -errno). Strings and buffers are read after the
// call through `read_guest`, at most 64 characters shown, then "..."; unreadable pointers
// print as hex. Unknown numbers print as syscall_NNN(0x..., ...) with all six arguments.
// Allocation-free when *out already has room (reuse one string per thread).
void AppendStraceLine(int64_t nr, std::span<const uint64_t, 6> args, int64_t ret,
                      const ReadGuestFn& read_guest, std::string* out);
// Same, as a new string.
std::string FormatStraceLine(int64_t nr, std::span<const uint64_t, 6> args, int64_t ret,
                             const ReadGuestFn& read_guest);

// "ENOENT" for ENOENT, also the kernel-internal restart codes (ERESTARTSYS...); "EUNKNOWN"
// for a number with no name. Never null.
const char* ErrnoName(int e);

}  // namespace sentry
