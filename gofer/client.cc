// Implementation of gofer::Client: builds requests, checks every reply (tag, op, sizes,
// names) and turns anything malformed into EIO. Owned by the sentry's VFS; one thread.
#include "gofer/client.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <iterator>
#include <string>
#include <utility>

#include "common/log.h"
#include "gofer/channel.h"
#include "gofer/protocol.h"
#include "gofer/wire.h"

namespace sentry::gofer {
namespace {

// Close requests allowed in flight before Close waits for their acks (keeps the socket
// buffers from filling up in both directions).
constexpr uint32_t kMaxPendingCloseAcks = 32;

bool ValidErrno(int32_t e) { return e > 0 && e < 4096; }

}  // namespace

Attr FromWire(const wire::Attr& a) {
  Attr r;
  r.mode = a.mode;
  r.nlink = a.nlink;
  r.uid = a.uid;
  r.gid = a.gid;
  r.ino = a.ino;
  r.dev = a.dev;
  r.rdev = a.rdev;
  r.size = a.size;
  r.blocks = a.blocks;
  r.blksize = a.blksize;
  r.atime_sec = a.atime_sec;
  r.mtime_sec = a.mtime_sec;
  r.ctime_sec = a.ctime_sec;
  r.atime_nsec = a.atime_nsec;
  r.mtime_nsec = a.mtime_nsec;
  r.ctime_nsec = a.ctime_nsec;
  return r;
}

Client::Client(UniqueFd channel) : channel_(std::move(channel)), recv_buf_(wire::kMaxMessage) {
  send_buf_.reserve(wire::kMaxMessage);
}

Client::~Client() {
  if (log::Enabled(log::Level::kDebug)) LOG_DEBUG("gofer round trips: {}", DescribeCalls());
}

std::string Client::DescribeCalls() const {
  static constexpr const char* kNames[] = {
      "?",      "mount", "walk",    "open",   "readdir", "readlink", "stat",
      "close",  "create", "mkdir",  "mknod",  "symlink", "link",     "unlink",
      "rename", "setattr", "statfs", "fsync", "readdirplus"};
  std::string out;
  for (uint16_t op = 1; op < kOpSlots; ++op) {
    if (calls_[op] == 0) continue;
    if (!out.empty()) out += ' ';
    out += op < std::size(kNames) ? kNames[op] : "op" + std::to_string(op);
    out += '=';
    out += std::to_string(calls_[op]);
  }
  return out.empty() ? "none" : out;
}

uint32_t Client::NextTag() {
  uint32_t tag = next_tag_++;
  if (tag == 0) tag = next_tag_++;  // 0 is reserved for replies to unparseable messages
  return tag;
}

int Client::Broken() {
  broken_ = true;
  return EIO;
}

int Client::Receive(uint16_t op, uint32_t tag, absl::Span<const char>* body,
                    std::vector<UniqueFd>* donated) {
  const uint16_t close_ack = wire::kClose | wire::kReplyBit;
  for (;;) {
    Received rx;
    if (RecvMessage(channel_.get(), absl::MakeSpan(recv_buf_), &rx) != 0 || rx.eof ||
        rx.truncated || rx.fds_truncated) {
      return Broken();
    }
    wire::Reader in(absl::MakeConstSpan(recv_buf_.data(), rx.size));
    wire::Header h;
    if (!in.Read(&h) || h.size != rx.size || h.flags != 0 ||
        (h.error != 0 && !ValidErrno(h.error))) {
      return Broken();
    }
    if (h.op == close_ack && op != wire::kClose && pending_close_acks_ > 0) {
      if (!rx.fds.empty() || !in.done()) return Broken();
      --pending_close_acks_;  // an earlier Close's ack; its errno does not matter
      continue;
    }
    if (h.op != (op | wire::kReplyBit) || (tag != 0 && h.tag != tag)) return Broken();
    if (h.error != 0) {
      if (!rx.fds.empty() || !in.done()) return Broken();
      return h.error;
    }
    if (donated != nullptr) {
      *donated = std::move(rx.fds);
    } else if (!rx.fds.empty()) {
      return Broken();
    }
    *body = absl::MakeConstSpan(recv_buf_.data() + sizeof(wire::Header),
                                rx.size - sizeof(wire::Header));
    return 0;
  }
}

int Client::Call(uint16_t op, uint32_t tag, absl::Span<const char>* body,
                 std::vector<UniqueFd>* donated) {
  if (broken_) return EIO;
  if (op < kOpSlots) ++calls_[op];
  if (SendMessage(channel_.get(), send_buf_) != 0) return Broken();
  return Receive(op, tag, body, donated);
}

ErrnoOr<WalkStep> Client::Mount(uint32_t index) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kMount, tag);
  w.Put(wire::MountReq{.index = index, .reserved = 0});
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kMount, tag, &body)) return ErrnoOr<WalkStep>::Errno(e);
  wire::Reader in(body);
  wire::Step step;
  if (!in.Read(&step) || !in.done() || step.handle == 0 || !S_ISDIR(step.attr.mode)) {
    return ErrnoOr<WalkStep>::Errno(Broken());
  }
  return WalkStep{.handle = step.handle, .attr = FromWire(step.attr)};
}

ErrnoOr<WalkResult> Client::WalkChunk(Handle dir, absl::Span<const std::string_view> names) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kWalk, tag);
  w.Put(wire::WalkReq{.dir = dir, .count = static_cast<uint32_t>(names.size()), .reserved = 0});
  for (std::string_view name : names) w.PutName(name);
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kWalk, tag, &body)) return ErrnoOr<WalkResult>::Errno(e);
  wire::Reader in(body);
  wire::WalkReply reply;
  if (!in.Read(&reply) || reply.count > names.size() ||
      in.remaining() != size_t{reply.count} * sizeof(wire::Step) ||
      (reply.error != 0 && !ValidErrno(reply.error))) {
    return ErrnoOr<WalkResult>::Errno(Broken());
  }
  WalkResult result;
  result.error = reply.error;
  result.steps.reserve(reply.count);
  for (uint32_t i = 0; i < reply.count; ++i) {
    wire::Step step;
    in.Read(&step);  // length checked above
    result.steps.push_back(WalkStep{.handle = step.handle, .attr = FromWire(step.attr)});
  }
  // Consistency: handles are never 0; a complete walk has no error; a short walk without
  // an error ends at a symlink.
  bool ok = true;
  for (const WalkStep& s : result.steps) ok = ok && s.handle != 0;
  const bool short_walk = reply.count < names.size();
  if (!short_walk && reply.error != 0) ok = false;
  if (short_walk && reply.error == 0 &&
      (result.steps.empty() || !S_ISLNK(result.steps.back().attr.mode))) {
    ok = false;
  }
  if (!ok) return ErrnoOr<WalkResult>::Errno(Broken());
  return result;
}

ErrnoOr<WalkResult> Client::Walk(Handle dir, absl::Span<const std::string_view> names) {
  for (std::string_view name : names) {
    if (int e = wire::CheckName(name)) return ErrnoOr<WalkResult>::Errno(e);
  }
  // Long walks are split into requests that fit in a message; each continues from the last
  // handle of the previous one.
  WalkResult total;
  size_t i = 0;
  while (i < names.size()) {
    size_t bytes = sizeof(wire::Header) + sizeof(wire::WalkReq);
    size_t n = 0;
    while (i + n < names.size() && n < wire::kMaxWalkNames &&
           bytes + sizeof(uint16_t) + names[i + n].size() <= wire::kMaxMessage) {
      bytes += sizeof(uint16_t) + names[i + n].size();
      ++n;
    }
    Handle from = total.steps.empty() ? dir : total.steps.back().handle;
    ErrnoOr<WalkResult> part = WalkChunk(from, names.subspan(i, n));
    if (!part.ok()) {
      if (total.steps.empty()) return part;
      std::vector<Handle> handles;
      for (const WalkStep& s : total.steps) handles.push_back(s.handle);
      Close(handles);
      return ErrnoOr<WalkResult>::Errno(part.error());
    }
    const bool complete = part->steps.size() == n && part->error == 0;
    total.error = part->error;
    for (WalkStep& s : part->steps) total.steps.push_back(s);
    if (!complete) break;
    if (!total.steps.empty() && S_ISLNK(total.steps.back().attr.mode)) break;
    i += n;
  }
  return total;
}

ErrnoOr<UniqueFd> Client::Open(Handle node, int flags) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kOpen, tag);
  w.Put(wire::OpenReq{.handle = node, .flags = static_cast<uint32_t>(flags), .reserved = 0});
  w.Finish();
  absl::Span<const char> body;
  std::vector<UniqueFd> fds;
  if (int e = Call(wire::kOpen, tag, &body, &fds)) return ErrnoOr<UniqueFd>::Errno(e);
  if (!body.empty() || fds.size() != 1) return ErrnoOr<UniqueFd>::Errno(Broken());
  return std::move(fds[0]);
}

ErrnoOr<std::vector<DirEntry>> Client::ReadDir(Handle dir, uint64_t offset, uint32_t max_entries) {
  using Result = ErrnoOr<std::vector<DirEntry>>;
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kReadDir, tag);
  w.Put(wire::ReadDirReq{.dir = dir, .offset = offset, .max_entries = max_entries, .reserved = 0});
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kReadDir, tag, &body)) return Result::Errno(e);
  wire::Reader in(body);
  wire::ReadDirReply reply;
  if (!in.Read(&reply) || reply.count > max_entries) return Result::Errno(Broken());
  std::vector<DirEntry> entries;
  entries.reserve(reply.count);
  for (uint32_t i = 0; i < reply.count; ++i) {
    wire::Dirent d;
    std::string_view name;
    if (!in.Read(&d) || !in.ReadBytes(d.name_len, &name) || wire::CheckName(name) != 0) {
      return Result::Errno(Broken());
    }
    entries.push_back(DirEntry{
        .name = std::string(name), .ino = d.ino, .type = d.type, .next_offset = d.next_offset});
  }
  if (!in.done()) return Result::Errno(Broken());
  return entries;
}

ErrnoOr<std::string> Client::ReadLink(Handle node) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kReadLink, tag);
  w.Put(wire::HandleReq{.handle = node});
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kReadLink, tag, &body)) return ErrnoOr<std::string>::Errno(e);
  wire::Reader in(body);
  wire::ReadLinkReply reply;
  std::string_view target;
  if (!in.Read(&reply) || reply.len > wire::kMaxSymlink || !in.ReadBytes(reply.len, &target) ||
      !in.done()) {
    return ErrnoOr<std::string>::Errno(Broken());
  }
  return std::string(target);
}

ErrnoOr<Attr> Client::Stat(Handle node) {
  const uint32_t tag = NextTag();
  wire::Writer w(&send_buf_);
  w.Begin(wire::kStat, tag);
  w.Put(wire::HandleReq{.handle = node});
  w.Finish();
  absl::Span<const char> body;
  if (int e = Call(wire::kStat, tag, &body)) return ErrnoOr<Attr>::Errno(e);
  wire::Reader in(body);
  wire::Attr attr;
  if (!in.Read(&attr) || !in.done()) return ErrnoOr<Attr>::Errno(Broken());
  return FromWire(attr);
}

void Client::Close(absl::Span<const Handle> handles) {
  // Acks are not awaited: the next call skips them (they arrive before its reply).
  while (!handles.empty() && !broken_) {
    const size_t n = std::min<size_t>(handles.size(), wire::kMaxCloseHandles);
    wire::Writer w(&send_buf_);
    w.Begin(wire::kClose, NextTag());
    w.Put(wire::CloseReq{.count = static_cast<uint32_t>(n), .reserved = 0});
    for (size_t i = 0; i < n; ++i) w.Put(static_cast<uint64_t>(handles[i]));
    w.Finish();
    if (SendMessage(channel_.get(), send_buf_) != 0) {
      Broken();
      return;
    }
    ++pending_close_acks_;
    ++calls_[wire::kClose];
    handles.remove_prefix(n);
  }
  while (pending_close_acks_ > kMaxPendingCloseAcks && !broken_) {
    absl::Span<const char> body;
    Receive(wire::kClose, /*tag=*/0, &body, nullptr);  // an ack's errno does not matter
    if (broken_) return;
    --pending_close_acks_;
  }
}

}  // namespace sentry::gofer
