// Helpers of the socket handlers (see handlers_socket_util.h). Sentry thread only.
#include "sentry/handlers_socket_util.h"

#include <arpa/inet.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

namespace sentry {

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

SysResult GetSocket(SyscallContext& c, uint64_t fd, vfs::FileRef* keep, netstack::Socket** out) {
  *keep = GetFile(c, fd);
  if (!*keep) return SysResult::Errno(EBADF);
  *out = netstack::AsSocket(*keep);
  if (!*out) return SysResult::Errno(ENOTSOCK);
  return 0;
}

netstack::Caller CallerOf(SyscallContext& c) {
  netstack::Caller who;
  who.cred.pid = c.proc.pid;
  who.cred.uid = c.proc.creds.euid;
  who.cred.gid = c.proc.creds.egid;
  return who;
}

SysResult ReadSockAddr(SyscallContext& c, uint64_t addr, uint64_t len, netstack::SockAddr* out) {
  if (static_cast<int32_t>(len) < 0 || len > sizeof(sockaddr_storage))
    return SysResult::Errno(EINVAL);
  out->len = static_cast<socklen_t>(len);
  if (len && !CopyIn(c, addr, &out->ss, len).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult WriteSockAddr(SyscallContext& c, uint64_t addr, uint64_t len_ptr,
                        const netstack::SockAddr& a) {
  if (!addr) return 0;
  int32_t len;
  if (!CopyInObj(c, len_ptr, &len).ok()) return SysResult::Errno(EFAULT);
  if (len < 0) return SysResult::Errno(EINVAL);
  size_t n = std::min<size_t>(static_cast<size_t>(len), a.len);
  if (n && !CopyOut(c, addr, &a.ss, n).ok()) return SysResult::Errno(EFAULT);
  int32_t full = static_cast<int32_t>(a.len);
  if (!CopyOutObj(c, len_ptr, full).ok()) return SysResult::Errno(EFAULT);
  return 0;
}

SysResult ResolveUnixPath(SyscallContext& c, const netstack::Socket& s, const netstack::SockAddr& a,
                          netstack::UnixNames::PathKey* key, bool* is_path) {
  *is_path = false;
  if (s.family() != AF_UNIX) return 0;
  ErrnoOr<netstack::UnixName> n = netstack::ParseUnix(a);
  if (!n.ok() || n->kind != netstack::UnixName::Kind::kPath) return 0;
  *is_path = true;
  struct stat st;
  SysResult r = c.kernel.vfs().StatAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), true, &st);
  if (!r.ok()) return r;
  if (!S_ISSOCK(st.st_mode)) return SysResult::Errno(ECONNREFUSED);
  r = c.kernel.vfs().AccessAt(FsFor(c), c.proc.creds, c.proc.fs.cwd, n->name(), W_OK, true, true);
  if (!r.ok()) return r;
  *key = {st.st_dev, st.st_ino};
  return 0;
}

SysResult GetSocketAndAddress(SyscallContext& c, const char* audit_op, vfs::FileRef* keep,
                              netstack::Socket** s, netstack::SockAddr* a) {
  SysResult r = GetSocket(c, c.arg(0), keep, s);
  if (!r.ok()) return r;
  r = ReadSockAddr(c, c.arg(1), c.arg(2), a);
  if (!r.ok()) return r;
  AuditSocket(c, audit_op, *a);
  return 0;
}

void AuditSocket(SyscallContext& c, const char* op, const netstack::SockAddr& a) {
  if (!c.kernel.audit().enabled()) return;
  std::string family, text;
  switch (a.family()) {
    case AF_UNIX: {
      family = "unix";
      ErrnoOr<netstack::UnixName> n = netstack::ParseUnix(a);
      if (n.ok()) {
        text = std::string(n->kind == netstack::UnixName::Kind::kAbstract ? "@" : "");
        text += n->name();
      }
      break;
    }
    case AF_INET:
    case AF_INET6: {
      family = a.family() == AF_INET ? "inet" : "inet6";
      char ip[INET6_ADDRSTRLEN] = "?";
      uint16_t port = 0;
      if (a.family() == AF_INET && a.len >= sizeof(sockaddr_in)) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&a.ss);
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
        port = ntohs(sin->sin_port);
        text = std::string(ip) + ":" + std::to_string(port);
      } else if (a.family() == AF_INET6 && a.len >= 24) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&a.ss);
        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
        port = ntohs(sin6->sin6_port);
        text = "[" + std::string(ip) + "]:" + std::to_string(port);
      }
      break;
    }
    default:
      family = std::to_string(a.family());
      break;
  }
  c.kernel.audit().Socket(c.proc.pid, op, family, text);
}

SocketUndo& SocketUndo::Instance() {
  static SocketUndo* const record = new SocketUndo();  // never freed: no exit-order issues
  return *record;
}

SocketUndo& SocketUndo::Claim(SyscallContext& c, netstack::Socket* s) {
  SocketUndo& u = Instance();
  if (u.task_ != &c.task) {
    u.Clear();
    u.kernel_ = &c.kernel;
    u.task_ = &c.task;
    u.socket_ = s->self();
  }
  c.task.after_reply = &SocketUndo::AfterReply;
  return u;
}

size_t SocketUndo::BufferEnd(const Task& t) {
  const SocketUndo& u = Instance();
  return u.task_ == &t ? u.buf_end_ : 0;
}

void SocketUndo::Keep(Message&& m, int flags) {
  if (count_ == std::size(msgs_)) return;  // not reached: recvmmsg takes at most as many
  Message& k = msgs_[count_++];
  k.res = std::move(m.res);
  k.off = m.off;
  k.len = m.len;
  k.whole = m.whole;
  k.flags = flags;
  k.fds_begin = fds_kept_;
  k.fds_end = fds_kept_ = fds_.size();
  buf_end_ = std::min(Kernel::kIoBufferSize, m.off + m.len);
}

void SocketUndo::Accepted(std::shared_ptr<netstack::Socket> conn, int fd) {
  conn_ = std::move(conn);
  conn_fd_ = fd;
}

SocketUndo::Parked SocketUndo::Park(const Task& t) {
  SocketUndo& u = Instance();
  Parked p;
  if (u.task_ != &t) return p;
  for (size_t i = 0; i < u.count_; ++i) {
    Message& m = u.msgs_[i];
    if (m.whole && !m.in_saved) {
      m.saved.assign(u.kernel_->io_buffer() + m.off, m.len);
      m.in_saved = true;
    }
    p.msgs.push_back(std::move(m));
  }
  p.fds = std::move(u.fds_);
  u.Clear();
  return p;
}

void SocketUndo::Unpark(Parked&& p) {
  size_t n = p.msgs.size();
  if (n == 0 || count_ + n > std::size(msgs_)) return;
  for (size_t i = count_; i-- > 0;) {
    msgs_[i + n] = std::move(msgs_[i]);
    msgs_[i + n].fds_begin += p.fds.size();
    msgs_[i + n].fds_end += p.fds.size();
  }
  for (size_t i = 0; i < n; ++i) msgs_[i] = std::move(p.msgs[i]);
  count_ += n;
  fds_.insert(fds_.begin(), p.fds.begin(), p.fds.end());
  fds_kept_ += p.fds.size();
}

void SocketUndo::AfterReply(Task& t, bool delivered) {
  SocketUndo& u = Instance();
  if (u.task_ != &t) return;  // not armed for this call
  if (!delivered) u.GiveBack(t);
  u.Clear();
}

void SocketUndo::GiveBack(Task& t) {
  if (t.process->fds == nullptr) return;  // the process is gone: nothing to give back to
  vfs::FdTable& fds = *t.process->fds;
  // The newest first: each goes to the head of its socket, so the oldest ends up in front.
  for (size_t i = count_; i-- > 0;) {
    Message& m = msgs_[i];
    for (size_t k = m.fds_begin; k < m.fds_end; ++k) fds.Remove(fds_[k]);
    if (!m.whole) continue;  // its bytes are gone (a stream read larger than the buffer)
    std::span<const char> data = m.in_saved ? std::span<const char>(m.saved)
                                            : std::span<const char>(kernel_->io_buffer() + m.off,
                                                                    m.len);
    socket_->Unrecv(data, m.flags, std::move(m.res));
  }
  if (conn_ != nullptr) {
    fds.Remove(conn_fd_);
    socket_->Unaccept(std::move(conn_));
  }
}

void SocketUndo::Clear() {
  for (size_t i = 0; i < count_; ++i) {
    msgs_[i].res = netstack::RecvResult();  // drops references to received rights
    if (msgs_[i].in_saved) std::string().swap(msgs_[i].saved);
    msgs_[i].in_saved = false;
  }
  count_ = buf_end_ = fds_kept_ = 0;
  fds_.clear();
  socket_.reset();
  conn_.reset();
  conn_fd_ = -1;
  task_ = nullptr;
}

}  // namespace sentry
