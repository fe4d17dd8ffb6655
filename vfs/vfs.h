// Vfs: the sandbox's mount tree and the path-based file operations the syscall handlers
// call (open, stat, readlink, access, chdir, getcwd, statfs, mkdir, unlink, ...).
// Owned by the sentry's kernel; sentry thread only. Including this header gives the whole
// public API of the VFS (descriptions, fd tables, hostfd, ProcessInfo).
#pragma once

#include <sys/statfs.h>

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

namespace sentry::vfs {

class Vfs {
 public:
  struct Options {
    gofer::Client* gofer = nullptr;          // root filesystem (goferfs, read-only for now)
    std::shared_ptr<Filesystem> root_fs;     // instead of goferfs when set (tests, tools)
    std::shared_ptr<ProcessInfo> processes;  // procfs data source (implemented by the sentry)
    ProcfsOptions proc;                      // cpuinfo, memory limit, uname strings, cpus
    int host_tty_fd = -1;  // the host terminal for /dev/tty (dup'd by Create), or -1 (ENXIO)
  };

  // Mounts goferfs (or opts.root_fs) at /, devfs at /dev and procfs at /proc. A missing
  // /dev or /proc directory in the root filesystem is stood in for by an empty directory.
  static ErrnoOr<std::unique_ptr<Vfs>> Create(const Options& opts);
  ~Vfs();
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  // The global root (the process root of every process until chroot exists).
  std::shared_ptr<Dentry> root() const;
  // An FsContext with root and cwd at the global root.
  FsContext RootContext() const;

  // Mounts `fs` on the directory at `target` (an absolute path, resolved as uid 0).
  SysResult Mount(std::string_view target, std::shared_ptr<Filesystem> fs, std::string source);

  // In all calls: `dir` is where relative paths start (the cwd, or a dirfd's dentry; null:
  // ctx.cwd). A null ctx.root means the global root. An empty path is ENOENT (AT_EMPTY_PATH
  // is the caller's business).

  // open(2)/openat(2): O_PATH, O_NOFOLLOW (ELOOP), O_DIRECTORY (ENOTDIR),
  // O_CREAT[|O_EXCL] (EEXIST; EROFS on a read-only filesystem), O_TRUNC, O_TMPFILE
  // (EROFS/EOPNOTSUPP), O_CREAT|O_DIRECTORY (EINVAL), trailing slashes, permissions.
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

  // Path operations that change the tree. No filesystem supports them yet, so they return
  // Linux's errno for the case: EEXIST/ENOENT/ENOTDIR/EACCES found on the way, then EROFS
  // on a read-only filesystem, EPERM elsewhere.
  SysResult MkdirAt(const FsContext& ctx, const Credentials& creds,
                    const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t mode);
  SysResult MknodAt(const FsContext& ctx, const Credentials& creds,
                    const std::shared_ptr<Dentry>& dir, std::string_view path, uint32_t mode,
                    dev_t dev);
  SysResult SymlinkAt(const FsContext& ctx, const Credentials& creds, std::string_view target,
                      const std::shared_ptr<Dentry>& dir, std::string_view path);
  // unlinkat(2); `remove_dir` is AT_REMOVEDIR (rmdir).
  SysResult UnlinkAt(const FsContext& ctx, const Credentials& creds,
                     const std::shared_ptr<Dentry>& dir, std::string_view path, bool remove_dir);
  SysResult LinkAt(const FsContext& ctx, const Credentials& creds,
                   const std::shared_ptr<Dentry>& old_dir, std::string_view old_path,
                   const std::shared_ptr<Dentry>& new_dir, std::string_view new_path, bool follow);
  SysResult RenameAt(const FsContext& ctx, const Credentials& creds,
                     const std::shared_ptr<Dentry>& old_dir, std::string_view old_path,
                     const std::shared_ptr<Dentry>& new_dir, std::string_view new_path,
                     unsigned flags);
  // chmod/chown/utimes/truncate/setxattr on a path: the attribute-changing calls share
  // this check (ENOENT... then EROFS/EPERM). fchmod & co: SetAttrOf(file).
  SysResult SetAttrAt(const FsContext& ctx, const Credentials& creds,
                      const std::shared_ptr<Dentry>& dir, std::string_view path, bool follow);
  static SysResult SetAttrOf(const FileDescription& file);

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
  // EROFS on a read-only filesystem, else EACCES without write+search on `parent`, else
  // `otherwise` (what the filesystem would answer).
  SysResult CheckModify(const Credentials& creds, const std::shared_ptr<Dentry>& parent,
                        int otherwise) const;

  std::shared_ptr<MountTable> mounts_;
  std::shared_ptr<Filesystem> placeholder_fs_;  // stands in for missing mountpoints
};

}  // namespace sentry::vfs
