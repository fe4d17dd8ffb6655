// gofer::Server: serves a list of host directory trees (the sandbox's root and each --mount)
// over the gofer channel, one request at a time. Owned by the gofer process (GoferMain) or a
// test; all calls from one thread. Every message is hostile input: a bad one gets an error
// reply, never a crash.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/unique_fd.h"
#include "gofer/channel.h"
#include "gofer/handle_table.h"
#include "gofer/wire.h"

namespace sentry::gofer {

struct ServerOptions {
  bool read_only = true;                 // for the single-root constructor
  size_t max_handles = size_t{1} << 20;  // more live handles → ENFILE
  // Masked host files and directories, by identity (st_dev, st_ino): walking onto one is
  // EACCES, whatever name or hard link leads there (secrets such as /etc/shadow).
  std::vector<std::pair<uint64_t, uint64_t>> masked;
};

// One served tree: MOUNT's `index` is its position in the list.
struct ServedMount {
  UniqueFd root;  // a directory fd (O_PATH is enough), opened by trusted configuration
  bool read_only = true;
};

class Server {
 public:
  // `channel`: the SOCK_SEQPACKET socket to the client. Names are resolved only beneath
  // each mount's root, one component at a time.
  Server(UniqueFd channel, std::vector<ServedMount> mounts, ServerOptions opts = {});
  // One mount (index 0), read-only per opts.read_only.
  Server(UniqueFd channel, UniqueFd root, ServerOptions opts = {});

  // Answers requests until the client closes the channel (OK), or the channel fails.
  absl::Status Serve();
  // Receives and answers one message. False when the channel reached EOF.
  absl::StatusOr<bool> ServeOne();

  size_t handle_count() const { return table_.size(); }

 private:
  bool IsMasked(uint64_t dev, uint64_t ino) const {
    for (const auto& [d, i] : opts_.masked) {
      if (d == dev && i == ino) return true;
    }
    return false;
  }
  using NodeRef = std::shared_ptr<const Node>;

  // Builds the reply to `msg` in reply_ (and reply_fd_ for OPEN/CREATE).
  void HandleMessage(absl::Span<const char> msg, const Received& rx);
  int Dispatch(uint16_t op, wire::Reader& body, wire::Writer& out);

  // Op handlers: parse `body`, append the reply body to `out`; return an errno (0 = ok).
  // Reading (server.cc).
  int Mount(wire::Reader& body, wire::Writer& out);
  int Walk(wire::Reader& body, wire::Writer& out);
  int Open(wire::Reader& body, wire::Writer& out);
  int ReadDir(wire::Reader& body, wire::Writer& out);
  int ReadLink(wire::Reader& body, wire::Writer& out);
  int Stat(wire::Reader& body, wire::Writer& out);
  int Close(wire::Reader& body, wire::Writer& out);
  // Names (server_write.cc).
  int Create(wire::Reader& body, wire::Writer& out);
  int Mkdir(wire::Reader& body, wire::Writer& out);
  int Mknod(wire::Reader& body, wire::Writer& out);
  int Symlink(wire::Reader& body, wire::Writer& out);
  int Link(wire::Reader& body, wire::Writer& out);
  int Unlink(wire::Reader& body, wire::Writer& out);
  int Rename(wire::Reader& body, wire::Writer& out);
  // Attributes and data (server_attr.cc).
  int SetAttr(wire::Reader& body, wire::Writer& out);
  int StatFs(wire::Reader& body, wire::Writer& out);
  int Fsync(wire::Reader& body, wire::Writer& out);
  // Listings with attributes (server_readdir.cc).
  int ReadDirPlus(wire::Reader& body, wire::Writer& out);
  // Opens the directory `path` (names walked from `base`) for reading. 0 or an errno.
  int OpenListTarget(const Node& base, absl::Span<const std::string_view> path,
                     UniqueFd* out) const;
  // Appends the entries of the open directory `dir` from `offset` while they fit; fills `l`.
  int ListTarget(int dir, uint64_t offset, wire::Writer& out, wire::DirPlusListing* l) const;

  // Helpers (server.cc).
  bool read_only(const Node& n) const { return mounts_[n.mount].read_only; }
  // The directory handle `h` on a writable mount: EBADF, ENOTDIR, EROFS.
  int WritableDir(uint64_t h, NodeRef* out) const;
  // Opens `name` in `dir` as a new node (O_PATH, not followed). 0 or an errno.
  int OpenChild(const NodeRef& dir, std::string name, std::shared_ptr<Node>* out,
                struct stat* st) const;
  // OpenChild + a handle: appends the Step to `out`. 0 or an errno (ENFILE when full).
  int AddChild(const NodeRef& dir, std::string name, wire::Writer& out);
  // Best effort: gives a node just created (O_PATH fd) the asked-for owner.
  static void ApplyOwner(int fd, uint32_t uid, uint32_t gid);
  // For a node just created as `name` in `dir`: opens it, gives it the owner and (mode >= 0)
  // the permission bits asked for (the gofer's umask may have cut them), adds a handle and
  // appends its Step. With `expect`, the node must be that inode (else ESTALE). 0 or errno.
  int AddNew(const NodeRef& dir, std::string name, uint32_t uid, uint32_t gid, int mode,
             wire::Writer& out, const struct stat* expect = nullptr);

  UniqueFd channel_;
  std::vector<ServedMount> mounts_;
  ServerOptions opts_;
  HandleTable table_;
  std::vector<char> recv_buf_;
  std::string reply_;
  UniqueFd reply_fd_;
  std::vector<std::string_view> names_;  // READDIRPLUS's target names (into recv_buf_)
};

}  // namespace sentry::gofer
