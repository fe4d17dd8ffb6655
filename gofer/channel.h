// Message I/O on the gofer's SOCK_SEQPACKET channel: one record per call, with optional
// SCM_RIGHTS fds. Stateless functions used by gofer::Server and gofer::Client; any thread.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/types/span.h"
#include "common/unique_fd.h"

namespace sentry::gofer {

// Sends `msg` as one record; donates `fd` with SCM_RIGHTS when fd >= 0 (the caller keeps
// its copy). Returns 0 or an errno (EPIPE when the peer is gone; never raises SIGPIPE).
int SendMessage(int sock, absl::Span<const char> msg, int fd = -1);

struct Received {
  size_t size = 0;             // bytes stored in the buffer
  bool eof = false;            // the peer closed the channel (no message)
  bool truncated = false;      // the record was longer than the buffer (the rest is lost)
  bool fds_truncated = false;  // more fds were sent than we accept (the extras are closed)
  std::vector<UniqueFd> fds;   // fds received with the record (close-on-exec)
};

// Receives one record into `buf`. Tells a zero-length record from EOF. At most kMaxFds fds
// are accepted per record. Returns 0 or an errno (EINTR is retried).
inline constexpr int kMaxFds = 4;
int RecvMessage(int sock, absl::Span<char> buf, Received* out);

}  // namespace sentry::gofer
