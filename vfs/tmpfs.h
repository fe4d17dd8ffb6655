// tmpfs: an in-memory writable filesystem with a size limit per mount; file data in TmpfsData
// (heap, or a memfd the guest can mmap). Made by the sentry at start-up (/tmp, /dev/shm,
// --tmpfs); owned by shared_ptr (mount table, inodes); sentry thread only.
#pragma once

#include <cstdint>
#include <memory>

#include "vfs/inode.h"

namespace sentry::vfs {

struct TmpfsOptions {
  uint64_t size_bytes = 64ull << 20;  // the data limit (ENOSPC past it); rounded up to pages
  uint64_t max_inodes = 0;            // 0: one inode per 4 KiB of size, at least 4096
  uint32_t root_mode = 01777;         // permission bits of the root directory
  uint32_t root_uid = 0, root_gid = 0;
};

// A new, empty tmpfs.
std::shared_ptr<Filesystem> MakeTmpfs(const TmpfsOptions& opts);

}  // namespace sentry::vfs
