// Write choke: makes one end of a sentry-owned host AF_UNIX stream/seqpacket pair report no
// POLLOUT (a listener, a connect in progress), so that epoll sees what Linux reports.
#pragma once

namespace sentry::netstack {

// Fills the send buffer of `fd` into its pair's other end (which nobody reads) until the
// host stops reporting `fd` writable. Bounded; false when the host refused the writes.
bool ChokeWrites(int fd);

// Undoes ChokeWrites: reads and drops what `peer` (the other end) holds, so that `fd` is
// writable again. Bounded; never blocks.
void DrainChoke(int peer);

}  // namespace sentry::netstack
