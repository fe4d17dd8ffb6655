// Ancillary data of AF_UNIX sockets kept beside the data: SCM_RIGHTS (references to the
// sandbox's open descriptions) and SCM_CREDENTIALS, queued at the position of the data they
// were sent with (a byte offset of a stream, a message number otherwise). Sentry thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "netstack/sockaddr.h"
#include "vfs/file_description.h"

namespace sentry::netstack {

inline constexpr size_t kScmMaxFd = 253;  // Linux SCM_MAX_FD

struct Control {
  std::vector<vfs::FileRef> rights;
  bool has_cred = false;
  Cred cred;
  bool empty() const { return rights.empty() && !has_cred; }
};

// Entries in position order: [pos, pos + len) are the units sent with `ctl`.
class ControlQueue {
 public:
  struct Entry {
    uint64_t pos = 0, len = 0;
    Control ctl;
  };
  void Push(uint64_t pos, uint64_t len, Control ctl);
  // Puts an entry taken last back in front (its data went back: an undelivered receive).
  void PushFront(uint64_t pos, uint64_t len, Control ctl);
  // How many units a read starting at `at` may take so that it reaches at most one entry:
  // up to the end of the first entry not yet passed, or `max` when none is ahead.
  uint64_t Limit(uint64_t at, uint64_t max) const;
  // The entry a read of [at, at + n) reached (the first one that overlaps), removed unless
  // `peek` (then copied). Entries wholly before `at` are dropped (read() discards them).
  bool Take(uint64_t at, uint64_t n, bool peek, Control* out);
  bool empty() const { return q_.empty(); }

 private:
  std::deque<Entry> q_;
};

}  // namespace sentry::netstack
