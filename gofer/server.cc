// Implementation of gofer::Server: message parsing, dispatch and the reading operations
// (server_write.cc and server_attr.cc hold the changes). Uses only *at() calls on
// O_PATH|O_NOFOLLOW fds; never resolves a client-supplied path. Gofer process; one thread.
#include "gofer/server.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include "common/log.h"
#include "gofer/host_ops.h"
#include "gofer/protocol.h"

namespace sentry::gofer {
namespace {

using wire::Reader;
using wire::Writer;

using host::kKernelLargeFile;
using host::StatFd;
using host::ToWire;

// Open flags a client may ask for. Everything else (O_CREAT, O_EXCL, O_PATH, O_TMPFILE,
// O_ASYNC, ...) is EINVAL; O_CLOEXEC/O_NOFOLLOW/O_NOCTTY/O_LARGEFILE are implied.
constexpr uint32_t kAllowedOpenFlags = O_ACCMODE | O_TRUNC | O_APPEND | O_DIRECTORY | O_NONBLOCK |
                                       O_SYNC | O_DSYNC | O_NOATIME | O_DIRECT | kKernelLargeFile |
                                       O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
constexpr uint32_t kWriteOpenFlags = O_WRONLY | O_RDWR | O_TRUNC | O_CREAT | O_APPEND;

}  // namespace

Server::Server(UniqueFd channel, std::vector<ServedMount> mounts, ServerOptions opts)
    : channel_(std::move(channel)),
      mounts_(std::move(mounts)),
      opts_(opts),
      table_(opts.max_handles),
      recv_buf_(wire::kMaxMessage) {
  reply_.reserve(wire::kMaxMessage);
}

namespace {
std::vector<ServedMount> OneMount(UniqueFd root, bool read_only) {
  std::vector<ServedMount> v;
  v.push_back(ServedMount{.root = std::move(root), .read_only = read_only});
  return v;
}
}  // namespace

Server::Server(UniqueFd channel, UniqueFd root, ServerOptions opts)
    : Server(std::move(channel), OneMount(std::move(root), opts.read_only), opts) {}

absl::Status Server::Serve() {
  for (;;) {
    absl::StatusOr<bool> more = ServeOne();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
}

absl::StatusOr<bool> Server::ServeOne() {
  Received rx;
  if (int e = RecvMessage(channel_.get(), absl::MakeSpan(recv_buf_), &rx); e != 0) {
    if (e == ECONNRESET) return false;
    return absl::ErrnoToStatus(e, "gofer: recvmsg on the channel");
  }
  if (rx.eof) return false;
  HandleMessage(absl::MakeConstSpan(recv_buf_.data(), rx.size), rx);
  rx.fds.clear();  // a client never sends fds; drop any before replying
  int e = SendMessage(channel_.get(), reply_, reply_fd_.get());
  reply_fd_.reset();
  if (e == EPIPE || e == ECONNRESET) return false;
  if (e != 0) return absl::ErrnoToStatus(e, "gofer: sendmsg on the channel");
  return true;
}

void Server::HandleMessage(absl::Span<const char> msg, const Received& rx) {
  reply_fd_.reset();
  Writer out(&reply_);
  Reader in(msg);
  wire::Header h{};
  if (!in.Read(&h)) {  // too short to carry a header: nothing to echo
    out.Begin(wire::kReplyBit, 0, EINVAL);
    out.Finish();
    return;
  }
  const uint16_t reply_op = h.op | wire::kReplyBit;
  int err = 0;
  if (rx.truncated) {
    err = EMSGSIZE;
  } else if (h.size != msg.size() || h.flags != 0 || h.error != 0 ||
             (h.op & wire::kReplyBit) != 0 || !rx.fds.empty() || rx.fds_truncated) {
    err = EINVAL;
  }
  if (err == 0) {
    out.Begin(reply_op, h.tag);
    err = Dispatch(h.op, in, out);
  }
  if (err != 0) {
    LOG_DEBUG("request op={} tag={} size={}: errno {}", h.op, h.tag, msg.size(), err);
    out.Begin(reply_op, h.tag, err);
    reply_fd_.reset();
  }
  out.Finish();
}

int Server::Dispatch(uint16_t op, Reader& in, Writer& out) {
  switch (op) {
    case wire::kMount:
      return Mount(in, out);
    case wire::kWalk:
      return Walk(in, out);
    case wire::kOpen:
      return Open(in, out);
    case wire::kReadDir:
      return ReadDir(in, out);
    case wire::kReadLink:
      return ReadLink(in, out);
    case wire::kStat:
      return Stat(in, out);
    case wire::kClose:
      return Close(in, out);
    case wire::kCreate:
      return Create(in, out);
    case wire::kMkdir:
      return Mkdir(in, out);
    case wire::kMknod:
      return Mknod(in, out);
    case wire::kSymlink:
      return Symlink(in, out);
    case wire::kLink:
      return Link(in, out);
    case wire::kUnlink:
      return Unlink(in, out);
    case wire::kRename:
      return Rename(in, out);
    case wire::kSetAttr:
      return SetAttr(in, out);
    case wire::kStatFs:
      return StatFs(in, out);
    case wire::kFsync:
      return Fsync(in, out);
    case wire::kReadDirPlus:
      return ReadDirPlus(in, out);
    default:
      return ENOSYS;
  }
}

int Server::WritableDir(uint64_t h, NodeRef* out) const {
  NodeRef n = table_.Get(h);
  if (n == nullptr) return EBADF;
  if (!S_ISDIR(n->type)) return ENOTDIR;
  if (read_only(*n)) return EROFS;
  *out = std::move(n);
  return 0;
}

int Server::OpenChild(const NodeRef& dir, std::string name, std::shared_ptr<Node>* out,
                      struct stat* st) const {
  auto node = std::make_shared<Node>();
  if (int e = host::OpenBeneath(dir->fd.get(), name, O_PATH, 0, &node->fd)) return e;
  if (int e = StatFd(node->fd.get(), st)) return e;
  if (IsMasked(st->st_dev, st->st_ino)) return EACCES;
  node->parent = dir;
  node->name = std::move(name);
  node->type = st->st_mode & S_IFMT;
  node->dev = st->st_dev;
  node->ino = st->st_ino;
  node->mount = dir->mount;
  *out = std::move(node);
  return 0;
}

int Server::AddChild(const NodeRef& dir, std::string name, Writer& out) {
  if (table_.full()) return ENFILE;
  std::shared_ptr<Node> node;
  struct stat st;
  if (int e = OpenChild(dir, std::move(name), &node, &st)) return e;
  uint64_t h = table_.Insert(std::move(node));
  if (h == 0) return ENFILE;
  out.Put(wire::Step{.handle = h, .attr = ToWire(st)});
  return 0;
}

void Server::ApplyOwner(int fd, uint32_t uid, uint32_t gid) {
  if (uid == UINT32_MAX && gid == UINT32_MAX) return;
  struct stat st;
  if (StatFd(fd, &st) != 0 || (st.st_uid == uid && st.st_gid == gid)) return;
  // An id the host (our user namespace) does not map fails with EINVAL/EPERM: the node
  // keeps the gofer's own ids, which the reply's Attr reports.
  (void)::fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
}

int Server::Mount(Reader& body, Writer& out) {
  wire::MountReq req;
  if (!body.Read(&req) || req.reserved != 0 || !body.done()) return EINVAL;
  if (req.index >= mounts_.size()) return ENOENT;
  if (table_.full()) return ENFILE;
  auto node = std::make_shared<Node>();
  node->fd.reset(::openat(mounts_[req.index].root.get(), ".",
                          O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!node->fd) return errno;
  node->mount = req.index;
  struct stat st;
  if (int e = StatFd(node->fd.get(), &st)) return e;
  node->type = st.st_mode & S_IFMT;
  node->dev = st.st_dev;
  node->ino = st.st_ino;
  uint64_t h = table_.Insert(std::move(node));
  if (h == 0) return ENFILE;
  out.Put(wire::Step{.handle = h, .attr = ToWire(st)});
  return 0;
}

int Server::Walk(Reader& body, Writer& out) {
  wire::WalkReq req;
  if (!body.Read(&req) || req.reserved != 0 || req.count > wire::kMaxWalkNames) return EINVAL;
  std::string_view names[wire::kMaxWalkNames];
  for (uint32_t i = 0; i < req.count; ++i) {
    if (!body.ReadName(&names[i])) return EINVAL;
    if (int e = wire::CheckName(names[i])) return e;
  }
  if (!body.done()) return EINVAL;
  std::shared_ptr<const Node> cur = table_.Get(req.dir);
  if (cur == nullptr) return EBADF;

  const size_t reply_at = out.size();
  out.Put(wire::WalkReply{});
  wire::WalkReply reply{.count = 0, .error = 0};
  for (uint32_t i = 0; i < req.count; ++i) {
    if (!S_ISDIR(cur->type)) {
      reply.error = ENOTDIR;
      break;
    }
    if (table_.full()) {
      reply.error = ENFILE;
      break;
    }
    // names[i] is a validated component, but not NUL-terminated in the buffer.
    std::shared_ptr<Node> node;
    struct stat st;
    if (int e = OpenChild(cur, std::string(names[i]), &node, &st)) {
      reply.error = e;
      break;
    }
    uint64_t h = table_.Insert(node);
    if (h == 0) {
      reply.error = ENFILE;
      break;
    }
    out.Put(wire::Step{.handle = h, .attr = ToWire(st)});
    ++reply.count;
    if (S_ISLNK(st.st_mode)) break;  // included, not followed
    cur = std::move(node);
  }
  out.PutAt(reply_at, reply);
  return 0;
}

int Server::Open(Reader& body, Writer& out) {
  wire::OpenReq req;
  if (!body.Read(&req) || req.reserved != 0 || !body.done()) return EINVAL;
  std::shared_ptr<const Node> node = table_.Get(req.handle);
  if (node == nullptr) return EBADF;
  const uint32_t flags = req.flags;
  if (read_only(*node) && (flags & kWriteOpenFlags) != 0) return EROFS;
  if ((flags & ~kAllowedOpenFlags) != 0 || (flags & O_ACCMODE) == O_ACCMODE) return EINVAL;
  if (S_ISLNK(node->type)) return ELOOP;
  if ((flags & O_DIRECTORY) != 0 && !S_ISDIR(node->type)) return ENOTDIR;
  // Only regular files and directories are donated (no FIFOs, sockets or devices).
  if (!S_ISREG(node->type) && !S_ISDIR(node->type)) return ENXIO;

  // O_TRUNC only after the node is known to be the handle's, so a swapped node is never
  // truncated (Reopen opens the node itself, never a name).
  const int host_flags = static_cast<int>(flags & (O_ACCMODE | O_APPEND | O_DIRECTORY | O_SYNC |
                                                   O_DSYNC | O_NOATIME | O_DIRECT));
  UniqueFd fd;
  if (int e = host::Reopen(*node, host_flags, &fd)) return e;
  if ((flags & O_NONBLOCK) == 0) {
    int fl = ::fcntl(fd.get(), F_GETFL);
    if (fl < 0 || ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK) != 0) return errno;
  }
  if ((flags & O_TRUNC) != 0 && S_ISREG(node->type) && (flags & O_ACCMODE) != O_RDONLY) {
    if (::ftruncate(fd.get(), 0) != 0) return errno;
  }
  reply_fd_ = std::move(fd);
  return 0;
}

int Server::ReadDir(Reader& body, Writer& out) {
  wire::ReadDirReq req;
  if (!body.Read(&req) || req.reserved != 0 || !body.done() || req.max_entries == 0) {
    return EINVAL;
  }
  std::shared_ptr<const Node> node = table_.Get(req.dir);
  if (node == nullptr) return EBADF;
  if (!S_ISDIR(node->type)) return ENOTDIR;
  UniqueFd dir(
      ::openat(node->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!dir) return errno;
  if (::lseek(dir.get(), static_cast<off_t>(req.offset), SEEK_SET) < 0) return errno;

  const size_t reply_at = out.size();
  out.Put(wire::ReadDirReply{});
  wire::ReadDirReply reply{};
  alignas(dirent64) char buf[16 * 1024];
  bool full = false;
  while (!full) {
    ssize_t n = ::getdents64(dir.get(), buf, sizeof(buf));
    if (n < 0) {
      if (reply.count == 0) return errno;
      break;  // return what we have; the next call will report the error
    }
    if (n == 0) break;
    for (ssize_t pos = 0; pos < n;) {
      const auto* d = reinterpret_cast<const dirent64*>(buf + pos);
      if (d->d_reclen == 0 || pos + d->d_reclen > n) return EIO;  // kernel bug; be safe
      pos += d->d_reclen;
      const size_t max_len = d->d_reclen - offsetof(dirent64, d_name);
      std::string_view name(d->d_name, ::strnlen(d->d_name, max_len));
      if (name == "." || name == "..") continue;
      if (name.size() > wire::kMaxName) continue;  // cannot happen on Linux
      if (reply.count >= req.max_entries || !out.fits(sizeof(wire::Dirent) + name.size())) {
        full = true;
        break;
      }
      out.Put(wire::Dirent{.ino = d->d_ino,
                           .next_offset = static_cast<uint64_t>(d->d_off),
                           .type = d->d_type,
                           .reserved0 = 0,
                           .name_len = static_cast<uint16_t>(name.size()),
                           .reserved1 = 0});
      out.PutBytes(name);
      ++reply.count;
    }
  }
  out.PutAt(reply_at, reply);
  return 0;
}

int Server::ReadLink(Reader& body, Writer& out) {
  wire::HandleReq req;
  if (!body.Read(&req) || !body.done()) return EINVAL;
  std::shared_ptr<const Node> node = table_.Get(req.handle);
  if (node == nullptr) return EBADF;
  if (!S_ISLNK(node->type)) return EINVAL;
  char buf[wire::kMaxSymlink + 1];
  ssize_t n = ::readlinkat(node->fd.get(), "", buf, sizeof(buf));
  if (n < 0) return errno;
  if (static_cast<size_t>(n) > wire::kMaxSymlink) return ENAMETOOLONG;
  out.Put(wire::ReadLinkReply{.len = static_cast<uint32_t>(n), .reserved = 0});
  out.PutBytes(std::string_view(buf, static_cast<size_t>(n)));
  return 0;
}

int Server::Stat(Reader& body, Writer& out) {
  wire::HandleReq req;
  if (!body.Read(&req) || !body.done()) return EINVAL;
  std::shared_ptr<const Node> node = table_.Get(req.handle);
  if (node == nullptr) return EBADF;
  struct stat st;
  if (int e = StatFd(node->fd.get(), &st)) return e;
  out.Put(ToWire(st));
  return 0;
}

int Server::Close(Reader& body, Writer& out) {
  wire::CloseReq req;
  if (!body.Read(&req) || req.reserved != 0 || req.count > wire::kMaxCloseHandles ||
      body.remaining() != size_t{req.count} * sizeof(uint64_t)) {
    return EINVAL;
  }
  int err = 0;
  for (uint32_t i = 0; i < req.count; ++i) {
    uint64_t h = 0;
    body.Read(&h);  // cannot fail: the length was checked above
    if (!table_.Erase(h)) err = EBADF;
  }
  return err;
}

}  // namespace sentry::gofer
