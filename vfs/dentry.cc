// Dentry cache and mount links.
// Ownership as described in vfs/dentry.h; sentry thread only.
#include "vfs/dentry.h"

#include <vector>

namespace sentry::vfs {
namespace {
constexpr size_t kMaxMissingPerDir = 1024;
// Debian's Abseil has its own string_view: heterogeneous lookups need that type.
absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace

Dentry::Dentry(std::shared_ptr<Inode> inode, std::shared_ptr<Dentry> parent, std::string name)
    : inode_(std::move(inode)), parent_(std::move(parent)), name_(std::move(name)) {}

Dentry::~Dentry() {
  if (parent_ == nullptr) return;
  auto it = parent_->children_.find(name_);
  if (it != parent_->children_.end() && it->second.expired()) parent_->children_.erase(it);
  // Release the parent chain iteratively: a deep chain dying at once must not recurse once
  // per level (handlers run on small fiber stacks).
  static thread_local std::vector<std::shared_ptr<Dentry>> pending;
  static thread_local bool releasing = false;
  pending.push_back(std::move(parent_));
  if (releasing) return;
  releasing = true;
  while (!pending.empty()) {
    std::shared_ptr<Dentry> p = std::move(pending.back());
    pending.pop_back();
    p.reset();  // may run ~Dentry, which only queues its own parent
  }
  releasing = false;
}

void Dentry::Mount(const std::shared_ptr<Dentry>& root) {
  mounted_ = root;
  root->mountpoint_ = weak_from_this();
}

void Dentry::Unmount() {
  if (mounted_ != nullptr) mounted_->mountpoint_.reset();
  mounted_.reset();
}

std::shared_ptr<Dentry> Dentry::CachedChild(std::string_view name) const {
  auto it = children_.find(Key(name));
  if (it == children_.end()) return nullptr;
  return it->second.lock();
}

void Dentry::CacheChild(const std::shared_ptr<Dentry>& child) {
  children_[child->name()] = child;
  missing_.erase(child->name());
}

bool Dentry::IsKnownMissing(std::string_view name) const { return missing_.contains(Key(name)); }

void Dentry::AddKnownMissing(std::string_view name) {
  if (missing_.size() >= kMaxMissingPerDir) missing_.clear();
  missing_.emplace(std::string(name));
}

void Dentry::ForgetChild(std::string_view name) {
  auto it = children_.find(Key(name));
  if (it != children_.end()) children_.erase(it);
  auto m = missing_.find(Key(name));
  if (m != missing_.end()) missing_.erase(m);
}

void Dentry::MoveTo(const std::shared_ptr<Dentry>& new_parent, std::string new_name) {
  if (parent_ != nullptr) {
    auto it = parent_->children_.find(name_);
    // Only our own entry: an exchange may already have put the other dentry there.
    if (it != parent_->children_.end() &&
        (it->second.expired() || it->second.lock().get() == this)) {
      parent_->children_.erase(it);
    }
  }
  parent_ = new_parent;
  name_ = std::move(new_name);
  if (parent_ != nullptr) parent_->CacheChild(shared_from_this());
}

std::shared_ptr<Dentry> CrossMounts(std::shared_ptr<Dentry> d) {
  while (d != nullptr && d->mounted() != nullptr) d = d->mounted();
  return d;
}

}  // namespace sentry::vfs
