// Write choke (see write_choke.h): AF_UNIX POLLOUT is "sent bytes the peer still holds are at
// most a quarter of the send buffer", so unread filler turns it off. Only syscalls the sentry's
// own seccomp policy allows (sendmsg, read, poll). Sentry thread only.
#include "netstack/write_choke.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

namespace sentry::netstack {
namespace {

constexpr size_t kChunk = 4096;
constexpr int kIov = 4;
constexpr int kMaxRounds = 256;  // 4 MiB of filler at most; a default buffer takes ~4 rounds

bool Writable(int fd) {
  pollfd p{fd, POLLOUT, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & POLLOUT);
}

}  // namespace

bool ChokeWrites(int fd) {
  static const char kZeros[kChunk] = {};
  iovec iov[kIov];
  for (iovec& v : iov) v = {const_cast<char*>(kZeros), kChunk};
  msghdr m{};
  m.msg_iov = iov;
  m.msg_iovlen = kIov;
  for (int i = 0; i < kMaxRounds; ++i) {
    if (!Writable(fd)) return true;
    if (::sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN) return false;
  }
  return !Writable(fd);
}

void DrainChoke(int peer) {
  static char sink[kChunk * kIov];  // sentry thread only
  for (int i = 0; i < kMaxRounds * 2; ++i) {
    if (::read(peer, sink, sizeof(sink)) <= 0) return;  // non-blocking fd
  }
}

void KickWritable(int fd, int peer) {
  char c = 0;
  iovec iov{&c, 1};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (::sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) == 1) (void)!::read(peer, &c, 1);
}

}  // namespace sentry::netstack
