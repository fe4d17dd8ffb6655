// gofer::Server's READDIRPLUS: lists several directories in one round trip, each entry with
// its attributes (and a symlink's target), without making handles. Gofer process; one thread.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
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

// Room a new target needs so that at least one entry of any size fits after its header.
constexpr size_t kTargetRoom = sizeof(wire::DirPlusListing) + sizeof(wire::DirentPlus) +
                               wire::kMaxName + wire::kMaxSymlink;

}  // namespace

int Server::OpenListTarget(const Node& base, absl::Span<const std::string_view> path,
                           UniqueFd* out) const {
  const int list_flags = O_RDONLY | O_DIRECTORY | O_NONBLOCK;
  if (path.empty()) {
    out->reset(::openat(base.fd.get(), ".", list_flags | O_NOFOLLOW | O_CLOEXEC));
    return out->valid() ? 0 : errno;
  }
  UniqueFd cur;
  for (size_t i = 0; i < path.size(); ++i) {
    const int dir = i == 0 ? base.fd.get() : cur.get();
    const bool last = i + 1 == path.size();
    UniqueFd next;
    // Every step is a directory: a symlink is ELOOP, anything else ENOTDIR.
    if (int e = host::OpenBeneath(dir, std::string(path[i]),
                                  last ? list_flags : (O_PATH | O_DIRECTORY), 0, &next)) {
      return e;
    }
    struct stat st;
    if (int e = host::StatFd(next.get(), &st)) return e;
    if (IsMasked(st.st_dev, st.st_ino)) return EACCES;
    if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    cur = std::move(next);
  }
  *out = std::move(cur);
  return 0;
}

int Server::ListTarget(int dir, uint64_t offset, Writer& out, wire::DirPlusListing* l) const {
  l->next_offset = offset;
  if (::lseek(dir, static_cast<off_t>(offset), SEEK_SET) < 0) return errno;
  alignas(dirent64) char buf[16 * 1024];
  char link[wire::kMaxSymlink + 1];
  for (;;) {
    ssize_t n = ::getdents64(dir, buf, sizeof(buf));
    if (n < 0) return l->count == 0 ? errno : 0;  // the next request reports the error
    if (n == 0) {
      l->flags |= wire::kDirPlusEnd;
      return 0;
    }
    for (ssize_t pos = 0; pos < n;) {
      const auto* d = reinterpret_cast<const dirent64*>(buf + pos);
      if (d->d_reclen == 0 || pos + d->d_reclen > n) return EIO;  // kernel bug; be safe
      pos += d->d_reclen;
      const size_t max_len = d->d_reclen - offsetof(dirent64, d_name);
      const size_t name_len = ::strnlen(d->d_name, max_len);
      if (name_len == max_len) continue;  // not terminated: cannot happen on Linux
      std::string_view name(d->d_name, name_len);
      if (name == "." || name == ".." || name.size() > wire::kMaxName) continue;
      wire::DirentPlus e{};
      e.ino = d->d_ino;
      e.type = d->d_type;
      e.name_len = static_cast<uint16_t>(name.size());
      struct stat st;
      size_t link_len = 0;
      if (::fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          !IsMasked(st.st_dev, st.st_ino)) {
        e.flags = wire::kDirentHasAttr;
        e.attr = host::ToWire(st);
        if (S_ISLNK(st.st_mode)) {
          ssize_t r = ::readlinkat(dir, d->d_name, link, sizeof(link));
          if (r > 0 && static_cast<size_t>(r) <= wire::kMaxSymlink) link_len = static_cast<size_t>(r);
        }
      }
      e.link_len = static_cast<uint16_t>(link_len);
      if (!out.fits(sizeof(e) + name.size() + link_len)) return 0;  // full: continue later
      out.Put(e);
      out.PutBytes(name);
      out.PutBytes(std::string_view(link, link_len));
      ++l->count;
      l->next_offset = static_cast<uint64_t>(d->d_off);
    }
  }
}

int Server::ReadDirPlus(Reader& body, Writer& out) {
  wire::ReadDirPlusReq req;
  if (!body.Read(&req) || req.reserved != 0 || req.count == 0 ||
      req.count > wire::kMaxDirPlusTargets) {
    return EINVAL;
  }
  // Everything is parsed and checked before anything is opened.
  struct Target {
    uint64_t offset;
    size_t first, depth;
  };
  Target targets[wire::kMaxDirPlusTargets];
  names_.clear();
  for (uint32_t i = 0; i < req.count; ++i) {
    wire::DirPlusTarget t;
    if (!body.Read(&t) || t.reserved0 != 0 || t.reserved1 != 0 || t.depth > wire::kMaxWalkNames) {
      return EINVAL;
    }
    targets[i] = Target{.offset = t.offset, .first = names_.size(), .depth = t.depth};
    for (uint16_t k = 0; k < t.depth; ++k) {
      std::string_view name;
      if (!body.ReadName(&name)) return EINVAL;
      if (int e = wire::CheckName(name)) return e;
      names_.push_back(name);
    }
  }
  if (!body.done()) return EINVAL;
  NodeRef base = table_.Get(req.dir);
  if (base == nullptr) return EBADF;
  if (!S_ISDIR(base->type)) return ENOTDIR;

  const size_t reply_at = out.size();
  out.Put(wire::ReadDirPlusReply{});
  wire::ReadDirPlusReply reply{};
  for (uint32_t i = 0; i < req.count; ++i) {
    if (i > 0 && !out.fits(kTargetRoom)) break;
    const Target& t = targets[i];
    const size_t listing_at = out.size();
    out.Put(wire::DirPlusListing{});
    wire::DirPlusListing l{};
    UniqueFd dir;
    int err = OpenListTarget(*base, absl::MakeConstSpan(names_).subspan(t.first, t.depth), &dir);
    if (err == 0) err = ListTarget(dir.get(), t.offset, out, &l);
    if (err != 0) {
      l = wire::DirPlusListing{};
      l.error = err;
      out.Truncate(listing_at + sizeof(l));
    }
    out.PutAt(listing_at, l);
    ++reply.count;
  }
  out.PutAt(reply_at, reply);
  return 0;
}

}  // namespace sentry::gofer
