// StreamSocket: AF_UNIX SOCK_STREAM/SOCK_SEQPACKET and loopback TCP. The data path of a
// connection is a sentry-owned host AF_UNIX pair (non-blocking, close-on-exec): buffering,
// EOF, shutdown, message boundaries and readiness are the host's. Connection set-up,
// names, credentials and SCM_RIGHTS are the sentry's. A nonblocking TCP connect answers
// EINPROGRESS, as Linux: refused at once (SO_ERROR), or queued while the listener's backlog
// is full (stream_connect.cc). Sentry thread only.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "common/wait_queue.h"
#include "netstack/control.h"
#include "netstack/socket.h"

namespace sentry::netstack {

// What the two ends of one connection share: the ancillary data queued for each side at the
// position (byte or message number) it was sent with, and how far each side has sent/read.
struct StreamLink {
  ControlQueue q[2];      // q[i]: control for side i to receive
  uint64_t sent[2] = {};  // units side i wrote into the host pair
  uint64_t rcvd[2] = {};  // units side i read from it
  Cred last[2];           // the credentials side i last sent with
  bool oobinline[2] = {};  // SO_OOBINLINE of side i: MSG_OOB to it is sent inline
  std::weak_ptr<class StreamSocket> end[2];  // side i (an undone seqpacket receive writes
                                             // through the peer's host end)
};

class StreamSocket : public Socket {
 public:
  // An unconnected socket. It owns a host pair from the start: one end is its readiness fd
  // for good, the other is handed to the accepting side when it connects (so epoll
  // registrations made before connect keep working), or rings the doorbell of a listener.
  static ErrnoOr<std::shared_ptr<StreamSocket>> Create(Stack* stack, int family, int type,
                                                       int protocol, int flags, const Cred& who);
  // socketpair(2).
  static ErrnoOr<std::pair<std::shared_ptr<StreamSocket>, std::shared_ptr<StreamSocket>>>
  CreatePair(Stack* stack, int type, int flags, const Cred& who);

  StreamSocket(Stack* stack, int family, int type, int protocol, int flags, const Cred& who,
               UniqueFd fd, UniqueFd spare);
  ~StreamSocket() override;

  SysResult Listen(int backlog, const Caller& who) override;
  ErrnoOr<std::shared_ptr<Socket>> Accept(int flags) override;
  // TCP with who.nonblock: EINPROGRESS (also when connected at once); EALREADY while
  // queued; once connected, the next connect returns 0 and later ones EISCONN; after an
  // attempt failed, the next connect reports it (SO_ERROR, else ECONNABORTED) and the one
  // after starts anew. AF_UNIX: synchronous (EAGAIN when full).
  SysResult Connect(const SockAddr& addr, const Caller& who) override;
  // The backlog-room queue of the listener the last connect found full (null: retry now).
  WaitQueue* ConnectWaitQueue() override;
  int TakeError() override;
  SysResult Send(SendArgs& args, const Caller& who) override;
  SysResult Recv(std::span<char> buf, int flags, RecvResult* out) override;
  // Stream bytes are pushed back (their control is kept beside them); a seqpacket message
  // goes back to the head of the host queue; an urgent byte is kept for the next MSG_OOB.
  bool Unrecv(std::span<const char> data, int flags, RecvResult&& what) override;
  bool Unaccept(std::shared_ptr<Socket> conn) override;
  SysResult Shutdown(int how) override;
  ErrnoOr<SockAddr> PeerName() const override;
  bool PeerCred(Cred* out) const override;
  bool Listening() const override { return state_ == State::kListening; }
  int ReadinessFd() const override { return fd_.get(); }
  uint32_t Readiness(uint32_t mask) override;
  SysResult Ioctl(uint32_t cmd, void* arg) override;
  uint8_t TcpState() const override;
  void OptionChanged(int level, int name) override;

 private:
  // kConnecting: a nonblocking TCP connect queued on a full backlog (its host end choked,
  // so no POLLOUT). kFailed: an attempt failed (TCP_CLOSE after RST): the pair's other end
  // is closed, so the host reports POLLIN|POLLOUT|POLLHUP|POLLRDHUP (+POLLERR until the
  // error is taken) as Linux does.
  enum class State { kUnconnected, kConnecting, kListening, kConnected, kFailed };
  void Connected(std::shared_ptr<StreamLink> link, int side, const SockAddr& peer,
                 const Cred& peer_cred);
  bool backlog_full() const { return backlog_.size() > static_cast<size_t>(backlog_max_); }
  // Connects to listener `l` now: the accepting side is made and queued on `l`.
  void Establish(StreamSocket* l, const Cred& cred, const InetAddr& dst, const SockAddr& peer);
  // Ends an attempt with `err` (SO_ERROR): kFailed.
  void Fail(int err);
  // kFailed → kUnconnected with a new host pair (a new attempt).
  SysResult Renew();
  // A listener with backlog room completes queued nonblocking connects.
  void AdmitPending();
  // Errors of a failed attempt for send (EPIPE) and recv (EOF).
  SysResult FailedIo(int no_error);
  // recv(MSG_OOB) on a connected stream: the host pair's urgent byte.
  SysResult RecvUrgent(std::span<char> buf, int flags, RecvResult* out);
  // The next message of the host pair (or the one an undone receive kept, first) into
  // `buf`: the host's recvmsg result; `*msg_flags` its flags.
  ssize_t ReceiveMessage(std::span<char> buf, int host_flags, int* msg_flags);
  // Writes `first` and then everything queued in this side's host end back into it through
  // the peer's end, so that `first` is read next. False (nothing lost) when the peer is gone
  // or cannot send.
  bool RequeueMessage(std::span<const char> first);

  State state_ = State::kUnconnected;
  UniqueFd fd_;     // own end of the host pair
  UniqueFd spare_;  // the other end: given away on connect, a listener's doorbell
  std::shared_ptr<StreamLink> link_;
  int side_ = 0;
  SockAddr peer_;
  Cred peer_cred_;
  // Listening.
  std::deque<std::shared_ptr<StreamSocket>> backlog_;
  int backlog_max_ = 0;
  Cred listen_cred_;
  // Connectors waiting for room in this listener's backlog (woken by accept and close).
  WaitQueue connect_wait_;
  // The listener whose full backlog made the last connect answer EAGAIN.
  std::weak_ptr<Socket> full_listener_;
  // Nonblocking TCP connects waiting for room in this listener's backlog.
  std::deque<std::weak_ptr<StreamSocket>> syn_queue_;
  // kConnecting: the destination and the caller's credentials.
  InetAddr pending_dst_;
  Cred pending_cred_;
  bool choked_ = false;        // fd_ is choked (write_choke.h): a listener or kConnecting
  int error_ = 0;              // SO_ERROR
  bool report_failure_ = false;  // kFailed: the next connect reports it (Linux SS_CONNECTING)
  // A nonblocking TCP connect answered EINPROGRESS: once connected, the next connect returns
  // 0 (and the ones after it EISCONN), as Linux's SS_CONNECTING.
  bool report_connected_ = false;
  // What an undone receive could not put back into the host pair (rare; the host end is
  // readable then: the peer is gone or shut down): served before the host's data.
  std::vector<std::string> returned_msgs_;  // the last one is read first
  int returned_msg_flags_ = 0;
  int returned_oob_ = -1;  // an urgent byte an undone recv(MSG_OOB) took, or -1
};

}  // namespace sentry::netstack
