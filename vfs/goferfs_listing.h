// GoferListing: a read-only goferfs directory's entries with their attributes (and symlink
// targets), fetched with READDIRPLUS, so that lookups, stats and readlinks of its names need
// no gofer round trip. Owned by the directory's GoferInode (or, prefetched, by the parent's
// entry until an inode adopts it); sentry thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "gofer/client.h"

namespace sentry::vfs {

class GoferInode;
struct GoferListing;

struct GoferEntry {
  std::string name;
  uint64_t dirent_ino = 0;  // d_ino as the host lists it
  uint8_t type = 0;         // DT_*
  bool has_attr = false;    // false: the gofer withheld the attributes (masked): walk
  gofer::Attr attr;
  std::string link;  // a symlink's target (empty: not sent)
  // This directory's listing, prefetched before any inode for it existed.
  std::shared_ptr<GoferListing> sub;
  std::weak_ptr<GoferInode> inode;  // the live inode made from this entry
};

struct GoferListing {
  // A deque: entries never move, so the index can point into them.
  std::deque<GoferEntry> entries;
  absl::flat_hash_map<absl::string_view, GoferEntry*> index;
  uint64_t next_cookie = 0;  // where the next page starts
  bool complete = false;     // every entry is here: a name not found does not exist
  bool prefetched = false;   // the subdirectories' listings were asked for
  bool from_prefetch = false;  // made by a prefetch, not yet opened (counts one hit)

  // The entry `name`, or null.
  GoferEntry* Find(std::string_view name) {
    auto it = index.find(absl::string_view(name.data(), name.size()));
    return it == index.end() ? nullptr : it->second;
  }
  // Appends a page the gofer sent (duplicate names are dropped) and moves the cookie.
  void Add(gofer::DirPlusListing&& page);
};

}  // namespace sentry::vfs
