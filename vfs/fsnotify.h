// fsnotify: the VFS's hook points for inotify. Each hook is one branch on a global watch
// counter when nothing is watched (no allocation, no lookup); otherwise the event goes to the
// watches on the inode and, with the child's name, on its parent directory. Sentry thread only.
#pragma once

#include <sys/inotify.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/sys_result.h"

namespace sentry::vfs {

class Dentry;
class FileDescription;
class Inode;

namespace fsnotify {

// Live inotify watches in the whole sentry (every hook tests it first).
extern int g_watches;
inline bool Active() { return g_watches != 0; }

// ---- Slow paths (only called when Active()). ----
// An event about `d`'s inode: its own watches, and its parent's watches with d's name.
// `to_parent` false: the inode's own watches only (link count, DELETE_SELF, MOVE_SELF).
void InodeEvent(const Dentry& d, uint32_t mask, bool to_parent = true);
// A directory event naming a child (IN_CREATE, IN_DELETE, IN_MOVED_FROM/TO).
void NameEvent(const Dentry& dir, std::string_view name, uint32_t mask, uint32_t cookie = 0);
void FileEventSlow(const FileDescription& f, uint32_t mask);
void RemovedSlow(const Dentry& dir, std::string_view name, const std::shared_ptr<Inode>& victim,
                 bool is_dir);
void MovedSlow(const Dentry& old_dir, std::string_view old_name, const Dentry& new_dir,
               std::string_view new_name, const std::shared_ptr<Inode>& moved,
               const std::shared_ptr<Inode>& replaced, bool exchange);
// The inode is gone (last link removed): IN_DELETE_SELF, then its watches end (IN_IGNORED).
void InodeGone(const Inode* inode, bool is_dir);
// Unlinked watched inodes still open (their IN_DELETE_SELF waits for the last close).
size_t PendingGone();

// ---- Hooks. ----
// read/getdents (IN_ACCESS), write (IN_MODIFY), open (IN_OPEN), last close (IN_CLOSE_*) of
// a description with a dentry (not O_PATH).
inline void FileEvent(const FileDescription& f, uint32_t mask) {
  if (__builtin_expect(g_watches != 0, 0)) FileEventSlow(f, mask);
}
// Also the end of any description with a dentry (O_PATH too): the last one of an unlinked,
// watched inode frees it (IN_DELETE_SELF, IN_IGNORED), as Linux's final dput does.
inline void Closed(const FileDescription& f) {
  if (__builtin_expect(g_watches != 0, 0)) FileEventSlow(f, IN_CLOSE);  // WRITE or NOWRITE
}
inline ErrnoOr<std::shared_ptr<FileDescription>> Opened(
    ErrnoOr<std::shared_ptr<FileDescription>> r) {
  if (__builtin_expect(g_watches != 0, 0) && r.ok()) FileEventSlow(**r, IN_OPEN);
  return r;
}
// chmod/chown/utimes (IN_ATTRIB), truncate (IN_MODIFY), ... on the file at `d`.
inline void Changed(const Dentry& d, uint32_t mask) {
  if (__builtin_expect(g_watches != 0, 0)) InodeEvent(d, mask);
}
// mkdir/mknod/symlink/open(O_CREAT) made `name` in `dir`.
inline void Created(const Dentry& dir, std::string_view name, bool is_dir) {
  if (__builtin_expect(g_watches != 0, 0))
    NameEvent(dir, name, IN_CREATE | (is_dir ? IN_ISDIR : 0));
}
// link(2): `target` got a new name in `dir`.
inline void Linked(const Dentry& target, const Dentry& dir, std::string_view name) {
  if (__builtin_expect(g_watches != 0, 0)) {
    InodeEvent(target, IN_ATTRIB, false);
    NameEvent(dir, name, IN_CREATE);
  }
}
// unlink/rmdir removed `name` (the inode `victim`) from `dir`.
inline void Removed(const Dentry& dir, std::string_view name, const std::shared_ptr<Inode>& victim,
                    bool is_dir) {
  if (__builtin_expect(g_watches != 0, 0)) RemovedSlow(dir, name, victim, is_dir);
}
// rename(2): `moved` went from old_dir/old_name to new_dir/new_name, replacing `replaced`
// (null if nothing); `exchange`: RENAME_EXCHANGE (then `replaced` moved the other way).
inline void Moved(const Dentry& old_dir, std::string_view old_name, const Dentry& new_dir,
                  std::string_view new_name, const std::shared_ptr<Inode>& moved,
                  const std::shared_ptr<Inode>& replaced, bool exchange) {
  if (__builtin_expect(g_watches != 0, 0))
    MovedSlow(old_dir, old_name, new_dir, new_name, moved, replaced, exchange);
}

// A fresh rename cookie (never 0).
uint32_t NextCookie();

}  // namespace fsnotify
}  // namespace sentry::vfs
