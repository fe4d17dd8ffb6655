// HandleTable: the gofer server's map from wire handles to host nodes (O_PATH fds).
// Owned by gofer::Server; used only from the thread that runs Server::Serve.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/unique_fd.h"

namespace sentry::gofer {

// One host node the client holds a handle to. Immutable once inserted.
struct Node {
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases the parent chain iteratively: a chain as deep as the host tree must not
  // recurse once per level.
  ~Node();

  UniqueFd fd;  // O_PATH | O_NOFOLLOW: the node itself, never followed
  // The directory this node was walked from and its name there; used to reopen a
  // non-directory for I/O. Null/empty for a mount root. Keeps the parent's fd alive.
  // Mutable only so that ~Node can unlink the chain.
  mutable std::shared_ptr<const Node> parent;
  std::string name;
  mode_t type = 0;     // S_IFMT bits at walk time (an inode's type never changes)
  uint32_t mount = 0;  // index of the served mount this node was reached in
  dev_t dev = 0;
  ino_t ino = 0;
};

class HandleTable {
 public:
  explicit HandleTable(size_t max_handles) : max_(max_handles) {}

  // Returns the new handle (never 0, never reused), or 0 when the table is full.
  uint64_t Insert(std::shared_ptr<const Node> node);
  // Null if `handle` is unknown.
  std::shared_ptr<const Node> Get(uint64_t handle) const;
  // False if `handle` is unknown.
  bool Erase(uint64_t handle);

  size_t size() const { return nodes_.size(); }
  bool full() const { return nodes_.size() >= max_; }

 private:
  size_t max_;
  uint64_t next_ = 1;
  absl::flat_hash_map<uint64_t, std::shared_ptr<const Node>> nodes_;
};

}  // namespace sentry::gofer
