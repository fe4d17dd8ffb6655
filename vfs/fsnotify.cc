// fsnotify slow paths: route VFS events to the inotify watches on the inode and on its
// parent directory, as Linux's fsnotify()/fsnotify_parent() do. Sentry thread only.
#include "vfs/fsnotify.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <vector>

#include "vfs/dentry.h"
#include "vfs/file_description.h"
#include "vfs/inotify.h"

namespace sentry::vfs::fsnotify {

int g_watches = 0;

namespace {
uint32_t DirBit(const Inode* inode) { return inode->IsDir() ? IN_ISDIR : 0; }

uint32_t LinkCount(Inode* inode) {
  struct stat st;
  if (!inode->Stat(&st).ok()) return 1;
  return static_cast<uint32_t>(st.st_nlink);
}

// Watched inodes whose last name went while descriptions still had them open: Linux frees
// the inode (IN_DELETE_SELF) only at the last close. Few at a time; weak, so a watch ended
// otherwise leaves nothing behind.
std::vector<std::weak_ptr<Inode>>& Dying() {
  static auto* v = new std::vector<std::weak_ptr<Inode>>();
  return *v;
}

// The inode lost a name (unlinked, or replaced by a rename): with no link left, its watches
// end now, or at the last close of the descriptions that still have it open.
void MaybeGone(const std::shared_ptr<Inode>& inode) {
  if (inode == nullptr || !inotify::Watched(inode.get())) return;
  if (!inode->IsDir() && LinkCount(inode.get()) != 0) return;
  if (inode->open_files() > 0) {
    Dying().push_back(inode);
    return;
  }
  inotify::EndWatches(inode.get(), inode->IsDir());
}

// A description of `inode` ended: if it was the last use of an unlinked inode, it is freed.
void LastUseGone(Inode* inode) {
  auto& dying = Dying();
  if (dying.empty() || inode == nullptr || inode->open_files() > 0) return;
  std::erase_if(dying, [](const std::weak_ptr<Inode>& w) { return w.expired(); });
  for (auto it = dying.begin(); it != dying.end(); ++it) {
    if (it->lock().get() != inode) continue;
    dying.erase(it);
    // Freed, unless it got a name again meanwhile.
    if (inode->IsDir() || LinkCount(inode) == 0) inotify::EndWatches(inode, inode->IsDir());
    return;
  }
}
}  // namespace

size_t PendingGone() { return Dying().size(); }

uint32_t NextCookie() {
  static uint32_t cookie = 0;
  if (++cookie == 0) ++cookie;
  return cookie;
}

void InodeEvent(const Dentry& d, uint32_t mask, bool to_parent) {
  Inode* inode = d.inode().get();
  mask |= DirBit(inode);
  // The parent's watches first (with the name), then the inode's own, as Linux queues them.
  if (to_parent && d.parent() != nullptr) {
    inotify::Deliver(d.parent()->inode().get(), mask, 0, d.name(), inode);
  }
  inotify::Deliver(inode, mask, 0, "", inode);
}

void NameEvent(const Dentry& dir, std::string_view name, uint32_t mask, uint32_t cookie) {
  inotify::Deliver(dir.inode().get(), mask, cookie, name, nullptr);
}

void FileEventSlow(const FileDescription& f, uint32_t mask) {
  if (f.dentry() == nullptr) return;
  const bool close = mask == IN_CLOSE;
  if (!f.is_path()) {
    if (close) mask = f.writable() ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE;
    InodeEvent(*f.dentry(), mask);
  }
  if (close) LastUseGone(f.dentry()->inode().get());
}

void RemovedSlow(const Dentry& dir, std::string_view name, const std::shared_ptr<Inode>& victim,
                 bool is_dir) {
  // Linux: IN_ATTRIB for the link count (files), IN_DELETE_SELF + IN_IGNORED once no link
  // is left, then IN_DELETE in the directory.
  if (victim != nullptr) {
    if (!is_dir) inotify::Deliver(victim.get(), IN_ATTRIB, 0, "", nullptr);
    MaybeGone(victim);
  }
  NameEvent(dir, name, IN_DELETE | (is_dir ? IN_ISDIR : 0));
}

void MovedSlow(const Dentry& old_dir, std::string_view old_name, const Dentry& new_dir,
               std::string_view new_name, const std::shared_ptr<Inode>& moved,
               const std::shared_ptr<Inode>& replaced, bool exchange) {
  auto one = [](const Dentry& from, std::string_view from_name, const Dentry& to,
                std::string_view to_name, const std::shared_ptr<Inode>& inode) {
    uint32_t isdir = DirBit(inode.get());
    uint32_t cookie = NextCookie();
    NameEvent(from, from_name, IN_MOVED_FROM | isdir, cookie);
    NameEvent(to, to_name, IN_MOVED_TO | isdir, cookie);
  };
  one(old_dir, old_name, new_dir, new_name, moved);
  if (exchange && replaced != nullptr) {
    one(new_dir, new_name, old_dir, old_name, replaced);
  } else if (replaced != nullptr) {
    if (!replaced->IsDir()) inotify::Deliver(replaced.get(), IN_ATTRIB, 0, "", nullptr);
  }
  inotify::Deliver(moved.get(), IN_MOVE_SELF, 0, "", nullptr);
  if (exchange && replaced != nullptr) {
    inotify::Deliver(replaced.get(), IN_MOVE_SELF, 0, "", nullptr);
  } else {
    MaybeGone(replaced);
  }
}

void InodeGone(const Inode* inode, bool is_dir) { inotify::EndWatches(inode, is_dir); }

}  // namespace sentry::vfs::fsnotify
