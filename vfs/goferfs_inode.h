// GoferInode: one node of a goferfs mount, holding a gofer handle (on a read-only mount only
// once one is needed), its cached attributes, the host fds donated for it, and its children:
// a READDIRPLUS listing (read-only mounts) or the children known so far (writable ones).
// Private to goferfs (goferfs.cc reads, goferfs_write.cc changes); sentry thread only.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gofer/client.h"
#include "vfs/goferfs.h"
#include "vfs/goferfs_listing.h"
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
  // `handle` may be 0 on a read-only mount (an inode made from a listing): EnsureHandle walks
  // to the node from `parent` when a handle is needed.
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
  int Sync(bool datasync) override;

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

  // ---- Read-only mounts (goferfs_listing.cc). ----
  // Gives a handle-less inode a handle: one WALK from the nearest ancestor that has one (the
  // nodes on the way get theirs too). ESTALE when the host tree changed meanwhile.
  int EnsureHandle();
  // Walks `more` (names below this directory) in one WALK, starting at the nearest node with
  // a handle (this one's handle, and its ancestors', are set on the way). *beyond gets the
  // steps past this node and the walk's errno. 0, or an errno when this node was not reached.
  int WalkHere(std::span<const std::string_view> more, gofer::WalkResult* beyond);
  // This directory's listing (made empty when none yet).
  std::shared_ptr<GoferListing> PlusListing();
  // Fetches the next page of `l` (this directory's listing); when the listing is complete,
  // prefetches the listings of the subdirectories. 0 or an errno.
  int FetchPage(GoferListing* l);
  // Asks for the listings of the subdirectories below this one (breadth first, up to four
  // levels, 64 directories per round trip, a few round trips) not listed yet. Best effort.
  void Prefetch();

 private:
  // Brings attr_ up to date when it may be stale: fstat of a live host fd, else a STAT.
  void Refresh();
  // After a change in this directory: attributes and listing are re-read.
  void DirChanged();
  // Remembers `child` as this directory's `name` (writable mounts only).
  void NoteChild(std::string_view name, const std::shared_ptr<GoferInode>& child);
  std::shared_ptr<GoferInode> Child(std::string_view name);
  std::shared_ptr<GoferInode> NewInode(const gofer::WalkStep& step, std::string_view name);
  // Read-only mounts: the inode for a listed entry of this directory (the live one if any).
  std::shared_ptr<GoferInode> FromEntry(GoferEntry* e);
  // The nearest ancestor (or this) with a handle and the names leading from it here (views
  // into the inodes' names). Null (and *err) when a handle cannot be had.
  GoferInode* HandleBase(std::vector<std::string_view>* path, int* err);
  // One prefetch request; false when there was nothing (more) to ask for.
  bool PrefetchRound(size_t* budget);
  // Keeps a donated read-write fd (CREATE's) for the next writable Open.
  void AdoptWriteFd(UniqueFd fd);

  gofer::Handle handle_;  // 0: not walked yet (read-only mounts)
  gofer::Attr attr_;
  const dev_t dev_;
  bool stale_ = false;
  std::optional<std::string> link_;
  std::weak_ptr<UniqueFd> fd_;     // read-only
  std::weak_ptr<UniqueFd> rw_fd_;  // read-write (writable mounts)
  std::weak_ptr<GoferDirListing> listing_;
  absl::flat_hash_map<std::string, std::weak_ptr<GoferInode>> children_;
  // Read-only mounts: where this node was found (to walk to it again), and its listing.
  std::shared_ptr<GoferInode> parent_;
  std::string name_;
  std::shared_ptr<GoferListing> plus_;
  std::shared_ptr<Fifo> fifo_;  // FIFOs: the node's rendezvous, from the first open on
};

}  // namespace sentry::vfs
