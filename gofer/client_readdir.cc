// gofer::Client::ReadDirPlus: several directory listings with attributes in one round trip.
// Every count and length of the reply is checked; anything malformed is EIO. Sentry thread.
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>

#include "gofer/client.h"
#include "gofer/protocol.h"
#include "gofer/wire.h"

namespace sentry::gofer {

ErrnoOr<std::vector<DirPlusListing>> Client::ReadDirPlus(Handle dir,
                                                         absl::Span<const DirPlusTarget> targets) {
  using Result = ErrnoOr<std::vector<DirPlusListing>>;
  if (targets.empty() || targets.size() > wire::kMaxDirPlusTargets) return Result::Errno(EINVAL);
  size_t bytes = sizeof(wire::Header) + sizeof(wire::ReadDirPlusReq);
  for (const DirPlusTarget& t : targets) {
    if (t.path.size() > wire::kMaxWalkNames) return Result::Errno(EINVAL);
    bytes += sizeof(wire::DirPlusTarget);
    for (std::string_view name : t.path) {
      if (int e = wire::CheckName(name)) return Result::Errno(e);
      bytes += sizeof(uint16_t) + name.size();
    }
  }
  if (bytes > wire::kMaxMessage) return Result::Errno(E2BIG);
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kReadDirPlus, tag);
  w.Put(wire::ReadDirPlusReq{
      .dir = dir, .count = static_cast<uint32_t>(targets.size()), .reserved = 0});
  for (const DirPlusTarget& t : targets) {
    w.Put(wire::DirPlusTarget{.offset = t.offset,
                              .depth = static_cast<uint16_t>(t.path.size()),
                              .reserved0 = 0,
                              .reserved1 = 0});
    for (std::string_view name : t.path) w.PutName(name);
  }
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kReadDirPlus, tag, &body)) return Result::Errno(e);

  wire::Reader in(body);
  wire::ReadDirPlusReply reply;
  if (!in.Read(&reply) || reply.reserved != 0 || reply.count == 0 ||
      reply.count > targets.size()) {
    return Result::Errno(Broken());
  }
  std::vector<DirPlusListing> out(reply.count);
  for (DirPlusListing& l : out) {
    wire::DirPlusListing h;
    if (!in.Read(&h) || h.reserved != 0 || (h.flags & ~wire::kDirPlusEnd) != 0 ||
        (h.error != 0 && (h.error < 0 || h.error >= 4096 || h.count != 0 || h.flags != 0))) {
      return Result::Errno(Broken());
    }
    // Each entry takes at least a DirentPlus and one name byte: a count cannot exceed that.
    if (h.count > in.remaining() / (sizeof(wire::DirentPlus) + 1)) return Result::Errno(Broken());
    l.error = h.error;
    l.end = (h.flags & wire::kDirPlusEnd) != 0;
    l.next_offset = h.next_offset;
    l.entries.resize(h.count);
    for (DirPlusEntry& e : l.entries) {
      wire::DirentPlus d;
      std::string_view name, link;
      if (!in.Read(&d) || d.reserved != 0 || (d.flags & ~wire::kDirentHasAttr) != 0 ||
          d.link_len > wire::kMaxSymlink || !in.ReadBytes(d.name_len, &name) ||
          wire::CheckName(name) != 0 || !in.ReadBytes(d.link_len, &link)) {
        return Result::Errno(Broken());
      }
      e.has_attr = (d.flags & wire::kDirentHasAttr) != 0;
      // A target comes only with the attributes of a symlink.
      if (!link.empty() && (!e.has_attr || !S_ISLNK(d.attr.mode))) return Result::Errno(Broken());
      e.name = std::string(name);
      e.ino = d.ino;
      e.type = d.type;
      if (e.has_attr) e.attr = FromWire(d.attr);
      e.link = std::string(link);
    }
  }
  if (!in.done()) return Result::Errno(Broken());
  return out;
}

}  // namespace sentry::gofer
