// Implementation of the gofer channel's record I/O (sendmsg/recvmsg with SCM_RIGHTS).
// Stateless; any thread.
#include "gofer/channel.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace sentry::gofer {

int SendMessage(int sock, absl::Span<const char> msg, int fd) {
  iovec iov{.iov_base = const_cast<char*>(msg.data()), .iov_len = msg.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    std::memset(control, 0, sizeof(control));
    mh.msg_control = control;
    mh.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  for (;;) {
    ssize_t n = ::sendmsg(sock, &mh, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<size_t>(n) == msg.size() ? 0 : EMSGSIZE;
    if (errno != EINTR) return errno;
  }
}

namespace {

// After a zero-length read: is the peer gone, or was that an empty record?
bool PeerClosed(int sock) {
  pollfd p{.fd = sock, .events = POLLIN | POLLRDHUP, .revents = 0};
  int r;
  do {
    r = ::poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r > 0 && (p.revents & (POLLHUP | POLLRDHUP)) != 0;
}

}  // namespace

int RecvMessage(int sock, absl::Span<char> buf, Received* out) {
  *out = Received();
  iovec iov{.iov_base = buf.data(), .iov_len = buf.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = ::recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno;
  // Take ownership of every fd first, so that none leaks whatever else is wrong.
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t bytes = c->cmsg_len - CMSG_LEN(0);
    for (size_t i = 0; i + sizeof(int) <= bytes; i += sizeof(int)) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i, sizeof(int));
      out->fds.emplace_back(fd);
    }
  }
  out->size = static_cast<size_t>(n);
  out->truncated = (mh.msg_flags & MSG_TRUNC) != 0;
  out->fds_truncated = (mh.msg_flags & MSG_CTRUNC) != 0;
  if (n == 0 && out->fds.empty() && PeerClosed(sock)) out->eof = true;
  return 0;
}

}  // namespace sentry::gofer
