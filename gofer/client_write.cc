// gofer::Client's change operations (CREATE ... FSYNC): build the request, check the reply's
// shape, and turn anything malformed into EIO. Owned by the sentry's VFS; one thread.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "gofer/client.h"
#include "gofer/protocol.h"
#include "gofer/wire.h"

namespace sentry::gofer {

ErrnoOr<WalkStep> Client::CallForStep(uint16_t op, uint32_t tag, UniqueFd* fd) {
  absl::Span<const char> body;
  std::vector<UniqueFd> fds;
  if (int e = Call(op, tag, &body, fd != nullptr ? &fds : nullptr)) {
    return ErrnoOr<WalkStep>::Errno(e);
  }
  wire::Reader in(body);
  wire::Step step;
  if (!in.Read(&step) || !in.done() || step.handle == 0 ||
      (fd != nullptr && fds.size() != 1)) {
    return ErrnoOr<WalkStep>::Errno(Broken());
  }
  if (fd != nullptr) *fd = std::move(fds[0]);
  return WalkStep{.handle = step.handle, .attr = FromWire(step.attr)};
}

int Client::CallNoBody(uint16_t op, uint32_t tag) {
  absl::Span<const char> body;
  if (int e = Call(op, tag, &body)) return e;
  return body.empty() ? 0 : Broken();
}

ErrnoOr<Created> Client::Create(Handle dir, std::string_view name, uint32_t mode, int flags,
                                uint32_t uid, uint32_t gid) {
  if (int e = wire::CheckName(name)) return ErrnoOr<Created>::Errno(e);
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kCreate, tag);
  w.Put(wire::CreateReq{.dir = dir,
                        .mode = mode & 07777,
                        .flags = static_cast<uint32_t>(flags),
                        .uid = uid,
                        .gid = gid});
  w.PutName(name);
  w.Finish();
  UniqueFd fd;
  ErrnoOr<WalkStep> step = CallForStep(wire::kCreate, tag, &fd);
  if (!step.ok()) return ErrnoOr<Created>::Errno(step.error());
  if (!S_ISREG(step->attr.mode)) {
    Close(absl::MakeConstSpan(&step->handle, 1));
    return ErrnoOr<Created>::Errno(Broken());
  }
  return Created{.node = *step, .fd = std::move(fd)};
}

ErrnoOr<WalkStep> Client::Mkdir(Handle dir, std::string_view name, uint32_t mode, uint32_t uid,
                                uint32_t gid) {
  if (int e = wire::CheckName(name)) return ErrnoOr<WalkStep>::Errno(e);
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kMkdir, tag);
  w.Put(wire::MkdirReq{.dir = dir, .mode = mode & 07777, .uid = uid, .gid = gid, .reserved = 0});
  w.PutName(name);
  w.Finish();
  return CallForStep(wire::kMkdir, tag);
}

ErrnoOr<WalkStep> Client::Mknod(Handle dir, std::string_view name, uint32_t mode, uint32_t uid,
                                uint32_t gid) {
  if (int e = wire::CheckName(name)) return ErrnoOr<WalkStep>::Errno(e);
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kMknod, tag);
  w.Put(wire::MknodReq{
      .dir = dir, .mode = mode, .uid = uid, .gid = gid, .reserved = 0, .rdev = 0});
  w.PutName(name);
  w.Finish();
  return CallForStep(wire::kMknod, tag);
}

ErrnoOr<WalkStep> Client::Symlink(Handle dir, std::string_view name, std::string_view target,
                                  uint32_t uid, uint32_t gid) {
  if (int e = wire::CheckName(name)) return ErrnoOr<WalkStep>::Errno(e);
  if (target.empty()) return ErrnoOr<WalkStep>::Errno(ENOENT);
  if (target.size() > wire::kMaxSymlink) return ErrnoOr<WalkStep>::Errno(ENAMETOOLONG);
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kSymlink, tag);
  w.Put(wire::SymlinkReq{.dir = dir,
                         .uid = uid,
                         .gid = gid,
                         .target_len = static_cast<uint32_t>(target.size()),
                         .reserved = 0});
  w.PutName(name);
  w.PutBytes(target);
  w.Finish();
  return CallForStep(wire::kSymlink, tag);
}

ErrnoOr<WalkStep> Client::Link(Handle dir, std::string_view name, Handle target) {
  if (int e = wire::CheckName(name)) return ErrnoOr<WalkStep>::Errno(e);
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kLink, tag);
  w.Put(wire::LinkReq{.dir = dir, .target = target});
  w.PutName(name);
  w.Finish();
  return CallForStep(wire::kLink, tag);
}

int Client::Unlink(Handle dir, std::string_view name, bool rmdir) {
  if (int e = wire::CheckName(name)) return e;
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kUnlink, tag);
  w.Put(wire::UnlinkReq{
      .dir = dir, .flags = rmdir ? static_cast<uint32_t>(AT_REMOVEDIR) : 0u, .reserved = 0});
  w.PutName(name);
  w.Finish();
  return CallNoBody(wire::kUnlink, tag);
}

int Client::Rename(Handle old_dir, std::string_view old_name, Handle new_dir,
                   std::string_view new_name, unsigned flags) {
  if (int e = wire::CheckName(old_name)) return e;
  if (int e = wire::CheckName(new_name)) return e;
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kRename, tag);
  w.Put(wire::RenameReq{.old_dir = old_dir, .new_dir = new_dir, .flags = flags, .reserved = 0});
  w.PutName(old_name);
  w.PutName(new_name);
  w.Finish();
  return CallNoBody(wire::kRename, tag);
}

ErrnoOr<Attr> Client::SetAttr(Handle node, const SetAttrRequest& r) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kSetAttr, tag);
  w.Put(wire::SetAttrReq{.handle = node,
                         .mask = r.mask,
                         .mode = r.mode,
                         .uid = r.uid,
                         .gid = r.gid,
                         .size = r.size,
                         .atime_sec = r.atime_sec,
                         .mtime_sec = r.mtime_sec,
                         .atime_nsec = r.atime_nsec,
                         .mtime_nsec = r.mtime_nsec});
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kSetAttr, tag, &body)) return ErrnoOr<Attr>::Errno(e);
  wire::Reader in(body);
  wire::Attr attr;
  if (!in.Read(&attr) || !in.done()) return ErrnoOr<Attr>::Errno(Broken());
  return FromWire(attr);
}

ErrnoOr<FsStat> Client::StatFs(Handle node) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kStatFs, tag);
  w.Put(wire::HandleReq{.handle = node});
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kStatFs, tag, &body)) return ErrnoOr<FsStat>::Errno(e);
  wire::Reader in(body);
  wire::StatFsReply r;
  if (!in.Read(&r) || !in.done()) return ErrnoOr<FsStat>::Errno(Broken());
  return FsStat{.type = r.type,
                .bsize = r.bsize,
                .blocks = r.blocks,
                .bfree = r.bfree,
                .bavail = r.bavail,
                .files = r.files,
                .ffree = r.ffree,
                .namelen = r.namelen,
                .frsize = r.frsize,
                .flags = r.flags};
}

int Client::Fsync(Handle node, bool datasync) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kFsync, tag);
  w.Put(wire::FsyncReq{.handle = node, .flags = datasync ? wire::kFsyncData : 0u, .reserved = 0});
  w.Finish();
  return CallNoBody(wire::kFsync, tag);
}

}  // namespace sentry::gofer
