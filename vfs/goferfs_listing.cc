// Read-only goferfs: listings with attributes (READDIRPLUS), inodes made from them without
// a handle, handles walked on demand, and the prefetch of subdirectory listings.
// Ownership as described in vfs/goferfs_listing.h; sentry thread only.
#include "vfs/goferfs_listing.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "gofer/protocol.h"
#include "vfs/goferfs_inode.h"

namespace sentry::vfs {
namespace {

// Prefetch bounds: subdirectory listings asked for in one request, entries scanned to find
// them, and request bytes (the names of the paths).
constexpr size_t kMaxScan = 4096;
constexpr size_t kMaxDepth = 4;
constexpr int kPrefetchRounds = 4;
constexpr size_t kMaxRequestBytes = 48 * 1024;

}  // namespace

void GoferListing::Add(gofer::DirPlusListing&& page) {
  for (gofer::DirPlusEntry& e : page.entries) {
    GoferEntry& g = entries.emplace_back();
    g.name = std::move(e.name);
    g.dirent_ino = e.ino;
    g.type = e.type;
    g.has_attr = e.has_attr;
    g.attr = e.attr;
    g.link = std::move(e.link);
    if (!index.emplace(absl::string_view(g.name), &g).second) entries.pop_back();  // duplicate
  }
  next_cookie = page.next_offset;
  if (page.end) complete = true;
}

std::shared_ptr<GoferInode> GoferInode::FromEntry(GoferEntry* e) {
  if (std::shared_ptr<GoferInode> live = e->inode.lock()) return live;
  auto inode = std::make_shared<GoferInode>(std::static_pointer_cast<GoferFs>(fs_ref()),
                                            /*handle=*/0, e->attr);
  inode->parent_ = std::static_pointer_cast<GoferInode>(shared_from_this());
  inode->name_ = e->name;
  if (inode->IsSymlink() && !e->link.empty()) inode->link_ = e->link;
  if (inode->IsDir() && e->sub != nullptr) inode->plus_ = std::move(e->sub);
  e->inode = inode;
  return inode;
}

int GoferInode::EnsureHandle() {
  if (handle_ != 0) return 0;
  gofer::WalkResult none;
  return WalkHere({}, &none);
}

int GoferInode::WalkHere(std::span<const std::string_view> more, gofer::WalkResult* beyond) {
  beyond->steps.clear();
  beyond->error = 0;
  gofer::Client* client = gfs()->client();
  if (client == nullptr) return EIO;
  std::vector<GoferInode*> chain;  // this, then ancestors without a handle
  GoferInode* base = this;
  while (base->handle_ == 0) {
    if (base->parent_ == nullptr) return EIO;
    chain.push_back(base);
    base = base->parent_.get();
  }
  std::reverse(chain.begin(), chain.end());
  std::vector<std::string_view> names;
  names.reserve(chain.size() + more.size());
  for (GoferInode* i : chain) names.push_back(i->name_);
  names.insert(names.end(), more.begin(), more.end());
  if (names.empty()) return 0;
  gfs()->FlushReleases();
  ErrnoOr<gofer::WalkResult> r = client->Walk(base->handle_, names);
  if (!r.ok()) return r.error();
  int err = 0;
  if (r->steps.size() < chain.size()) err = r->error != 0 ? r->error : ESTALE;
  for (size_t i = 0; i < r->steps.size(); ++i) {
    const gofer::WalkStep& s = r->steps[i];
    if (i >= chain.size() && err == 0) {
      beyond->steps.push_back(s);
      continue;
    }
    GoferInode* node = i < chain.size() ? chain[i] : nullptr;
    // The host tree changed under a read-only mount: the node we listed is not there.
    const bool same = node != nullptr && s.attr.ino == node->attr_.ino &&
                      s.attr.dev == node->attr_.dev &&
                      (s.attr.mode & S_IFMT) == (node->attr_.mode & S_IFMT);
    if (same && err == 0 && node->handle_ == 0) {
      node->handle_ = s.handle;
    } else {
      if (!same && err == 0) err = ESTALE;
      gfs()->ReleaseHandle(s.handle);
    }
  }
  if (err != 0) {
    for (const gofer::WalkStep& s : beyond->steps) gfs()->ReleaseHandle(s.handle);
    beyond->steps.clear();
    return err;
  }
  beyond->error = r->error;
  return 0;
}

GoferInode* GoferInode::HandleBase(std::vector<std::string_view>* path, int* err) {
  path->clear();
  GoferInode* base = this;
  while (base->handle_ == 0 && base->parent_ != nullptr && path->size() < 64) {
    path->push_back(base->name_);
    base = base->parent_.get();
  }
  if (base->handle_ == 0) {  // deeper than 64 levels without a handle: walk here first
    path->clear();
    if ((*err = EnsureHandle()) != 0) return nullptr;
    return this;
  }
  std::reverse(path->begin(), path->end());
  return base;
}

std::shared_ptr<GoferListing> GoferInode::PlusListing() {
  if (plus_ == nullptr) plus_ = std::make_shared<GoferListing>();
  return plus_;
}

int GoferInode::FetchPage(GoferListing* l) {
  if (l->complete) return 0;
  gofer::Client* client = gfs()->client();
  if (client == nullptr) return EIO;
  std::vector<std::string_view> path;
  int err = 0;
  GoferInode* base = HandleBase(&path, &err);
  if (base == nullptr) return err;
  gofer::DirPlusTarget t{.path = path, .offset = l->next_cookie};
  gfs()->FlushReleases();
  ErrnoOr<std::vector<gofer::DirPlusListing>> r =
      client->ReadDirPlus(base->handle(), absl::MakeConstSpan(&t, 1));
  if (!r.ok()) return r.error();
  gofer::DirPlusListing& page = r->front();
  if (page.error != 0) return page.error;
  if (page.entries.empty() && !page.end) return EIO;  // no progress
  l->Add(std::move(page));
  if (l->complete && l == plus_.get()) {
    gfs()->PrefetchMiss();  // this directory's own listing had to be fetched on demand
    Prefetch();
  }
  return 0;
}

void GoferInode::Prefetch() {
  // Each round lists the next generation of subdirectories (up to 64 of them), within the
  // file system's adaptive window.
  size_t budget = gfs()->prefetch_window();
  for (int round = 0; round < kPrefetchRounds && budget > 0; ++round) {
    if (!PrefetchRound(&budget)) return;
  }
}

bool GoferInode::PrefetchRound(size_t* budget) {
  GoferListing* top = plus_.get();
  if (top == nullptr || !top->complete || top->prefetched) return false;
  gofer::Client* client = gfs()->client();
  if (client == nullptr) return false;
  std::vector<std::string_view> base_path;
  int err = 0;
  GoferInode* base = HandleBase(&base_path, &err);
  if (base == nullptr) return false;

  // Where each listing asked for goes: a live inode's listing, or the entry's `sub`.
  struct Slot {
    GoferEntry* entry;
    std::vector<std::string_view> path;
  };
  std::vector<Slot> slots;
  slots.reserve(gofer::wire::kMaxDirPlusTargets);
  size_t bytes = 0, scanned = 0;
  bool truncated = false;
  // A listing known for `e` (a subdirectory), or null.
  auto known = [](GoferEntry& e) -> GoferListing* {
    if (e.sub != nullptr) return e.sub.get();
    if (std::shared_ptr<GoferInode> i = e.inode.lock()) return i->plus_.get();
    return nullptr;
  };
  auto is_dir = [](const GoferEntry& e) { return e.has_attr && S_ISDIR(e.attr.mode); };
  // Adds a target unless the request would grow too large (deep paths: ask for fewer).
  auto add = [&](GoferEntry* e, std::vector<std::string_view> p) {
    size_t b = sizeof(gofer::wire::DirPlusTarget);
    for (std::string_view n : p) b += sizeof(uint16_t) + n.size();
    if (bytes + b > kMaxRequestBytes) {
      truncated = true;
      return false;
    }
    bytes += b;
    slots.push_back(Slot{e, std::move(p)});
    return true;
  };
  // Breadth first below this directory: unlisted subdirectories become targets; listed
  // ones are searched in turn, down to kMaxDepth levels.
  struct Level {
    GoferListing* listing;
    std::vector<std::string_view> path;  // from `base`
  };
  std::vector<Level> queue;
  queue.push_back(Level{top, base_path});
  for (size_t q = 0; q < queue.size() && !truncated; ++q) {
    GoferListing* l = queue[q].listing;
    const size_t depth = queue[q].path.size() - base_path.size();
    for (GoferEntry& e : l->entries) {
      if (++scanned > kMaxScan || slots.size() >= gofer::wire::kMaxDirPlusTargets ||
          slots.size() >= *budget) {
        truncated = true;
        break;
      }
      if (!is_dir(e)) continue;
      std::vector<std::string_view> p = queue[q].path;
      p.push_back(e.name);
      GoferListing* sub = known(e);
      if (sub == nullptr) {
        if (!add(&e, std::move(p))) break;
      } else if (sub->complete && depth + 1 < kMaxDepth) {
        queue.push_back(Level{sub, std::move(p)});
      }
    }
  }
  if (slots.empty()) {
    top->prefetched = !truncated;
    return false;
  }
  *budget -= slots.size();
  std::vector<gofer::DirPlusTarget> targets;
  targets.reserve(slots.size());
  for (const Slot& s : slots) targets.push_back(gofer::DirPlusTarget{.path = s.path, .offset = 0});
  gfs()->FlushReleases();
  ErrnoOr<std::vector<gofer::DirPlusListing>> r = client->ReadDirPlus(base->handle(), targets);
  if (!r.ok()) return false;
  for (size_t i = 0; i < r->size(); ++i) {
    gofer::DirPlusListing& page = (*r)[i];
    // An error (an unreadable or masked directory) leaves an empty, incomplete listing: it
    // is not asked for again, its lookups walk, and reading it asks the gofer (the errno).
    auto listing = std::make_shared<GoferListing>();
    listing->from_prefetch = true;
    if (page.error == 0 && (!page.entries.empty() || page.end)) listing->Add(std::move(page));
    GoferEntry* e = slots[i].entry;
    if (std::shared_ptr<GoferInode> live = e->inode.lock()) {
      if (live->plus_ == nullptr) live->plus_ = std::move(listing);
    } else {
      e->sub = std::move(listing);
    }
  }
  return true;
}

}  // namespace sentry::vfs
