// Helpers shared by the socket syscall handlers (handlers_socket*.cc): the socket behind an
// fd, guest sockaddr copies, AF_UNIX path names in the VFS, blocking with SO_*TIMEO, the
// audit record. Sentry thread only.
#pragma once

#include <sys/socket.h>

#include "netstack/socket.h"
#include "sentry/handler_util.h"

namespace sentry {

// The socket at `fd`: EBADF, or ENOTSOCK for other files. `*keep` holds the description.
SysResult GetSocket(SyscallContext& c, uint64_t fd, vfs::FileRef* keep, netstack::Socket** out);

// The calling thread as a socket sees it: sandbox pid, effective virtual ids.
netstack::Caller CallerOf(SyscallContext& c);

// Copies a guest sockaddr of `len` bytes: EINVAL when len > sizeof(sockaddr_storage) or
// negative, EFAULT.
SysResult ReadSockAddr(SyscallContext& c, uint64_t addr, uint64_t len, netstack::SockAddr* out);
// Writes `a` to a guest (addr, addrlen) pair as accept/getsockname/recvfrom do: truncated to
// the guest's length, the full length written back. Null `addr`: nothing. EINVAL for a
// negative length, EFAULT.
SysResult WriteSockAddr(SyscallContext& c, uint64_t addr, uint64_t len_ptr,
                        const netstack::SockAddr& a);

// For an AF_UNIX path address: resolves the path (following symlinks) to the socket inode's
// key. ENOENT & co from the walk, ECONNREFUSED when it is not a socket, EACCES without write
// permission. `*is_path` false (and 0) for other addresses.
SysResult ResolveUnixPath(SyscallContext& c, const netstack::Socket& s, const netstack::SockAddr& a,
                          netstack::UnixNames::PathKey* key, bool* is_path);

// Runs `op` until it stops answering EAGAIN, waiting in between (unless `nonblock`) for
// `fd_of()` to be ready for `events`, at most SO_RCVTIMEO/SO_SNDTIMEO (`timeout_ns`, 0: no
// limit; then EAGAIN). Re-validates the request after every wait (EINTR when cancelled).
template <typename Op, typename FdOf>
SysResult SocketBlocking(SyscallContext& c, bool nonblock, uint32_t events, int64_t timeout_ns,
                         FdOf fd_of, Op op);

// An audit record for connect/bind ("connect", "bind") of `a`, when the log is enabled.
void AuditSocket(SyscallContext& c, const char* op, const netstack::SockAddr& a);

// bind/connect's common start: the socket at arg 0 (GetSocket) and the address at arg 1/2
// (ReadSockAddr), recorded in the audit log as `audit_op`.
SysResult GetSocketAndAddress(SyscallContext& c, const char* audit_op, vfs::FileRef* keep,
                              netstack::Socket** s, netstack::SockAddr* a);

int64_t MonotonicNs();

template <typename Op, typename FdOf>
SysResult SocketBlocking(SyscallContext& c, bool nonblock, uint32_t events, int64_t timeout_ns,
                         FdOf fd_of, Op op) {
  int64_t deadline = timeout_ns > 0 ? MonotonicNs() + timeout_ns : -1;
  for (;;) {
    SysResult r = op();
    if (r.error() != EAGAIN || nonblock) return r;
    int64_t left = -1;
    if (deadline >= 0) {
      left = deadline - MonotonicNs();
      if (left <= 0) return SysResult::Errno(EAGAIN);
    }
    std::pair<int, uint32_t> w{fd_of(), events};
    if (!c.kernel.WaitForFds(c.task, std::span(&w, 1), left)) return SysResult::Errno(EINTR);
    if (!c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
  }
}

}  // namespace sentry
