// Implementation of gofer::Server: message parsing, dispatch and the host-side operations.
// Uses only *at() calls on O_PATH|O_NOFOLLOW fds; never resolves a client-supplied path.
// Owned by the gofer process; one thread.
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
#include "gofer/protocol.h"

namespace sentry::gofer {
namespace {

using wire::Reader;
using wire::Writer;

wire::Attr ToWire(const struct stat& st) {
  wire::Attr a{};
  a.mode = st.st_mode;
  a.nlink = static_cast<uint32_t>(st.st_nlink);
  a.uid = st.st_uid;
  a.gid = st.st_gid;
  a.ino = st.st_ino;
  a.dev = st.st_dev;
  a.rdev = st.st_rdev;
  a.size = static_cast<uint64_t>(st.st_size);
  a.blocks = static_cast<uint64_t>(st.st_blocks);
  a.blksize = static_cast<uint32_t>(st.st_blksize);
  a.atime_sec = st.st_atim.tv_sec;
  a.mtime_sec = st.st_mtim.tv_sec;
  a.ctime_sec = st.st_ctim.tv_sec;
  a.atime_nsec = static_cast<uint32_t>(st.st_atim.tv_nsec);
  a.mtime_nsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  a.ctime_nsec = static_cast<uint32_t>(st.st_ctim.tv_nsec);
  return a;
}

// Stat of the node an O_PATH fd refers to (a symlink itself, never its target).
int StatFd(int fd, struct stat* st) {
  return ::fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

// The kernel's O_LARGEFILE on x86-64 (glibc defines O_LARGEFILE as 0 there); guests pass it.
constexpr uint32_t kKernelLargeFile = 0100000;

// Open flags a client may ask for. Everything else (O_CREAT, O_EXCL, O_PATH, O_TMPFILE,
// O_ASYNC, ...) is EINVAL; O_CLOEXEC/O_NOFOLLOW/O_NOCTTY/O_LARGEFILE are implied.
constexpr uint32_t kAllowedOpenFlags = O_ACCMODE | O_TRUNC | O_APPEND | O_DIRECTORY | O_NONBLOCK |
                                       O_SYNC | O_DSYNC | O_NOATIME | O_DIRECT | kKernelLargeFile |
                                       O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
constexpr uint32_t kWriteOpenFlags = O_WRONLY | O_RDWR | O_TRUNC | O_CREAT | O_APPEND;

}  // namespace

Server::Server(UniqueFd channel, UniqueFd root, ServerOptions opts)
    : channel_(std::move(channel)),
      root_(std::move(root)),
      opts_(opts),
      table_(opts.max_handles),
      recv_buf_(wire::kMaxMessage) {
  reply_.reserve(wire::kMaxMessage);
}

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
    switch (h.op) {
      case wire::kMount:
        err = Mount(in, out);
        break;
      case wire::kWalk:
        err = Walk(in, out);
        break;
      case wire::kOpen:
        err = Open(in, out);
        break;
      case wire::kReadDir:
        err = ReadDir(in, out);
        break;
      case wire::kReadLink:
        err = ReadLink(in, out);
        break;
      case wire::kStat:
        err = Stat(in, out);
        break;
      case wire::kClose:
        err = Close(in, out);
        break;
      default:
        err = ENOSYS;
        break;
    }
  }
  if (err != 0) {
    LOG_DEBUG("request op={} tag={} size={}: errno {}", h.op, h.tag, msg.size(), err);
    out.Begin(reply_op, h.tag, err);
    reply_fd_.reset();
  }
  out.Finish();
}

int Server::Mount(Reader& body, Writer& out) {
  if (!body.done()) return EINVAL;
  if (table_.full()) return ENFILE;
  auto node = std::make_shared<Node>();
  node->fd.reset(::openat(root_.get(), ".", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!node->fd) return errno;
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
    std::string name(names[i]);
    auto node = std::make_shared<Node>();
    node->fd.reset(::openat(cur->fd.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!node->fd) {
      reply.error = errno;
      break;
    }
    struct stat st;
    if (int e = StatFd(node->fd.get(), &st)) {
      reply.error = e;
      break;
    }
    node->parent = cur;
    node->name = std::move(name);
    node->type = st.st_mode & S_IFMT;
    node->dev = st.st_dev;
    node->ino = st.st_ino;
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
  if (opts_.read_only && (flags & kWriteOpenFlags) != 0) return EROFS;
  if ((flags & ~kAllowedOpenFlags) != 0 || (flags & O_ACCMODE) == O_ACCMODE) return EINVAL;
  if (S_ISLNK(node->type)) return ELOOP;
  if ((flags & O_DIRECTORY) != 0 && !S_ISDIR(node->type)) return ENOTDIR;
  // Only regular files and directories are donated (no FIFOs, sockets or devices).
  if (!S_ISREG(node->type) && !S_ISDIR(node->type)) return ENXIO;

  // O_NONBLOCK while opening, so a node swapped for a FIFO cannot block us; O_TRUNC only
  // after the identity check, so a swapped node is never truncated.
  const int host_flags = static_cast<int>(flags & (O_ACCMODE | O_APPEND | O_DIRECTORY | O_SYNC |
                                                   O_DSYNC | O_NOATIME | O_DIRECT)) |
                         O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | kKernelLargeFile;
  UniqueFd fd;
  if (S_ISDIR(node->type)) {
    // The O_PATH fd is the directory itself: "." resolves no name.
    fd.reset(::openat(node->fd.get(), ".", host_flags | O_DIRECTORY));
  } else {
    if (node->parent == nullptr) return ESTALE;
    fd.reset(::openat(node->parent->fd.get(), node->name.c_str(), host_flags));
  }
  if (!fd) return errno;
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return errno;
  if (st.st_dev != node->dev || st.st_ino != node->ino || (st.st_mode & S_IFMT) != node->type) {
    return ESTALE;  // the name now refers to another node
  }
  if ((flags & O_NONBLOCK) == 0) {
    int fl = ::fcntl(fd.get(), F_GETFL);
    if (fl < 0 || ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK) != 0) return errno;
  }
  if ((flags & O_TRUNC) != 0 && S_ISREG(st.st_mode) && (flags & O_ACCMODE) != O_RDONLY) {
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
