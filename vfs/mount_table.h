// MountTable: the sandbox's mounts (one namespace for now) and their /proc text.
// Owned by Vfs (shared with procfs, which reads it); sentry thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vfs/dentry.h"

namespace sentry::vfs {

struct MountEntry {
  int id = 0;
  int parent_id = 0;
  std::string source;  // "none", "proc", ...
  std::shared_ptr<Filesystem> fs;
  std::shared_ptr<Dentry> root;        // the mounted filesystem's root dentry
  std::shared_ptr<Dentry> mountpoint;  // the dentry it covers (null for the root mount)
};

class MountTable {
 public:
  // Adds the root mount. Must be the first call.
  const MountEntry& AddRoot(std::shared_ptr<Filesystem> fs, std::string source);
  // Mounts `fs` on top of `mountpoint` (the top-most mount there).
  const MountEntry& Add(const std::shared_ptr<Dentry>& mountpoint, std::shared_ptr<Filesystem> fs,
                        std::string source);
  const std::vector<MountEntry>& entries() const { return entries_; }
  const std::shared_ptr<Dentry>& root() const { return entries_.front().root; }

  // /proc/mounts ("source target type options 0 0" lines).
  std::string DescribeMounts() const;
  // /proc/PID/mountinfo.
  std::string DescribeMountInfo() const;

  // Breaks the reference cycles (mounts, filesystem dentry rings). Called by ~Vfs.
  void Clear();

 private:
  int IdOf(const std::shared_ptr<Dentry>& d) const;
  std::vector<MountEntry> entries_;
  int next_id_ = 1;
};

// Escapes ' ', '\t', '\n' and '\\' as octal (Linux's mangle in /proc/mounts).
std::string MangleMountPath(const std::string& s);

}  // namespace sentry::vfs
