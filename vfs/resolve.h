// Path resolution with Linux semantics: "." and "..", ".." stopping at the process root,
// mounts, symlinks (ELOOP after 40), magic links, trailing slashes, search permission and
// name limits. Used by Vfs; sentry thread only.
#pragma once

#include <forward_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/sys_result.h"
#include "vfs/credentials.h"
#include "vfs/dentry.h"
#include "vfs/file_description.h"
#include "vfs/fs_context.h"

namespace sentry::vfs {

inline constexpr size_t kPathMax = 4096;  // including the NUL
inline constexpr size_t kNameMax = 255;
inline constexpr int kMaxSymlinks = 40;

struct Resolved {
  // Move-only: `name` may point into this object's own `link_targets`.
  Resolved() = default;
  Resolved(Resolved&&) = default;
  Resolved& operator=(Resolved&&) = default;
  Resolved(const Resolved&) = delete;
  Resolved& operator=(const Resolved&) = delete;

  // The directory holding the final component (the walk's last directory).
  std::shared_ptr<Dentry> parent;
  // The final component: a plain name, ".", "..", or "" for a path of slashes only. A view
  // into the resolved path (the caller keeps it alive while it uses the result) or into
  // `link_targets`.
  std::string_view name;
  // The final dentry (mounts crossed); null when only the final component is missing.
  std::shared_ptr<Dentry> dentry;
  // Set when a followed magic link led to a file without a dentry (a pipe's
  // /proc/self/fd/N): `dentry` is null and this is the file.
  FileRef magic_file;
  // The path (or the final symlink's target) ended with '/': the result must be a
  // directory. Already checked when `dentry` is set.
  bool trailing_slash = false;
  // The symlink targets read during the walk (`name` may point into one). A list so that
  // moving the result never moves a target's characters.
  std::forward_list<std::string> link_targets;
};

struct ResolveOptions {
  bool follow_final = true;  // follow a symlink in the final component
};

// Resolves `path` from `start` (relative paths) or ctx.root (absolute paths). Errors:
// ENOENT (empty path, or a missing non-final component), ENOTDIR, EACCES (search
// permission), ENAMETOOLONG, ELOOP. A missing final component is not an error: the result
// has dentry == nullptr.
ErrnoOr<Resolved> Resolve(const FsContext& ctx, const Credentials& creds,
                          const std::shared_ptr<Dentry>& start, std::string_view path,
                          ResolveOptions opts = {});

// The dentry ".." leads to from `d` (staying at ctx.root and at the global root).
std::shared_ptr<Dentry> DotDot(const FsContext& ctx, const std::shared_ptr<Dentry>& d);

// Looks up one name in `dir` through the dentry cache; on a miss the filesystem may also
// walk `more` (the components that follow) in the same request and cache them.
ErrnoOr<std::shared_ptr<Dentry>> LookupChild(const FsContext& ctx,
                                             const std::shared_ptr<Dentry>& dir,
                                             std::string_view name,
                                             std::span<const std::string_view> more = {});

}  // namespace sentry::vfs
