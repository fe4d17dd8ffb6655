// devpts: /dev/pts over the PtyRegistry.
// Ownership as described in vfs/devpts.h; sentry thread only.
#include "vfs/devpts.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "vfs/fs_context.h"
#include "vfs/synthetic.h"

namespace sentry::vfs {
namespace {

// /dev/pts/ptmx: every open makes a new pair.
class PtmxInode : public SimpleInode {
 public:
  PtmxInode(std::shared_ptr<Filesystem> fs, std::shared_ptr<PtyRegistry> ptys)
      : SimpleInode(std::move(fs),
                    SimpleAttr{.mode = S_IFCHR | 0666, .ino = 2, .rdev = makedev(5, 2)}),
        ptys_(std::move(ptys)) {}
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags,
                        const FsContext& ctx) override {
    return ptys_->OpenMaster(d, flags, ctx.caller_pid);
  }

 private:
  std::shared_ptr<PtyRegistry> ptys_;
};

// /dev/pts/N: attributes live in the registry (they outlast this inode, made per lookup).
class SlaveInode : public Inode {
 public:
  SlaveInode(std::shared_ptr<Filesystem> fs, std::shared_ptr<PtyRegistry> ptys, int index)
      : Inode(std::move(fs), S_IFCHR), ptys_(std::move(ptys)), index_(index) {}
  SysResult Stat(struct stat* out) override { return ptys_->StatNode(index_, out); }
  InodePerm Perm() override {
    PtyRegistry::Node* n = ptys_->FindNode(index_);
    if (n == nullptr) return {S_IFCHR, 0, 0};
    return {S_IFCHR | n->mode, n->uid, n->gid};
  }
  int SetAttr(const AttrChange& c) override {
    PtyRegistry::Node* n = ptys_->FindNode(index_);
    if (n == nullptr) return ENOENT;
    if (c.mask & AttrChange::kSize) return EINVAL;
    if (c.mask & AttrChange::kMode) n->mode = c.mode & 07777;
    if (c.mask & AttrChange::kUid) n->uid = c.uid;
    if (c.mask & AttrChange::kGid) n->gid = c.gid;
    if (c.mask & AttrChange::kMtime) n->time = c.mtime;
    if (c.mask & (AttrChange::kMtimeNow | AttrChange::kCtimeNow | AttrChange::kMode |
                  AttrChange::kUid | AttrChange::kGid)) {
      clock_gettime(CLOCK_REALTIME, &n->time);
    }
    return 0;
  }
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags, const FsContext&) override {
    return ptys_->OpenSlave(index_, d, flags);
  }

 private:
  std::shared_ptr<PtyRegistry> ptys_;
  int index_;
};

class DevptsRoot : public DynamicDir {
 public:
  DevptsRoot(std::shared_ptr<Filesystem> fs, std::shared_ptr<PtyRegistry> ptys)
      : DynamicDir(fs, SimpleAttr{.mode = S_IFDIR | 0755, .ino = 1, .nlink = 2}),
        ptys_(ptys),
        ptmx_(std::make_shared<PtmxInode>(fs, ptys)) {}

  std::vector<DirEntryInfo> List(const FsContext&) override {
    std::vector<DirEntryInfo> out;
    out.push_back({"ptmx", 2, DT_CHR});
    for (int index : ptys_->Indices()) {
      out.push_back({std::to_string(index), static_cast<uint64_t>(index) + 3, DT_CHR});
    }
    return out;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext&, std::string_view name) override {
    using R = ErrnoOr<std::shared_ptr<Inode>>;
    if (name == "ptmx") return R(ptmx_);
    int index = -1;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), index);
    // Only the canonical spelling ("3", not "03" or "+3") names a pair.
    if (ec != std::errc() || end != name.data() + name.size() || index < 0 ||
        name != std::to_string(index) || ptys_->FindNode(index) == nullptr) {
      return R::Errno(ENOENT);
    }
    return R(std::make_shared<SlaveInode>(fs_ref(), ptys_, index));
  }

 private:
  std::shared_ptr<PtyRegistry> ptys_;
  std::shared_ptr<PtmxInode> ptmx_;
};

}  // namespace

std::shared_ptr<Filesystem> MakeDevpts(std::shared_ptr<PtyRegistry> ptys) {
  Filesystem::Traits traits;
  traits.cache_dentries = false;
  auto fs = std::make_shared<SyntheticFs>("devpts", traits, kDevptsMagic);
  ptys->set_dev(fs->dev());
  fs->set_root(std::make_shared<DevptsRoot>(fs, std::move(ptys)));
  return fs;
}

}  // namespace sentry::vfs
