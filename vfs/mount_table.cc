// Mount table.
// Ownership as described in vfs/mount_table.h; sentry thread only.
#include "vfs/mount_table.h"

#include <sys/sysmacros.h>

#include "absl/strings/str_format.h"
#include "vfs/path.h"

namespace sentry::vfs {

std::string MangleMountPath(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      out += absl::StrFormat("\\%03o", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

const MountEntry& MountTable::AddRoot(std::shared_ptr<Filesystem> fs, std::string source) {
  MountEntry e;
  e.id = next_id_++;
  e.parent_id = e.id;
  e.source = std::move(source);
  e.root = std::make_shared<Dentry>(fs->RootInode(), nullptr, "/");
  e.fs = std::move(fs);
  entries_.push_back(std::move(e));
  return entries_.back();
}

int MountTable::IdOf(const std::shared_ptr<Dentry>& d) const {
  // The mount whose filesystem holds `d`: the innermost mount root above it.
  std::shared_ptr<Dentry> cur = d;
  while (cur->parent() != nullptr) cur = cur->parent();
  for (const MountEntry& e : entries_) {
    if (e.root == cur) return e.id;
  }
  return 0;
}

const MountEntry& MountTable::Add(const std::shared_ptr<Dentry>& mountpoint,
                                  std::shared_ptr<Filesystem> fs, std::string source) {
  std::shared_ptr<Dentry> top = CrossMounts(mountpoint);
  MountEntry e;
  e.id = next_id_++;
  e.parent_id = IdOf(top);
  e.source = std::move(source);
  e.root = std::make_shared<Dentry>(fs->RootInode(), nullptr, top->name());
  e.fs = std::move(fs);
  e.mountpoint = top;
  top->Mount(e.root);
  entries_.push_back(std::move(e));
  return entries_.back();
}

std::string MountTable::DescribeMounts() const {
  std::string out;
  for (const MountEntry& e : entries_) {
    std::string opts = e.fs->read_only() ? "ro" : "rw";
    std::string extra = e.fs->MountOptions();
    if (!extra.empty()) opts += "," + extra;
    out += absl::StrFormat("%s %s %s %s 0 0\n", MangleMountPath(e.source),
                           MangleMountPath(AbsolutePath(e.root, nullptr)), e.fs->type(), opts);
  }
  return out;
}

std::string MountTable::DescribeMountInfo() const {
  std::string out;
  for (const MountEntry& e : entries_) {
    std::string ro = e.fs->read_only() ? "ro" : "rw";
    std::string super = ro;
    std::string extra = e.fs->MountOptions();
    if (!extra.empty()) super += "," + extra;
    dev_t dev = e.fs->dev();
    out += absl::StrFormat("%d %d %u:%u / %s %s,relatime - %s %s %s\n", e.id, e.parent_id,
                           major(dev), minor(dev), MangleMountPath(AbsolutePath(e.root, nullptr)),
                           ro, e.fs->type(), MangleMountPath(e.source), super);
  }
  return out;
}

void MountTable::Clear() {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->mountpoint != nullptr) it->mountpoint->Unmount();
    it->fs->DropCaches();
  }
  entries_.clear();
}

}  // namespace sentry::vfs
