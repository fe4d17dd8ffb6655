// StreamSocket's undo of a receive or an accept whose reply did not land (DESIGN §5): what
// was taken goes back where the next call finds it first. Sentry thread only.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "netstack/stream_socket.h"

namespace sentry::netstack {

bool StreamSocket::Unrecv(std::span<const char> data, int flags, RecvResult&& what) {
  if (state_ != State::kConnected) return false;
  if (flags & MSG_OOB) {
    // The host's urgent byte cannot be re-sent at its mark: the sentry keeps it for the
    // next recv(MSG_OOB) (RecvUrgent), counted as unread again.
    if (data.empty()) return false;
    returned_oob_ = static_cast<unsigned char>(data[0]);
    link_->rcvd[side_] -= 1;
    return true;
  }
  if (type_ == SOCK_STREAM) {
    // The bytes are the description's pushed-back bytes (read first by every reader); their
    // rights wait beside them for the first recv of them (the handlers deliver both).
    PushBack(data);
    if (!what.ctl.empty() || what.want_cred) {
      returned_ctl_ = std::move(what.ctl);
      has_returned_ctl_ = true;
    }
    return true;
  }
  // SOCK_SEQPACKET: the message is unread again, its control back at the head of the
  // control queue, its data at the head of the host queue (Recv takes both as before).
  link_->rcvd[side_] -= 1;
  if (!what.ctl.empty()) link_->q[side_].PushFront(link_->rcvd[side_], 1, std::move(what.ctl));
  returned_msg_flags_ = what.msg_flags & MSG_EOR;
  if (!returned_msgs_.empty() || !RequeueMessage(data)) returned_msgs_.emplace_back(data.begin(),
                                                                                    data.end());
  return true;
}

bool StreamSocket::RequeueMessage(std::span<const char> first) {
  std::shared_ptr<StreamSocket> peer = link_->end[1 - side_].lock();
  if (!peer || peer->state_ != State::kConnected || !peer->fd_.valid()) return false;
  // Once the peer is done sending (or this side stopped reading), an empty message and the
  // end of file both read as 0: keep the message in the sentry then (the end is readable).
  struct pollfd p = {fd_.get(), POLLRDHUP, 0};
  if (::poll(&p, 1, 0) != 0) return false;
  // Rare (an undelivered reply): read the queue out, then let the peer's end write it back
  // behind `first`. The same messages in the same order fit again: the host admitted each
  // one behind at least as many bytes as are ahead of it now, and nothing runs in between.
  std::vector<std::string> queued;
  for (;;) {
    ssize_t n = RecvHost(fd_.get(), nullptr, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
    if (n < 0) break;
    std::string m(static_cast<size_t>(n), '\0');
    if (RecvHost(fd_.get(), m.data(), m.size(), MSG_DONTWAIT) != n) break;
    queued.push_back(std::move(m));
  }
  auto put = [&](std::span<const char> m) {
    return SendHost(peer->fd_.get(), m.data(), m.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0;
  };
  bool first_in = put(first);
  for (const std::string& m : queued) {
    if (!put(m)) returned_msgs_.insert(returned_msgs_.begin(), m);  // not expected; kept
  }
  return first_in;
}

bool StreamSocket::Unaccept(std::shared_ptr<Socket> conn) {
  if (state_ != State::kListening) return false;
  bool ring = backlog_.empty();  // one doorbell byte while the backlog is not empty (Accept)
  backlog_.push_front(std::static_pointer_cast<StreamSocket>(std::move(conn)));
  if (ring) {
    char bell = 0;
    (void)!::write(spare_.get(), &bell, 1);
  }
  return true;
}

}  // namespace sentry::netstack
