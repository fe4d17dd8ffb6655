// goferfs: a tree the gofer serves (the root's lower layer, or a --mount). Read-only trees are
// listed with attributes (READDIRPLUS, prefetched breadth first) and answer lookups and stats
// from those listings; other names come from batched gofer walks. Writable trees cache
// attributes and listings and refresh them after every change the sandbox makes; file data
// is read and written with pread/pwrite straight on the host fds the gofer donates.
// Created by Vfs::Create; the gofer::Client must outlive the Vfs (when the Vfs is destroyed,
// goferfs detaches: objects still held elsewhere answer EIO). Sentry thread only.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gofer/client.h"
#include "vfs/inode.h"

namespace sentry::vfs {

class Fifo;
class GoferInode;

class GoferFs : public Filesystem {
 public:
  // Attaches to the root of the gofer's mount `index` (one MOUNT call). `read_only`: the
  // filesystem refuses changes with EROFS and caches missing names (the gofer refuses
  // changes to its read-only mounts in any case).
  static ErrnoOr<std::shared_ptr<GoferFs>> Create(gofer::Client* client, uint32_t index = 0,
                                                  bool read_only = true);
  ~GoferFs() override;

  std::shared_ptr<Inode> RootInode() override;
  void StatFs(struct statfs* out) override;
  // The host filesystem's use (read-only mounts too: the root overlay's lower layer).
  bool UsedSpace(uint64_t* bytes, uint64_t* inodes) override;
  void DropCaches() override;

  gofer::Client* client() const { return client_; }  // null once detached
  // The st_dev shown for a host device: this filesystem's own for the first one seen (the
  // root's), a fresh anonymous device for each other, so that st_ino stays unique per st_dev.
  dev_t MapDev(uint64_t host_dev);
  // Writable mounts: the live inode for a host node, so that the names of one file (hard
  // links, a name walked again) share one inode and its attributes. Null if none.
  std::shared_ptr<GoferInode> FindInode(uint64_t host_dev, uint64_t ino);
  void AddInode(uint64_t host_dev, uint64_t ino, const std::shared_ptr<GoferInode>& inode);
  void ForgetInode(uint64_t host_dev, uint64_t ino, const GoferInode* inode);
  // The rendezvous of the host FIFO (host_dev, ino): every inode made for that node (names
  // walked again, a read-only tree's re-made inodes) and every open of it share one, for as
  // long as an inode or an open description holds it.
  std::shared_ptr<Fifo> FifoFor(uint64_t host_dev, uint64_t ino);
  // Queues a handle for release; sent in batches.
  void ReleaseHandle(gofer::Handle h);
  void FlushReleases();
  size_t pending_releases() const { return pending_close_.size(); }
  // Keeps a donated host fd open for a while after its last description closes, so that
  // reopening a recently used file (ld.so.cache, libc, modules) costs no gofer round trip.
  // Bounded: at most kFdCacheSize host fds are kept this way.
  void KeepFd(std::shared_ptr<UniqueFd> fd);
  static constexpr size_t kFdCacheSize = 128;

  // Subdirectory listings a directory open may prefetch, adapted like readahead: it doubles
  // when an opened directory's listing was prefetched (a tree walk: find, tar, ls -R) and
  // halves when one had to be fetched on demand (a program opening a few directories, e.g.
  // Python's import path), between kMinPrefetch and kMaxPrefetch.
  size_t prefetch_window() const { return prefetch_window_; }
  void PrefetchHit() { prefetch_window_ = std::min(prefetch_window_ * 2, kMaxPrefetch); }
  void PrefetchMiss() { prefetch_window_ = std::max(prefetch_window_ / 2, kMinPrefetch); }
  static constexpr size_t kMinPrefetch = 4;
  static constexpr size_t kMaxPrefetch = 256;

 private:
  GoferFs(gofer::Client* client, bool read_only);
  static constexpr size_t kReleaseBatch = 128;

  gofer::Client* client_;
  std::shared_ptr<GoferInode> root_;
  absl::flat_hash_map<uint64_t, dev_t> devs_;
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, std::weak_ptr<GoferInode>> inodes_;
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, std::weak_ptr<Fifo>> fifos_;
  std::vector<gofer::Handle> pending_close_;
  std::vector<std::shared_ptr<UniqueFd>> fd_cache_;
  size_t fd_cache_next_ = 0;
  size_t prefetch_window_ = kMinPrefetch;
};

}  // namespace sentry::vfs
