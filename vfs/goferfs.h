// goferfs: the filesystem the gofer serves (read-only for now). Dentries come from batched
// gofer walks; attributes, symlink targets and listings are cached (the tree is read-only);
// regular files are read with pread on the host fd the gofer donates.
// Created by Vfs::Create; the gofer::Client must outlive the Vfs (when the Vfs is destroyed,
// goferfs detaches: objects still held elsewhere answer EIO). Sentry thread only.
#pragma once

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gofer/client.h"
#include "vfs/inode.h"

namespace sentry::vfs {

class GoferInode;

class GoferFs : public Filesystem {
 public:
  // Attaches to the gofer's root (one MOUNT call).
  static ErrnoOr<std::shared_ptr<GoferFs>> Create(gofer::Client* client);
  ~GoferFs() override;

  std::shared_ptr<Inode> RootInode() override;
  void StatFs(struct statfs* out) override;
  void DropCaches() override;

  gofer::Client* client() const { return client_; }  // null once detached
  // The st_dev shown for a host device: this filesystem's own for the first one seen (the
  // root's), a fresh anonymous device for each other, so that st_ino stays unique per st_dev.
  dev_t MapDev(uint64_t host_dev);
  // Queues a handle for release; sent in batches.
  void ReleaseHandle(gofer::Handle h);
  void FlushReleases();
  size_t pending_releases() const { return pending_close_.size(); }
  // Keeps a donated host fd open for a while after its last description closes, so that
  // reopening a recently used file (ld.so.cache, libc, modules) costs no gofer round trip.
  // Bounded: at most kFdCacheSize host fds are kept this way.
  void KeepFd(std::shared_ptr<UniqueFd> fd);
  static constexpr size_t kFdCacheSize = 128;

 private:
  explicit GoferFs(gofer::Client* client);
  static constexpr size_t kReleaseBatch = 128;

  gofer::Client* client_;
  std::shared_ptr<GoferInode> root_;
  absl::flat_hash_map<uint64_t, dev_t> devs_;
  std::vector<gofer::Handle> pending_close_;
  std::vector<std::shared_ptr<UniqueFd>> fd_cache_;
  size_t fd_cache_next_ = 0;
};

}  // namespace sentry::vfs
