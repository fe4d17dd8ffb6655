// StreamSocket (see stream_socket.h). Sentry thread only.
#include "netstack/stream_socket.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "netstack/stack.h"
#include "netstack/write_choke.h"

namespace sentry::netstack {
namespace {

constexpr int kSomaxconn = 4096;

int HostType(int type) { return type == SOCK_SEQPACKET ? SOCK_SEQPACKET : SOCK_STREAM; }

}  // namespace

ErrnoOr<std::shared_ptr<StreamSocket>> StreamSocket::Create(Stack* stack, int family, int type,
                                                            int protocol, int flags,
                                                            const Cred& who) {
  int sv[2];
  if (::socketpair(AF_UNIX, HostType(type) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
    return ErrnoOr<std::shared_ptr<StreamSocket>>::Errno(errno);
  return std::make_shared<StreamSocket>(stack, family, type, protocol, flags, who, UniqueFd(sv[0]),
                                        UniqueFd(sv[1]));
}

ErrnoOr<std::pair<std::shared_ptr<StreamSocket>, std::shared_ptr<StreamSocket>>>
StreamSocket::CreatePair(Stack* stack, int type, int flags, const Cred& who) {
  using R = ErrnoOr<std::pair<std::shared_ptr<StreamSocket>, std::shared_ptr<StreamSocket>>>;
  int sv[2];
  if (::socketpair(AF_UNIX, HostType(type) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
    return R::Errno(errno);
  auto a = std::make_shared<StreamSocket>(stack, AF_UNIX, type, 0, flags, who, UniqueFd(sv[0]),
                                          UniqueFd());
  auto b = std::make_shared<StreamSocket>(stack, AF_UNIX, type, 0, flags, who, UniqueFd(sv[1]),
                                          UniqueFd());
  auto link = std::make_shared<StreamLink>();
  link->last[0] = link->last[1] = who;
  SockAddr unnamed = UnixSockAddr(UnixName{});
  a->Connected(link, 0, unnamed, who);
  b->Connected(link, 1, unnamed, who);
  return std::make_pair(a, b);
}

StreamSocket::StreamSocket(Stack* stack, int family, int type, int protocol, int flags,
                           const Cred& who, UniqueFd fd, UniqueFd spare)
    : Socket(stack, family, type, protocol, flags, who),
      fd_(std::move(fd)),
      spare_(std::move(spare)) {}

StreamSocket::~StreamSocket() {
  connect_wait_.WakeAll();
  // Queued connects to a closed listener are refused (Linux: the SYN retry meets a RST).
  for (auto& w : syn_queue_) {
    std::shared_ptr<StreamSocket> c = w.lock();
    if (c && c->state_ == State::kConnecting) c->Fail(ECONNREFUSED);
  }
}

void StreamSocket::Connected(std::shared_ptr<StreamLink> link, int side, const SockAddr& peer,
                             const Cred& peer_cred) {
  state_ = State::kConnected;
  link_ = std::move(link);
  side_ = side;
  link_->oobinline[side] = opts_.oobinline;
  if (auto me = weak_from_this().lock())
    link_->end[side] = std::static_pointer_cast<StreamSocket>(me);
  peer_ = peer;
  peer_cred_ = peer_cred;
}

SysResult StreamSocket::Listen(int backlog, const Caller& who) {
  if (state_ != State::kUnconnected && state_ != State::kListening) return SysResult::Errno(EINVAL);
  if (!bound_) {
    if (family_ == AF_UNIX) return SysResult::Errno(EINVAL);
    SysResult r = AutoBindInet();
    if (!r.ok()) return r;
  }
  if (backlog < 0 || backlog > kSomaxconn) backlog = kSomaxconn;
  backlog_max_ = backlog;
  if (state_ != State::kListening) {
    // A listener is never writable (no POLLOUT, also to epoll on the host end).
    if (!ChokeWrites(fd_.get())) return SysResult::Errno(ENOBUFS);
    choked_ = true;
    state_ = State::kListening;
    listen_cred_ = who.cred;
    if (family_ != AF_UNIX) ports()->SetListening(this, true);
  }
  AdmitPending();
  connect_wait_.WakeAll();
  return 0;
}

ErrnoOr<std::shared_ptr<Socket>> StreamSocket::Accept(int flags) {
  using R = ErrnoOr<std::shared_ptr<Socket>>;
  if (state_ != State::kListening) return R::Errno(EINVAL);
  if (backlog_.empty()) return R::Errno(EAGAIN);
  std::shared_ptr<StreamSocket> s = std::move(backlog_.front());
  backlog_.pop_front();
  if (backlog_.empty()) {
    char bell;
    (void)!::read(fd_.get(), &bell, 1);
  }
  AdmitPending();
  connect_wait_.WakeAll();
  s->set_status_flags(flags & O_NONBLOCK);
  return std::shared_ptr<Socket>(std::move(s));
}

SysResult StreamSocket::Send(SendArgs& a, const Caller& who) {
  if (state_ == State::kConnecting) return SysResult::Errno(EAGAIN);  // wait for the connect
  if (state_ == State::kFailed) return FailedIo(EPIPE);
  if (state_ != State::kConnected) {
    if (family_ == AF_UNIX)
      return SysResult::Errno(a.to && type_ == SOCK_STREAM ? EOPNOTSUPP : ENOTCONN);
    return SysResult::Errno(EPIPE);
  }
  if (a.to && family_ == AF_UNIX && type_ == SOCK_STREAM) return SysResult::Errno(EISCONN);
  // MSG_OOB: the host pair's own (AF_UNIX) urgent byte, with TCP's semantics: the last byte
  // is urgent, POLLPRI, SIOCATMARK; EOPNOTSUPP for seqpacket (or a host without it).
  int oob = a.flags & MSG_OOB;
  if (oob && type_ != SOCK_STREAM) return SysResult::Errno(EOPNOTSUPP);
  if (oob && link_->oobinline[1 - side_]) oob = 0;  // the receiver reads it inline
  iovec iov{const_cast<char*>(a.data.data()), a.data.size()};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ssize_t n = ::sendmsg(fd_.get(), &m, MSG_DONTWAIT | MSG_NOSIGNAL | oob);
  if (n < 0) return SysResult::Errno(errno);
  uint64_t units = type_ == SOCK_STREAM ? static_cast<uint64_t>(n) : 1;
  if (a.ctl && !a.ctl->empty() && units > 0) {
    // Who sent these units, for SO_PASSCRED (another writer may send before they are read).
    if (!a.ctl->has_cred) a.ctl->cred = who.cred;
    link_->q[1 - side_].Push(link_->sent[side_], units, std::move(*a.ctl));
    *a.ctl = Control();
  }
  link_->sent[side_] += units;
  link_->last[side_] = who.cred;
  return n;
}

SysResult StreamSocket::Recv(std::span<char> buf, int flags, RecvResult* out) {
  bool oob = flags & MSG_OOB;
  if (oob && type_ == SOCK_SEQPACKET) return SysResult::Errno(EOPNOTSUPP);
  if (state_ == State::kConnecting) return SysResult::Errno(EAGAIN);
  if (state_ == State::kFailed) return oob ? SysResult::Errno(EINVAL) : FailedIo(0);
  if (state_ != State::kConnected) {
    if (oob && family_ != AF_UNIX && state_ == State::kUnconnected) return SysResult::Errno(EINVAL);
    return SysResult::Errno(family_ == AF_UNIX && type_ == SOCK_STREAM ? EINVAL : ENOTCONN);
  }
  if (oob) return RecvUrgent(buf, flags, out);
  bool stream = type_ == SOCK_STREAM;
  bool peek = flags & MSG_PEEK;
  ControlQueue& q = link_->q[side_];
  uint64_t at = link_->rcvd[side_];
  size_t want = buf.size();
  if (stream && !q.empty()) want = q.Limit(at, want);
  int hf = MSG_DONTWAIT | (flags & MSG_PEEK) | (stream ? 0 : (flags & MSG_TRUNC));
  int mflags = 0;
  ssize_t n = ReceiveMessage(buf.first(want), hf, &mflags);
  if (n < 0) return SysResult::Errno(errno);
  uint64_t units = stream ? static_cast<uint64_t>(n) : 1;
  bool took_ctl = !q.empty() && q.Take(at, units, peek, &out->ctl);
  if (!peek) link_->rcvd[side_] += units;
  out->copied = std::min<size_t>(static_cast<size_t>(n), want);
  out->length = static_cast<size_t>(n);
  out->msg_flags = mflags & (MSG_TRUNC | MSG_EOR);
  if (family_ == AF_UNIX) out->from = peer_;
  if (opts_.passcred && family_ == AF_UNIX) {
    out->want_cred = true;
    if (!out->ctl.has_cred && !took_ctl) out->ctl.cred = link_->last[1 - side_];
  }
  return n;
}

ssize_t StreamSocket::ReceiveMessage(std::span<char> buf, int host_flags, int* msg_flags) {
  if (!returned_msgs_.empty()) {
    // A seqpacket message an undone receive could not give back to the host (rare).
    const std::string& msg = returned_msgs_.back();
    size_t len = msg.size();
    size_t n = std::min(len, buf.size());
    memcpy(buf.data(), msg.data(), n);
    *msg_flags = returned_msg_flags_ | (len > n ? MSG_TRUNC : 0);
    if (!(host_flags & MSG_PEEK)) {
      returned_msgs_.pop_back();
      if (returned_msgs_.empty()) std::vector<std::string>().swap(returned_msgs_);
    }
    return static_cast<ssize_t>((host_flags & MSG_TRUNC) ? len : n);
  }
  iovec iov{buf.data(), buf.size()};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ssize_t n = ::recvmsg(fd_.get(), &m, host_flags);
  *msg_flags = m.msg_flags;
  return n;
}

SysResult StreamSocket::Shutdown(int how) {
  if (state_ == State::kConnected) {
    if (::shutdown(fd_.get(), how) != 0) return SysResult::Errno(errno);
    return 0;
  }
  if (family_ == AF_UNIX || state_ == State::kListening) return 0;
  return SysResult::Errno(ENOTCONN);
}

ErrnoOr<SockAddr> StreamSocket::PeerName() const {
  if (state_ != State::kConnected) return ErrnoOr<SockAddr>::Errno(ENOTCONN);
  return peer_;
}

bool StreamSocket::PeerCred(Cred* out) const {
  if (state_ != State::kConnected) {
    if (state_ == State::kListening) {
      *out = listen_cred_;
      return true;
    }
    return false;
  }
  *out = peer_cred_;
  return true;
}

uint32_t StreamSocket::Readiness(uint32_t mask) {
  switch (state_) {
    case State::kUnconnected:
      return (POLLOUT | POLLHUP) & (mask | POLLHUP);
    case State::kConnecting:
      return 0;
    case State::kListening:
      return backlog_.empty() ? 0 : (POLLIN & mask);
    case State::kConnected:
    case State::kFailed: {
      // What undone receives kept in the sentry (the host end shows it no more).
      uint32_t kept = (returned_msgs_.empty() ? 0 : POLLIN) | (returned_oob_ >= 0 ? POLLPRI : 0);
      struct pollfd p = {fd_.get(), static_cast<short>(mask), 0};
      if (::poll(&p, 1, 0) <= 0) return kept & mask;
      return static_cast<uint16_t>(p.revents) | (kept & mask);
    }
  }
  return 0;
}

SysResult StreamSocket::Ioctl(uint32_t cmd, void* arg) {
  if (cmd == SIOCATMARK && type_ == SOCK_STREAM) {
    int v = 0;
    if (state_ == State::kConnected && ::ioctl(fd_.get(), SIOCATMARK, &v) != 0) v = 0;
    *static_cast<int*>(arg) = v;
    return 0;
  }
  if (cmd != FIONREAD && cmd != TIOCOUTQ) return SysResult::Errno(ENOTTY);
  if (state_ == State::kListening) return SysResult::Errno(EINVAL);
  if (cmd == FIONREAD && !returned_msgs_.empty()) {
    *static_cast<int*>(arg) = static_cast<int>(returned_msgs_.back().size());
    return 0;
  }
  int v = 0;
  if (state_ == State::kConnected && ::ioctl(fd_.get(), cmd, &v) != 0)
    return SysResult::Errno(errno);
  *static_cast<int*>(arg) = v;
  return 0;
}

SysResult StreamSocket::RecvUrgent(std::span<char> buf, int flags, RecvResult* out) {
  if (opts_.oobinline) return SysResult::Errno(EINVAL);  // it was sent inline
  if (returned_oob_ >= 0 && !buf.empty()) {
    // The urgent byte an undone recv(MSG_OOB) took back (Unrecv).
    buf[0] = static_cast<char>(returned_oob_);
    if (!(flags & MSG_PEEK)) {
      returned_oob_ = -1;
      link_->rcvd[side_] += 1;
    }
    out->copied = out->length = 1;
    out->msg_flags = MSG_OOB;
    if (family_ == AF_UNIX) out->from = peer_;
    return 1;
  }
  iovec iov{buf.data(), buf.size()};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ssize_t n = ::recvmsg(fd_.get(), &m, MSG_DONTWAIT | MSG_OOB | (flags & MSG_PEEK));
  if (n < 0) return SysResult::Errno(errno);
  if (!(flags & MSG_PEEK)) link_->rcvd[side_] += static_cast<uint64_t>(n);
  out->copied = out->length = static_cast<size_t>(n);
  out->msg_flags = MSG_OOB;
  if (family_ == AF_UNIX) out->from = peer_;
  return n;
}

void StreamSocket::OptionChanged(int level, int name) {
  if (level == SOL_SOCKET && name == SO_OOBINLINE && link_)
    link_->oobinline[side_] = opts_.oobinline;
}

uint8_t StreamSocket::TcpState() const {
  switch (state_) {
    case State::kUnconnected:
    case State::kFailed:
      return TCP_CLOSE;
    case State::kConnecting:
      return TCP_SYN_SENT;
    case State::kListening:
      return TCP_LISTEN;
    case State::kConnected: {
      // The peer's FIN shows as end of file on the host end.
      struct pollfd p = {fd_.get(), POLLRDHUP, 0};
      bool peer_done = ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP));
      return peer_done ? TCP_CLOSE_WAIT : TCP_ESTABLISHED;
    }
  }
  return TCP_CLOSE;
}

}  // namespace sentry::netstack
