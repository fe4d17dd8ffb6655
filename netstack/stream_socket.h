// StreamSocket: AF_UNIX SOCK_STREAM/SOCK_SEQPACKET and loopback TCP. The data path of a
// connection is a sentry-owned host AF_UNIX pair (non-blocking, close-on-exec): buffering,
// EOF, shutdown, message boundaries and readiness are the host's. Connection set-up,
// names, credentials and SCM_RIGHTS are the sentry's. Sentry thread only.
#pragma once

#include <deque>
#include <memory>

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
  SysResult Connect(const SockAddr& addr, const Caller& who) override;
  // The backlog-room queue of the listener the last connect found full (null: retry now).
  WaitQueue* ConnectWaitQueue() override;
  SysResult Send(SendArgs& args, const Caller& who) override;
  SysResult Recv(std::span<char> buf, int flags, RecvResult* out) override;
  SysResult Shutdown(int how) override;
  ErrnoOr<SockAddr> PeerName() const override;
  bool PeerCred(Cred* out) const override;
  bool Listening() const override { return state_ == State::kListening; }
  int ReadinessFd() const override { return fd_.get(); }
  uint32_t Readiness(uint32_t mask) override;
  SysResult Ioctl(uint32_t cmd, void* arg) override;

 private:
  enum class State { kUnconnected, kListening, kConnected };
  void Connected(std::shared_ptr<StreamLink> link, int side, const SockAddr& peer,
                 const Cred& peer_cred);
  bool backlog_full() const { return backlog_.size() > static_cast<size_t>(backlog_max_); }

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
};

}  // namespace sentry::netstack
