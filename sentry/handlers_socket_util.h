// Helpers shared by the socket syscall handlers (handlers_socket*.cc): the socket behind an
// fd, guest sockaddr copies, AF_UNIX path names in the VFS, blocking with SO_*TIMEO, the
// audit record. Sentry thread only.
#pragma once

#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

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

// What a socket receive or accept took, kept until its reply is sent (DESIGN §5). When the
// reply does not land (a signal interrupted the guest's syscall after the commit), it all
// goes back (Task::after_reply, run by Kernel::HandleSyscall): the messages in reverse
// order to the head of their socket (netstack::Socket::Unrecv), with the fds their rights
// were installed at removed again; an accepted connection to the head of its listener's
// queue, its fd removed. One record serves the whole sentry, held by one task from its
// call's last wait to its reply (nothing else runs in between): a handler claims it only
// after waiting, and a recvmmsg that must wait again parks what it holds (Park/Unpark).
// Nothing here allocates unless rights arrive or a recvmmsg parks.
class SocketUndo {
 public:
  struct Message {
    netstack::RecvResult res;  // the receive's result (the handlers deliver from here)
    size_t off = 0;            // where the receive put its bytes in the I/O buffer
    size_t len = 0;            // the bytes taken: the whole message, or the stream bytes
    bool whole = false;        // all of them are still there (else it cannot go back)
    int flags = 0;             // MSG_OOB: the urgent byte
    size_t fds_begin = 0, fds_end = 0;  // where its rights were installed, in fds_
    std::string saved;         // the bytes, once parked out of the I/O buffer
    bool in_saved = false;
  };
  struct Parked {
    std::vector<Message> msgs;
    std::vector<int> fds;
  };

  // The record, claimed for the calling task (another task's leftovers are dropped) and
  // armed for its reply. Only after the call's last wait.
  static SocketUndo& Claim(SyscallContext& c, netstack::Socket* s);
  // Where the calling task's next message goes in the I/O buffer: behind the ones it keeps.
  static size_t BufferEnd(const Task& t);
  // A message received (at m.off) and delivered: it goes back if the reply fails. Rights
  // installed since the last Keep (InstalledFd) are its.
  void Keep(Message&& m, int flags);
  void InstalledFd(int fd) { fds_.push_back(fd); }
  // accept: `conn` was taken from the listener and installed at `fd`.
  void Accepted(std::shared_ptr<netstack::Socket> conn, int fd);
  // Before a wait: moves what `t` keeps out of the record (bytes copied out of the I/O
  // buffer, which other tasks use meanwhile). Unpark puts it back in front, once claimed.
  static Parked Park(const Task& t);
  void Unpark(Parked&& p);

 private:
  static SocketUndo& Instance();
  static void AfterReply(Task& t, bool delivered);
  void GiveBack(Task& t);
  void Clear();

  Kernel* kernel_ = nullptr;
  Task* task_ = nullptr;
  std::shared_ptr<netstack::Socket> socket_;
  Message msgs_[1024];  // recvmmsg's limit (UIO_MAXIOV)
  size_t count_ = 0;    // messages kept
  size_t buf_end_ = 0;  // the I/O buffer holds kept bytes below this
  std::vector<int> fds_;
  size_t fds_kept_ = 0;  // fds_ up to here belong to kept messages
  std::shared_ptr<netstack::Socket> conn_;
  int conn_fd_ = -1;
};

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
