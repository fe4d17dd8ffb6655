// gofer::Server's name operations: CREATE, MKDIR, MKNOD, SYMLINK, LINK, UNLINK, RENAME.
// Each resolves exactly one checked name beneath a directory handle's O_PATH fd and never
// follows a link. Gofer process; the server's thread.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "gofer/host_ops.h"
#include "gofer/protocol.h"
#include "gofer/server.h"

namespace sentry::gofer {
namespace {

using wire::Reader;
using wire::Writer;

// The status flags CREATE accepts besides the access mode (O_CREAT|O_EXCL are implied).
constexpr uint32_t kCreateFlags = O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC |
                                  O_NOATIME | O_DIRECT | host::kKernelLargeFile | O_CLOEXEC |
                                  O_NOFOLLOW | O_NOCTTY;

// A request struct followed by one checked name; EINVAL/ENAMETOOLONG otherwise.
template <typename T>
int ReadWithName(Reader& body, T* req, std::string_view* name) {
  if (!body.Read(req) || !body.ReadName(name)) return EINVAL;
  return wire::CheckName(*name);
}

}  // namespace

int Server::AddNew(const NodeRef& dir, std::string name, uint32_t uid, uint32_t gid, int mode,
                   Writer& out, const struct stat* expect) {
  if (table_.full()) return ENFILE;
  std::shared_ptr<Node> node;
  struct stat st;
  if (int e = OpenChild(dir, std::move(name), &node, &st)) return e;
  if (expect != nullptr && (st.st_dev != expect->st_dev || st.st_ino != expect->st_ino)) {
    return ESTALE;  // the host swapped the name in between; the node stays
  }
  ApplyOwner(node->fd.get(), uid, gid);
  if (mode >= 0 && !S_ISLNK(st.st_mode)) {
    // After chown, which may clear set-group-ID.
    if (int e = host::StatFd(node->fd.get(), &st)) return e;
    const mode_t want = host::HostMode(st.st_mode, static_cast<uint32_t>(mode));
    if ((st.st_mode & 07777) != want) {
      if (int e = host::ChmodNode(node->fd.get(), want)) return e;
    }
  }
  if (int e = host::StatFd(node->fd.get(), &st)) return e;
  uint64_t h = table_.Insert(std::move(node));
  if (h == 0) return ENFILE;
  out.Put(wire::Step{.handle = h, .attr = host::ToWire(st)});
  return 0;
}

int Server::Create(Reader& body, Writer& out) {
  wire::CreateReq req;
  std::string_view name;
  if (int e = ReadWithName(body, &req, &name)) return e;
  if (!body.done() || (req.mode & ~07777u) != 0 || (req.flags & ~kCreateFlags) != 0 ||
      (req.flags & O_ACCMODE) == O_ACCMODE) {
    return EINVAL;
  }
  NodeRef dir;
  if (int e = WritableDir(req.dir, &dir)) return e;
  if (table_.full()) return ENFILE;
  const int flags = static_cast<int>(req.flags & (O_ACCMODE | O_APPEND | O_SYNC | O_DSYNC |
                                                  O_NOATIME | O_DIRECT)) |
                    O_CREAT | O_EXCL | O_NONBLOCK | O_NOCTTY | host::kKernelLargeFile;
  const mode_t mode = host::HostMode(S_IFREG, req.mode);
  UniqueFd fd;
  if (int e = host::OpenBeneath(dir->fd.get(), std::string(name), flags, mode, &fd)) return e;
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return errno;
  if (int e = AddNew(dir, std::string(name), req.uid, req.gid, static_cast<int>(mode), out, &st)) {
    return e;
  }
  if ((req.flags & O_NONBLOCK) == 0) {
    int fl = ::fcntl(fd.get(), F_GETFL);
    if (fl < 0 || ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK) != 0) return errno;
  }
  reply_fd_ = std::move(fd);
  return 0;
}

int Server::Mkdir(Reader& body, Writer& out) {
  wire::MkdirReq req;
  std::string_view name;
  if (int e = ReadWithName(body, &req, &name)) return e;
  if (!body.done() || req.reserved != 0 || (req.mode & ~07777u) != 0) return EINVAL;
  NodeRef dir;
  if (int e = WritableDir(req.dir, &dir)) return e;
  if (table_.full()) return ENFILE;
  const std::string n(name);
  const mode_t mode = host::HostMode(S_IFDIR, req.mode);
  if (::mkdirat(dir->fd.get(), n.c_str(), mode) != 0) return errno;
  return AddNew(dir, n, req.uid, req.gid, static_cast<int>(mode), out);
}

int Server::Mknod(Reader& body, Writer& out) {
  wire::MknodReq req;
  std::string_view name;
  if (int e = ReadWithName(body, &req, &name)) return e;
  if (!body.done() || req.reserved != 0 || req.rdev != 0) return EINVAL;
  mode_t type = req.mode & S_IFMT;
  if (type == 0) type = S_IFREG;
  switch (type) {
    case S_IFREG:
    case S_IFIFO:
      break;
    case S_IFCHR:
    case S_IFBLK:
    case S_IFSOCK:
      return EPERM;  // host device nodes and sockets are never made for the sandbox
    default:
      return EINVAL;
  }
  if ((req.mode & ~(S_IFMT | 07777u)) != 0) return EINVAL;
  NodeRef dir;
  if (int e = WritableDir(req.dir, &dir)) return e;
  if (table_.full()) return ENFILE;
  const std::string n(name);
  const mode_t mode = host::HostMode(type, req.mode);
  if (::mknodat(dir->fd.get(), n.c_str(), type | mode, 0) != 0) return errno;
  return AddNew(dir, n, req.uid, req.gid, static_cast<int>(mode), out);
}

int Server::Symlink(Reader& body, Writer& out) {
  wire::SymlinkReq req;
  std::string_view name, target;
  if (int e = ReadWithName(body, &req, &name)) return e;
  if (req.reserved != 0 || req.target_len == 0 || req.target_len > wire::kMaxSymlink ||
      !body.ReadBytes(req.target_len, &target) || !body.done() ||
      target.find('\0') != std::string_view::npos) {
    return EINVAL;
  }
  NodeRef dir;
  if (int e = WritableDir(req.dir, &dir)) return e;
  if (table_.full()) return ENFILE;
  const std::string n(name);
  // The target is text: the server never resolves it.
  if (::symlinkat(std::string(target).c_str(), dir->fd.get(), n.c_str()) != 0) return errno;
  return AddNew(dir, n, req.uid, req.gid, /*mode=*/-1, out);
}

int Server::Link(Reader& body, Writer& out) {
  wire::LinkReq req;
  std::string_view name;
  if (int e = ReadWithName(body, &req, &name)) return e;
  if (!body.done()) return EINVAL;
  NodeRef target = table_.Get(req.target);
  if (target == nullptr) return EBADF;
  NodeRef dir;
  if (NodeRef d = table_.Get(req.dir); d != nullptr && d->mount != target->mount) return EXDEV;
  if (int e = WritableDir(req.dir, &dir)) return e;
  if (S_ISDIR(target->type)) return EPERM;
  if (table_.full()) return ENFILE;
  const std::string n(name);
  int err = EPERM;
  if (S_ISREG(target->type)) {
    // The node itself through its own fd's magic link: no name below the mount is resolved.
    err = ::linkat(host::ProcSelfFdDir(), host::ProcFdName(target->fd.get()).c_str(), dir->fd.get(),
                   n.c_str(), AT_SYMLINK_FOLLOW) == 0
              ? 0
              : errno;
  }
  if (err != 0 && target->parent != nullptr &&
      (err == ENOENT || err == EBADF || !S_ISREG(target->type))) {
    // Other types, or no /proc: by name in the parent, never following a link; checked below.
    err = ::linkat(target->parent->fd.get(), target->name.c_str(), dir->fd.get(), n.c_str(), 0) ==
                  0
              ? 0
              : errno;
  }
  if (err != 0) return err;
  struct stat expect{};
  expect.st_dev = target->dev;
  expect.st_ino = target->ino;
  err = AddNew(dir, n, /*uid=*/UINT32_MAX, /*gid=*/UINT32_MAX, /*mode=*/-1, out, &expect);
  if (err == ESTALE) ::unlinkat(dir->fd.get(), n.c_str(), 0);  // linked another node: undo
  return err;
}

int Server::Unlink(Reader& body, Writer&) {
  wire::UnlinkReq req;
  std::string_view name;
  if (int e = ReadWithName(body, &req, &name)) return e;
  if (!body.done() || req.reserved != 0 || (req.flags & ~static_cast<uint32_t>(AT_REMOVEDIR))) {
    return EINVAL;
  }
  NodeRef dir;
  if (int e = WritableDir(req.dir, &dir)) return e;
  if (::unlinkat(dir->fd.get(), std::string(name).c_str(), static_cast<int>(req.flags)) != 0) {
    return errno;
  }
  return 0;
}

int Server::Rename(Reader& body, Writer&) {
  wire::RenameReq req;
  std::string_view old_name, new_name;
  if (int e = ReadWithName(body, &req, &old_name)) return e;
  if (!body.ReadName(&new_name)) return EINVAL;
  if (int e = wire::CheckName(new_name)) return e;
  if (!body.done() || req.reserved != 0 ||
      (req.flags != 0 && req.flags != RENAME_NOREPLACE && req.flags != RENAME_EXCHANGE)) {
    return EINVAL;
  }
  NodeRef old_dir = table_.Get(req.old_dir), new_dir = table_.Get(req.new_dir);
  if (old_dir == nullptr || new_dir == nullptr) return EBADF;
  if (old_dir->mount != new_dir->mount) return EXDEV;
  if (int e = WritableDir(req.old_dir, &old_dir)) return e;
  if (int e = WritableDir(req.new_dir, &new_dir)) return e;
  // The raw syscall: glibc turns renameat2(..., 0) into renameat, which the gofer's seccomp
  // allowlist does not have.
  if (::syscall(SYS_renameat2, old_dir->fd.get(), std::string(old_name).c_str(), new_dir->fd.get(),
                std::string(new_name).c_str(), req.flags) != 0) {
    return errno;
  }
  return 0;
}

}  // namespace sentry::gofer
