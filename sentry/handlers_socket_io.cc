// Socket data syscalls over netstack: sendto, recvfrom, sendmsg, recvmsg, sendmmsg,
// recvmmsg, with SCM_RIGHTS/SCM_CREDENTIALS. Data moves through the kernel's shared I/O
// buffer (gathered again after every wait; no allocation unless ancillary data is sent).
// Sentry thread only.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <vector>

#include "sentry/handlers.h"
#include "sentry/handlers_socket_util.h"

namespace sentry {
namespace {

constexpr size_t kMaxControl = 64 * 1024;  // larger control buffers: ENOBUFS (optmem_max)
constexpr uint64_t kMaxMmsg = 1024;        // UIO_MAXIOV
constexpr uint64_t kMaxIo = 0x7ffff000;    // MAX_RW_COUNT

struct IoVecs {
  iovec v[IOV_MAX];
  size_t n = 0;
  uint64_t total = 0;

  // The single buffer of send/sendto/recv/recvfrom, clamped to MAX_RW_COUNT.
  void SetOne(uint64_t addr, uint64_t len) {
    n = 1;
    v[0] = {reinterpret_cast<void*>(addr), std::min<uint64_t>(len, kMaxIo)};
    total = v[0].iov_len;
  }
};

// Copies a guest iovec array: EMSGSIZE above IOV_MAX (as sendmsg/recvmsg), EFAULT, EINVAL
// for a negative length. The total is clamped to MAX_RW_COUNT.
SysResult LoadIov(SyscallContext& c, uint64_t addr, uint64_t n, IoVecs* io) {
  if (n > IOV_MAX) return SysResult::Errno(EMSGSIZE);
  io->n = n;
  if (n && !CopyIn(c, addr, io->v, n * sizeof(iovec)).ok()) return SysResult::Errno(EFAULT);
  io->total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<int64_t>(io->v[i].iov_len) < 0) return SysResult::Errno(EINVAL);
    io->total += io->v[i].iov_len;
    if (io->total > kMaxIo) {
      io->v[i].iov_len -= io->total - kMaxIo;
      io->total = kMaxIo;
      io->n = i + 1;
      break;
    }
  }
  return 0;
}

// Walks [off, off + len) of the iovecs, copying between them and `buf`.
SysResult CopyIov(SyscallContext& c, const IoVecs& io, uint64_t off, char* buf, size_t len,
                  bool out) {
  size_t done = 0;
  for (size_t i = 0; i < io.n && done < len; ++i) {
    uint64_t l = io.v[i].iov_len;
    if (off >= l) {
      off -= l;
      continue;
    }
    size_t k = std::min<uint64_t>(l - off, len - done);
    uint64_t addr = reinterpret_cast<uint64_t>(io.v[i].iov_base) + off;
    SysResult r = out ? CopyOut(c, addr, buf + done, k) : CopyIn(c, addr, buf + done, k);
    if (!r.ok()) return SysResult::Errno(EFAULT);
    done += k;
    off = 0;
  }
  return 0;
}

SysResult DoSend(SyscallContext& c, netstack::Socket* s, const IoVecs& io, int flags,
                 const netstack::SockAddr* to, netstack::Control* ctl) {
  netstack::Caller who = CallerOf(c);
  netstack::UnixNames::PathKey key;
  bool is_path = false;
  if (to) {
    SysResult r = ResolveUnixPath(c, *s, *to, &key, &is_path);
    if (!r.ok()) return r;
    if (is_path) who.path_key = &key;
  }
  bool nonblock = (s->status_flags() & O_NONBLOCK) || (flags & MSG_DONTWAIT);
  bool stream = s->type() == SOCK_STREAM;
  if (!stream && io.total > Kernel::kIoBufferSize) return SysResult::Errno(EMSGSIZE);
  char* buf = c.kernel.io_buffer();
  uint64_t sent = 0;
  do {
    size_t chunk = std::min<uint64_t>(io.total - sent, Kernel::kIoBufferSize);
    netstack::SendArgs a;
    // MSG_OOB marks the last byte of the whole send only.
    a.flags = sent + chunk < io.total ? (flags & ~MSG_OOB) : flags;
    a.to = to;
    a.ctl = ctl;
    SysResult r = SocketBlocking(
        c, nonblock, EPOLLOUT, s->options().sndtimeo_ns, [&] { return s->SendWaitFd(); },
        [&]() -> SysResult {
          // The shared buffer may have been reused while this task waited: gather again.
          SysResult g = CopyIov(c, io, sent, buf, chunk, false);
          if (!g.ok()) return g;
          a.data = std::span<const char>(buf, chunk);
          return s->Send(a, who);
        });
    if (!r.ok()) {
      if (r.error() == EPIPE && sent == 0 && !(flags & MSG_NOSIGNAL))
        c.task.post_signal = SIGPIPE;  // raised after the reply
      return sent ? SysResult(static_cast<int64_t>(sent)) : r;
    }
    if (!stream) return r;
    sent += static_cast<uint64_t>(r.value());
    if (nonblock && static_cast<uint64_t>(r.value()) < chunk) break;
  } while (sent < io.total);
  return static_cast<int64_t>(sent);
}

// MSG_WAITALL on a stream: waits, consuming nothing, until `want` bytes are buffered (or the
// peer is done), so that a signal arriving meanwhile loses no data. While part of it is
// there the wait polls every millisecond (the readiness fd stays readable).
constexpr uint64_t kWaitallAtomic = 128 * 1024;  // below the host pair's buffer

SysResult WaitForBytes(SyscallContext& c, netstack::Socket* s, uint64_t want, int64_t timeout_ns) {
  int64_t deadline = timeout_ns > 0 ? MonotonicNs() + timeout_ns : -1;
  for (;;) {
    int avail = 0;
    if (!s->Ioctl(FIONREAD, &avail).ok()) return 0;  // the read reports the error
    if (static_cast<uint64_t>(avail) >= want) return 0;
    if (s->Readiness(POLLRDHUP | POLLHUP | POLLERR) & (POLLRDHUP | POLLHUP | POLLERR)) return 0;
    int64_t left = -1;
    if (deadline >= 0) {
      left = deadline - MonotonicNs();
      if (left <= 0) return avail ? SysResult(0) : SysResult::Errno(EAGAIN);
    }
    bool ok;
    if (avail == 0) {
      std::pair<int, uint32_t> w{s->ReadinessFd(), EPOLLIN};
      ok = c.kernel.WaitForFds(c.task, std::span(&w, 1), left);
    } else {
      int64_t tick = 1000000;
      ok = c.kernel.WaitForFds(c.task, {}, left >= 0 ? std::min(left, tick) : tick);
    }
    if (!ok || !c.kernel.platform().StillValid(c.req)) return SysResult::Errno(EINTR);
  }
}

// A message of a datagram or seqpacket socket, received whole into the I/O buffer at
// `m.off` (whatever the guest's size: an undelivered reply can then give it back), then
// copied to the guest's iovecs, truncated to them.
SysResult RecvMessage(SyscallContext& c, netstack::Socket* s, const IoVecs& io, int flags,
                      bool nonblock, SocketUndo::Message& m) {
  char* buf = c.kernel.io_buffer() + m.off;
  size_t cap = Kernel::kIoBufferSize - m.off;
  size_t want = std::min<uint64_t>(io.total, cap);
  netstack::RecvResult& res = m.res;
  SysResult r;
  const bool pushed_back = s->has_pushback();
  if (pushed_back) {
    // Bytes an undone read(2) gave back (FileDescription::PushBack): one datagram.
    size_t n = s->TakePushback(std::span<char>(buf, cap), flags & MSG_PEEK);
    res.copied = res.length = n;
    r = static_cast<int64_t>(n);
  } else {
    r = SocketBlocking(
        c, nonblock, EPOLLIN, s->options().rcvtimeo_ns, [&] { return s->ReadinessFd(); },
        [&]() -> SysResult {
          res = netstack::RecvResult();
          return s->Recv(std::span<char>(buf, cap), flags, &res);
        });
    if (!r.ok()) return r;
  }
  m.len = res.copied;
  m.whole = res.length == res.copied && !(res.msg_flags & MSG_TRUNC);
  // A seqpacket's message count already took such bytes: they cannot go back as a message.
  if (pushed_back && s->type() != SOCK_DGRAM) m.whole = false;
  if (res.copied > want) {
    res.copied = want;
    res.msg_flags |= MSG_TRUNC;
  }
  if (res.copied && !CopyIov(c, io, 0, buf, res.copied, true).ok())
    return SysResult::Errno(EFAULT);
  return static_cast<int64_t>((flags & MSG_TRUNC) ? res.length : res.copied);
}

// Bytes an undelivered reply gave back to a stream (netstack::Socket::Unrecv) come first,
// on their own, with the control that went back with them.
SysResult RecvPushedBack(SyscallContext& c, netstack::Socket* s, const IoVecs& io, int flags,
                         SocketUndo::Message& m) {
  bool peek = flags & MSG_PEEK;
  char* buf = c.kernel.io_buffer() + m.off;
  size_t cap = Kernel::kIoBufferSize - m.off;
  size_t n = s->TakePushback(std::span<char>(buf, std::min<uint64_t>(io.total, cap)), peek);
  if (n && !CopyIov(c, io, 0, buf, n, true).ok()) {
    if (!peek) s->PushBack(std::span<const char>(buf, n));
    return SysResult::Errno(EFAULT);
  }
  if (s->has_returned_control()) {
    s->TakeReturnedControl(&m.res.ctl, peek);
    m.res.want_cred = s->options().passcred && s->family() == AF_UNIX;
  }
  m.res.copied = m.res.length = m.len = n;
  m.whole = true;
  return static_cast<int64_t>(n);
}

SysResult RecvStream(SyscallContext& c, netstack::Socket* s, const IoVecs& io, int flags,
                     bool nonblock, SocketUndo::Message& m) {
  bool peek = flags & MSG_PEEK;
  if (s->has_returned_control() && !s->has_pushback())
    s->TakeReturnedControl(&m.res.ctl);  // read(2) took its bytes: it is discarded, as there
  if (s->has_pushback() && !(flags & MSG_OOB)) return RecvPushedBack(c, s, io, flags, m);
  char* buf = c.kernel.io_buffer() + m.off;
  const size_t cap = Kernel::kIoBufferSize - m.off;
  netstack::RecvResult* res = &m.res;
  auto ready_fd = [&] { return s->ReadinessFd(); };
  int64_t timeo = s->options().rcvtimeo_ns;
  bool waitall = (flags & MSG_WAITALL) && !peek && !nonblock;
  if (waitall && io.total <= kWaitallAtomic) {
    SysResult w = WaitForBytes(c, s, io.total, timeo);
    if (!w.ok()) return w;
  }
  *res = netstack::RecvResult();
  uint64_t got = 0;
  int chunks = 0;
  for (;;) {
    size_t chunk = std::min<uint64_t>(io.total - got, cap);
    ++chunks;
    netstack::RecvResult part;
    auto op = [&]() -> SysResult {
      part = netstack::RecvResult();
      return s->Recv(std::span<char>(buf, chunk), flags, &part);
    };
    SysResult r =
        (got == 0 || waitall) ? SocketBlocking(c, nonblock, EPOLLIN, timeo, ready_fd, op) : op();
    if (!r.ok()) {
      if (got) break;
      return r;
    }
    size_t n = part.copied;
    if (n && !CopyIov(c, io, got, buf, n, true).ok())
      return got ? SysResult(static_cast<int64_t>(got)) : SysResult::Errno(EFAULT);
    bool has_ctl = !part.ctl.empty();
    if (got == 0 || has_ctl) {
      res->msg_flags = part.msg_flags;
      res->from = part.from;
      res->want_cred = part.want_cred;
      res->ctl = std::move(part.ctl);
    }
    got += n;
    m.len = n;
    // One read delivers at most one set of ancillary data, and stops after it.
    if (n == 0 || got >= io.total || peek || has_ctl) break;
    if (!waitall && n < chunk) break;
  }
  res->copied = res->length = got;
  // The buffer holds the bytes of one chunk only: more cannot be given back.
  m.whole = chunks == 1;
  return static_cast<int64_t>(got);
}

// Receives into `m` (SocketUndo::Begin). The caller keeps it (SocketUndo::Keep) once it
// was delivered.
SysResult DoRecv(SyscallContext& c, netstack::Socket* s, const IoVecs& io, int flags,
                 SocketUndo::Message& m) {
  bool nonblock = (s->status_flags() & O_NONBLOCK) || (flags & MSG_DONTWAIT);
  if (s->type() != SOCK_STREAM) return RecvMessage(c, s, io, flags, nonblock, m);
  return RecvStream(c, s, io, flags, nonblock, m);
}

// Whether a successful receive into `m` took something an undelivered reply must give
// back. (A zero-length message reads like the end of file: it is not given back.)
bool Took(const SocketUndo::Message& m, int flags) {
  return !(flags & MSG_PEEK) && (m.len > 0 || !m.res.ctl.empty());
}

// Parses the control messages of a sendmsg on an AF_UNIX socket (Linux's __scm_send):
// EINVAL for malformed headers or unknown SOL_SOCKET types, EBADF for bad fds, EINVAL
// above SCM_MAX_FD, EPERM for forged credentials. Other levels are ignored.
SysResult ParseControl(SyscallContext& c, netstack::Socket* s, const msghdr& m,
                       netstack::Control* out) {
  if (m.msg_controllen == 0 || s->family() != AF_UNIX) return 0;
  if (m.msg_controllen > kMaxControl) return SysResult::Errno(ENOBUFS);
  std::vector<char> buf(m.msg_controllen);
  if (!CopyIn(c, reinterpret_cast<uint64_t>(m.msg_control), buf.data(), buf.size()).ok())
    return SysResult::Errno(EFAULT);
  size_t off = 0;
  while (off + sizeof(cmsghdr) <= buf.size()) {
    cmsghdr h;
    memcpy(&h, buf.data() + off, sizeof(h));
    if (h.cmsg_len < sizeof(cmsghdr) || h.cmsg_len > buf.size() - off)
      return SysResult::Errno(EINVAL);
    const char* data = buf.data() + off + CMSG_LEN(0);
    size_t dlen = h.cmsg_len - CMSG_LEN(0);
    if (h.cmsg_level == SOL_SOCKET) {
      if (h.cmsg_type == SCM_RIGHTS) {
        size_t n = dlen / sizeof(int);
        if (out->rights.size() + n > netstack::kScmMaxFd) return SysResult::Errno(EINVAL);
        for (size_t i = 0; i < n; ++i) {
          int fd;
          memcpy(&fd, data + i * sizeof(int), sizeof(int));
          vfs::FileRef f = fd < 0 ? nullptr : c.proc.fds->Get(fd);
          if (!f) return SysResult::Errno(EBADF);
          out->rights.push_back(std::move(f));
        }
      } else if (h.cmsg_type == SCM_CREDENTIALS) {
        if (h.cmsg_len != CMSG_LEN(sizeof(ucred))) return SysResult::Errno(EINVAL);
        ucred u;
        memcpy(&u, data, sizeof(u));
        const vfs::Credentials& cr = c.proc.creds;
        // Only the sender's own pid; ids of its own unless it is (virtual) root.
        if (u.pid != c.proc.pid) return SysResult::Errno(EPERM);
        bool root = cr.euid == 0;
        if (!root && u.uid != cr.uid && u.uid != cr.euid) return SysResult::Errno(EPERM);
        if (!root && u.gid != cr.gid && u.gid != cr.egid) return SysResult::Errno(EPERM);
        out->has_cred = true;
        out->cred = netstack::Cred{u.pid, u.uid, u.gid};
      } else {
        return SysResult::Errno(EINVAL);
      }
    }
    off += CMSG_ALIGN(h.cmsg_len);
  }
  return 0;
}

// Writes SCM_CREDENTIALS and SCM_RIGHTS (installing the received descriptions) into the
// guest's control buffer; MSG_CTRUNC when they do not fit. Returns the bytes used.
size_t DeliverControl(SyscallContext& c, netstack::Socket* s, const msghdr& m,
                      netstack::RecvResult& res, int flags, int* msg_flags) {
  size_t space = m.msg_control ? m.msg_controllen : 0;
  alignas(cmsghdr) char out[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(netstack::kScmMaxFd * 4)];
  space = std::min(space, sizeof(out));
  size_t used = 0;
  if (res.want_cred) {
    if (space - used < CMSG_LEN(sizeof(ucred))) {
      *msg_flags |= MSG_CTRUNC;
    } else {
      cmsghdr h{CMSG_LEN(sizeof(ucred)), SOL_SOCKET, SCM_CREDENTIALS};
      ucred u{res.ctl.cred.pid, res.ctl.cred.uid, res.ctl.cred.gid};
      memcpy(out + used, &h, sizeof(h));
      memcpy(out + used + CMSG_LEN(0), &u, sizeof(u));
      used += std::min(CMSG_SPACE(sizeof(ucred)), space - used);
    }
  }
  const auto& rights = res.ctl.rights;
  if (!rights.empty()) {
    size_t avail = space - used;
    size_t fit = avail >= CMSG_LEN(sizeof(int)) ? (avail - CMSG_LEN(0)) / sizeof(int) : 0;
    size_t k = 0;
    for (; k < std::min(fit, rights.size()); ++k) {
      int fd = c.proc.fds->Install(rights[k], flags & MSG_CMSG_CLOEXEC, 0, FdLimit(c));
      if (fd < 0) break;
      SocketUndo::Claim(c, s).InstalledFd(fd);  // removed again if the reply fails
      memcpy(out + used + CMSG_LEN(0) + k * sizeof(int), &fd, sizeof(int));
    }
    if (k < rights.size()) *msg_flags |= MSG_CTRUNC;
    if (k) {
      cmsghdr h{CMSG_LEN(k * sizeof(int)), SOL_SOCKET, SCM_RIGHTS};
      memcpy(out + used, &h, sizeof(h));
      used += std::min(CMSG_SPACE(k * sizeof(int)), avail);
    }
  }
  if (used && !CopyOut(c, reinterpret_cast<uint64_t>(m.msg_control), out, used).ok()) return 0;
  return used;
}

SysResult SendMsgOne(SyscallContext& c, netstack::Socket* s, uint64_t msg_addr, int flags) {
  msghdr m;
  if (!CopyInObj(c, msg_addr, &m).ok()) return SysResult::Errno(EFAULT);
  IoVecs io;
  SysResult r = LoadIov(c, reinterpret_cast<uint64_t>(m.msg_iov), m.msg_iovlen, &io);
  if (!r.ok()) return r;
  netstack::SockAddr to;
  const netstack::SockAddr* top = nullptr;
  if (m.msg_name && m.msg_namelen) {
    r = ReadSockAddr(c, reinterpret_cast<uint64_t>(m.msg_name), m.msg_namelen, &to);
    if (!r.ok()) return r;
    top = &to;
  }
  netstack::Control ctl;
  if (m.msg_controllen > INT32_MAX) return SysResult::Errno(ENOBUFS);
  r = ParseControl(c, s, m, &ctl);
  if (!r.ok()) return r;
  return DoSend(c, s, io, flags, top, &ctl);
}

SysResult RecvMsgOne(SyscallContext& c, netstack::Socket* s, uint64_t msg_addr, int flags) {
  msghdr m;
  if (!CopyInObj(c, msg_addr, &m).ok()) return SysResult::Errno(EFAULT);
  if (static_cast<int32_t>(m.msg_namelen) < 0) return SysResult::Errno(EINVAL);
  IoVecs io;
  SysResult r = LoadIov(c, reinterpret_cast<uint64_t>(m.msg_iov), m.msg_iovlen, &io);
  if (!r.ok()) return r;
  SocketUndo::Message got;
  got.off = SocketUndo::BufferEnd(c.task);
  netstack::RecvResult& res = got.res;
  r = DoRecv(c, s, io, flags & ~MSG_CMSG_CLOEXEC, got);
  if (!r.ok()) return r;
  if (m.msg_name) {
    size_t n = std::min<size_t>(m.msg_namelen, res.from.len);
    if (n && !CopyOut(c, reinterpret_cast<uint64_t>(m.msg_name), &res.from.ss, n).ok())
      return SysResult::Errno(EFAULT);
    uint32_t full = res.from.len;
    if (!CopyOutObj(c, msg_addr + offsetof(msghdr, msg_namelen), full).ok())
      return SysResult::Errno(EFAULT);
  }
  int mflags = res.msg_flags;
  size_t used = DeliverControl(c, s, m, res, flags, &mflags);
  if (!CopyOutObj(c, msg_addr + offsetof(msghdr, msg_controllen), used).ok() ||
      !CopyOutObj(c, msg_addr + offsetof(msghdr, msg_flags), mflags).ok())
    return SysResult::Errno(EFAULT);
  if (Took(got, flags)) SocketUndo::Claim(c, s).Keep(std::move(got), flags & MSG_OOB);
  return r;
}

SysResult Sendto(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  if (ReplayUndeliveredWrite(c, keep, &r)) return r;
  IoVecs io;
  io.SetOne(c.arg(1), c.arg(2));
  netstack::SockAddr to;
  const netstack::SockAddr* top = nullptr;
  if (c.arg(4) && c.arg(5)) {
    r = ReadSockAddr(c, c.arg(4), c.arg(5), &to);
    if (!r.ok()) return r;
    top = &to;
  }
  return RecordWrite(c, keep, DoSend(c, s, io, static_cast<int>(c.arg(3)), top, nullptr));
}

SysResult Recvfrom(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  IoVecs io;
  io.SetOne(c.arg(1), c.arg(2));
  int flags = static_cast<int>(c.arg(3));
  SocketUndo::Message got;
  r = DoRecv(c, s, io, flags, got);
  if (!r.ok()) return r;
  if (c.arg(4)) {
    SysResult w = WriteSockAddr(c, c.arg(4), c.arg(5), got.res.from);
    if (!w.ok()) return w;
  }
  // recvfrom delivers no control: rights that came with the bytes are dropped, as in Linux.
  if (Took(got, flags)) SocketUndo::Claim(c, s).Keep(std::move(got), flags & MSG_OOB);
  return r;
}

SysResult Sendmsg(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  if (ReplayUndeliveredWrite(c, keep, &r)) return r;
  return RecordWrite(c, keep, SendMsgOne(c, s, c.arg(1), static_cast<int>(c.arg(2))));
}

SysResult Recvmsg(SyscallContext& c) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  return RecvMsgOne(c, s, c.arg(1), static_cast<int>(c.arg(2)));
}

// sendmmsg/recvmmsg: one message at a time; an error after the first message ends the batch
// with the count so far. recvmmsg's timeout is not applied.
constexpr size_t kMmsgRoom = 256 * 1024;  // I/O buffer room a recvmmsg leaves each message

// The recvmmsg message after the first: received behind the ones kept in the I/O buffer.
// Before it may wait, they are parked (other tasks use the buffer and the record meanwhile).
SysResult RecvMmsgNext(SyscallContext& c, netstack::Socket* s, uint64_t at, int flags) {
  bool may_wait = !(flags & MSG_DONTWAIT) && !(s->status_flags() & O_NONBLOCK);
  if (!may_wait) return RecvMsgOne(c, s, at, flags);
  SysResult r(0);
  if (!(flags & MSG_WAITALL)) {
    // Without a wait the messages kept so far stay where they are.
    r = RecvMsgOne(c, s, at, flags | MSG_DONTWAIT);
    if (r.error() != EAGAIN) return r;
  }
  SocketUndo::Parked parked = SocketUndo::Park(c.task);
  r = RecvMsgOne(c, s, at, flags);
  SocketUndo::Claim(c, s).Unpark(std::move(parked));
  return r;
}

SysResult Mmsg(SyscallContext& c, bool send) {
  vfs::FileRef keep;
  netstack::Socket* s;
  SysResult r = GetSocket(c, c.arg(0), &keep, &s);
  if (!r.ok()) return r;
  // A restarted sendmmsg whose reply did not land answers what it sent (handler_util.h).
  if (send && ReplayUndeliveredWrite(c, keep, &r)) return r;
  uint64_t vlen = std::min<uint64_t>(c.arg(2), kMaxMmsg);
  int flags = static_cast<int>(c.arg(3));
  uint64_t done = 0;
  for (; done < vlen; ++done) {
    uint64_t at = c.arg(1) + done * sizeof(mmsghdr);
    if (send) {
      r = SendMsgOne(c, s, at, flags);
    } else if (done == 0) {
      r = RecvMsgOne(c, s, at, flags & ~MSG_WAITFORONE);
    } else {
      // A message that might not fit whole behind the others waits for the next call.
      if (Kernel::kIoBufferSize - SocketUndo::BufferEnd(c.task) < kMmsgRoom) break;
      r = RecvMmsgNext(c, s, at, flags & ~MSG_WAITFORONE);
    }
    if (!r.ok()) break;
    uint32_t len = static_cast<uint32_t>(r.value());
    if (!CopyOutObj(c, at + offsetof(mmsghdr, msg_len), len).ok()) {
      r = SysResult::Errno(EFAULT);
      break;
    }
    if (!send && (flags & MSG_WAITFORONE)) flags |= MSG_DONTWAIT;
  }
  if (done) r = static_cast<int64_t>(done);
  return send ? RecordWrite(c, keep, r) : r;
}

SysResult Sendmmsg(SyscallContext& c) { return Mmsg(c, true); }
SysResult Recvmmsg(SyscallContext& c) { return Mmsg(c, false); }

}  // namespace

void RegisterSocketIoHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_sendto] = Sendto;
  (*t)[SYS_recvfrom] = Recvfrom;
  (*t)[SYS_sendmsg] = Sendmsg;
  (*t)[SYS_recvmsg] = Recvmsg;
  (*t)[SYS_sendmmsg] = Sendmmsg;
  (*t)[SYS_recvmmsg] = Recvmmsg;
}

}  // namespace sentry
