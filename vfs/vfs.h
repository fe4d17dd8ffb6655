// Vfs: the sandbox's mount tree and the path-based file operations the syscall handlers
// call (open, stat, readlink, access, chdir, getcwd, statfs, mkdir, unlink, ...).
// Owned by the sentry's kernel; sentry thread only. Including this header gives the whole
// public API of the VFS (descriptions, fd tables, hostfd, ProcessInfo).
#pragma once

#include <sys/statfs.h>
#include <time.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/sys_result.h"
#include "common/unique_fd.h"
#include "gofer/client.h"
#include "vfs/credentials.h"
#include "vfs/dentry.h"
#include "vfs/fd_table.h"
#include "vfs/file_description.h"
#include "vfs/fs_context.h"
#include "vfs/hostfd.h"
#include "vfs/mount_table.h"
#include "vfs/process_info.h"
#include "vfs/procfs.h"
#include "vfs/resolve.h"
#include "vfs/tmpfs.h"

namespace sentry::vfs {

class PtyRegistry;

// Linux's may_mknod on the type bits of `mode` (checked before the path is looked at):
// EPERM for directories, EINVAL for unknown types; 0 means a regular file.
SysResult CheckMknodType(uint32_t mode);

class Vfs {
 public:
  struct Options {
    gofer::Client* gofer = nullptr;          // root filesystem (goferfs, the overlay's lower)
    std::shared_ptr<Filesystem> root_fs;     // instead of goferfs when set (tests, tools)
    // The writable upper layer of an overlay root (a tmpfs); null: the root is read-only.
    std::shared_ptr<Filesystem> upper_fs;
    std::shared_ptr<ProcessInfo> processes;  // procfs data source (implemented by the sentry)
    ProcfsOptions proc;                      // cpuinfo, memory limit, uname strings, cpus
    int host_tty_fd = -1;  // the host terminal for /dev/tty (dup'd by Create), or -1 (ENXIO)
    // The sandbox's pty pairs: /dev/ptmx and a devpts at /dev/pts (vfs/devpts.h); null: none.
    std::shared_ptr<PtyRegistry> ptys;
  };

  // Mounts goferfs (or opts.root_fs) at /, under an overlay with opts.upper_fs when set,
  // devfs at /dev and procfs at /proc. A missing
  // /dev or /proc directory in the root filesystem is stood in for by an empty directory.
  static ErrnoOr<std::unique_ptr<Vfs>> Create(const Options& opts);
  ~Vfs();
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  // The global root (the process root of every process until chroot exists).
  std::shared_ptr<Dentry> root() const;
  // An FsContext with root and cwd at the global root.
  FsContext RootContext() const;

  // Mounts `fs` on the directory at `target` (an absolute path, resolved as uid 0): ENOENT,
  // ENOTDIR; with `placeholder`, a missing final directory is stood in for by an empty one.
  SysResult Mount(std::string_view target, std::shared_ptr<Filesystem> fs, std::string source,
                  bool placeholder = false);

  // In all calls: `dir` is where relative paths start (the cwd, or a dirfd's dentry; null:
  // ctx.cwd). A null ctx.root means the global root. An empty path is ENOENT (AT_EMPTY_PATH
  // is the caller's business).

  // open(2)/openat(2): O_PATH, O_NOFOLLOW (ELOOP), O_DIRECTORY (ENOTDIR),
  // O_CREAT[|O_EXCL] (EEXIST; EROFS on a read-only filesystem), O_TRUNC, O_TMPFILE
  // (EROFS, or EOPNOTSUPP where the filesystem has none), O_CREAT|O_DIRECTORY (EINVAL),
  // trailing slashes, permissions.
  ErrnoOr<FileRef> OpenAt(const FsContext& ctx, const Credentials& creds,
                          const std::shared_ptr<Dentry>& dir, std::string_view path, int flags,
                          uint32_t mode);
  // stat/lstat/fstatat.
  SysResult StatAt(const FsContext& ctx, const Credentials& creds,
                   const std::shared_ptr<Dentry>& dir, std::string_view path, bool follow,
                   struct stat* out);
  // readlink(2): EINVAL if not a symlink.
  ErrnoOr<std::string> ReadLinkAt(const FsContext& ctx, const Credentials& creds,
                                  const std::shared_ptr<Dentry>& dir, std::string_view path);
  // access/faccessat: `mode` is F_OK or R_OK|W_OK|X_OK (else EINVAL). Checks with the
  // real ids, or the effective (fs) ids when `effective_ids` (AT_EACCESS). W_OK on a
  // read-only filesystem is EROFS for files, directories and symlinks.
  SysResult AccessAt(const FsContext& ctx, const Credentials& creds,
                     const std::shared_ptr<Dentry>& dir, std::string_view path, int mode,
                     bool follow, bool effective_ids = false);
  // chdir/fchdir targets: ENOENT, ENOTDIR, EACCES without search permission.
  ErrnoOr<std::shared_ptr<Dentry>> LookupDirectory(const FsContext& ctx, const Credentials& creds,
                                                   const std::shared_ptr<Dentry>& dir,
                                                   std::string_view path);
  // getcwd: the path of `d` as seen from `root`.
  std::string PathOf(const std::shared_ptr<Dentry>& d, const std::shared_ptr<Dentry>& root) const;
  // statfs(2) of the filesystem holding the path; fstatfs: StatFsOf(file).
  SysResult StatFsAt(const FsContext& ctx, const Credentials& creds,
                     const std::shared_ptr<Dentry>& dir, std::string_view path, struct statfs* out);
  static SysResult StatFsOf(const FileDescription& file, struct statfs* out);

  // Path operations that change the tree, with Linux's checks and errno order: what the
  // walk finds (ENOENT, ENOTDIR, EEXIST, ...), then EROFS on a read-only filesystem, then
  // permissions (EACCES; EPERM for the sticky bit), then what the filesystem answers (EPERM
  // where it cannot do it at all, ENOTEMPTY, ENOSPC, ...). New nodes get mode & ~ctx.umask,
  // the caller's fs ids, and the directory's group when it is set-group-ID.
  SysResult MkdirAt(const FsContext& ctx, const Credentials& creds,
                    const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t mode);
  // mknod(2): regular files, FIFOs and sockets; devices are EPERM.
  SysResult MknodAt(const FsContext& ctx, const Credentials& creds,
                    const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t mode,
                    dev_t dev);
  SysResult SymlinkAt(const FsContext& ctx, const Credentials& creds, std::string_view target,
                      const std::shared_ptr<Dentry>& dir, std::string_view path);
  // unlinkat(2); `remove_dir` is AT_REMOVEDIR (rmdir).
  SysResult UnlinkAt(const FsContext& ctx, const Credentials& creds,
                     const std::shared_ptr<Dentry>& dir, std::string_view path, bool remove_dir);
  // linkat(2); `follow` is AT_SYMLINK_FOLLOW.
  SysResult LinkAt(const FsContext& ctx, const Credentials& creds,
                   const std::shared_ptr<Dentry>& old_dir, std::string_view old_path,
                   const std::shared_ptr<Dentry>& new_dir, std::string_view new_path, bool follow);
  // linkat(2) with AT_EMPTY_PATH: a new name for the file `target` (an open file's dentry).
  SysResult LinkDentryAt(const FsContext& ctx, const Credentials& creds,
                         const std::shared_ptr<Dentry>& target,
                         const std::shared_ptr<Dentry>& new_dir, std::string_view new_path);
  // renameat2(2): RENAME_NOREPLACE, RENAME_EXCHANGE (RENAME_WHITEOUT: EPERM).
  SysResult RenameAt(const FsContext& ctx, const Credentials& creds,
                     const std::shared_ptr<Dentry>& old_dir, std::string_view old_path,
                     const std::shared_ptr<Dentry>& new_dir, std::string_view new_path,
                     unsigned flags);

  // An attribute change requested by chmod/chown/utimes/truncate.
  struct AttrRequest {
    enum class Kind { kChmod, kChown, kUtimes, kTruncate };
    Kind kind = Kind::kChmod;
    uint32_t mode = 0;                            // kChmod
    uint32_t uid = UINT32_MAX, gid = UINT32_MAX;  // kChown; UINT32_MAX leaves the id alone
    // kUtimes: `times_now` (NULL times, or both UTIME_NOW), else [atime, mtime] whose tv_nsec
    // may be UTIME_NOW or UTIME_OMIT (both UTIME_OMIT is the caller's early return).
    bool times_now = true;
    struct timespec times[2] = {};
    int64_t size = 0;  // kTruncate (>= 0; the caller checks)
  };
  // The change on the file at a path (chmod, chown/lchown, utimensat, truncate).
  SysResult SetAttrAt(const FsContext& ctx, const Credentials& creds,
                      const std::shared_ptr<Dentry>& dir, std::string_view path, bool follow,
                      const AttrRequest& req);
  // The change on the file behind a dentry (fchmod & co, AT_EMPTY_PATH).
  static SysResult SetAttrOf(const Credentials& creds, const std::shared_ptr<Dentry>& d,
                             const AttrRequest& req);
  // Only the checks every attribute change shares (ENOENT... then EROFS, else EPERM): for
  // files without a dentry (pipes, stdio) and older callers.
  SysResult SetAttrAt(const FsContext& ctx, const Credentials& creds,
                      const std::shared_ptr<Dentry>& dir, std::string_view path, bool follow);
  static SysResult SetAttrOf(const FileDescription& file);
  // ftruncate(2) (size >= 0): EBADF for O_PATH, EINVAL unless open for writing and regular.
  static SysResult TruncateFile(FileDescription& file, int64_t size);
  // fallocate(2) with Linux's argument checks, in Linux's order.
  static SysResult AllocateFile(FileDescription& file, int mode, int64_t offset, int64_t len);

  // The general resolver, for calls not covered above.
  ErrnoOr<Resolved> Resolve(const FsContext& ctx, const Credentials& creds,
                            const std::shared_ptr<Dentry>& dir, std::string_view path,
                            bool follow) const;

  // /proc/mounts and /proc/self/mountinfo text.
  std::string DescribeMounts() const { return mounts_->DescribeMounts(); }
  std::string DescribeMountInfo() const { return mounts_->DescribeMountInfo(); }
  const MountTable& mounts() const { return *mounts_; }

 private:
  Vfs();
  // ctx with a null root/cwd replaced by the global root (in `storage`).
  const FsContext& Effective(const FsContext& ctx, FsContext* storage) const;
  // Resolves the parent of a name to create: ENOENT/ENOTDIR/... on the way, EEXIST if it
  // exists; else the resolution (dentry == null).
  ErrnoOr<Resolved> ResolveForCreate(const FsContext& ctx, const Credentials& creds,
                                     const std::shared_ptr<Dentry>& dir, std::string_view path);
  // EROFS on a read-only filesystem, else EACCES without write+search on `parent`, else 0.
  static int CheckModify(const Credentials& creds, const std::shared_ptr<Dentry>& parent);
  // The dentry for a node just created as `name` in `parent` (cached like a lookup's).
  static std::shared_ptr<Dentry> Instantiate(const std::shared_ptr<Dentry>& parent,
                                             std::string_view name, std::shared_ptr<Inode> inode);
  // Creates `name` in r.parent after the common checks (EROFS, EACCES).
  SysResult CreateNode(const FsContext& ctx, const Credentials& creds, const Resolved& r,
                       uint32_t type, uint32_t perm, std::string_view symlink_target);

  std::shared_ptr<MountTable> mounts_;
  std::shared_ptr<Filesystem> placeholder_fs_;  // stands in for missing mountpoints
};

}  // namespace sentry::vfs
