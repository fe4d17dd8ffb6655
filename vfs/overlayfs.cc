// overlayfs: inodes that stack an upper (tmpfs) inode on a lower (goferfs) one.
// Ownership as described in vfs/overlayfs.h; sentry thread only.
//
// Bookkeeping lives in the upper filesystem, as in Linux: a whiteout is a character device
// 0:0, an opaque directory has the xattr trusted.overlay.opaque, and a copied-up file keeps
// its lower identity (st_dev, st_ino) in trusted.overlay.origin, so that hard links and
// re-looked-up files keep the inode number they had. The guest never sees these: it cannot
// create device nodes, and the xattr calls refuse the trusted.* namespace.
#include "vfs/overlayfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "vfs/dentry.h"
#include "vfs/dirent.h"
#include "vfs/file_description.h"
#include "vfs/fs_context.h"

namespace sentry::vfs {
namespace {

constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";
constexpr char kOriginXattr[] = "trusted.overlay.origin";
// Upper-only inode numbers are moved out of the range the host's filesystems use.
constexpr uint64_t kUpperInoBit = 1ull << 62;
constexpr size_t kCopyChunk = 1 << 20;

absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsWhiteout(Inode* inode) {
  if (inode->type() != S_IFCHR) return false;
  struct stat st;
  return inode->Stat(&st).ok() && st.st_rdev == 0;
}

bool IsOpaqueDir(Inode* upper) { return upper->IsDir() && upper->GetXattr(kOpaqueXattr).ok(); }

// Every entry of directory `dir` except "." and "..", read through its open description.
int ListEntries(const std::shared_ptr<Inode>& dir, std::vector<DirEntryInfo>* out) {
  auto d = std::make_shared<Dentry>(dir, nullptr, "");
  ErrnoOr<FileRef> f = dir->Open(d, O_RDONLY | O_DIRECTORY, FsContext{});
  if (!f.ok()) return f.error();
  std::vector<char> buf(32 * 1024);
  for (;;) {
    SysResult r = (*f)->GetDents64(buf);
    if (!r.ok()) return r.error();
    if (r.value() == 0) return 0;
    size_t pos = 0;
    while (pos + 19 < static_cast<size_t>(r.value())) {
      uint64_t ino;
      uint16_t reclen;
      std::memcpy(&ino, &buf[pos], 8);
      std::memcpy(&reclen, &buf[pos + 16], 2);
      if (reclen == 0) return EIO;
      std::string name(&buf[pos + 19]);
      if (name != "." && name != "..") {
        out->push_back(DirEntryInfo{std::move(name), ino, static_cast<uint8_t>(buf[pos + 18])});
      }
      pos += reclen;
    }
  }
}

class OverlayInode;

class OverlayFs : public Filesystem {
 public:
  OverlayFs(std::shared_ptr<Filesystem> lower, std::shared_ptr<Filesystem> upper)
      : Filesystem("overlay", Traits{.read_only = false,
                                     .cache_dentries = true,
                                     .cache_negative = true}),
        lower_(std::move(lower)),
        upper_(std::move(upper)) {}

  std::shared_ptr<Inode> RootInode() override;
  // The changes' layer tells what can still be written (free, available); the size and use
  // also count what the lower layer holds, so df shows the image plus the changes.
  void StatFs(struct statfs* out) override {
    upper_->StatFs(out);
    out->f_type = OVERLAYFS_SUPER_MAGIC;
    uint64_t bytes = 0, inodes = 0;
    const uint64_t unit = out->f_frsize > 0 ? static_cast<uint64_t>(out->f_frsize)
                                            : static_cast<uint64_t>(out->f_bsize);
    if (unit == 0 || !lower_->UsedSpace(&bytes, &inodes)) return;
    out->f_blocks += (bytes + unit - 1) / unit;
    out->f_files += inodes;
  }
  std::string MountOptions() const override { return upper_->MountOptions(); }
  void DropCaches() override;

  void set_root(std::shared_ptr<OverlayInode> root) { root_ = std::move(root); }
  Filesystem* upper() const { return upper_.get(); }

 private:
  std::shared_ptr<Filesystem> lower_;
  std::shared_ptr<Filesystem> upper_;
  std::shared_ptr<OverlayInode> root_;
};

class OverlayInode : public Inode {
 public:
  // At least one of `lower` and `upper` is set; when both are, they have the same type.
  OverlayInode(std::shared_ptr<OverlayFs> fs, uint32_t type, std::shared_ptr<OverlayInode> parent,
               std::string name, std::shared_ptr<Inode> lower, std::shared_ptr<Inode> upper)
      : Inode(std::move(fs), type),
        parent_(std::move(parent)),
        name_(std::move(name)),
        lower_(std::move(lower)),
        upper_(std::move(upper)) {
    if (lower_ != nullptr) {
      struct stat st;
      if (lower_->Stat(&st).ok()) {
        origin_dev_ = st.st_dev;
        origin_ino_ = st.st_ino;
      }
    } else if (upper_ != nullptr) {
      ErrnoOr<std::string> origin = upper_->GetXattr(kOriginXattr);
      if (origin.ok() && origin->size() == 16) {
        std::memcpy(&origin_dev_, origin->data(), 8);
        std::memcpy(&origin_ino_, origin->data() + 8, 8);
      }
    }
    if (upper_ != nullptr && lower_ != nullptr && IsDir()) opaque_ = IsOpaqueDir(upper_.get());
  }

  ~OverlayInode() override {
    if (parent_ == nullptr) return;
    auto it = parent_->children_.find(name_);
    if (it != parent_->children_.end() && it->second.expired()) parent_->children_.erase(it);
  }

  OverlayFs* ofs() const { return static_cast<OverlayFs*>(fs()); }

  // Where reads come from: the upper inode once there is one.
  Inode* top() const { return upper_ != nullptr ? upper_.get() : lower_.get(); }
  bool merged() const { return IsDir() && upper_ != nullptr && lower_ != nullptr && !opaque_; }

  SysResult Stat(struct stat* out) override {
    SysResult r = top()->Stat(out);
    if (!r.ok()) return r;
    if (origin_ino_ != 0) {
      out->st_dev = origin_dev_;
      out->st_ino = origin_ino_;
    } else {
      out->st_dev = fs()->dev();
      out->st_ino |= kUpperInoBit;
    }
    // Like Linux: a merged directory cannot count its subdirectories (find must not either).
    if (merged()) out->st_nlink = 1;
    return 0;
  }

  InodePerm Perm() override { return top()->Perm(); }

  int LookupMany(const FsContext& ctx, std::span<const std::string_view> names,
                 std::vector<std::shared_ptr<Inode>>* out) override {
    if (!IsDir()) return ENOTDIR;
    if (upper_ != nullptr || lower_ == nullptr) return Inode::LookupMany(ctx, names, out);
    // A directory only the lower layer has: nothing below it has an upper part either, so
    // the whole walk goes to the lower filesystem in one request.
    std::vector<std::shared_ptr<Inode>> lowers;
    int err = lower_->LookupMany(ctx, names, &lowers);
    auto parent = std::static_pointer_cast<OverlayInode>(shared_from_this());
    for (size_t i = 0; i < lowers.size() && i < names.size(); ++i) {
      if (lowers[i] == nullptr) break;
      std::shared_ptr<OverlayInode> child = parent->Adopt(names[i], std::move(lowers[i]), nullptr);
      out->push_back(child);
      parent = std::move(child);
    }
    return err;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext& ctx, std::string_view name) override {
    using Result = ErrnoOr<std::shared_ptr<Inode>>;
    ErrnoOr<std::shared_ptr<OverlayInode>> r = Child(ctx, name);
    if (!r.ok()) return Result::Errno(r.error());
    return std::shared_ptr<Inode>(r.take());
  }

  ErrnoOr<std::string> ReadLink(const FsContext& ctx) override { return top()->ReadLink(ctx); }

  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags,
                        const FsContext& ctx) override {
    using Result = ErrnoOr<FileRef>;
    if (IsDir()) {
      // Only the lower layer: its own listing is the merged one (numbers included).
      if (upper_ == nullptr) return lower_->Open(d, flags, ctx);
      auto self = std::static_pointer_cast<OverlayInode>(shared_from_this());
      return FileRef(std::make_shared<SnapshotDirFile>(d, flags, [self] {
        std::vector<DirEntryInfo> entries;
        self->Merged(&entries);
        return entries;
      }));
    }
    int acc = flags & O_ACCMODE;
    if (IsRegular() && (acc == O_WRONLY || acc == O_RDWR)) {
      if (int err = CopyUp(/*with_data=*/true)) return Result::Errno(err);
    }
    return top()->Open(d, flags, ctx);
  }

  int SetAttr(const AttrChange& c) override {
    // A truncation to zero need not copy the data first.
    bool with_data = !((c.mask & AttrChange::kSize) && c.size == 0);
    if (int err = CopyUp(with_data)) return err;
    return upper_->SetAttr(c);
  }

  int Allocate(int mode, int64_t offset, int64_t len) override {
    if (int err = CopyUp(true)) return err;
    return upper_->Allocate(mode, offset, len);
  }

  // The overlay has xattrs even where the lower layer has none: those files have no
  // attributes (ENODATA, an empty list) rather than no support.
  ErrnoOr<std::string> GetXattr(std::string_view name) override {
    if (name.starts_with("trusted.overlay.")) return ErrnoOr<std::string>::Errno(ENODATA);
    ErrnoOr<std::string> v = top()->GetXattr(name);
    if (!v.ok() && v.error() == EOPNOTSUPP) return ErrnoOr<std::string>::Errno(ENODATA);
    return v;
  }
  int SetXattr(std::string_view name, std::string_view value, int flags) override {
    if (name.starts_with("trusted.overlay.")) return EPERM;
    if (int err = CopyUp(true)) return err;
    return upper_->SetXattr(name, value, flags);
  }
  ErrnoOr<std::vector<std::string>> ListXattr() override {
    ErrnoOr<std::vector<std::string>> names = top()->ListXattr();
    if (!names.ok()) {
      if (names.error() == EOPNOTSUPP) return std::vector<std::string>{};
      return names;
    }
    std::erase_if(*names, [](const std::string& n) { return n.starts_with("trusted.overlay."); });
    return names;
  }
  int RemoveXattr(std::string_view name) override {
    if (name.starts_with("trusted.overlay.")) return EPERM;
    if (int err = CopyUp(true)) return err;
    return upper_->RemoveXattr(name);
  }

  ErrnoOr<std::shared_ptr<Inode>> CreateChild(std::string_view name, const NewNode& node) override {
    using Result = ErrnoOr<std::shared_ptr<Inode>>;
    if (int err = CopyUp(false)) return Result::Errno(err);
    bool had_whiteout = false;
    if (int err = RemoveWhiteout(name, &had_whiteout)) return Result::Errno(err);
    ErrnoOr<std::shared_ptr<Inode>> up = upper_->CreateChild(name, node);
    if (!up.ok()) {
      if (had_whiteout) MakeWhiteout(name);
      return up;
    }
    // A new directory where a lower one was deleted must not show the old one's entries.
    if ((*up)->IsDir() && had_whiteout) {
      if (int err = (*up)->SetXattr(kOpaqueXattr, "y", 0)) {
        upper_->RemoveChild(name, true);
        MakeWhiteout(name);
        return Result::Errno(err);
      }
    }
    return std::shared_ptr<Inode>(Adopt(name, nullptr, up.take()));
  }

  ErrnoOr<std::shared_ptr<Inode>> CreateTmpFile(const NewNode& node) override {
    using Result = ErrnoOr<std::shared_ptr<Inode>>;
    if (int err = CopyUp(false)) return Result::Errno(err);
    ErrnoOr<std::shared_ptr<Inode>> up = upper_->CreateTmpFile(node);
    if (!up.ok()) return up;
    auto ofs_ref = std::static_pointer_cast<OverlayFs>(fs_ref());
    return std::shared_ptr<Inode>(
        std::make_shared<OverlayInode>(ofs_ref, S_IFREG, nullptr, "", nullptr, up.take()));
  }

  int LinkChild(std::string_view name, const std::shared_ptr<Inode>& target) override {
    if (target->fs() != fs()) return EXDEV;
    auto* t = static_cast<OverlayInode*>(target.get());
    if (int err = t->CopyUp(true)) return err;
    if (int err = CopyUp(false)) return err;
    if (t->origin_ino_ != 0 && !t->upper_->GetXattr(kOriginXattr).ok()) {
      t->RecordOrigin();  // the new name must show the same inode number
    }
    bool had_whiteout = false;
    if (int err = RemoveWhiteout(name, &had_whiteout)) return err;
    if (int err = upper_->LinkChild(name, t->upper_)) {
      if (had_whiteout) MakeWhiteout(name);
      return err;
    }
    return 0;
  }

  int RemoveChild(std::string_view name, bool dir) override {
    ErrnoOr<std::shared_ptr<OverlayInode>> child = Child(FsContext{}, name);
    if (!child.ok()) return child.error();
    std::shared_ptr<OverlayInode> victim = child.take();
    if (dir != victim->IsDir()) return dir ? ENOTDIR : EISDIR;
    if (dir) {
      std::vector<DirEntryInfo> entries;
      if (int err = victim->Merged(&entries)) return err;
      if (!entries.empty()) return ENOTEMPTY;
    }
    if (int err = CopyUp(false)) return err;
    const bool in_lower = HasLowerName(name);
    if (victim->upper_ != nullptr) {
      if (dir) {
        if (int err = victim->ClearWhiteouts()) return err;
      }
      if (int err = upper_->RemoveChild(name, dir)) return err;
    }
    children_.erase(Key(name));
    if (in_lower) return MakeWhiteout(name);
    return 0;
  }

  int RenameChild(std::string_view old_name, Inode* new_dir_base, std::string_view new_name,
                  unsigned flags) override {
    if (new_dir_base->fs() != fs()) return EXDEV;
    auto* new_dir = static_cast<OverlayInode*>(new_dir_base);
    const bool exchange = (flags & RENAME_EXCHANGE) != 0;
    ErrnoOr<std::shared_ptr<OverlayInode>> src_r = Child(FsContext{}, old_name);
    if (!src_r.ok()) return src_r.error();
    std::shared_ptr<OverlayInode> src = src_r.take();
    ErrnoOr<std::shared_ptr<OverlayInode>> dst_r = new_dir->Child(FsContext{}, new_name);
    if (!dst_r.ok() && dst_r.error() != ENOENT) return dst_r.error();
    std::shared_ptr<OverlayInode> dst = dst_r.ok() ? dst_r.take() : nullptr;
    if (exchange && dst == nullptr) return ENOENT;
    if ((flags & RENAME_NOREPLACE) && dst != nullptr) return EEXIST;
    if (dst == src) return 0;
    if (!exchange && dst != nullptr) {
      if (src->IsDir() != dst->IsDir()) return src->IsDir() ? ENOTDIR : EISDIR;
      if (dst->IsDir()) {
        std::vector<DirEntryInfo> entries;
        if (int err = dst->Merged(&entries)) return err;
        if (!entries.empty()) return ENOTEMPTY;
      }
    }
    if (int err = CopyUp(false)) return err;
    if (int err = new_dir->CopyUp(false)) return err;
    // Whatever moves must live entirely in the upper layer: its lower part stays behind.
    if (int err = src->DeepCopyUp()) return err;
    if (exchange) {
      if (int err = dst->DeepCopyUp()) return err;
    } else if (dst != nullptr && dst->IsDir() && dst->upper_ != nullptr) {
      if (int err = dst->ClearWhiteouts()) return err;
    }
    const bool old_in_lower = HasLowerName(old_name);
    bool had_whiteout = false;
    if (dst == nullptr) {
      if (int err = new_dir->RemoveWhiteout(new_name, &had_whiteout)) return err;
    }
    // A moved directory landing on a lower name must hide that name's lower directory: it
    // is opaque after DeepCopyUp whenever it had a lower part; an upper-only one gets it now.
    if (src->IsDir() && !src->opaque_ && new_dir->HasLowerName(new_name)) {
      if (int err = src->upper_->SetXattr(kOpaqueXattr, "y", 0)) return err;
      src->opaque_ = true;
    }
    if (exchange && dst->IsDir() && !dst->opaque_ && HasLowerName(old_name)) {
      if (int err = dst->upper_->SetXattr(kOpaqueXattr, "y", 0)) return err;
      dst->opaque_ = true;
    }
    int err = upper_->RenameChild(old_name, new_dir->upper_.get(), new_name,
                                  flags & ~RENAME_NOREPLACE);
    if (err != 0) {
      if (had_whiteout) new_dir->MakeWhiteout(new_name);
      return err;
    }
    // The overlay's own view follows the move.
    children_.erase(Key(old_name));
    new_dir->children_.erase(Key(new_name));
    src->Reparent(new_dir, new_name);
    if (exchange) {
      dst->Reparent(this, old_name);
    } else if (old_in_lower) {
      return MakeWhiteout(old_name);
    }
    return 0;
  }

  // The merged listing (upper entries, then lower ones not hidden): 0 or an errno.
  int Merged(std::vector<DirEntryInfo>* out) {
    std::vector<DirEntryInfo> lower_entries;
    if (lower_ != nullptr && !opaque_) {
      if (int err = ListEntries(lower_, &lower_entries)) return err;
    }
    if (upper_ == nullptr) {
      *out = std::move(lower_entries);
      return 0;
    }
    std::vector<DirEntryInfo> upper_entries;
    if (int err = ListEntries(upper_, &upper_entries)) return err;
    absl::flat_hash_map<std::string, size_t> lower_index;
    for (size_t i = 0; i < lower_entries.size(); ++i) lower_index[lower_entries[i].name] = i;
    absl::flat_hash_set<std::string> shadowed;
    for (DirEntryInfo& e : upper_entries) {
      shadowed.insert(e.name);
      if (e.type == DT_CHR) {
        ErrnoOr<std::shared_ptr<Inode>> w = upper_->LookupOne(FsContext{}, e.name);
        if (w.ok() && IsWhiteout(w->get())) continue;
      }
      auto it = lower_index.find(e.name);
      if (it != lower_index.end()) {
        e.ino = lower_entries[it->second].ino;  // a copied-up entry keeps its lower number
      } else {
        e.ino |= kUpperInoBit;
      }
      out->push_back(std::move(e));
    }
    for (DirEntryInfo& e : lower_entries) {
      if (!shadowed.contains(e.name)) out->push_back(std::move(e));
    }
    return 0;
  }

  // Gives this inode an upper part (copying its ancestors up first): directories empty,
  // symlinks with their target, regular files with their data unless `with_data` is false.
  int CopyUp(bool with_data) {
    if (upper_ != nullptr) return 0;
    std::vector<OverlayInode*> chain;  // this, then ancestors without an upper part
    for (OverlayInode* i = this; i != nullptr && i->upper_ == nullptr; i = i->parent_.get()) {
      chain.push_back(i);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (int err = (*it)->CopyUpOne(with_data || *it != this)) return err;
    }
    return 0;
  }

  void set_root_upper(std::shared_ptr<Inode> upper) { upper_ = std::move(upper); }

 private:
  // The child `name` as the merged view shows it.
  ErrnoOr<std::shared_ptr<OverlayInode>> Child(const FsContext& ctx, std::string_view name) {
    using Result = ErrnoOr<std::shared_ptr<OverlayInode>>;
    if (!IsDir()) return Result::Errno(ENOTDIR);
    if (auto it = children_.find(Key(name)); it != children_.end()) {
      if (std::shared_ptr<OverlayInode> c = it->second.lock()) return c;
    }
    std::shared_ptr<Inode> up, low;
    if (upper_ != nullptr) {
      ErrnoOr<std::shared_ptr<Inode>> r = upper_->LookupOne(ctx, name);
      if (r.ok()) {
        if (IsWhiteout(r->get())) return Result::Errno(ENOENT);
        up = r.take();
      } else if (r.error() != ENOENT) {
        return Result::Errno(r.error());
      }
    }
    if (lower_ != nullptr && !opaque_ && (up == nullptr || up->IsDir())) {
      ErrnoOr<std::shared_ptr<Inode>> r = lower_->LookupOne(ctx, name);
      if (r.ok()) {
        low = r.take();
      } else if (r.error() != ENOENT && up == nullptr) {
        return Result::Errno(r.error());
      }
    }
    if (up != nullptr && low != nullptr && (up->type() != low->type() || IsOpaqueDir(up.get()))) {
      low = nullptr;  // the upper entry replaced the lower one
    }
    if (up == nullptr && low == nullptr) return Result::Errno(ENOENT);
    return Adopt(name, std::move(low), std::move(up));
  }

  // A new overlay inode for the child `name` (registered in this directory's view).
  std::shared_ptr<OverlayInode> Adopt(std::string_view name, std::shared_ptr<Inode> low,
                                      std::shared_ptr<Inode> up) {
    uint32_t type = up != nullptr ? up->type() : low->type();
    auto child = std::make_shared<OverlayInode>(
        std::static_pointer_cast<OverlayFs>(fs_ref()), type,
        std::static_pointer_cast<OverlayInode>(shared_from_this()), std::string(name),
        std::move(low), std::move(up));
    if (children_.size() > 4096) {
      absl::erase_if(children_, [](const auto& kv) { return kv.second.expired(); });
    }
    children_[std::string(name)] = child;
    return child;
  }

  void Reparent(OverlayInode* new_parent, std::string_view new_name) {
    parent_ = std::static_pointer_cast<OverlayInode>(new_parent->shared_from_this());
    name_ = std::string(new_name);
    new_parent->children_[name_] = std::static_pointer_cast<OverlayInode>(shared_from_this());
  }

  // True when the lower layer of this directory shows `name` (whiteouts aside).
  bool HasLowerName(std::string_view name) {
    if (lower_ == nullptr || opaque_) return false;
    return lower_->LookupOne(FsContext{}, name).ok();
  }

  int MakeWhiteout(std::string_view name) {
    NewNode w;
    w.mode = S_IFCHR;
    w.rdev = 0;
    ErrnoOr<std::shared_ptr<Inode>> r = upper_->CreateChild(name, w);
    return r.ok() ? 0 : r.error();
  }

  // Removes a whiteout `name` from the upper directory, if there is one.
  int RemoveWhiteout(std::string_view name, bool* had) {
    *had = false;
    ErrnoOr<std::shared_ptr<Inode>> r = upper_->LookupOne(FsContext{}, name);
    if (!r.ok()) return r.error() == ENOENT ? 0 : r.error();
    if (!IsWhiteout(r->get())) return EEXIST;
    if (int err = upper_->RemoveChild(name, false)) return err;
    *had = true;
    return 0;
  }

  // Removes the whiteouts of an (otherwise empty) upper directory before it goes away.
  int ClearWhiteouts() {
    std::vector<DirEntryInfo> entries;
    if (int err = ListEntries(upper_, &entries)) return err;
    for (const DirEntryInfo& e : entries) {
      if (int err = upper_->RemoveChild(e.name, e.type == DT_DIR)) return err;
    }
    return 0;
  }

  void RecordOrigin() {
    char buf[16];
    std::memcpy(buf, &origin_dev_, 8);
    std::memcpy(buf + 8, &origin_ino_, 8);
    upper_->SetXattr(kOriginXattr, std::string_view(buf, sizeof(buf)), 0);
  }

  // Copies this inode up; its parent already has an upper part.
  int CopyUpOne(bool with_data) {
    if (parent_ == nullptr || parent_->upper_ == nullptr || lower_ == nullptr) return EIO;
    struct stat st;
    if (SysResult r = lower_->Stat(&st); !r.ok()) return r.error();
    NewNode node;
    node.mode = st.st_mode;
    node.uid = st.st_uid;
    node.gid = st.st_gid;
    std::string target;
    switch (st.st_mode & S_IFMT) {
      case S_IFDIR:
      case S_IFREG:
      case S_IFIFO:
      case S_IFSOCK:
        break;
      case S_IFLNK: {
        ErrnoOr<std::string> t = lower_->ReadLink(FsContext{});
        if (!t.ok()) return t.error();
        target = t.take();
        node.symlink_target = target;
        break;
      }
      default:
        return EPERM;  // host device nodes stay where they are
    }
    Inode* dir = parent_->upper_.get();
    ErrnoOr<std::shared_ptr<Inode>> up = dir->CreateChild(name_, node);
    if (!up.ok()) return up.error() == EEXIST ? EIO : up.error();
    std::shared_ptr<Inode> fresh = up.take();
    int err = 0;
    if (IsRegular() && with_data && st.st_size > 0) err = CopyData(fresh);
    if (err == 0) {
      AttrChange times;
      times.mask = AttrChange::kAtime | AttrChange::kMtime;
      times.atime = st.st_atim;
      times.mtime = st.st_mtim;
      err = fresh->SetAttr(times);
    }
    if (err != 0) {
      dir->RemoveChild(name_, IsDir());
      return err;
    }
    upper_ = std::move(fresh);
    if (!IsDir()) RecordOrigin();
    return 0;
  }

  int CopyData(const std::shared_ptr<Inode>& to) {
    ErrnoOr<FileRef> in = lower_->Open(std::make_shared<Dentry>(lower_, nullptr, name_),
                                       O_RDONLY, FsContext{});
    if (!in.ok()) return in.error();
    ErrnoOr<FileRef> out =
        to->Open(std::make_shared<Dentry>(to, nullptr, name_), O_WRONLY, FsContext{});
    if (!out.ok()) return out.error();
    std::vector<char> buf(kCopyChunk);
    int64_t off = 0;
    for (;;) {
      SysResult n = (*in)->PRead(buf, off);
      if (!n.ok()) return n.error();
      if (n.value() == 0) return 0;
      std::span<const char> chunk(buf.data(), static_cast<size_t>(n.value()));
      while (!chunk.empty()) {
        SysResult w = (*out)->PWrite(chunk, off);
        if (!w.ok()) return w.error();
        if (w.value() == 0) return EIO;
        chunk = chunk.subspan(static_cast<size_t>(w.value()));
        off += w.value();
      }
    }
  }

  // Copies up this inode and, for a directory, everything below it; directories that had a
  // lower part become opaque. Iterative: trees may be deep and fiber stacks are small.
  int DeepCopyUp() {
    if (!IsDir()) return CopyUp(true);
    std::vector<std::shared_ptr<OverlayInode>> dirs;
    dirs.push_back(std::static_pointer_cast<OverlayInode>(shared_from_this()));
    for (size_t i = 0; i < dirs.size(); ++i) {
      OverlayInode* d = dirs[i].get();
      if (int err = d->CopyUp(false)) return err;
      if (d->lower_ == nullptr || d->opaque_) continue;
      std::vector<DirEntryInfo> entries;
      if (int err = d->Merged(&entries)) return err;
      for (const DirEntryInfo& e : entries) {
        ErrnoOr<std::shared_ptr<OverlayInode>> c = d->Child(FsContext{}, e.name);
        if (!c.ok()) return c.error();
        if ((*c)->IsDir()) {
          dirs.push_back(c.take());
        } else if (int err = (*c)->CopyUp(true)) {
          return err;
        }
      }
    }
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
      OverlayInode* d = it->get();
      if (d->lower_ == nullptr || d->opaque_) continue;
      if (int err = d->upper_->SetXattr(kOpaqueXattr, "y", 0)) return err;
      d->opaque_ = true;
    }
    return 0;
  }

  std::shared_ptr<OverlayInode> parent_;  // null for the root and for O_TMPFILE files
  std::string name_;
  std::shared_ptr<Inode> lower_;
  std::shared_ptr<Inode> upper_;
  uint64_t origin_dev_ = 0, origin_ino_ = 0;  // the lower identity, kept after copy-up
  bool opaque_ = false;                       // directories: the lower part is hidden
  absl::flat_hash_map<std::string, std::weak_ptr<OverlayInode>> children_;
};

std::shared_ptr<Inode> OverlayFs::RootInode() { return root_; }

void OverlayFs::DropCaches() {
  Filesystem::DropCaches();
  root_.reset();
  upper_->DropCaches();
  lower_->DropCaches();
}

}  // namespace

std::shared_ptr<Filesystem> MakeOverlayFs(std::shared_ptr<Filesystem> lower,
                                          std::shared_ptr<Filesystem> upper) {
  std::shared_ptr<Inode> lower_root = lower->RootInode();
  std::shared_ptr<Inode> upper_root = upper->RootInode();
  // The root directory looks like the lower one (mode, owner, times).
  struct stat st;
  if (lower_root->Stat(&st).ok()) {
    AttrChange c;
    c.mask = AttrChange::kMode | AttrChange::kUid | AttrChange::kGid | AttrChange::kAtime |
             AttrChange::kMtime;
    c.mode = st.st_mode & 07777;
    c.uid = st.st_uid;
    c.gid = st.st_gid;
    c.atime = st.st_atim;
    c.mtime = st.st_mtim;
    upper_root->SetAttr(c);
  }
  auto fs = std::make_shared<OverlayFs>(std::move(lower), std::move(upper));
  auto root = std::make_shared<OverlayInode>(fs, S_IFDIR, nullptr, "", std::move(lower_root),
                                             std::move(upper_root));
  fs->set_root(std::move(root));
  return fs;
}

}  // namespace sentry::vfs
