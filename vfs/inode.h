// Filesystem and Inode: the per-filesystem objects behind dentries (goferfs, devfs, procfs, ...).
// Owned by shared_ptr (an inode keeps its filesystem alive; a Dentry keeps its inode alive).
// Sentry thread only.
#pragma once

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/sys_result.h"

namespace sentry::vfs {

class Dentry;
class FileDescription;
class Inode;
struct FsContext;
using FileRef = std::shared_ptr<FileDescription>;

// One directory entry as a filesystem lists it ("." and ".." are added by the VFS).
struct DirEntryInfo {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = 0;  // DT_*
};

class Filesystem {
 public:
  struct Traits {
    bool read_only = false;       // writes get EROFS (Linux's read-only superblock)
    bool cache_dentries = true;   // children are cached; false: looked up every time (procfs)
    bool cache_negative = false;  // missing names are cached too (immutable trees only)
  };
  Filesystem(std::string type, Traits traits);
  virtual ~Filesystem();
  Filesystem(const Filesystem&) = delete;
  Filesystem& operator=(const Filesystem&) = delete;

  const std::string& type() const { return type_; }  // as in /proc/mounts: "proc", "9p", ...
  const Traits& traits() const { return traits_; }
  bool read_only() const { return traits_.read_only; }
  dev_t dev() const { return dev_; }  // this filesystem's st_dev (an anonymous device)

  // The root directory's inode (called once per mount).
  virtual std::shared_ptr<Inode> RootInode() = 0;
  // statfs(2). The default reports an empty filesystem of this type's magic.
  virtual void StatFs(struct statfs* out);
  // What the backing store already holds (bytes and inodes in use), for a layer over it
  // (the root overlay adds it to its own use). False when there is nothing to tell.
  virtual bool UsedSpace(uint64_t* bytes, uint64_t* inodes) { return false; }
  // Mount options as shown in /proc/mounts (after "ro"/"rw").
  virtual std::string MountOptions() const { return ""; }

  // Keeps a recently used dentry alive in a bounded ring (the dentry cache's LRU stand-in).
  void KeepAlive(std::shared_ptr<Dentry> d);
  // Forgets the ring (breaks the fs → dentry → inode → fs cycle; called by ~Vfs).
  virtual void DropCaches();

  // A fresh inode number for synthetic inodes.
  uint64_t NextIno() { return next_ino_++; }

  // Allocates an anonymous device number (major 0), like Linux's get_anon_bdev.
  static dev_t NewAnonDev();

 protected:
  static constexpr size_t kRingSize = 16384;  // each holds a gofer handle (an fd there)

 private:
  std::string type_;
  Traits traits_;
  dev_t dev_;
  uint64_t next_ino_ = 2;
  std::vector<std::shared_ptr<Dentry>> ring_;
  size_t ring_next_ = 0;
};

// A node to create in a directory (the VFS has applied the umask and chosen the owner).
struct NewNode {
  uint32_t mode = 0;  // type and permission bits
  uint32_t uid = 0, gid = 0;
  dev_t rdev = 0;
  std::string_view symlink_target;  // S_IFLNK only
  bool linkable = true;             // O_TMPFILE files: linkat may name them (not O_EXCL)
};

// Attribute changes as the VFS hands them to a filesystem, after the permission checks
// (chmod, chown, utimes, truncate). The filesystem updates st_ctime when anything changes.
struct AttrChange {
  enum : uint32_t {
    kMode = 1u << 0,  // permission bits from `mode` (07777); the type never changes
    kUid = 1u << 1,
    kGid = 1u << 2,
    kSize = 1u << 3,      // regular files: truncate or extend to `size`
    kAtime = 1u << 4,     // atime = `atime`
    kMtime = 1u << 5,     // mtime = `mtime`
    kAtimeNow = 1u << 6,  // atime = now
    kMtimeNow = 1u << 7,  // mtime = now
    kCtimeNow = 1u << 8,  // ctime = now even when nothing else changes (chown -1 -1)
  };
  uint32_t mask = 0;
  uint32_t mode = 0;
  uint32_t uid = 0, gid = 0;
  int64_t size = 0;
  struct timespec atime = {}, mtime = {};
};

// Permission-relevant attributes (cheaper than a full stat).
struct InodePerm {
  uint32_t mode = 0;  // type and permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
};

class Inode : public std::enable_shared_from_this<Inode> {
 public:
  // `type` is the S_IFMT part of the mode; it never changes.
  Inode(std::shared_ptr<Filesystem> fs, uint32_t type);
  virtual ~Inode();
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  Filesystem* fs() const { return fs_.get(); }
  const std::shared_ptr<Filesystem>& fs_ref() const { return fs_; }
  uint32_t type() const { return type_; }
  bool IsDir() const { return type_ == S_IFDIR; }
  bool IsSymlink() const { return type_ == S_IFLNK; }
  bool IsRegular() const { return type_ == S_IFREG; }

  // stat(2) of this inode (st_dev is filled by the filesystem).
  virtual SysResult Stat(struct stat* out) = 0;
  // Mode, uid and gid; the default calls Stat.
  virtual InodePerm Perm();

  // Directories. Looks up names[0] in this directory and, where the filesystem can do so
  // in one step, names[1..] each inside the previous one, stopping after a symlink or a
  // non-directory. Appends one inode per name found; returns 0 when all were found, else
  // the errno for the first name not found (ENOENT, ENOTDIR, ...). The default calls
  // LookupOne per name.
  virtual int LookupMany(const FsContext& ctx, std::span<const std::string_view> names,
                         std::vector<std::shared_ptr<Inode>>* out);
  // One name (never "." or ".."). ENOTDIR by default.
  virtual ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext& ctx, std::string_view name);

  // Symlinks: the target text. EINVAL by default.
  virtual ErrnoOr<std::string> ReadLink(const FsContext& ctx);
  // "Magic" links (/proc/PID/fd/N): the open file the link stands for, followed instead of
  // the text when non-null. A file with a dentry makes the walk continue at that dentry.
  virtual FileRef MagicTarget(const FsContext& ctx) { return nullptr; }

  // Opens this node for `d` (not O_PATH; flags and permissions already checked by Vfs).
  // ENXIO by default.
  virtual ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext& ctx);

  // ---- Changes (writable filesystems). The VFS has resolved the names, checked the
  // permissions, the sticky bit, mounts and the file types; the filesystem checks what only
  // it knows (ENOTEMPTY, ENOSPC, a removed directory: ENOENT). Defaults: EPERM, the answer
  // for a filesystem that cannot do it. `name` is never "", "." or "..". ----

  // Directories: creates `name` (absent) as described by `node`.
  virtual ErrnoOr<std::shared_ptr<Inode>> CreateChild(std::string_view name, const NewNode& node);
  // Directories: an unnamed regular file (O_TMPFILE), linkable later. EOPNOTSUPP by default.
  virtual ErrnoOr<std::shared_ptr<Inode>> CreateTmpFile(const NewNode& node);
  // Directories: a new name for `target` (same filesystem, not a directory).
  virtual int LinkChild(std::string_view name, const std::shared_ptr<Inode>& target);
  // Directories: removes `name` (unlink, or rmdir when `dir`).
  virtual int RemoveChild(std::string_view name, bool dir);
  // Directories: rename(2) of `old_name` here to `new_name` in `new_dir` (same filesystem).
  // `flags`: RENAME_NOREPLACE / RENAME_EXCHANGE; a replaced directory must be empty.
  virtual int RenameChild(std::string_view old_name, Inode* new_dir, std::string_view new_name,
                          unsigned flags);
  // chmod/chown/utimes/truncate.
  virtual int SetAttr(const AttrChange& change);
  // fallocate(2) on a regular file (mode already validated). EOPNOTSUPP by default.
  virtual int Allocate(int mode, int64_t offset, int64_t len);
  // fsync(2)/fdatasync(2) of a regular file or directory: 0 by default (nothing to flush in
  // memory); filesystems over host files flush them.
  virtual int Sync(bool datasync);

  // ---- Extended attributes, full names ("user.x"). The VFS has checked the namespace, the
  // sizes and the permissions. Defaults: EOPNOTSUPP (a filesystem without xattrs). ----

  // The value of `name`; ENODATA when it has none.
  virtual ErrnoOr<std::string> GetXattr(std::string_view name);
  // Sets `name`; `flags` XATTR_CREATE (EEXIST when set) or XATTR_REPLACE (ENODATA when not).
  virtual int SetXattr(std::string_view name, std::string_view value, int flags);
  // Every name set, in a stable order.
  virtual ErrnoOr<std::vector<std::string>> ListXattr();
  // ENODATA when not set.
  virtual int RemoveXattr(std::string_view name);

  // Open descriptions whose dentry is this inode's (O_PATH ones included), kept by
  // FileDescription: an unlinked inode is "freed" (IN_DELETE_SELF) when this drops to 0.
  int open_files() const { return open_files_; }
  void AddOpenFile() { ++open_files_; }
  void DropOpenFile() { --open_files_; }

 private:
  std::shared_ptr<Filesystem> fs_;
  uint32_t type_;
  int open_files_ = 0;
};

// DT_* for a mode's type bits.
uint8_t DirentType(uint32_t mode);

}  // namespace sentry::vfs
