// GoferInode: one node of a goferfs mount, holding a gofer handle, its cached attributes,
// the host fds donated for it, and (directories on writable mounts) its known children.
// Private to goferfs (goferfs.cc reads, goferfs_write.cc changes); sentry thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gofer/client.h"
#include "vfs/goferfs.h"
#include "vfs/inode.h"

namespace sentry::vfs {

// A directory listing fetched lazily from the gofer; shared by the open descriptions of
// one directory, replaced when the sandbox changes the directory.
struct GoferDirListing {
  std::vector<DirEntryInfo> entries;
  uint64_t next_cookie = 0;
  bool complete = false;
};

class GoferInode : public Inode {
 public:
  GoferInode(std::shared_ptr<GoferFs> fs, gofer::Handle handle, const gofer::Attr& attr);
  ~GoferInode() override;

  GoferFs* gfs() const { return static_cast<GoferFs*>(fs()); }
  gofer::Handle handle() const { return handle_; }
  bool writable() const { return !fs()->read_only(); }

  SysResult Stat(struct stat* out) override;
  InodePerm Perm() override;
  int LookupMany(const FsContext& ctx, std::span<const std::string_view> names,
                 std::vector<std::shared_ptr<Inode>>* out) override;
  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext& ctx, std::string_view name) override;
  ErrnoOr<std::string> ReadLink(const FsContext& ctx) override;
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx) override;

  // Changes (goferfs_write.cc); EROFS on a read-only mount.
  ErrnoOr<std::shared_ptr<Inode>> CreateChild(std::string_view name, const NewNode& node) override;
  int LinkChild(std::string_view name, const std::shared_ptr<Inode>& target) override;
  int RemoveChild(std::string_view name, bool dir) override;
  int RenameChild(std::string_view old_name, Inode* new_dir, std::string_view new_name,
                  unsigned flags) override;
  int SetAttr(const AttrChange& change) override;
  int Allocate(int mode, int64_t offset, int64_t len) override;

  // The donated host fd, shared by the open descriptions of this file that have the same
  // access: a read-only one, or (`write`) a read-write one.
  ErrnoOr<std::shared_ptr<UniqueFd>> HostFd(bool write);
  // Directories: the listing open descriptions share (a fresh one after a change).
  std::shared_ptr<GoferDirListing> Listing();
  // Entry `index` of `l`, fetching batches as needed: 1, 0 at the end, or -errno.
  int EntryAt(GoferDirListing* l, size_t index, DirEntryInfo* out);

  // The cached attributes no longer hold (the sandbox changed the node): re-read them on
  // the next Stat/Perm.
  void MarkStale() { stale_ = true; }

 private:
  // Brings attr_ up to date when it may be stale: fstat of a live host fd, else a STAT.
  void Refresh();
  // After a change in this directory: attributes and listing are re-read.
  void DirChanged();
  // Remembers `child` as this directory's `name` (writable mounts only).
  void NoteChild(std::string_view name, const std::shared_ptr<GoferInode>& child);
  std::shared_ptr<GoferInode> Child(std::string_view name);
  std::shared_ptr<GoferInode> NewInode(const gofer::WalkStep& step);
  // Keeps a donated read-write fd (CREATE's) for the next writable Open.
  void AdoptWriteFd(UniqueFd fd);

  const gofer::Handle handle_;
  gofer::Attr attr_;
  const dev_t dev_;
  bool stale_ = false;
  std::optional<std::string> link_;
  std::weak_ptr<UniqueFd> fd_;     // read-only
  std::weak_ptr<UniqueFd> rw_fd_;  // read-write (writable mounts)
  std::weak_ptr<GoferDirListing> listing_;
  absl::flat_hash_map<std::string, std::weak_ptr<GoferInode>> children_;
};

}  // namespace sentry::vfs
