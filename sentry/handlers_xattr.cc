// The extended-attribute calls ({,l,f}{get,set,list,remove}xattr) with Linux's checks: name
// and size limits, namespaces (user.* on files and directories; security.* kept; trusted.* is
// the sandbox's own bookkeeping: hidden and refused; system.* ACLs unsupported), permissions,
// read-only mounts. Values live in the filesystem (tmpfs, the overlay). Sentry thread only.
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#include <string>
#include <vector>

#include "sentry/handler_util.h"
#include "sentry/handlers.h"
#include "vfs/fsnotify.h"

namespace sentry {
namespace {

constexpr size_t kXattrNameMax = 255;    // XATTR_NAME_MAX
constexpr size_t kXattrSizeMax = 65536;  // XATTR_SIZE_MAX
constexpr size_t kXattrListMax = 65536;  // XATTR_LIST_MAX

enum class Space { kUser, kSecurity, kTrusted, kSystem, kUnknown };

Space SpaceOf(std::string_view name) {
  if (name.starts_with("user.")) return Space::kUser;
  if (name.starts_with("security.")) return Space::kSecurity;
  if (name.starts_with("trusted.")) return Space::kTrusted;
  if (name.starts_with("system.")) return Space::kSystem;
  return Space::kUnknown;
}

// The target of a call: a dentry from a path (following the final link or not) or an fd.
struct Target {
  std::shared_ptr<vfs::Dentry> dentry;
  int err = 0;
};

Target ByPath(SyscallContext& c, bool follow) {
  std::string path;
  if (SysResult r = ReadPath(c, c.arg(0), &path); !r.ok()) return {nullptr, r.error()};
  ErrnoOr<vfs::Resolved> r =
      c.kernel.vfs().Resolve(FsFor(c), c.proc.creds, nullptr, path, follow);
  if (!r.ok()) return {nullptr, r.error()};
  if (r->magic_file != nullptr) {
    if (r->magic_file->dentry() == nullptr) return {nullptr, EOPNOTSUPP};
    return {r->magic_file->dentry(), 0};
  }
  if (r->dentry == nullptr) return {nullptr, ENOENT};
  return {r->dentry, 0};
}

Target ByFd(SyscallContext& c) {
  vfs::FileRef f = GetFile(c, c.arg(0));
  if (!f || f->is_path()) return {nullptr, EBADF};
  if (f->dentry() == nullptr) return {nullptr, EOPNOTSUPP};  // pipes, sockets
  return {f->dentry(), 0};
}

// Reads the name argument: ERANGE for "" or longer than XATTR_NAME_MAX.
SysResult ReadName(SyscallContext& c, uint64_t addr, std::string* out) {
  char buf[kXattrNameMax + 2];
  SysResult r = platform::ReadGuestCString(c.tid(), addr, buf, sizeof(buf));
  if (!r.ok()) return r.error() == ENAMETOOLONG ? SysResult::Errno(ERANGE) : r;
  if (r.value() == 0 || static_cast<size_t>(r.value()) > kXattrNameMax) {
    return SysResult::Errno(ERANGE);
  }
  out->assign(buf, static_cast<size_t>(r.value()));
  return 0;
}

int CheckAccess(SyscallContext& c, vfs::Inode* inode, int may) {
  vfs::InodePerm p = inode->Perm();
  return vfs::CheckPermission(c.proc.creds, p.mode, p.uid, p.gid, may);
}

// Linux's xattr_permission for a change (set or remove) of `name` on `inode`: 0 or the errno.
int MayChange(SyscallContext& c, vfs::Inode* inode, std::string_view name) {
  const Space space = SpaceOf(name);
  if (space == Space::kUnknown) return EOPNOTSUPP;
  if (inode->fs()->read_only()) return EROFS;
  const bool root = c.proc.creds.fsuid == 0;
  switch (space) {
    case Space::kTrusted:
      return EPERM;
    case Space::kSystem:
      return EOPNOTSUPP;
    case Space::kUser: {
      if (!inode->IsRegular() && !inode->IsDir()) return EPERM;
      vfs::InodePerm p = inode->Perm();
      // Sticky directories: only the owner (or root) may change user attributes.
      if (inode->IsDir() && (p.mode & S_ISVTX) && !root && c.proc.creds.fsuid != p.uid) {
        return EPERM;
      }
      return CheckAccess(c, inode, vfs::kMayWrite) ? EACCES : 0;
    }
    default:  // security.*: the owner or root
      return !root && c.proc.creds.fsuid != inode->Perm().uid ? EPERM : 0;
  }
}

SysResult Get(SyscallContext& c, const Target& t) {
  if (t.err) return SysResult::Errno(t.err);
  std::string name;
  if (SysResult r = ReadName(c, c.arg(1), &name); !r.ok()) return r;
  vfs::Inode* inode = t.dentry->inode().get();
  switch (SpaceOf(name)) {
    case Space::kUnknown:
      return SysResult::Errno(EOPNOTSUPP);
    case Space::kTrusted:
      return SysResult::Errno(ENODATA);  // not visible without CAP_SYS_ADMIN on the host
    case Space::kSystem:
      return SysResult::Errno(EOPNOTSUPP);
    case Space::kUser:
      if (!inode->IsRegular() && !inode->IsDir()) return SysResult::Errno(ENODATA);
      if (CheckAccess(c, inode, vfs::kMayRead)) return SysResult::Errno(EACCES);
      break;
    case Space::kSecurity:
      break;
  }
  ErrnoOr<std::string> v = inode->GetXattr(name);
  if (!v.ok()) return SysResult::Errno(v.error());
  uint64_t size = c.arg(3);
  if (size == 0) return static_cast<int64_t>(v->size());
  if (v->size() > size) return SysResult::Errno(ERANGE);
  if (SysResult r = CopyOut(c, c.arg(2), v->data(), v->size()); !r.ok()) return r;
  return static_cast<int64_t>(v->size());
}

SysResult Set(SyscallContext& c, const Target& t) {
  if (t.err) return SysResult::Errno(t.err);
  int flags = static_cast<int>(c.arg(4));
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return SysResult::Errno(EINVAL);
  std::string name;
  if (SysResult r = ReadName(c, c.arg(1), &name); !r.ok()) return r;
  uint64_t size = c.arg(3);
  if (size > kXattrSizeMax) return SysResult::Errno(E2BIG);
  std::string value(size, '\0');
  if (size > 0) {
    if (SysResult r = CopyIn(c, c.arg(2), value.data(), size); !r.ok()) return r;
  }
  vfs::Inode* inode = t.dentry->inode().get();
  if (int err = MayChange(c, inode, name)) return SysResult::Errno(err);
  int err = inode->SetXattr(name, value, flags);
  if (err) return SysResult::Errno(err);
  vfs::fsnotify::Changed(*t.dentry, IN_ATTRIB);  // as Linux's fsnotify_xattr
  return 0;
}

SysResult Remove(SyscallContext& c, const Target& t) {
  if (t.err) return SysResult::Errno(t.err);
  std::string name;
  if (SysResult r = ReadName(c, c.arg(1), &name); !r.ok()) return r;
  vfs::Inode* inode = t.dentry->inode().get();
  if (int err = MayChange(c, inode, name)) return SysResult::Errno(err);
  int err = inode->RemoveXattr(name);
  if (err) return SysResult::Errno(err);
  vfs::fsnotify::Changed(*t.dentry, IN_ATTRIB);
  return 0;
}

SysResult List(SyscallContext& c, const Target& t) {
  if (t.err) return SysResult::Errno(t.err);
  ErrnoOr<std::vector<std::string>> names = t.dentry->inode()->ListXattr();
  std::string out;
  if (names.ok()) {
    for (const std::string& n : *names) {
      Space s = SpaceOf(n);
      if (s != Space::kUser && s != Space::kSecurity) continue;
      out.append(n);
      out.push_back('\0');
    }
  } else if (names.error() != EOPNOTSUPP) {
    return SysResult::Errno(names.error());
  }
  // A filesystem without xattrs lists nothing, as Linux's do.
  uint64_t size = c.arg(2);
  if (size == 0) return static_cast<int64_t>(out.size());
  if (out.size() > size) return SysResult::Errno(out.size() > kXattrListMax ? E2BIG : ERANGE);
  if (SysResult r = CopyOut(c, c.arg(1), out.data(), out.size()); !r.ok()) return r;
  return static_cast<int64_t>(out.size());
}

SysResult Getxattr(SyscallContext& c) { return Get(c, ByPath(c, true)); }
SysResult Lgetxattr(SyscallContext& c) { return Get(c, ByPath(c, false)); }
SysResult Fgetxattr(SyscallContext& c) { return Get(c, ByFd(c)); }
SysResult Setxattr(SyscallContext& c) { return Set(c, ByPath(c, true)); }
SysResult Lsetxattr(SyscallContext& c) { return Set(c, ByPath(c, false)); }
SysResult Fsetxattr(SyscallContext& c) { return Set(c, ByFd(c)); }
SysResult Removexattr(SyscallContext& c) { return Remove(c, ByPath(c, true)); }
SysResult Lremovexattr(SyscallContext& c) { return Remove(c, ByPath(c, false)); }
SysResult Fremovexattr(SyscallContext& c) { return Remove(c, ByFd(c)); }
SysResult Listxattr(SyscallContext& c) { return List(c, ByPath(c, true)); }
SysResult Llistxattr(SyscallContext& c) { return List(c, ByPath(c, false)); }
SysResult Flistxattr(SyscallContext& c) { return List(c, ByFd(c)); }

}  // namespace

void RegisterXattrHandlers(std::vector<SyscallHandler>* t) {
  (*t)[SYS_getxattr] = Getxattr;
  (*t)[SYS_lgetxattr] = Lgetxattr;
  (*t)[SYS_fgetxattr] = Fgetxattr;
  (*t)[SYS_setxattr] = Setxattr;
  (*t)[SYS_lsetxattr] = Lsetxattr;
  (*t)[SYS_fsetxattr] = Fsetxattr;
  (*t)[SYS_removexattr] = Removexattr;
  (*t)[SYS_lremovexattr] = Lremovexattr;
  (*t)[SYS_fremovexattr] = Fremovexattr;
  (*t)[SYS_listxattr] = Listxattr;
  (*t)[SYS_llistxattr] = Llistxattr;
  (*t)[SYS_flistxattr] = Flistxattr;
}

}  // namespace sentry
