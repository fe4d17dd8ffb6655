// Dentry: a name in the sandbox's tree (one per path position of a mount), with a cache of
// its children and the mount links that path resolution crosses.
// Owned by shared_ptr (a child keeps its parent alive; parents cache children weakly).
// Sentry thread only.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "vfs/inode.h"

namespace sentry::vfs {

class Dentry : public std::enable_shared_from_this<Dentry> {
 public:
  // `parent` is null for a filesystem's root. `name` is the component in the parent.
  Dentry(std::shared_ptr<Inode> inode, std::shared_ptr<Dentry> parent, std::string name);
  ~Dentry();
  Dentry(const Dentry&) = delete;
  Dentry& operator=(const Dentry&) = delete;

  const std::shared_ptr<Inode>& inode() const { return inode_; }
  Filesystem* fs() const { return inode_->fs(); }
  const std::shared_ptr<Dentry>& parent() const { return parent_; }
  const std::string& name() const { return name_; }
  bool IsDir() const { return inode_->IsDir(); }
  bool IsSymlink() const { return inode_->IsSymlink(); }

  // Mounts. mounted(): the root of the filesystem mounted on this dentry (null if none).
  // mountpoint(): for a mounted root, the dentry it covers (null otherwise).
  const std::shared_ptr<Dentry>& mounted() const { return mounted_; }
  std::shared_ptr<Dentry> mountpoint() const { return mountpoint_.lock(); }
  // Attaches `root` (a filesystem root) on top of this dentry.
  void Mount(const std::shared_ptr<Dentry>& root);
  void Unmount();

  // Child cache (used only when fs()->traits().cache_dentries).
  std::shared_ptr<Dentry> CachedChild(std::string_view name) const;
  void CacheChild(const std::shared_ptr<Dentry>& child);
  bool IsKnownMissing(std::string_view name) const;
  void AddKnownMissing(std::string_view name);
  // Forgets what is cached about `name`, the child or its absence (it was unlinked,
  // replaced or created).
  void ForgetChild(std::string_view name);
  // rename(2): this dentry now is `new_name` in `new_parent` (its old cache entry is dropped,
  // the new one replaces whatever was cached under that name).
  void MoveTo(const std::shared_ptr<Dentry>& new_parent, std::string new_name);

 private:
  std::shared_ptr<Inode> inode_;
  std::shared_ptr<Dentry> parent_;
  std::string name_;
  std::shared_ptr<Dentry> mounted_;
  std::weak_ptr<Dentry> mountpoint_;
  absl::flat_hash_map<std::string, std::weak_ptr<Dentry>> children_;
  absl::flat_hash_set<std::string> missing_;
};

// Follows mounts down from `d`: the top-most root mounted on it, or `d` itself.
std::shared_ptr<Dentry> CrossMounts(std::shared_ptr<Dentry> d);

}  // namespace sentry::vfs
