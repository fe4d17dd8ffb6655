// StreamSocket connection set-up (see stream_socket.h): connect, the queue of nonblocking
// TCP connects on a full backlog, failed attempts and SO_ERROR. Sentry thread only.
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "netstack/stack.h"
#include "netstack/stream_socket.h"
#include "netstack/write_choke.h"

namespace sentry::netstack {

WaitQueue* StreamSocket::ConnectWaitQueue() {
  std::shared_ptr<Socket> l = full_listener_.lock();
  if (!l) return nullptr;
  return &static_cast<StreamSocket*>(l.get())->connect_wait_;
}

int StreamSocket::TakeError() {
  int e = error_;
  error_ = 0;
  if (e && state_ == State::kFailed) {
    // The host end's own error (its peer closed with data unread: POLLERR): a read of the
    // empty queue returns and clears it.
    char c;
    (void)!::read(fd_.get(), &c, 1);  // non-blocking; read, not recv: the sentry's seccomp
  }
  return e;
}

void StreamSocket::Fail(int err) {
  if (choked_) choked_ = false;
  // Unread data in the closed end sets the host error, like the RST's: POLLERR.
  char c = 0;
  (void)!::write(fd_.get(), &c, 1);  // non-blocking; the other end is still open
  spare_.reset();
  state_ = State::kFailed;
  error_ = err;
  report_failure_ = true;
  report_connected_ = false;
}

SysResult StreamSocket::Renew() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
    return SysResult::Errno(errno);
  // A new host end: epoll registrations of the old one are lost (documented).
  fd_.reset(sv[0]);
  spare_.reset(sv[1]);
  state_ = State::kUnconnected;
  report_connected_ = false;
  return 0;
}

SysResult StreamSocket::FailedIo(int no_error) {
  int e = TakeError();
  if (e) return SysResult::Errno(e);
  return no_error ? SysResult::Errno(no_error) : SysResult(0);
}

void StreamSocket::AdmitPending() {
  while (!backlog_full() && !syn_queue_.empty()) {
    std::shared_ptr<StreamSocket> c = syn_queue_.front().lock();
    syn_queue_.pop_front();
    if (!c || c->state_ != State::kConnecting) continue;
    c->Establish(this, c->pending_cred_, c->pending_dst_,
                 InetSockAddr(c->family_, c->pending_dst_));
  }
}

void StreamSocket::Establish(StreamSocket* l, const Cred& cred, const InetAddr& dst,
                             const SockAddr& peer_name) {
  if (choked_) {
    DrainChoke(spare_.get());  // before the other end becomes the server's: no filler data
    choked_ = false;
  }
  // Linux wakes the socket when its handshake completes: epoll watches made before the
  // connect (also edge-triggered ones whose EPOLLOUT was already reported) see EPOLLOUT.
  if (family_ != AF_UNIX) KickWritable(fd_.get(), spare_.get());
  // The accepting side: the other end of this socket's host pair, in the listener's family.
  auto server = std::make_shared<StreamSocket>(stack_, l->family_, l->type_, l->protocol_, 0,
                                               l->creator_, std::move(spare_), UniqueFd());
  server->opts_ = l->opts_;
  server->bound_ = true;  // named like the listener, but not registered in any table
  SockAddr my_name;
  if (family_ == AF_UNIX) {
    server->unix_local_ = l->unix_local_;
    my_name = LocalName();
  } else {
    server->inet_local_ = dst;
    inet_local_ = SourceFor(dst);
    my_name = InetSockAddr(l->family_, inet_local_);
  }
  auto link = std::make_shared<StreamLink>();
  link->last[0] = cred;
  link->last[1] = l->listen_cred_;
  Connected(link, 0, peer_name, l->listen_cred_);
  server->Connected(link, 1, my_name, cred);
  bool ring = l->backlog_.empty();  // one doorbell byte while the backlog is not empty
  l->backlog_.push_back(std::move(server));
  if (ring) {
    char bell = 0;
    (void)!::write(l->spare_.get(), &bell, 1);
  }
}

SysResult StreamSocket::Connect(const SockAddr& addr, const Caller& who) {
  bool inet = family_ != AF_UNIX;
  switch (state_) {
    case State::kConnected:
      if (report_connected_) {  // Linux SS_CONNECTING: this connect reports the completion
        report_connected_ = false;
        return 0;
      }
      return SysResult::Errno(EISCONN);
    case State::kListening:
      return SysResult::Errno(inet ? EISCONN : EINVAL);
    case State::kConnecting:
      return SysResult::Errno(EALREADY);
    case State::kFailed: {
      if (report_failure_) {
        report_failure_ = false;
        return FailedIo(ECONNABORTED);
      }
      SysResult r = Renew();
      if (!r.ok()) return r;
      break;
    }
    case State::kUnconnected:
      break;
  }
  if (!spare_.valid()) return SysResult::Errno(EINVAL);
  Socket* found = nullptr;
  SockAddr peer_name;
  InetAddr dst;
  if (!inet) {
    ErrnoOr<UnixName> n = ParseUnix(addr);
    if (!n.ok() || n->kind == UnixName::Kind::kUnnamed) return SysResult::Errno(EINVAL);
    found = stack_->FindUnix(*n, who.path_key, type_);
    if (!found) return SysResult::Errno(ECONNREFUSED);
    if (found->type() != type_) return SysResult::Errno(EPROTOTYPE);
    peer_name = found->LocalName();
  } else {
    ErrnoOr<InetAddr> d = InetDestination(addr);
    if (!d.ok()) return SysResult::Errno(d.error());
    dst = *d;
    found = dst.port == 0 ? nullptr : stack_->FindInet(SOCK_STREAM, dst);
    peer_name = InetSockAddr(family_, dst);
  }
  if (!found || !found->Listening()) {
    if (!inet || !who.nonblock) return SysResult::Errno(ECONNREFUSED);
    Fail(ECONNREFUSED);  // the RST arrives after connect returned
    return SysResult::Errno(EINPROGRESS);
  }
  auto* l = static_cast<StreamSocket*>(found);
  if (l->backlog_full()) {  // (room admits the queued connects at once: AdmitPending)
    if (!inet || !who.nonblock) {
      full_listener_ = l->self();
      return SysResult::Errno(EAGAIN);
    }
    // Linux queues the SYN (retransmitted until the listener has room): connect later.
    SysResult r = AutoBindInet();
    if (!r.ok()) return r;
    if (!ChokeWrites(fd_.get())) return SysResult::Errno(ENOBUFS);
    choked_ = true;
    state_ = State::kConnecting;
    pending_dst_ = dst;
    pending_cred_ = who.cred;
    inet_local_ = SourceFor(dst);
    l->syn_queue_.push_back(std::static_pointer_cast<StreamSocket>(self()));
    report_connected_ = true;
    return SysResult::Errno(EINPROGRESS);
  }
  full_listener_.reset();
  if (inet) {
    SysResult r = AutoBindInet();
    if (!r.ok()) return r;
  }
  Establish(l, who.cred, dst, peer_name);
  if (!inet || !who.nonblock) return 0;
  report_connected_ = true;
  return SysResult::Errno(EINPROGRESS);
}

}  // namespace sentry::netstack
