// DgramSocket: AF_UNIX SOCK_DGRAM and loopback UDP. Each socket's receive queue is a
// sentry-owned host SOCK_DGRAM pair (non-blocking, close-on-exec); a sender writes one host
// message per datagram into the receiver's queue: a small header (source address, sender
// credentials, a ticket for SCM_RIGHTS kept in the receiver) and the payload. Message
// boundaries, truncation and readiness are the host's. A UDP socket's pending error (the
// port unreachable a connected sender gets, dgram_error.cc) is the sentry's, with an empty
// "doorbell" message at the head of the queue so that waiters wake. Sentry thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "netstack/socket.h"

namespace sentry::netstack {

class DgramSocket : public Socket {
 public:
  static ErrnoOr<std::shared_ptr<DgramSocket>> Create(Stack* stack, int family, int protocol,
                                                      int flags, const Cred& who);
  // socketpair(AF_UNIX, SOCK_DGRAM): two sockets connected to each other.
  static ErrnoOr<std::pair<std::shared_ptr<DgramSocket>, std::shared_ptr<DgramSocket>>> CreatePair(
      Stack* stack, int flags, const Cred& who);

  DgramSocket(Stack* stack, int family, int protocol, int flags, const Cred& who, UniqueFd rq_r,
              UniqueFd rq_w);

  SysResult Connect(const SockAddr& addr, const Caller& who) override;
  SysResult Send(SendArgs& args, const Caller& who) override;
  int SendWaitFd() const override;
  SysResult Recv(std::span<char> buf, int flags, RecvResult* out) override;
  // The datagram goes back to the head of the receive queue, whole, with its sender,
  // credentials and rights.
  bool Unrecv(std::span<const char> data, int flags, RecvResult&& what) override;
  SysResult Shutdown(int how) override;
  ErrnoOr<SockAddr> PeerName() const override;
  bool PeerCred(Cred* out) const override;
  // SO_ERROR: the pending error (ECONNREFUSED), cleared.
  int TakeError() override;
  int ReadinessFd() const override { return rq_r_.get(); }
  uint32_t Readiness(uint32_t mask) override;
  SysResult Ioctl(uint32_t cmd, void* arg) override;

  // The largest payload one datagram may carry (EMSGSIZE above).
  size_t MaxPayload() const;

 private:
  // Whether this (connected) socket takes a datagram from `sender` whose source is `src`.
  bool TakesFrom(const DgramSocket* sender, const InetAddr& src) const;
  // The next queued message (header and payload) as recvmsg(2) on the queue would read it:
  // the one an undone receive kept, if any, else the host queue's.
  ssize_t ReceiveRaw(msghdr* m, int host_flags);
  // Writes `first` (if not empty) and then everything in the host queue back into it, so
  // that `first` is read next; the doorbell goes first while there is one. False when the
  // host refuses `first` (the queue is shut down).
  bool Requeue(std::span<const char> first);
  // A UDP datagram this socket sent found no socket to take it (Linux: ICMP port
  // unreachable): a socket connected to that destination gets ECONNREFUSED as its pending
  // error, reported once by the next send, receive or SO_ERROR, and POLLERR meanwhile.
  void Unreachable(bool to_peer);
  // The doorbell: an empty host message at the head of the queue while an error is pending,
  // so that the readiness fd is readable (epoll reports EPOLLIN; Readiness() POLLERR).
  void RingDoorbell();
  void DropDoorbell();
  // Whether the host queue holds datagrams besides the doorbell.
  bool HostQueueHasData();

  UniqueFd rq_r_, rq_w_;  // the receive queue: senders write rq_w_, this socket reads rq_r_
  bool connected_ = false;
  std::weak_ptr<Socket> peer_;  // AF_UNIX peer
  InetAddr peer_inet_;          // UDP peer
  SockAddr peer_name_;
  bool pair_ = false;                // made by socketpair: SO_PEERCRED is the creator's
  int error_ = 0;                    // UDP: the pending error (sk_err)
  bool doorbell_ = false;            // the host queue starts with the doorbell
  bool behind_doorbell_ = false;     // and holds datagrams after it
  int shut_ = 0;                     // SHUT_RD/SHUT_WR bits (1, 2)
  std::map<uint64_t, Control> ctl_;  // ancillary data of queued datagrams, by ticket
  uint64_t next_ticket_ = 1;
  std::shared_ptr<DgramSocket> blocked_on_;  // whose full queue the last send met
  // A datagram (header and payload) an undone receive could not put back into the host
  // queue (rare: it was shut down, so the queue's fd is readable anyway); read first.
  // The last one is read first.
  std::vector<std::string> returned_;
};

}  // namespace sentry::netstack
