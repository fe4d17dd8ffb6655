// gofer::Client: the sentry's side of the gofer channel (one SOCK_SEQPACKET socket).
// Owned by the sentry's VFS (goferfs); called from the sentry's single thread.
// Every call is synchronous (send one request, receive its reply); errors are errnos.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "common/sys_result.h"
#include "common/unique_fd.h"

namespace sentry::gofer::wire {
struct Attr;
}  // namespace sentry::gofer::wire

namespace sentry::gofer {

// A server-side node reference. 0 is never a valid handle.
using Handle = uint64_t;

// File attributes as the gofer reports them (a subset of struct statx).
struct Attr {
  uint32_t mode = 0;  // type and permission bits (S_IFMT | 07777)
  uint32_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t ino = 0;
  uint64_t dev = 0;  // host st_dev
  uint64_t rdev = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;  // 512-byte blocks
  uint32_t blksize = 0;
  int64_t atime_sec = 0, mtime_sec = 0, ctime_sec = 0;
  uint32_t atime_nsec = 0, mtime_nsec = 0, ctime_nsec = 0;
};

struct WalkStep {
  Handle handle;  // a new handle the caller must Close
  Attr attr;
};

struct WalkResult {
  // One entry per component walked successfully, in order. The walk stops after a
  // symlink (it is included, not followed), at a non-directory with components left
  // (error ENOTDIR), or at a missing name (error ENOENT): `error` says why it stopped
  // early; 0 when all components were walked, and also when the walk stopped after a
  // symlink (then steps.back() is the symlink).
  std::vector<WalkStep> steps;
  int error = 0;
};

// A node just made by Create: its handle and attributes, and the host fd the gofer opened.
struct Created {
  WalkStep node;
  UniqueFd fd;
};

// What SetAttr changes (the wire's kSetAttr* bits; see gofer/protocol.h).
struct SetAttrRequest {
  uint32_t mask = 0;
  uint32_t mode = 0;
  uint32_t uid = 0, gid = 0;
  uint64_t size = 0;
  int64_t atime_sec = 0, mtime_sec = 0;
  uint32_t atime_nsec = 0, mtime_nsec = 0;  // may be UTIME_NOW
};

struct FsStat {
  uint64_t type = 0, bsize = 0, blocks = 0, bfree = 0, bavail = 0, files = 0, ffree = 0,
           namelen = 0, frsize = 0, flags = 0;
};

struct DirEntry {
  std::string name;  // never "." or ".."
  uint64_t ino = 0;
  uint8_t type = 0;          // DT_*
  uint64_t next_offset = 0;  // pass as `offset` to continue after this entry
};

// READDIRPLUS (client_readdir.cc): one directory to list, named by a path of components
// from the request's base handle (empty: the base itself), from `offset` (0 = start).
struct DirPlusTarget {
  absl::Span<const std::string_view> path;
  uint64_t offset = 0;
};

struct DirPlusEntry {
  std::string name;
  uint64_t ino = 0;  // d_ino
  uint8_t type = 0;  // DT_*
  bool has_attr = false;  // false: the gofer withheld the attributes (walk to learn more)
  Attr attr;
  std::string link;  // a symlink's target when has_attr (empty: not sent)
};

struct DirPlusListing {
  int error = 0;       // the target could not be listed (no entries)
  bool end = false;    // the directory's end was reached
  uint64_t next_offset = 0;  // continue here when !end
  std::vector<DirPlusEntry> entries;
};

Attr FromWire(const wire::Attr& a);

class Client {
 public:
  explicit Client(UniqueFd channel);
  ~Client();  // logs the round-trip counts (debug level)

  // Attaches to served mount `index` (0 = the sandbox's root); its root handle and attrs.
  ErrnoOr<WalkStep> Mount(uint32_t index = 0);
  // Walks `names` (each a single component: no '/', not "." or "..") from `dir`.
  ErrnoOr<WalkResult> Walk(Handle dir, absl::Span<const std::string_view> names);
  // Opens the node; the gofer donates a host fd (flags: O_RDONLY/O_WRONLY/O_RDWR,
  // O_DIRECTORY allowed; O_CREAT/O_TRUNC/O_APPEND refused on a read-only mount).
  ErrnoOr<UniqueFd> Open(Handle node, int flags);
  // Up to `max_entries` entries starting at `offset` (0 = beginning). Empty at the end.
  ErrnoOr<std::vector<DirEntry>> ReadDir(Handle dir, uint64_t offset, uint32_t max_entries);
  ErrnoOr<std::string> ReadLink(Handle node);
  // Lists targets[0..] below `dir` (at most wire::kMaxDirPlusTargets) in one round trip:
  // one listing per target answered, in order (at least the first; later ones only while
  // the reply had room). Each answered listing made progress, ended, or has an error.
  ErrnoOr<std::vector<DirPlusListing>> ReadDirPlus(Handle dir,
                                                   absl::Span<const DirPlusTarget> targets);
  ErrnoOr<Attr> Stat(Handle node);
  // Releases handles (best effort, one message).
  void Close(absl::Span<const Handle> handles);

  // ---- Changes (client_write.cc). `name` is one component; a read-only mount answers
  // EROFS. uid/gid ask for an owner (the host may keep its own; the Attr tells). ----

  // A new regular file, opened with `flags` (access mode and status flags).
  ErrnoOr<Created> Create(Handle dir, std::string_view name, uint32_t mode, int flags,
                          uint32_t uid, uint32_t gid);
  ErrnoOr<WalkStep> Mkdir(Handle dir, std::string_view name, uint32_t mode, uint32_t uid,
                          uint32_t gid);
  // Regular files and FIFOs only (devices: EPERM).
  ErrnoOr<WalkStep> Mknod(Handle dir, std::string_view name, uint32_t mode, uint32_t uid,
                          uint32_t gid);
  ErrnoOr<WalkStep> Symlink(Handle dir, std::string_view name, std::string_view target,
                            uint32_t uid, uint32_t gid);
  // A new name for `target`; returns a handle for it (with the new nlink).
  ErrnoOr<WalkStep> Link(Handle dir, std::string_view name, Handle target);
  // unlink, or rmdir when `dir_flag`.
  int Unlink(Handle dir, std::string_view name, bool rmdir);
  // renameat2 with 0, RENAME_NOREPLACE or RENAME_EXCHANGE.
  int Rename(Handle old_dir, std::string_view old_name, Handle new_dir, std::string_view new_name,
             unsigned flags);
  // The attributes after the change.
  ErrnoOr<Attr> SetAttr(Handle node, const SetAttrRequest& req);
  ErrnoOr<FsStat> StatFs(Handle node);
  int Fsync(Handle node, bool datasync);

  int fd() const { return channel_.get(); }
  // Round trips made so far for `op` (a wire::Op), for tests and the debug log.
  uint64_t calls(uint16_t op) const { return op < kOpSlots ? calls_[op] : 0; }
  // "walk=12 readdirplus=3 ..." for the ops used so far.
  std::string DescribeCalls() const;

 private:
  // Sends the request built in send_buf_ (op, tag) and receives its reply, skipping the
  // acks of earlier Close calls. On success `body` is the reply body (in recv_buf_) and
  // `donated` any fds received; returns the reply's errno, or EIO for any transport or
  // protocol problem (after which the channel is marked broken and every call fails).
  int Call(uint16_t op, uint32_t tag, absl::Span<const char>* body,
           std::vector<UniqueFd>* donated = nullptr);
  // Receives one reply; skips pending Close acks unless `op` is kClose. tag 0 = any tag.
  int Receive(uint16_t op, uint32_t tag, absl::Span<const char>* body,
              std::vector<UniqueFd>* donated);
  uint32_t NextTag();
  int Broken();  // marks the channel unusable; returns EIO
  ErrnoOr<WalkResult> WalkChunk(Handle dir, absl::Span<const std::string_view> names);
  // Sends send_buf_ and parses a reply that is exactly one Step (plus `fd` when non-null).
  ErrnoOr<WalkStep> CallForStep(uint16_t op, uint32_t tag, UniqueFd* fd = nullptr);
  // Sends send_buf_ and expects a reply without a body.
  int CallNoBody(uint16_t op, uint32_t tag);

  static constexpr uint16_t kOpSlots = 32;
  UniqueFd channel_;
  uint64_t calls_[kOpSlots] = {};
  uint32_t next_tag_ = 1;
  uint32_t pending_close_acks_ = 0;  // Close requests whose acks are still unread
  bool broken_ = false;
  std::string send_buf_;
  std::vector<char> recv_buf_;
};

}  // namespace sentry::gofer
