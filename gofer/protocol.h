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
// * Handles are opaque non-zero uint64 chosen by the server; they are never reused. Each
//   belongs to the mount it was walked in: nothing reached from it leaves that mount's tree
//   (names are single components, symlinks are never followed), and LINK/RENAME across
//   mounts are EXDEV.

inline constexpr uint32_t kMaxMessage = 64 * 1024;
inline constexpr uint16_t kReplyBit = 0x8000;
inline constexpr uint32_t kMaxName = 255;       // NAME_MAX
inline constexpr uint32_t kMaxWalkNames = 255;  // components per WALK
inline constexpr uint32_t kMaxSymlink = 4095;   // bytes in a READLINK reply (PATH_MAX - 1)

enum Op : uint16_t {
  kMount = 1,     // body: MountReq.        reply: Step (root handle + attr)
  kWalk = 2,      // body: WalkReq + names. reply: WalkReply + count * Step
  kOpen = 3,      // body: OpenReq.         reply: no body; one fd via SCM_RIGHTS when ok
  kReadDir = 4,   // body: ReadDirReq.      reply: ReadDirReply + count * (Dirent + name)
  kReadLink = 5,  // body: HandleReq.       reply: ReadLinkReply + len bytes
  kStat = 6,      // body: HandleReq.       reply: Attr
  kClose = 7,     // body: CloseReq + count * uint64. reply: no body (ack)
  // Changes. A read-only mount answers EROFS to each of them (STATFS excepted).
  kCreate = 8,    // body: CreateReq + name.  reply: Step; one fd via SCM_RIGHTS
  kMkdir = 9,     // body: MkdirReq + name.   reply: Step
  kMknod = 10,    // body: MknodReq + name.   reply: Step
  kSymlink = 11,  // body: SymlinkReq + name + target bytes. reply: Step
  kLink = 12,     // body: LinkReq + name.    reply: Step (the target, with its new nlink)
  kUnlink = 13,   // body: UnlinkReq + name.  reply: no body
  kRename = 14,   // body: RenameReq + old name + new name. reply: no body
  kSetAttr = 15,  // body: SetAttrReq.        reply: Attr (after the change)
  kStatFs = 16,   // body: HandleReq.         reply: StatFsReply
  kFsync = 17,    // body: FsyncReq.          reply: no body
  // Batched listing with attributes (a "batched walk"); see ReadDirPlusReq.
  kReadDirPlus = 18,  // body: ReadDirPlusReq + targets. reply: ReadDirPlusReply + listings
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

// MOUNT: the root of mount `index` in the server's configured list (0 = the sandbox's root,
// then one per --mount in command-line order). ENOENT for an index past the list.
struct MountReq {
  uint32_t index;
  uint32_t reserved;
};

// Requests that name one node (READLINK, STAT, STATFS).
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
// O_CLOEXEC, O_NOFOLLOW, O_NOCTTY; anything else is EINVAL. A read-only mount answers
// EROFS to any write bit (O_WRONLY, O_RDWR, O_TRUNC, O_CREAT, O_APPEND). The node itself
// is reopened (through the handle's own O_PATH fd, never by name), so a name swapped for a
// symlink or another file since the walk changes nothing: the handle's node is opened, even
// when it was renamed or unlinked since. The donated fd is close-on-exec and never O_PATH.
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

// READDIRPLUS: lists up to `count` (1..kMaxDirPlusTargets) directories in one round trip,
// each with every entry's attributes (fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW)) and, for
// symlinks, their target, so that the client can answer later lookups, stats and readlinks
// of those names itself. A target is a directory reached from `dir` by `depth` names
// (0..kMaxWalkNames, each checked and walked like a WALK component: masked nodes EACCES,
// symlinks not followed), listed from `offset` (0 = start). No handle is made.
//   request:  ReadDirPlusReq, then `count` × (DirPlusTarget + `depth` names)
//   reply:    ReadDirPlusReply{answered}, then `answered` × (DirPlusListing + entries), where
//             each entry is DirentPlus + name bytes + link bytes.
// Targets are answered in order until the reply is full: 1 <= answered <= count. A listing
// carries its own errno (then no entries); kDirPlusEnd when the directory's end was reached,
// else `next_offset` continues it. An entry whose attributes the server withholds (a masked
// node, or one that vanished) has no kDirentHasAttr: the client must WALK to it. "." and
// ".." are never listed.
inline constexpr uint32_t kMaxDirPlusTargets = 64;
struct ReadDirPlusReq {
  uint64_t dir;
  uint32_t count;
  uint32_t reserved;
};
struct DirPlusTarget {
  uint64_t offset;
  uint16_t depth;
  uint16_t reserved0;
  uint32_t reserved1;
};
struct ReadDirPlusReply {
  uint32_t count;
  uint32_t reserved;
};
inline constexpr uint32_t kDirPlusEnd = 1;
struct DirPlusListing {
  int32_t error;
  uint32_t count;  // entries that follow
  uint64_t next_offset;
  uint32_t flags;  // kDirPlusEnd
  uint32_t reserved;
};
inline constexpr uint8_t kDirentHasAttr = 1;
struct DirentPlus {
  uint64_t ino;  // d_ino
  uint8_t type;  // DT_*
  uint8_t flags;  // kDirentHasAttr
  uint16_t name_len;
  uint16_t link_len;  // symlinks with attributes: the target's length (<= kMaxSymlink)
  uint16_t reserved;
  Attr attr;  // zero without kDirentHasAttr
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

// ---- Changes. Every name is checked like a WALK component; `dir` must be a directory
// handle (ENOTDIR). uid/gid ask for an owner: the server applies them when the host allows
// it and otherwise leaves the host's default (the gofer's own user); the reply's Attr says
// which. Set-user-ID and set-group-ID bits are never set on non-directories (the mounts are
// "nosuid" on the host side too). ----

// CREATE: a new regular file `name` (O_EXCL: EEXIST when the name exists, whatever it is).
// `flags`: the access mode (O_RDONLY/O_WRONLY/O_RDWR) plus OPEN's other allowed bits except
// O_DIRECTORY/O_TRUNC; the reply donates an fd opened with them.
struct CreateReq {
  uint64_t dir;
  uint32_t mode;  // permission bits (07777); the type is implied
  uint32_t flags;
  uint32_t uid;
  uint32_t gid;
};

// MKDIR: a new directory.
struct MkdirReq {
  uint64_t dir;
  uint32_t mode;  // permission bits (07777)
  uint32_t uid;
  uint32_t gid;
  uint32_t reserved;
};

// MKNOD: a regular file (type 0 or S_IFREG) or a FIFO (S_IFIFO); devices and sockets EPERM.
struct MknodReq {
  uint64_t dir;
  uint32_t mode;  // type | permission bits
  uint32_t uid;
  uint32_t gid;
  uint32_t reserved;
  uint64_t rdev;  // must be 0
};

// SYMLINK: the target (1..kMaxSymlink bytes, no NUL) follows the name; it is stored as text
// and never resolved by the server.
struct SymlinkReq {
  uint64_t dir;
  uint32_t uid;
  uint32_t gid;
  uint32_t target_len;
  uint32_t reserved;
};

// LINK: a new name in `dir` for `target` (not a directory: EPERM). Both in one mount (EXDEV).
struct LinkReq {
  uint64_t dir;
  uint64_t target;
};

// UNLINK: `flags` 0 or AT_REMOVEDIR (0x200).
struct UnlinkReq {
  uint64_t dir;
  uint32_t flags;
  uint32_t reserved;
};

// RENAME: renameat2 of old_dir/old name to new_dir/new name; `flags` 0, RENAME_NOREPLACE (1)
// or RENAME_EXCHANGE (2). Both directories in one mount, else EXDEV.
struct RenameReq {
  uint64_t old_dir;
  uint64_t new_dir;
  uint32_t flags;
  uint32_t reserved;
};

// SETATTR: the fields named in `mask` (kSetAttr*). Applied in the order size, owner, mode,
// times; the first failure stops (earlier changes stay) and is the reply's errno. atime and
// mtime may carry UTIME_NOW in their nsec field. Symlinks: owner and times only.
enum : uint32_t {
  kSetAttrMode = 1u << 0,   // permission bits from `mode` (07777)
  kSetAttrUid = 1u << 1,    // owner `uid`
  kSetAttrGid = 1u << 2,    // group `gid`
  kSetAttrSize = 1u << 3,   // regular files: truncate/extend to `size`
  kSetAttrAtime = 1u << 4,  // atime = atime_sec/atime_nsec (or UTIME_NOW)
  kSetAttrMtime = 1u << 5,  // mtime = mtime_sec/mtime_nsec (or UTIME_NOW)
  kSetAttrCtime = 1u << 6,  // touch ctime even if nothing else changes (chown -1 -1)
  kSetAttrAll = (1u << 7) - 1,
};
struct SetAttrReq {
  uint64_t handle;
  uint32_t mask;
  uint32_t mode;
  uint32_t uid;
  uint32_t gid;
  uint64_t size;
  int64_t atime_sec;
  int64_t mtime_sec;
  uint32_t atime_nsec;
  uint32_t mtime_nsec;
};

// STATFS: the host filesystem's statfs of the node (works on read-only mounts too).
struct StatFsReply {
  uint64_t type;
  uint64_t bsize;
  uint64_t blocks;
  uint64_t bfree;
  uint64_t bavail;
  uint64_t files;
  uint64_t ffree;
  uint64_t namelen;
  uint64_t frsize;
  uint64_t flags;
};

// FSYNC: fsync (or fdatasync with kFsyncData) of a regular file or directory.
inline constexpr uint32_t kFsyncData = 1;
struct FsyncReq {
  uint64_t handle;
  uint32_t flags;
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
SENTRY_GOFER_WIRE_POD(MountReq, 8);
SENTRY_GOFER_WIRE_POD(CreateReq, 24);
SENTRY_GOFER_WIRE_POD(MkdirReq, 24);
SENTRY_GOFER_WIRE_POD(MknodReq, 32);
SENTRY_GOFER_WIRE_POD(SymlinkReq, 24);
SENTRY_GOFER_WIRE_POD(LinkReq, 16);
SENTRY_GOFER_WIRE_POD(UnlinkReq, 16);
SENTRY_GOFER_WIRE_POD(RenameReq, 24);
SENTRY_GOFER_WIRE_POD(SetAttrReq, 56);
SENTRY_GOFER_WIRE_POD(StatFsReply, 80);
SENTRY_GOFER_WIRE_POD(FsyncReq, 16);
SENTRY_GOFER_WIRE_POD(ReadDirPlusReq, 16);
SENTRY_GOFER_WIRE_POD(DirPlusTarget, 16);
SENTRY_GOFER_WIRE_POD(ReadDirPlusReply, 8);
SENTRY_GOFER_WIRE_POD(DirPlusListing, 24);
SENTRY_GOFER_WIRE_POD(DirentPlus, 120);
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
