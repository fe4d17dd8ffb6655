// Write choke: makes one end of a sentry-owned host AF_UNIX stream/seqpacket pair report no
// POLLOUT (a listener, a connect in progress), or wakes its EPOLLOUT waiters (a connect
// completed), so that epoll sees what Linux reports. Sentry thread only.
#pragma once

namespace sentry::netstack {

// Fills the send buffer of `fd` into its pair's other end (which nobody reads) until the
// host stops reporting `fd` writable. Bounded; false when the host refused the writes.
bool ChokeWrites(int fd);

// Undoes ChokeWrites: reads and drops what `peer` (the other end) holds, so that `fd` is
// writable again. Bounded; never blocks.
void DrainChoke(int peer);

// Makes the host wake `fd`'s EPOLLOUT waiters (a new edge for edge-triggered epoll) without
// changing what it reports: one byte sent through `fd` and read back at `peer`, whose freeing
// calls `fd`'s write-space callback. For a connect that completes at once: Linux wakes the
// socket then. `peer` must hold nothing unread. Never blocks.
void KickWritable(int fd, int peer);

}  // namespace sentry::netstack
