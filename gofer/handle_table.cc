// Implementation of the gofer server's handle table.
// Owned by gofer::Server; used only from the thread that runs Server::Serve.
#include "gofer/handle_table.h"

#include <utility>

namespace sentry::gofer {

Node::~Node() {
  std::shared_ptr<const Node> p = std::move(parent);
  // While we hold the last reference, detach the next link before dropping this one, so
  // each ~Node below finds its parent already null.
  while (p != nullptr && p.use_count() == 1) {
    std::shared_ptr<const Node> next = std::move(p->parent);
    p = std::move(next);
  }
}

uint64_t HandleTable::Insert(std::shared_ptr<const Node> node) {
  if (full() || next_ == 0) return 0;  // next_ == 0: 2^64 handles used (not in practice)
  uint64_t h = next_++;
  nodes_.emplace(h, std::move(node));
  return h;
}

std::shared_ptr<const Node> HandleTable::Get(uint64_t handle) const {
  auto it = nodes_.find(handle);
  return it == nodes_.end() ? nullptr : it->second;
}

bool HandleTable::Erase(uint64_t handle) { return nodes_.erase(handle) > 0; }

}  // namespace sentry::gofer
