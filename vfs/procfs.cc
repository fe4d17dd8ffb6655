// procfs: the filesystem, its root directory and shared helpers. Per-process directories
// are in procfs_pid.cc, machine-wide files in procfs_global.cc. Sentry thread only.
#include "vfs/procfs.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "vfs/dentry.h"
#include "vfs/procfs_internal.h"

namespace sentry::vfs {
namespace procfs {
namespace {

class NoProcesses : public ProcessInfo {
 public:
  std::vector<int> Pids() const override { return {}; }
  bool Exists(int) const override { return false; }
  std::string Cmdline(int) const override { return ""; }
  std::string Environ(int) const override { return ""; }
  std::string Comm(int) const override { return ""; }
  std::string ExePath(int) const override { return ""; }
  std::string Cwd(int) const override { return "/"; }
  std::string Maps(int) const override { return ""; }
  std::string StatusFields(int, int, int) const override { return ""; }
  std::string StatLine(int, int, int) const override { return ""; }
  std::vector<std::pair<int, std::string>> Fds(int) const override { return {}; }
  SchedSummary Sched(int) const override { return {}; }
};

class ProcRoot : public DynamicDir {
 public:
  explicit ProcRoot(std::shared_ptr<Filesystem> fs)
      : DynamicDir(fs, SimpleAttr{.mode = S_IFDIR | 0555, .ino = 1, .nlink = 2}),
        self_(std::make_shared<SymlinkInode>(
            fs, [](const FsContext& ctx) { return std::to_string(ctx.caller_pid); }, 0777, false)),
        thread_self_(std::make_shared<SymlinkInode>(
            fs,
            [](const FsContext& ctx) {
              return absl::StrCat(ctx.caller_pid, "/task/", ctx.caller_tid);
            },
            0777, false)) {}

  void AddStatic(std::string name, std::shared_ptr<Inode> inode) {
    statics_.emplace_back(std::move(name), std::move(inode));
  }

  std::vector<DirEntryInfo> List(const FsContext&) override {
    std::vector<DirEntryInfo> out;
    auto add = [&](const std::string& name, Inode* inode) {
      struct stat st;
      inode->Stat(&st);
      out.push_back({name, st.st_ino, DirentType(st.st_mode)});
    };
    add("self", self_.get());
    add("thread-self", thread_self_.get());
    for (const auto& [name, inode] : statics_) add(name, inode.get());
    std::vector<int> pids = Proc(this)->info().Pids();
    std::sort(pids.begin(), pids.end());
    for (int pid : pids) out.push_back({std::to_string(pid), PidIno(pid, 1), DT_DIR});
    return out;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext&, std::string_view name) override {
    if (name == "self") return std::shared_ptr<Inode>(self_);
    if (name == "thread-self") return std::shared_ptr<Inode>(thread_self_);
    for (const auto& [n, inode] : statics_) {
      if (n == name) return inode;
    }
    int pid = ParseProcNumber(name);
    if (pid > 0 && Proc(this)->info().Exists(pid)) return MakePidDir(fs_ref(), pid, pid, false);
    return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOENT);
  }

 private:
  std::shared_ptr<Inode> self_, thread_self_;
  std::vector<std::pair<std::string, std::shared_ptr<Inode>>> statics_;
};

}  // namespace

ProcFs::ProcFs(std::shared_ptr<ProcessInfo> info, ProcfsOptions opts,
               std::weak_ptr<MountTable> mounts)
    : SyntheticFs("proc", Traits{.cache_dentries = false}, PROC_SUPER_MAGIC),
      info_(info ? std::move(info) : std::make_shared<NoProcesses>()),
      opts_(std::move(opts)),
      mounts_(std::move(mounts)),
      boot_id_(RandomUuid()) {
  if (opts_.num_cpus < 1) opts_.num_cpus = 1;
  if (opts_.mem_total_bytes == 0) opts_.mem_total_bytes = uint64_t{1} << 30;
}

std::string ProcFs::Mounts(bool info) {
  std::shared_ptr<MountTable> m = mounts_.lock();
  if (m == nullptr) return "";
  return info ? m->DescribeMountInfo() : m->DescribeMounts();
}

int ProcFs::MountIdOf(const std::shared_ptr<Dentry>& d) {
  std::shared_ptr<MountTable> m = mounts_.lock();
  if (m == nullptr || d == nullptr) return 0;
  std::shared_ptr<Dentry> top = d;
  while (top->parent() != nullptr) top = top->parent();
  for (const MountEntry& e : m->entries()) {
    if (e.root == top) return e.id;
  }
  return 0;
}

std::array<double, 3> ProcFs::UpdateLoad(int running) {
  // Linux's exponentially damped averages, advanced at read time rather than every 5 s.
  double now = BootSeconds();
  if (load_at_ >= 0) {
    double dt = std::max(0.0, now - load_at_);
    const double periods[3] = {60, 300, 900};
    for (int i = 0; i < 3; ++i) {
      double e = std::exp(-dt / periods[i]);
      load_[i] = load_[i] * e + running * (1 - e);
    }
  }
  load_at_ = now;
  return load_;
}

std::string WithNewline(std::string s) {
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

std::string RandomUuid() {
  unsigned char b[16] = {};
  if (::getrandom(b, sizeof(b), GRND_NONBLOCK) != sizeof(b)) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    std::memcpy(b, &ts, std::min(sizeof(ts), sizeof(b)));
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}

double BootSeconds() {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

}  // namespace procfs

int ParseProcNumber(std::string_view name) {
  if (name.empty() || name.size() > 10) return -1;
  if (name.size() > 1 && name[0] == '0') return -1;
  int64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  if (v > 0x7fffffff) return -1;
  return static_cast<int>(v);
}

std::shared_ptr<SyntheticFs> MakeProcfs(std::shared_ptr<ProcessInfo> processes, ProcfsOptions opts,
                                        std::weak_ptr<MountTable> mounts) {
  using namespace procfs;  // NOLINT: this file's own internals
  auto fs = std::make_shared<ProcFs>(std::move(processes), std::move(opts), std::move(mounts));
  ProcFs* p = fs.get();
  auto root = std::make_shared<ProcRoot>(fs);
  fs->set_root(root);  // before anything calls Proc(...) through RootInode

  auto text = [&](TextGenerator gen) {
    return std::make_shared<TextFile>(fs, 0444, std::move(gen));
  };
  root->AddStatic("cgroups", text([](const FsContext&) {
                    return std::string("#subsys_name\thierarchy\tnum_cgroups\tenabled\n");
                  }));
  root->AddStatic("cpuinfo", text([p](const FsContext&) { return CpuInfoText(p); }));
  root->AddStatic("filesystems", text([](const FsContext&) {
                    return std::string(
                        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"
                        "nodev\tdevpts\nnodev\tpipefs\nnodev\tsockfs\nnodev\tmqueue\n"
                        "nodev\toverlay\nnodev\t9p\n");
                  }));
  root->AddStatic("loadavg",
                  text([p](const FsContext& ctx) { return LoadAvgText(p, ctx.caller_tid); }));
  root->AddStatic("meminfo", text([p](const FsContext&) { return MemInfoText(p); }));
  root->AddStatic("mounts", std::make_shared<SymlinkInode>(fs, "self/mounts"));
  root->AddStatic("stat", text([p](const FsContext& ctx) { return StatText(p, ctx.caller_tid); }));
  root->AddStatic("uptime",
                  text([p](const FsContext& ctx) { return UptimeText(p, ctx.caller_tid); }));
  root->AddStatic("version", text([p](const FsContext&) {
                    return absl::StrFormat("Linux version %s (sentry@sentry) (c++) %s\n",
                                           p->opts().kernel_release, p->opts().kernel_version);
                  }));
  root->AddStatic("sys", MakeSysDir(fs));
  return fs;
}

}  // namespace sentry::vfs
