// Socket base (see socket.h): naming, fstat, ioctl and read/write in terms of Send/Recv.
// Sentry thread only.
#include "netstack/socket.h"

#include <sys/ioctl.h>

#include <cstring>

#include "netstack/stack.h"

namespace sentry::netstack {

Socket::Socket(Stack* stack, int family, int type, int protocol, int flags, const Cred& creator)
    : vfs::FileDescription(nullptr, O_RDWR | (flags & O_NONBLOCK), ""),
      stack_(stack),
      family_(family),
      type_(type),
      protocol_(protocol),
      creator_(creator),
      ino_(stack->NextIno()),
      opts_(family, type) {
  if (family != AF_UNIX) inet_local_ = InetAddr::AnyFor(family);
}

Socket::~Socket() {
  if (!registered_) return;
  if (family_ == AF_UNIX) {
    stack_->unix_names().Unbind(this);
  } else {
    ports()->Unbind(this);
  }
}

PortTable* Socket::ports() const { return type_ == SOCK_STREAM ? &stack_->tcp() : &stack_->udp(); }

SysResult Socket::Bind(const SockAddr& addr, const Caller& who) {
  if (family_ == AF_UNIX) {
    ErrnoOr<UnixName> n = ParseUnix(addr);
    if (!n.ok()) return SysResult::Errno(n.error());
    if (bound_) return SysResult::Errno(EINVAL);
    UnixNames& names = stack_->unix_names();
    int err = 0;
    switch (n->kind) {
      case UnixName::Kind::kUnnamed:  // autobind
        n->kind = UnixName::Kind::kAbstract;
        n->set_name(names.FreeAutobindName());
        if (n->len == 0) return SysResult::Errno(ENOSPC);
        err = names.BindAbstract(type_, n->name(), this);
        break;
      case UnixName::Kind::kAbstract:
        err = names.BindAbstract(type_, n->name(), this);
        break;
      case UnixName::Kind::kPath:
        if (!who.path_key) return SysResult::Errno(EINVAL);
        err = names.BindPath(*who.path_key, this);
        break;
    }
    if (err) return SysResult::Errno(err);
    unix_local_ = n.take();
    bound_ = registered_ = true;
    return 0;
  }
  ErrnoOr<InetAddr> a = ParseInet(family_, addr);
  if (!a.ok()) return SysResult::Errno(a.error());
  if (bound_) return SysResult::Errno(EINVAL);
  if (family_ == AF_INET6 && a->IsV4() && opts_.v6only) return SysResult::Errno(EINVAL);
  if (!a->IsAny() && !a->IsLoopback()) return SysResult::Errno(EADDRNOTAVAIL);
  PortTable::Binding b;
  b.addr = *a;
  b.v6 = family_ == AF_INET6;
  b.v6only = opts_.v6only;
  b.reuse_addr = opts_.reuse_addr;
  b.reuse_port = opts_.reuse_port;
  b.owner = this;
  ErrnoOr<uint16_t> port = ports()->Bind(b);
  if (!port.ok()) return SysResult::Errno(port.error());
  inet_local_ = *a;
  inet_local_.port = *port;
  bound_ = registered_ = true;
  return 0;
}

SysResult Socket::AutoBindInet() {
  if (bound_) return 0;
  SockAddr any = InetSockAddr(family_, InetAddr::AnyFor(family_));
  return Bind(any, Caller{});
}

InetAddr Socket::SourceFor(const InetAddr& dst) const {
  InetAddr src = inet_local_;
  if (src.IsAny()) {
    InetAddr lo = InetAddr::LoopbackFor(dst.IsV4() ? AF_INET : AF_INET6);
    src.ip = lo.ip;
  }
  return src;
}

ErrnoOr<InetAddr> Socket::InetDestination(const SockAddr& addr) const {
  using R = ErrnoOr<InetAddr>;
  ErrnoOr<InetAddr> a = ParseInet(family_, addr);
  if (!a.ok()) return a;
  InetAddr dst = *a;
  if (family_ == AF_INET6 && dst.IsV4() && opts_.v6only) return R::Errno(ENETUNREACH);
  if (dst.IsAny()) {
    uint16_t port = dst.port;
    dst = InetAddr::LoopbackFor(dst.IsV4() ? AF_INET : AF_INET6);
    dst.port = port;
  }
  if (!dst.IsLoopback()) return R::Errno(ENETUNREACH);
  return dst;
}

SockAddr Socket::LocalName() const {
  if (family_ == AF_UNIX) return UnixSockAddr(bound_ ? unix_local_ : UnixName{});
  return InetSockAddr(family_, inet_local_);
}

ssize_t RecvHost(int fd, void* buf, size_t len, int flags) {
  iovec iov{buf, len};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  return ::recvmsg(fd, &m, flags);
}

ssize_t SendHost(int fd, const void* buf, size_t len, int flags) {
  iovec iov{const_cast<void*>(buf), len};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  return ::sendmsg(fd, &m, flags);
}

void Socket::TakeReturnedControl(Control* out, bool peek) {
  if (peek) {
    *out = returned_ctl_;
    return;
  }
  *out = std::move(returned_ctl_);
  returned_ctl_ = Control();
  has_returned_ctl_ = false;
}

SysResult Socket::Read(std::span<char> buf) {
  RecvResult r;
  return Recv(buf, 0, &r);
}

SysResult Socket::Write(std::span<const char> buf) {
  SendArgs a;
  a.data = buf;
  Caller who;
  who.cred = creator_;
  return Send(a, who);
}

SysResult Socket::Stat(struct stat* out) {
  memset(out, 0, sizeof(*out));
  out->st_dev = stack_->dev();
  out->st_ino = ino_;
  out->st_mode = S_IFSOCK | 0777;
  out->st_nlink = 1;
  out->st_uid = creator_.uid;
  out->st_gid = creator_.gid;
  out->st_blksize = 4096;
  return 0;
}

SysResult Socket::Ioctl(uint32_t cmd, void* arg) { return SysResult::Errno(ENOTTY); }

ErrnoOr<vfs::FileRef> Socket::Reopen(int) { return ErrnoOr<vfs::FileRef>::Errno(ENXIO); }

}  // namespace sentry::netstack
