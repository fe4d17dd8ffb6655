// gofer::Server's attribute and data operations: SETATTR, STATFS, FSYNC. Changes go
// through the handle's own O_PATH fd (AT_EMPTY_PATH) or a reopened fd of the node itself,
// never through a name. Gofer process; the server's thread.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "gofer/host_ops.h"
#include "gofer/protocol.h"
#include "gofer/server.h"

namespace sentry::gofer {
namespace {

using wire::Reader;
using wire::Writer;

bool ValidTime(uint32_t nsec) { return nsec <= 999999999u || nsec == UTIME_NOW; }

}  // namespace

int Server::SetAttr(Reader& body, Writer& out) {
  wire::SetAttrReq req;
  if (!body.Read(&req) || !body.done() || (req.mask & ~wire::kSetAttrAll) != 0) return EINVAL;
  NodeRef node = table_.Get(req.handle);
  if (node == nullptr) return EBADF;
  if (read_only(*node)) return EROFS;
  const uint32_t m = req.mask;
  // Everything is checked before anything changes.
  if ((m & wire::kSetAttrMode) && ((req.mode & ~07777u) != 0)) return EINVAL;
  if ((m & wire::kSetAttrMode) && S_ISLNK(node->type)) return EOPNOTSUPP;
  if (m & wire::kSetAttrSize) {
    if (S_ISDIR(node->type)) return EISDIR;
    if (!S_ISREG(node->type) || req.size > static_cast<uint64_t>(INT64_MAX)) return EINVAL;
  }
  if (((m & wire::kSetAttrAtime) && !ValidTime(req.atime_nsec)) ||
      ((m & wire::kSetAttrMtime) && !ValidTime(req.mtime_nsec))) {
    return EINVAL;
  }
  const int fd = node->fd.get();

  if (m & wire::kSetAttrSize) {
    UniqueFd w;
    if (int e = host::Reopen(*node, O_WRONLY, &w)) return e;
    if (::ftruncate(w.get(), static_cast<off_t>(req.size)) != 0) return errno;
  }
  if (m & (wire::kSetAttrUid | wire::kSetAttrGid | wire::kSetAttrCtime)) {
    // chown(-1, -1) changes nothing but ctime, which is what kSetAttrCtime alone asks for.
    const uid_t uid = (m & wire::kSetAttrUid) ? req.uid : static_cast<uid_t>(-1);
    const gid_t gid = (m & wire::kSetAttrGid) ? req.gid : static_cast<gid_t>(-1);
    if (::fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return errno;
  }
  if (m & wire::kSetAttrMode) {
    if (int e = host::ChmodNode(fd, host::HostMode(node->type, req.mode))) return e;
  }
  if (m & (wire::kSetAttrAtime | wire::kSetAttrMtime)) {
    struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (m & wire::kSetAttrAtime) ts[0] = {req.atime_sec, static_cast<long>(req.atime_nsec)};
    if (m & wire::kSetAttrMtime) ts[1] = {req.mtime_sec, static_cast<long>(req.mtime_nsec)};
    if (::utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return errno;
  }
  struct stat st;
  if (int e = host::StatFd(fd, &st)) return e;
  out.Put(host::ToWire(st));
  return 0;
}

int Server::StatFs(Reader& body, Writer& out) {
  wire::HandleReq req;
  if (!body.Read(&req) || !body.done()) return EINVAL;
  NodeRef node = table_.Get(req.handle);
  if (node == nullptr) return EBADF;
  struct statfs sf;
  if (::fstatfs(node->fd.get(), &sf) != 0) return errno;
  out.Put(wire::StatFsReply{.type = static_cast<uint64_t>(sf.f_type),
                            .bsize = static_cast<uint64_t>(sf.f_bsize),
                            .blocks = sf.f_blocks,
                            .bfree = sf.f_bfree,
                            .bavail = sf.f_bavail,
                            .files = sf.f_files,
                            .ffree = sf.f_ffree,
                            .namelen = static_cast<uint64_t>(sf.f_namelen),
                            .frsize = static_cast<uint64_t>(sf.f_frsize),
                            .flags = static_cast<uint64_t>(sf.f_flags)});
  return 0;
}

int Server::Fsync(Reader& body, Writer&) {
  wire::FsyncReq req;
  if (!body.Read(&req) || !body.done() || req.reserved != 0 ||
      (req.flags & ~wire::kFsyncData) != 0) {
    return EINVAL;
  }
  NodeRef node = table_.Get(req.handle);
  if (node == nullptr) return EBADF;
  if (read_only(*node)) return EROFS;
  if (!S_ISREG(node->type) && !S_ISDIR(node->type)) return EINVAL;
  UniqueFd fd;
  int e = host::Reopen(*node, O_RDONLY, &fd);
  if (e == EACCES && S_ISREG(node->type)) e = host::Reopen(*node, O_WRONLY, &fd);
  if (e != 0) return e;
  const int r = (req.flags & wire::kFsyncData) ? ::fdatasync(fd.get()) : ::fsync(fd.get());
  return r == 0 ? 0 : errno;
}

}  // namespace sentry::gofer
