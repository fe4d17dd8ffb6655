// Dentry cache and mount links. Sentry thread only.
#include "vfs/dentry.h"

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

std::shared_ptr<Dentry> CrossMounts(std::shared_ptr<Dentry> d) {
  while (d != nullptr && d->mounted() != nullptr) d = d->mounted();
  return d;
}

}  // namespace sentry::vfs
