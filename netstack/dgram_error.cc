// DgramSocket's pending error (see dgram_socket.h): ECONNREFUSED for a UDP socket whose
// datagram to its connected peer found no socket, and the doorbell that wakes its waiters.
// Sentry thread only.
#include <sys/socket.h>

#include <cerrno>

#include "netstack/dgram_socket.h"

namespace sentry::netstack {

void DgramSocket::Unreachable(bool to_peer) {
  // Linux reports the ICMP error only to a socket connected to where the datagram went (the
  // error's lookup needs the connected address; an unconnected one ignores it), unless
  // IP_RECVERR (not implemented).
  if (!to_peer || family_ == AF_UNIX) return;
  error_ = ECONNREFUSED;
  RingDoorbell();
}

int DgramSocket::TakeError() {
  int e = error_;
  error_ = 0;
  DropDoorbell();
  return e;
}

void DgramSocket::RingDoorbell() {
  if (doorbell_ || (shut_ & 1)) return;  // a queue shut down for reading is readable anyway
  bool data = HostQueueHasData();
  doorbell_ = true;
  if (data) {
    Requeue({});  // the doorbell goes first
    return;
  }
  behind_doorbell_ = false;
  if (SendHost(rq_w_.get(), nullptr, 0, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) doorbell_ = false;
}

void DgramSocket::DropDoorbell() {
  if (!doorbell_) return;
  doorbell_ = behind_doorbell_ = false;
  // Datagrams are never empty (a header comes first): an empty head is the doorbell.
  if (RecvHost(rq_r_.get(), nullptr, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC) == 0)
    (void)RecvHost(rq_r_.get(), nullptr, 0, MSG_DONTWAIT);
}

bool DgramSocket::HostQueueHasData() {
  if (!doorbell_) return RecvHost(rq_r_.get(), nullptr, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC) > 0;
  return behind_doorbell_;
}

}  // namespace sentry::netstack
