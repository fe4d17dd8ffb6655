// DgramSocket (see dgram_socket.h). Sentry thread only.
#include "netstack/dgram_socket.h"

#include <poll.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "netstack/stack.h"

namespace sentry::netstack {
namespace {

// The header in front of every datagram in a receive queue.
struct Header {
  uint32_t from_len;
  Cred cred;
  uint64_t ticket;  // 0: no ancillary data
  sockaddr_storage from;
};

}  // namespace

ErrnoOr<std::shared_ptr<DgramSocket>> DgramSocket::Create(Stack* stack, int family, int protocol,
                                                          int flags, const Cred& who) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
    return ErrnoOr<std::shared_ptr<DgramSocket>>::Errno(errno);
  return std::make_shared<DgramSocket>(stack, family, protocol, flags, who, UniqueFd(sv[0]),
                                       UniqueFd(sv[1]));
}

ErrnoOr<std::pair<std::shared_ptr<DgramSocket>, std::shared_ptr<DgramSocket>>>
DgramSocket::CreatePair(Stack* stack, int flags, const Cred& who) {
  using R = ErrnoOr<std::pair<std::shared_ptr<DgramSocket>, std::shared_ptr<DgramSocket>>>;
  auto a = Create(stack, AF_UNIX, 0, flags, who);
  if (!a.ok()) return R::Errno(a.error());
  auto b = Create(stack, AF_UNIX, 0, flags, who);
  if (!b.ok()) return R::Errno(b.error());
  for (auto [x, y] : {std::pair{*a, *b}, std::pair{*b, *a}}) {
    x->connected_ = true;
    x->pair_ = true;
    x->peer_ = y;
    x->peer_name_ = UnixSockAddr(UnixName{});
  }
  return std::make_pair(*a, *b);
}

DgramSocket::DgramSocket(Stack* stack, int family, int protocol, int flags, const Cred& who,
                         UniqueFd rq_r, UniqueFd rq_w)
    : Socket(stack, family, SOCK_DGRAM, protocol, flags, who),
      rq_r_(std::move(rq_r)),
      rq_w_(std::move(rq_w)) {}

size_t DgramSocket::MaxPayload() const {
  if (family_ == AF_INET) return 65507;
  if (family_ == AF_INET6) return 65527;
  return static_cast<size_t>(opts_.sndbuf) - 32;
}

SysResult DgramSocket::Connect(const SockAddr& addr, const Caller& who) {
  if (addr.len >= sizeof(sa_family_t) && addr.family() == AF_UNSPEC) {
    connected_ = false;
    peer_.reset();
    return 0;
  }
  if (family_ == AF_UNIX) {
    ErrnoOr<UnixName> n = ParseUnix(addr);
    if (!n.ok() || n->kind == UnixName::Kind::kUnnamed) return SysResult::Errno(EINVAL);
    Socket* s = stack_->FindUnix(*n, who.path_key, type_);
    if (!s) return SysResult::Errno(ECONNREFUSED);
    if (s->type() != SOCK_DGRAM) return SysResult::Errno(EPROTOTYPE);
    peer_ = s->self();
    peer_name_ = s->LocalName();
  } else {
    ErrnoOr<InetAddr> d = InetDestination(addr);
    if (!d.ok()) return SysResult::Errno(d.error());
    SysResult r = AutoBindInet();
    if (!r.ok()) return r;
    peer_inet_ = *d;
    inet_local_ = SourceFor(*d);
    peer_name_ = InetSockAddr(family_, *d);
  }
  connected_ = true;
  return 0;
}

bool DgramSocket::TakesFrom(const DgramSocket* sender, const InetAddr& src) const {
  if (!connected_) return true;
  if (family_ == AF_UNIX) return peer_.lock().get() == sender;
  return peer_inet_.SameIp(src) && peer_inet_.port == src.port;
}

SysResult DgramSocket::Send(SendArgs& a, const Caller& who) {
  blocked_on_.reset();
  if (a.flags & MSG_OOB) return SysResult::Errno(EOPNOTSUPP);  // no urgent data in datagrams
  if (shut_ & 2) return SysResult::Errno(EPIPE);
  if (a.data.size() > MaxPayload()) return SysResult::Errno(EMSGSIZE);
  std::shared_ptr<Socket> target;
  InetAddr src;
  bool to_peer = false;  // UDP to the connected peer (where an ICMP error would come from)
  if (a.to && a.to->len) {
    if (family_ == AF_UNIX) {
      ErrnoOr<UnixName> n = ParseUnix(*a.to);
      if (!n.ok() || n->kind == UnixName::Kind::kUnnamed) return SysResult::Errno(EINVAL);
      Socket* s = stack_->FindUnix(*n, who.path_key, type_);
      if (!s) return SysResult::Errno(ECONNREFUSED);
      if (s->type() != SOCK_DGRAM) return SysResult::Errno(EPROTOTYPE);
      target = s->self();
    } else {
      ErrnoOr<InetAddr> d = InetDestination(*a.to);
      if (!d.ok()) return SysResult::Errno(d.error());
      if (d->port == 0) return SysResult::Errno(EINVAL);
      SysResult r = AutoBindInet();
      if (!r.ok()) return r;
      src = SourceFor(*d);
      to_peer = connected_ && d->SameIp(peer_inet_) && d->port == peer_inet_.port;
      if (Socket* s = stack_->FindInet(SOCK_DGRAM, *d)) target = s->self();
    }
  } else if (connected_) {
    if (family_ == AF_UNIX) {
      target = peer_.lock();
      if (!target) return SysResult::Errno(ECONNREFUSED);
    } else {
      src = SourceFor(peer_inet_);
      to_peer = true;
      if (Socket* s = stack_->FindInet(SOCK_DGRAM, peer_inet_)) target = s->self();
    }
  } else {
    return SysResult::Errno(family_ == AF_UNIX ? ENOTCONN : EDESTADDRREQ);
  }
  // A pending error fails the send and is cleared; the datagram is not sent (Linux checks
  // it when allocating the datagram, after the destination).
  if (error_) return SysResult::Errno(TakeError());
  auto* t = static_cast<DgramSocket*>(target.get());
  if (!t || !t->TakesFrom(this, src)) {
    if (family_ == AF_UNIX) return SysResult::Errno(EPERM);
    // No socket takes it (none bound, or connected elsewhere): dropped, port unreachable.
    Unreachable(to_peer);
    return static_cast<int64_t>(a.data.size());
  }
  if (t->shut_ & 1) {
    if (family_ == AF_UNIX) return SysResult::Errno(EPIPE);
    return static_cast<int64_t>(a.data.size());
  }
  Header h{};
  h.cred = who.cred;
  SockAddr from = family_ == AF_UNIX ? LocalName() : InetSockAddr(t->family_, src);
  if (family_ == AF_UNIX && !bound_) from.len = 0;  // an unnamed sender shows no address
  h.from_len = from.len;
  memcpy(&h.from, &from.ss, sizeof(h.from));
  if (a.ctl && !a.ctl->empty()) {
    if (a.ctl->has_cred) h.cred = a.ctl->cred;
    h.ticket = t->next_ticket_++;
  }
  iovec iov[2] = {{&h, sizeof(h)}, {const_cast<char*>(a.data.data()), a.data.size()}};
  msghdr m{};
  m.msg_iov = iov;
  m.msg_iovlen = 2;
  if (::sendmsg(t->rq_w_.get(), &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    int err = errno;
    if (err == EAGAIN) blocked_on_ = std::static_pointer_cast<DgramSocket>(target);
    return SysResult::Errno(err == ENOBUFS ? EAGAIN : err);
  }
  if (h.ticket) {
    t->ctl_.emplace(h.ticket, std::move(*a.ctl));
    *a.ctl = Control();
  }
  if (t->doorbell_) t->behind_doorbell_ = true;
  return static_cast<int64_t>(a.data.size());
}

int DgramSocket::SendWaitFd() const { return blocked_on_ ? blocked_on_->rq_w_.get() : rq_r_.get(); }

SysResult DgramSocket::Recv(std::span<char> buf, int flags, RecvResult* out) {
  // MSG_OOB: AF_UNIX refuses it; UDP ignores it (as Linux).
  if ((flags & MSG_OOB) && family_ == AF_UNIX) return SysResult::Errno(EOPNOTSUPP);
  // A pending error comes before queued datagrams, and is cleared (also by MSG_PEEK): Linux.
  if (error_) return SysResult::Errno(TakeError());
  Header h{};
  iovec iov[2] = {{&h, sizeof(h)}, {buf.data(), buf.size()}};
  msghdr m{};
  m.msg_iov = iov;
  m.msg_iovlen = 2;
  bool peek = flags & MSG_PEEK;
  ssize_t n = ReceiveRaw(&m, MSG_DONTWAIT | MSG_TRUNC | (peek ? MSG_PEEK : 0));
  if (n < 0) {
    if (errno == EAGAIN && (shut_ & 1)) return 0;
    return SysResult::Errno(errno);
  }
  if (static_cast<size_t>(n) < sizeof(h)) return SysResult::Errno(EAGAIN);
  size_t len = static_cast<size_t>(n) - sizeof(h);
  out->length = len;
  out->copied = std::min(len, buf.size());
  if (len > buf.size()) out->msg_flags |= MSG_TRUNC;
  out->from.len = std::min<socklen_t>(h.from_len, sizeof(out->from.ss));
  memcpy(&out->from.ss, &h.from, sizeof(h.from));
  if (h.ticket) {
    auto it = ctl_.find(h.ticket);
    if (it != ctl_.end()) {
      if (peek) {
        out->ctl = it->second;
      } else {
        out->ctl = std::move(it->second);
        ctl_.erase(it);
      }
    }
  }
  out->want_cred = opts_.passcred && family_ == AF_UNIX;
  if (!out->ctl.has_cred) out->ctl.cred = h.cred;  // also kept for Unrecv
  return static_cast<int64_t>((flags & MSG_TRUNC) ? len : out->copied);
}

ssize_t DgramSocket::ReceiveRaw(msghdr* m, int host_flags) {
  if (returned_.empty()) return ::recvmsg(rq_r_.get(), m, host_flags);
  const std::string& msg = returned_.back();
  size_t off = 0;
  for (size_t i = 0; i < m->msg_iovlen && off < msg.size(); ++i) {
    size_t k = std::min(m->msg_iov[i].iov_len, msg.size() - off);
    memcpy(m->msg_iov[i].iov_base, msg.data() + off, k);
    off += k;
  }
  ssize_t n = static_cast<ssize_t>(msg.size());
  if (!(host_flags & MSG_PEEK)) {
    returned_.pop_back();
    if (returned_.empty()) std::vector<std::string>().swap(returned_);  // the memory back
  }
  return n;
}

bool DgramSocket::Unrecv(std::span<const char> data, int flags, RecvResult&& what) {
  Header h{};
  h.from_len = what.from.len;
  memcpy(&h.from, &what.from.ss, sizeof(h.from));
  h.cred = what.ctl.cred;
  if (!what.ctl.empty()) {
    h.ticket = next_ticket_++;
    ctl_.emplace(h.ticket, std::move(what.ctl));
  }
  std::string msg(reinterpret_cast<const char*>(&h), sizeof(h));
  msg.append(data.data(), data.size());
  // A queue shut down for reading refuses new datagrams, but its fd stays readable (EOF).
  if ((shut_ & 1) || !returned_.empty() || !Requeue(msg)) returned_.push_back(std::move(msg));
  return true;
}

bool DgramSocket::Requeue(std::span<const char> first) {
  // Rare (an undelivered reply): read the queue out, then write it back behind `first`. The
  // same datagrams in the same order fit again: the host admitted each one behind at least
  // as many bytes as are ahead of it now, and nothing else runs in between.
  std::vector<std::string> queued;
  bool empty_seen = false;
  for (;;) {
    ssize_t n = RecvHost(rq_r_.get(), nullptr, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
    if (n < 0) break;
    if (n == 0) {  // the doorbell (written again below), or the end of a shut-down queue
      if (empty_seen) break;
      empty_seen = true;
      (void)RecvHost(rq_r_.get(), nullptr, 0, MSG_DONTWAIT);
      continue;
    }
    std::string m(static_cast<size_t>(n), '\0');
    if (RecvHost(rq_r_.get(), m.data(), m.size(), MSG_DONTWAIT) != n) break;
    queued.push_back(std::move(m));
  }
  auto put = [&](std::span<const char> m) {
    return SendHost(rq_w_.get(), m.data(), m.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0;
  };
  if (doorbell_ && !put({})) doorbell_ = false;
  bool first_in = first.empty() || put(first);
  for (const std::string& m : queued) {
    if (!put(m)) returned_.insert(returned_.begin(), m);  // not expected; kept, read later
  }
  behind_doorbell_ = doorbell_ && (!first.empty() || !queued.empty());
  return first_in;
}

SysResult DgramSocket::Shutdown(int how) {
  if (family_ != AF_UNIX && !connected_) return SysResult::Errno(ENOTCONN);
  shut_ |= how + 1;
  if (how != SHUT_WR) {
    // Wake readers: a shut-down socket reads EOF.
    ::shutdown(rq_r_.get(), SHUT_RD);
  }
  return 0;
}

ErrnoOr<SockAddr> DgramSocket::PeerName() const {
  if (!connected_) return ErrnoOr<SockAddr>::Errno(ENOTCONN);
  return peer_name_;
}

bool DgramSocket::PeerCred(Cred* out) const {
  if (!pair_) return false;
  *out = creator_;
  return true;
}

uint32_t DgramSocket::Readiness(uint32_t mask) {
  struct pollfd p = {rq_r_.get(), POLLIN, 0};
  uint32_t ready = POLLOUT | (returned_.empty() ? 0 : POLLIN) | (error_ ? POLLERR : 0);
  if (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && (!doorbell_ || behind_doorbell_))
    ready |= POLLIN;
  if (shut_ & 1) ready |= POLLIN | POLLRDHUP;
  if (shut_ == 3) ready |= POLLHUP;
  return ready & (mask | POLLHUP | POLLERR);
}

SysResult DgramSocket::Ioctl(uint32_t cmd, void* arg) {
  if (cmd == TIOCOUTQ) {
    *static_cast<int*>(arg) = 0;
    return 0;
  }
  if (cmd != FIONREAD) return SysResult::Errno(ENOTTY);
  Header h;
  iovec iov{&h, sizeof(h)};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  // The first datagram is behind the doorbell: take the doorbell out while peeking.
  bool ring = doorbell_ && behind_doorbell_ && returned_.empty();
  if (ring) DropDoorbell();
  ssize_t n = ReceiveRaw(&m, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
  if (ring) RingDoorbell();
  *static_cast<int*>(arg) =
      n >= static_cast<ssize_t>(sizeof(h)) ? static_cast<int>(n - sizeof(h)) : 0;
  return 0;
}

}  // namespace sentry::netstack
