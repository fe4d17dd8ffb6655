// Wire format of the gofer channel: little-endian POD messages over one SOCK_SEQPACKET socket.
// Shared by gofer::Server (gofer process) and gofer::Client (sentry). Definitions only, no
// state; usable from any thread.
#pragma once

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace sentry::gofer::wire {

static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");

// Conventions
// -----------
// * One message per SOCK_SEQPACKET record, at most kMaxMessage bytes, starting with a Header
//   whose `size` equals the record's length.
// * Structs are naturally aligned PODs with explicit reserved fields; a receiver copies them
//   out of the buffer (no alignment assumed) and requires every reserved field to be 0.
// * A name is `uint16 len` followed by `len` bytes (no NUL, no padding). Valid names are
//   1..NAME_MAX bytes, contain no '/' or NUL, and are not "." or "..".
// * Requests carry error = 0 and flags = 0. Replies carry op | kReplyBit, the request's tag,
//   and an errno in `error` (0 = ok). An error reply is the header alone (no body).
// * Every request gets exactly one reply, CLOSE included (a plain ack, see below). A message
//   the server cannot parse at all (shorter than a Header, or a size mismatch) gets an error
//   reply that echoes whatever op/tag could be read (0 otherwise). A record longer than
//   kMaxMessage gets EMSGSIZE; unknown or reserved ops get ENOSYS; a request carrying fds
//   gets EINVAL (the fds are closed).
// * Handles are opaque non-zero uint64 chosen by the server; they are never reused.

inline constexpr uint32_t kMaxMessage = 64 * 1024;
inline constexpr uint16_t kReplyBit = 0x8000;
inline constexpr uint32_t kMaxName = 255;       // NAME_MAX
inline constexpr uint32_t kMaxWalkNames = 255;  // components per WALK
inline constexpr uint32_t kMaxSymlink = 4095;   // bytes in a READLINK reply (PATH_MAX - 1)

enum Op : uint16_t {
  kMount = 1,     // body: none.            reply: Step (root handle + attr)
  kWalk = 2,      // body: WalkReq + names. reply: WalkReply + count * Step
  kOpen = 3,      // body: OpenReq.         reply: no body; one fd via SCM_RIGHTS when ok
  kReadDir = 4,   // body: ReadDirReq.      reply: ReadDirReply + count * (Dirent + name)
  kReadLink = 5,  // body: HandleReq.       reply: ReadLinkReply + len bytes
  kStat = 6,      // body: HandleReq.       reply: Attr
  kClose = 7,     // body: CloseReq + count * uint64. reply: no body (ack)
  // Reserved for later operations; the server answers ENOSYS today.
  kCreate = 8,
  kMkdir = 9,
  kMknod = 10,
  kSymlink = 11,
  kLink = 12,
  kUnlink = 13,
  kRename = 14,
  kSetAttr = 15,
  kStatFs = 16,
  kFsync = 17,
};

struct Header {
  uint32_t size;   // bytes in the whole message, this header included
  uint16_t op;     // Op; in replies, op | kReplyBit
  uint16_t flags;  // 0 (no flags are defined yet)
  uint32_t tag;    // chosen by the client, echoed in the reply
  int32_t error;   // replies: errno (0 = ok); requests: 0
};

// File attributes (mirrors gofer::Attr in client.h).
struct Attr {
  uint32_t mode;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint64_t ino;
  uint64_t dev;
  uint64_t rdev;
  uint64_t size;
  uint64_t blocks;
  uint32_t blksize;
  uint32_t reserved0;
  int64_t atime_sec;
  int64_t mtime_sec;
  int64_t ctime_sec;
  uint32_t atime_nsec;
  uint32_t mtime_nsec;
  uint32_t ctime_nsec;
  uint32_t reserved1;
};

// A handle with its attributes (MOUNT reply, one WALK step).
struct Step {
  uint64_t handle;
  Attr attr;
};

// Requests that name one node (READLINK, STAT).
struct HandleReq {
  uint64_t handle;
};

// WALK: `count` names (1..kMaxWalkNames, or 0 which walks nothing) follow this struct.
// The reply lists one Step per component walked. `error` is 0 when every component was
// walked, and also when the walk stopped after a symlink (the symlink is the last step);
// ENOENT/ENOTDIR/EACCES/ENFILE/... when the component after the last step failed.
// A bad request (bad handle, bad name) is an error reply and allocates no handle.
struct WalkReq {
  uint64_t dir;
  uint32_t count;
  uint32_t reserved;
};
struct WalkReply {
  uint32_t count;
  int32_t error;
};

// OPEN: donates a new host fd for the node (regular files and directories only; others
// ENXIO; a symlink ELOOP). flags are Linux x86-64 O_* values: the access mode plus O_TRUNC,
// O_APPEND, O_DIRECTORY, O_NONBLOCK, O_SYNC, O_DSYNC, O_NOATIME, O_DIRECT, O_LARGEFILE,
// O_CLOEXEC, O_NOFOLLOW, O_NOCTTY; anything else is EINVAL. A read-only server answers
// EROFS to any write bit (O_WRONLY, O_RDWR, O_TRUNC, O_CREAT, O_APPEND). The node is
// reopened by name in its parent without following links and must still be the same inode
// (else ESTALE). The donated fd is close-on-exec and never O_PATH.
struct OpenReq {
  uint64_t handle;
  uint32_t flags;
  uint32_t reserved;
};

// READDIR: up to max_entries (>= 1) entries from `offset` (0 = start). "." and ".." are
// never returned. An empty reply means the end of the directory.
struct ReadDirReq {
  uint64_t dir;
  uint64_t offset;
  uint32_t max_entries;
  uint32_t reserved;
};
struct ReadDirReply {
  uint32_t count;
  uint32_t reserved;
};
struct Dirent {
  uint64_t ino;
  uint64_t next_offset;  // cookie to resume after this entry
  uint8_t type;          // DT_*
  uint8_t reserved0;
  uint16_t name_len;  // name bytes follow the struct
  uint32_t reserved1;
};

struct ReadLinkReply {
  uint32_t len;  // target bytes follow
  uint32_t reserved;
};

// CLOSE: `count` handles (uint64 each) follow. Unknown handles are skipped; the ack's error
// is EBADF if any was unknown (the others are still closed), EINVAL if malformed, else 0.
struct CloseReq {
  uint32_t count;
  uint32_t reserved;
};

#define SENTRY_GOFER_WIRE_POD(T, n)                                     \
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) == (n), #T \
                " must be a fixed-size "                                \
                "POD")
SENTRY_GOFER_WIRE_POD(Header, 16);
SENTRY_GOFER_WIRE_POD(Attr, 104);
SENTRY_GOFER_WIRE_POD(Step, 112);
SENTRY_GOFER_WIRE_POD(HandleReq, 8);
SENTRY_GOFER_WIRE_POD(WalkReq, 16);
SENTRY_GOFER_WIRE_POD(WalkReply, 8);
SENTRY_GOFER_WIRE_POD(OpenReq, 16);
SENTRY_GOFER_WIRE_POD(ReadDirReq, 24);
SENTRY_GOFER_WIRE_POD(ReadDirReply, 8);
SENTRY_GOFER_WIRE_POD(Dirent, 24);
SENTRY_GOFER_WIRE_POD(ReadLinkReply, 8);
SENTRY_GOFER_WIRE_POD(CloseReq, 8);
#undef SENTRY_GOFER_WIRE_POD

// Upper bound of handles in one CLOSE.
inline constexpr uint32_t kMaxCloseHandles =
    (kMaxMessage - sizeof(Header) - sizeof(CloseReq)) / sizeof(uint64_t);

// 0 if `name` is a valid single component, else EINVAL (or ENAMETOOLONG when too long).
constexpr int CheckName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return EINVAL;
  if (name.size() > kMaxName) return ENAMETOOLONG;
  for (char c : name) {
    if (c == '/' || c == '\0') return EINVAL;
  }
  return 0;
}

}  // namespace sentry::gofer::wire
