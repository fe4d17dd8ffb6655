// Socket: the open-file description of a socket (sockfs) and the Endpoint interface the
// syscall handlers drive: naming, connection set-up, data with ancillary control, options.
// Data calls never block: -EAGAIN means "wait for WaitFd()/WaitQueue() and retry". Buffers
// are sentry memory. Sentry thread only.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/sys_result.h"
#include "common/wait_queue.h"
#include "netstack/control.h"
#include "netstack/sockaddr.h"
#include "netstack/socket_options.h"
#include "netstack/unix_names.h"
#include "vfs/file_description.h"

namespace sentry::netstack {

class Stack;

// What the calling guest thread brings to a socket call.
struct Caller {
  Cred cred;  // sandbox pid, virtual uid/gid (SO_PEERCRED, SCM_CREDENTIALS)
  bool nonblock = false;
  // AF_UNIX path names are resolved by the caller in the VFS (bind creates the socket
  // inode, connect/sendto look it up): the inode's identity, when the address is a path.
  const UnixNames::PathKey* path_key = nullptr;
};

struct SendArgs {
  std::span<const char> data;
  int flags = 0;                 // MSG_* of the guest
  const SockAddr* to = nullptr;  // sendto/sendmsg address, or null
  Control* ctl = nullptr;        // ancillary data (moved from on success), or null
};

struct RecvResult {
  size_t copied = 0;       // bytes placed in the buffer
  size_t length = 0;       // the message's length (MSG_TRUNC), else == copied
  int msg_flags = 0;       // MSG_TRUNC, MSG_EOR, ...
  SockAddr from;           // the sender (len 0: none)
  Control ctl;             // rights and credentials delivered with this read
  bool want_cred = false;  // SO_PASSCRED: deliver ctl.cred as SCM_CREDENTIALS
};

class Socket : public vfs::FileDescription {
 public:
  Socket(Stack* stack, int family, int type, int protocol, int flags, const Cred& creator);
  ~Socket() override;

  int family() const { return family_; }
  int type() const { return type_; }
  int protocol() const { return protocol_; }
  Stack* stack() const { return stack_; }
  SocketOptions& options() { return opts_; }
  const Cred& creator() const { return creator_; }

  // --- Endpoint ---
  // bind(2): AF_UNIX names (a path needs who.path_key: the caller made the socket inode),
  // loopback/wildcard inet addresses (EADDRNOTAVAIL otherwise), EINVAL when bound.
  SysResult Bind(const SockAddr& addr, const Caller& who);
  bool bound() const { return bound_; }
  virtual SysResult Listen(int backlog, const Caller& who) { return SysResult::Errno(EOPNOTSUPP); }
  // -EAGAIN when not ready; the handler waits on ReadinessFd() (EPOLLIN).
  virtual ErrnoOr<std::shared_ptr<Socket>> Accept(int flags) {
    return ErrnoOr<std::shared_ptr<Socket>>::Errno(EOPNOTSUPP);
  }
  // -EAGAIN: wait on ConnectWaitQueue() and retry (a listener's backlog is full).
  virtual SysResult Connect(const SockAddr& addr, const Caller& who) = 0;
  virtual WaitQueue* ConnectWaitQueue() { return nullptr; }
  virtual SysResult Send(SendArgs& args, const Caller& who) = 0;
  // -EAGAIN: wait on SendWaitFd() for EPOLLOUT.
  virtual int SendWaitFd() const { return ReadinessFd(); }
  // write(2) waits where send(2) does.
  int WriteWaitFd() const override { return SendWaitFd(); }
  virtual SysResult Recv(std::span<char> buf, int flags, RecvResult* out) = 0;
  // Puts back what a Recv without MSG_PEEK took when its reply did not land (DESIGN §5: a
  // signal interrupted the guest's syscall after the commit): `data` (the whole message, or
  // the bytes read, in order), the sender and the control of `what`, so that the next receive
  // returns them first, as they were. False when this socket cannot (they stay consumed).
  virtual bool Unrecv(std::span<const char> data, int flags, RecvResult&& what) { return false; }
  // Puts a connection Accept returned back at the head of the queue (its reply did not land).
  virtual bool Unaccept(std::shared_ptr<Socket> conn) { return false; }
  // Control that went back with bytes pushed back into a stream (Unrecv): it belongs to the
  // first receive of those bytes (copied when peeking). Empty (no allocation) otherwise.
  bool has_returned_control() const { return has_returned_ctl_; }
  void TakeReturnedControl(Control* out, bool peek = false);
  virtual SysResult Shutdown(int how) = 0;
  // getsockname(2): unnamed AF_UNIX sockets show just the family; unbound inet sockets
  // the wildcard address with port 0.
  SockAddr LocalName() const;
  // ENOTCONN when not connected.
  virtual ErrnoOr<SockAddr> PeerName() const = 0;
  // SO_PEERCRED; false when there is no peer.
  virtual bool PeerCred(Cred* out) const { return false; }
  virtual bool Listening() const { return false; }
  // SO_ERROR (read and cleared).
  virtual int TakeError() { return 0; }
  // TCP_INFO's tcpi_state (netinet/tcp.h: TCP_ESTABLISHED, TCP_LISTEN, TCP_CLOSE, ...).
  virtual uint8_t TcpState() const { return 7; }  // TCP_CLOSE
  // Called when an option the endpoint cares about changes (e.g. the buffer sizes).
  virtual void OptionChanged(int level, int name) {}

  // --- FileDescription ---
  SysResult Read(std::span<char> buf) override;
  SysResult Write(std::span<const char> buf) override;
  SysResult Stat(struct stat* out) override;
  SysResult Ioctl(uint32_t cmd, void* arg) override;
  ErrnoOr<std::shared_ptr<vfs::FileDescription>> Reopen(int flags) override;
  std::string Path() const override { return "socket:[" + std::to_string(ino_) + "]"; }

  std::shared_ptr<Socket> self() { return std::static_pointer_cast<Socket>(shared_from_this()); }

 protected:
  // An ephemeral port on the wildcard address (connect, listen, sendto of unbound sockets).
  SysResult AutoBindInet();
  // The source address of what this socket sends to `dst` (a wildcard becomes loopback).
  InetAddr SourceFor(const InetAddr& dst) const;
  // The destination of an inet connect/sendto: ENETUNREACH unless loopback (a wildcard
  // means loopback, as Linux); v4-mapped on an IPV6_V6ONLY socket: ENETUNREACH.
  ErrnoOr<InetAddr> InetDestination(const SockAddr& addr) const;
  class PortTable* ports() const;

  Stack* stack_;
  int family_, type_, protocol_;
  Cred creator_;
  uint64_t ino_;
  SocketOptions opts_;
  bool bound_ = false;
  UnixName unix_local_;
  InetAddr inet_local_;
  bool registered_ = false;  // in the stack's name or port tables (unbound when destroyed)
  Control returned_ctl_;  // see has_returned_control()
  bool has_returned_ctl_ = false;
};

// recv(2)/send(2) on a host socket, made with recvmsg/sendmsg: the only socket data calls
// the sentry's own seccomp filter allows (sentry/sentry_seccomp.cc).
ssize_t RecvHost(int fd, void* buf, size_t len, int flags);
ssize_t SendHost(int fd, const void* buf, size_t len, int flags);

// The socket behind a description, or null (ENOTSOCK).
inline Socket* AsSocket(const vfs::FileRef& f) { return dynamic_cast<Socket*>(f.get()); }

}  // namespace sentry::netstack
