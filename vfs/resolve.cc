// Path resolution.
// Ownership as described in vfs/resolve.h; sentry thread only.
#include "vfs/resolve.h"

#include <cerrno>
#include <vector>

#include "absl/container/inlined_vector.h"

namespace sentry::vfs {
namespace {

// Names looked up ahead in one filesystem request on a cache miss.
constexpr size_t kMaxLookahead = 64;

// Components still to walk, the next one last. Views into the path or a symlink target;
// inline storage keeps an ordinary walk free of allocation.
using ComponentStack = absl::InlinedVector<std::string_view, 32>;

// Pushes the components of `path` onto `stack` so that the first component is on top.
void PushComponents(ComponentStack* stack, std::string_view path) {
  size_t end = path.size();
  while (end > 0) {
    while (end > 0 && path[end - 1] == '/') --end;
    if (end == 0) break;
    size_t begin = end;
    while (begin > 0 && path[begin - 1] != '/') --begin;
    stack->emplace_back(path.substr(begin, end - begin));
    end = begin;
  }
}

// Sets the result's final position (its symlink storage stays as it is).
void Final(Resolved* r, std::shared_ptr<Dentry> parent, std::string_view name,
           std::shared_ptr<Dentry> d) {
  r->parent = std::move(parent);
  r->name = name;
  r->dentry = std::move(d);
}

}  // namespace

std::shared_ptr<Dentry> DotDot(const FsContext& ctx, const std::shared_ptr<Dentry>& d) {
  std::shared_ptr<Dentry> cur = d;
  while (true) {
    if (cur == ctx.root) return cur;
    if (std::shared_ptr<Dentry> mp = cur->mountpoint()) {
      cur = std::move(mp);
      continue;
    }
    if (cur->parent() == nullptr) return CrossMounts(cur);  // the global root
    return CrossMounts(cur->parent());
  }
}

ErrnoOr<std::shared_ptr<Dentry>> LookupChild(const FsContext& ctx,
                                             const std::shared_ptr<Dentry>& dir,
                                             std::string_view name,
                                             std::span<const std::string_view> more) {
  using Result = ErrnoOr<std::shared_ptr<Dentry>>;
  Filesystem* fs = dir->fs();
  const Filesystem::Traits& traits = fs->traits();
  if (traits.cache_dentries) {
    if (std::shared_ptr<Dentry> c = dir->CachedChild(name)) return c;
    if (traits.cache_negative && dir->IsKnownMissing(name)) return Result::Errno(ENOENT);
  }
  std::vector<std::string_view> names;
  names.push_back(name);
  if (traits.cache_dentries) {
    for (std::string_view n : more) {
      if (names.size() >= kMaxLookahead) break;
      names.push_back(n);
    }
  }
  std::vector<std::shared_ptr<Inode>> inodes;
  int err = dir->inode()->LookupMany(ctx, names, &inodes);
  if (inodes.size() > names.size()) inodes.resize(names.size());
  std::shared_ptr<Dentry> first;
  std::shared_ptr<Dentry> parent = dir;
  for (size_t i = 0; i < inodes.size(); ++i) {
    if (inodes[i] == nullptr) {
      inodes.resize(i);
      if (err == 0) err = EIO;
      break;
    }
    auto d = std::make_shared<Dentry>(std::move(inodes[i]), parent, std::string(names[i]));
    if (traits.cache_dentries) {
      parent->CacheChild(d);
      fs->KeepAlive(d);
    }
    if (i == 0) first = d;
    parent = std::move(d);
  }
  bool negative = traits.cache_dentries && traits.cache_negative && err == ENOENT;
  if (first == nullptr) {
    if (err == 0) err = EIO;  // a filesystem that found nothing and reported no error
    if (negative) dir->AddKnownMissing(name);
    return Result::Errno(err);
  }
  if (negative && inodes.size() < names.size() && parent->IsDir()) {
    parent->AddKnownMissing(names[inodes.size()]);
  }
  return first;
}

ErrnoOr<Resolved> Resolve(const FsContext& ctx, const Credentials& creds,
                          const std::shared_ptr<Dentry>& start, std::string_view path,
                          ResolveOptions opts) {
  using Result = ErrnoOr<Resolved>;
  if (size_t nul = path.find('\0'); nul != std::string_view::npos) path = path.substr(0, nul);
  if (path.empty()) return Result::Errno(ENOENT);
  if (path.size() >= kPathMax) return Result::Errno(ENAMETOOLONG);
  const std::shared_ptr<Dentry>& root = ctx.root;
  std::shared_ptr<Dentry> cur;
  if (path[0] == '/') {
    cur = root;
  } else {
    cur = start != nullptr ? start : ctx.cwd;
  }
  if (cur == nullptr) return Result::Errno(ENOENT);

  ComponentStack stack;
  PushComponents(&stack, path);
  bool trailing = path.back() == '/';
  int links = 0;
  Resolved res;
  Final(&res, cur, "", cur);
  absl::InlinedVector<std::string_view, kMaxLookahead> lookahead;

  while (!stack.empty()) {
    std::string_view name = stack.back();
    stack.pop_back();
    bool last = stack.empty();
    if (!cur->IsDir()) return Result::Errno(ENOTDIR);
    InodePerm perm = cur->inode()->Perm();
    if (int err = CheckPermission(creds, perm.mode, perm.uid, perm.gid, kMayExec)) {
      return Result::Errno(err);
    }
    if (name == ".") {
      if (last) Final(&res, cur, ".", cur);
      continue;
    }
    if (name == "..") {
      cur = DotDot(ctx, cur);
      if (last) Final(&res, cur, "..", cur);
      continue;
    }
    if (name.size() > kNameMax) return Result::Errno(ENAMETOOLONG);

    lookahead.clear();
    for (auto it = stack.rbegin(); it != stack.rend() && lookahead.size() < kMaxLookahead; ++it) {
      if (*it == "." || *it == ".." || it->size() > kNameMax) break;
      lookahead.push_back(*it);
    }
    ErrnoOr<std::shared_ptr<Dentry>> child = LookupChild(ctx, cur, name, lookahead);
    if (!child.ok()) {
      if (child.error() == ENOENT && last) {
        Final(&res, cur, name, nullptr);
        res.trailing_slash = trailing;
        return res;
      }
      return Result::Errno(child.error());
    }
    std::shared_ptr<Dentry> d = CrossMounts(child.take());

    if (d->IsSymlink() && (!last || opts.follow_final || trailing)) {
      if (links++ >= kMaxSymlinks) return Result::Errno(ELOOP);
      if (FileRef magic = d->inode()->MagicTarget(ctx)) {
        if (magic->dentry() != nullptr) {
          std::shared_ptr<Dentry> target = magic->dentry();
          if (last) {
            std::shared_ptr<Dentry> parent = target->parent() ? target->parent() : target;
            res.link_targets.push_front(target->name());  // the dentry may be renamed later
            Final(&res, std::move(parent), res.link_targets.front(), target);
          } else {
            cur = std::move(target);
          }
          continue;
        }
        if (!last || trailing) return Result::Errno(ENOTDIR);
        Final(&res, cur, name, nullptr);
        res.magic_file = std::move(magic);
        return res;
      }
      ErrnoOr<std::string> read = d->inode()->ReadLink(ctx);
      if (!read.ok()) return Result::Errno(read.error());
      if (read->empty()) return Result::Errno(ENOENT);
      res.link_targets.push_front(read.take());
      std::string_view target = res.link_targets.front();
      if (last && target.back() == '/') trailing = true;
      PushComponents(&stack, target);
      if (target[0] == '/') cur = root;
      if (stack.empty()) Final(&res, cur, "", cur);  // the link was last and points at "/"
      continue;
    }
    if (last) {
      Final(&res, cur, name, std::move(d));
      break;
    }
    cur = std::move(d);
  }
  if (res.dentry != nullptr && trailing && !res.dentry->IsDir()) return Result::Errno(ENOTDIR);
  res.trailing_slash = trailing;
  return res;
}

}  // namespace sentry::vfs
