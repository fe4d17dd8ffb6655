// procfs.
// Ownership as described in vfs/procfs.h; sentry thread only.
#include "vfs/procfs.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "vfs/dentry.h"

namespace sentry::vfs {
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
  std::string StatusFields(int) const override { return ""; }
  std::string StatLine(int) const override { return ""; }
  std::vector<std::pair<int, std::string>> Fds(int) const override { return {}; }
};

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

class ProcFs : public SyntheticFs {
 public:
  ProcFs(std::shared_ptr<ProcessInfo> info, ProcfsOptions opts, std::weak_ptr<MountTable> mounts)
      : SyntheticFs("proc", Traits{.cache_dentries = false}, PROC_SUPER_MAGIC),
        info_(info ? std::move(info) : std::make_shared<NoProcesses>()),
        opts_(std::move(opts)),
        mounts_(std::move(mounts)),
        boot_id_(RandomUuid()) {
    if (opts_.num_cpus < 1) opts_.num_cpus = 1;
    if (opts_.mem_total_bytes == 0) opts_.mem_total_bytes = uint64_t{1} << 30;
  }
  std::string MountOptions() const override { return "nosuid,nodev,noexec"; }

  ProcessInfo& info() { return *info_; }
  const ProcfsOptions& opts() const { return opts_; }
  const std::string& boot_id() const { return boot_id_; }
  std::string Mounts(bool info) {
    std::shared_ptr<MountTable> m = mounts_.lock();
    if (m == nullptr) return "";
    return info ? m->DescribeMountInfo() : m->DescribeMounts();
  }

 private:
  std::shared_ptr<ProcessInfo> info_;
  ProcfsOptions opts_;
  std::weak_ptr<MountTable> mounts_;
  std::string boot_id_;
};

ProcFs* Proc(const Inode* i) { return static_cast<ProcFs*>(i->fs()); }

// Stable inode numbers for per-pid nodes (lookups make new inodes every time).
uint64_t PidIno(int pid, uint32_t slot, bool thread = false) {
  return (uint64_t{thread ? 2u : 1u} << 60) | (static_cast<uint64_t>(pid) << 20) | (slot & 0xfffff);
}
constexpr uint32_t kFdSlotBase = 0x80000;

// Sets ino/owner/mode bits on a synthetic inode made for a pid.
template <typename T>
std::shared_ptr<T> Owned(std::shared_ptr<T> inode, uint64_t ino,
                         std::pair<uint32_t, uint32_t> owner) {
  SimpleAttr& a = inode->mutable_attr();
  a.ino = ino;
  a.uid = owner.first;
  a.gid = owner.second;
  return inode;
}

std::string WithNewline(std::string s) {
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

bool HasField(const std::string& text, std::string_view key) {
  if (text.compare(0, key.size(), key) == 0) return true;
  std::string needle = "\n";
  needle += key;
  return text.find(needle) != std::string::npos;
}

// ---- /proc/PID/fd ----

class FdLink : public SymlinkInode {
 public:
  FdLink(std::shared_ptr<Filesystem> fs, int pid, int fd, std::string target)
      : SymlinkInode(
            std::move(fs), [t = std::move(target)](const FsContext&) { return t; }, 0700,
            /*size_is_length=*/false),
        pid_(pid),
        fd_(fd) {}
  FileRef MagicTarget(const FsContext&) override { return Proc(this)->info().FdFile(pid_, fd_); }

 private:
  int pid_, fd_;
};

class FdDir : public DynamicDir {
 public:
  FdDir(std::shared_ptr<Filesystem> fs, int pid)
      : DynamicDir(std::move(fs), SimpleAttr{.mode = S_IFDIR | 0500, .nlink = 2}), pid_(pid) {}

  std::vector<DirEntryInfo> List(const FsContext&) override {
    std::vector<DirEntryInfo> out;
    for (const auto& [fd, target] : Proc(this)->info().Fds(pid_)) {
      out.push_back({std::to_string(fd), PidIno(pid_, kFdSlotBase + fd), DT_LNK});
    }
    return out;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext&, std::string_view name) override {
    int fd = ParseProcNumber(name);
    if (fd >= 0) {
      for (auto& [n, target] : Proc(this)->info().Fds(pid_)) {
        if (n != fd) continue;
        auto link = std::make_shared<FdLink>(fs_ref(), pid_, fd, std::move(target));
        return std::shared_ptr<Inode>(
            Owned(link, PidIno(pid_, kFdSlotBase + fd), Proc(this)->info().Owner(pid_)));
      }
    }
    return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOENT);
  }

 private:
  int pid_;
};

// ---- /proc/PID ----

enum class PidNode {
  kCmdline,
  kEnviron,
  kComm,
  kStatus,
  kStat,
  kMaps,
  kMounts,
  kMountInfo,
  kExe,
  kCwd,
  kRoot,
  kFd,
  kTask,
};

struct PidNodeSpec {
  const char* name;
  PidNode node;
  uint32_t mode;  // with type bits
};

constexpr PidNodeSpec kPidNodes[] = {
    {"cmdline", PidNode::kCmdline, S_IFREG | 0444},
    {"comm", PidNode::kComm, S_IFREG | 0644},
    {"cwd", PidNode::kCwd, S_IFLNK | 0777},
    {"environ", PidNode::kEnviron, S_IFREG | 0400},
    {"exe", PidNode::kExe, S_IFLNK | 0777},
    {"fd", PidNode::kFd, S_IFDIR | 0500},
    {"maps", PidNode::kMaps, S_IFREG | 0444},
    {"mountinfo", PidNode::kMountInfo, S_IFREG | 0444},
    {"mounts", PidNode::kMounts, S_IFREG | 0444},
    {"root", PidNode::kRoot, S_IFLNK | 0777},
    {"stat", PidNode::kStat, S_IFREG | 0444},
    {"status", PidNode::kStatus, S_IFREG | 0444},
    {"task", PidNode::kTask, S_IFDIR | 0555},
};

std::shared_ptr<Inode> MakePidDir(std::shared_ptr<Filesystem> fs, int id, int tgid, bool thread);

class TaskDir : public DynamicDir {
 public:
  TaskDir(std::shared_ptr<Filesystem> fs, int tgid)
      : DynamicDir(std::move(fs), SimpleAttr{.mode = S_IFDIR | 0555, .nlink = 3}), tgid_(tgid) {}

  std::vector<DirEntryInfo> List(const FsContext&) override {
    std::vector<DirEntryInfo> out;
    for (int tid : Proc(this)->info().Tids(tgid_)) {
      out.push_back({std::to_string(tid), PidIno(tid, 0, /*thread=*/true), DT_DIR});
    }
    return out;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext&, std::string_view name) override {
    int tid = ParseProcNumber(name);
    std::vector<int> tids = Proc(this)->info().Tids(tgid_);
    if (tid < 0 || std::find(tids.begin(), tids.end(), tid) == tids.end()) {
      return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOENT);
    }
    return MakePidDir(fs_ref(), tid, tgid_, /*thread=*/true);
  }

 private:
  int tgid_;
};

class PidDir : public DynamicDir {
 public:
  // `id` is the pid (or the tid for /proc/PID/task/TID); `tgid` its process.
  PidDir(std::shared_ptr<Filesystem> fs, int id, int tgid, bool thread)
      : DynamicDir(std::move(fs), SimpleAttr{.mode = S_IFDIR | 0555, .nlink = 9}),
        id_(id),
        tgid_(tgid),
        thread_(thread) {}

  std::vector<DirEntryInfo> List(const FsContext&) override {
    std::vector<DirEntryInfo> out;
    uint32_t slot = 1;
    for (const PidNodeSpec& s : kPidNodes) {
      ++slot;
      if (thread_ && s.node == PidNode::kTask) continue;
      out.push_back({s.name, PidIno(id_, slot, thread_), DirentType(s.mode)});
    }
    return out;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext&, std::string_view name) override {
    uint32_t slot = 1;
    for (const PidNodeSpec& s : kPidNodes) {
      ++slot;
      if (name != s.name) continue;
      if (thread_ && s.node == PidNode::kTask) break;
      if (!Proc(this)->info().Exists(tgid_)) break;
      return Make(s, PidIno(id_, slot, thread_));
    }
    return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOENT);
  }

 private:
  std::shared_ptr<Inode> Make(const PidNodeSpec& s, uint64_t ino) {
    ProcFs* p = Proc(this);
    std::shared_ptr<Filesystem> fs = fs_ref();
    auto owner = p->info().Owner(tgid_);
    int id = id_, tgid = tgid_;
    auto text = [&](TextGenerator gen) {
      return Owned(std::make_shared<TextFile>(fs, s.mode & 07777, std::move(gen)), ino, owner);
    };
    auto link = [&](TextGenerator gen) {
      return Owned(std::make_shared<SymlinkInode>(fs, std::move(gen), 0777, false), ino, owner);
    };
    switch (s.node) {
      case PidNode::kCmdline:
        return text([p, tgid](const FsContext&) { return p->info().Cmdline(tgid); });
      case PidNode::kEnviron:
        return text([p, tgid](const FsContext&) { return p->info().Environ(tgid); });
      case PidNode::kComm:
        return text([p, id](const FsContext&) { return WithNewline(p->info().Comm(id)); });
      case PidNode::kStatus:
        return text([p, id, tgid](const FsContext&) {
          std::string fields = p->info().StatusFields(id);
          std::string out = absl::StrCat("Name:\t", p->info().Comm(id), "\n");
          if (!HasField(fields, "Tgid:")) absl::StrAppend(&out, "Tgid:\t", tgid, "\n");
          if (!HasField(fields, "Pid:")) absl::StrAppend(&out, "Pid:\t", id, "\n");
          return out + WithNewline(std::move(fields));
        });
      case PidNode::kStat:
        return text([p, id](const FsContext&) { return WithNewline(p->info().StatLine(id)); });
      case PidNode::kMaps:
        return text([p, tgid](const FsContext&) { return p->info().Maps(tgid); });
      case PidNode::kMounts:
        return text([p](const FsContext&) { return p->Mounts(false); });
      case PidNode::kMountInfo:
        return text([p](const FsContext&) { return p->Mounts(true); });
      case PidNode::kExe:
        return link([p, tgid](const FsContext&) { return p->info().ExePath(tgid); });
      case PidNode::kCwd:
        return link([p, tgid](const FsContext&) { return p->info().Cwd(tgid); });
      case PidNode::kRoot:
        return link([](const FsContext&) { return std::string("/"); });
      case PidNode::kFd:
        return Owned(std::make_shared<FdDir>(fs, tgid), ino, owner);
      case PidNode::kTask:
        return Owned(std::make_shared<TaskDir>(fs, tgid), ino, owner);
    }
    return nullptr;
  }

  int id_, tgid_;
  bool thread_;
};

std::shared_ptr<Inode> MakePidDir(std::shared_ptr<Filesystem> fs, int id, int tgid, bool thread) {
  auto owner = static_cast<ProcFs*>(fs.get())->info().Owner(tgid);
  auto dir = std::make_shared<PidDir>(fs, id, tgid, thread);
  return Owned(dir, PidIno(id, 1, thread), owner);
}

// ---- top level ----

std::string CpuInfo(ProcFs* p) {
  if (!p->opts().cpuinfo.empty()) return p->opts().cpuinfo;
  std::string out;
  for (int i = 0; i < p->opts().num_cpus; ++i) {
    absl::StrAppend(&out, "processor\t: ", i,
                    "\nvendor_id\t: sentry\nmodel name\t: sentry virtual CPU\n"
                    "flags\t\t: fpu tsc cx8 cmov sse sse2 sse3 ssse3 sse4_1 sse4_2\n\n");
  }
  return out;
}

std::string MemInfo(ProcFs* p) {
  uint64_t total = p->opts().mem_total_bytes / 1024;
  uint64_t used = p->info().MemoryUsed() / 1024;
  uint64_t free_kb = used >= total ? 0 : total - used;
  std::string out;
  auto line = [&](const char* label, uint64_t kb) {
    absl::StrAppend(&out, absl::StrFormat("%-16s%8u kB\n", absl::StrCat(label, ":"), kb));
  };
  line("MemTotal", total);
  line("MemFree", free_kb);
  line("MemAvailable", free_kb);
  for (const char* zero : {"Buffers", "Cached", "SwapCached"}) line(zero, 0);
  line("Active", used);
  line("Inactive", 0);
  line("Active(anon)", used);
  line("Inactive(anon)", 0);
  line("Active(file)", 0);
  line("Inactive(file)", 0);
  line("Unevictable", 0);
  line("Mlocked", 0);
  line("SwapTotal", 0);
  line("SwapFree", 0);
  line("Dirty", 0);
  line("Writeback", 0);
  line("AnonPages", used);
  line("Mapped", 0);
  line("Shmem", 0);
  line("Slab", 0);
  line("SReclaimable", 0);
  line("SUnreclaim", 0);
  line("KernelStack", 0);
  line("PageTables", 0);
  line("CommitLimit", total);
  line("Committed_AS", used);
  line("VmallocTotal", 34359738367);
  line("VmallocUsed", 0);
  line("VmallocChunk", 0);
  out +=
      "HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
      "HugePages_Surp:        0\n";
  line("Hugepagesize", 2048);
  return out;
}

std::string ProcStat(ProcFs* p) {
  double up = BootSeconds();
  uint64_t idle = static_cast<uint64_t>(up * 100);
  int ncpu = p->opts().num_cpus;
  std::string out = absl::StrFormat("cpu  0 0 0 %u 0 0 0 0 0 0\n", idle * ncpu);
  for (int i = 0; i < ncpu; ++i)
    absl::StrAppend(&out, absl::StrFormat("cpu%d 0 0 0 %u 0 0 0 0 0 0\n", i, idle));
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t btime = now.tv_sec - static_cast<int64_t>(up);
  absl::StrAppend(&out, "intr 0\nctxt 0\nbtime ", btime, "\nprocesses ", p->info().Pids().size(),
                  "\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n");
  return out;
}

std::string LoadAvg(ProcFs* p) {
  std::vector<int> pids = p->info().Pids();
  int last = pids.empty() ? 0 : *std::max_element(pids.begin(), pids.end());
  return absl::StrFormat("0.00 0.00 0.00 1/%d %d\n", pids.size(), last);
}

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
  auto fs = std::make_shared<ProcFs>(std::move(processes), std::move(opts), std::move(mounts));
  ProcFs* p = fs.get();
  auto root = std::make_shared<ProcRoot>(fs);
  fs->set_root(root);  // before anything calls Proc(...) through RootInode

  auto text = [&](uint32_t perm, TextGenerator gen) {
    return std::make_shared<TextFile>(fs, perm, std::move(gen));
  };
  auto fixed = [&](std::string value, uint32_t perm = 0444) {
    return text(perm, [v = std::move(value)](const FsContext&) { return v; });
  };
  root->AddStatic("cpuinfo", text(0444, [p](const FsContext&) { return CpuInfo(p); }));
  root->AddStatic("filesystems", fixed("nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"
                                       "nodev\tdevpts\nnodev\tmqueue\nnodev\t9p\n"));
  root->AddStatic("loadavg", text(0444, [p](const FsContext&) { return LoadAvg(p); }));
  root->AddStatic("meminfo", text(0444, [p](const FsContext&) { return MemInfo(p); }));
  root->AddStatic("mounts", std::make_shared<SymlinkInode>(fs, "self/mounts"));
  root->AddStatic("stat", text(0444, [p](const FsContext&) { return ProcStat(p); }));
  root->AddStatic("uptime", text(0444, [](const FsContext&) {
                    double up = BootSeconds();
                    return absl::StrFormat("%.2f %.2f\n", up, up);
                  }));
  root->AddStatic("version",
                  fixed(absl::StrFormat("Linux version %s (sentry@sentry) (c++) %s\n",
                                        p->opts().kernel_release, p->opts().kernel_version)));

  auto sys = std::make_shared<StaticDir>(fs, 0555);
  auto kernel = std::make_shared<StaticDir>(fs, 0555);
  kernel->Add("hostname", text(0644, [p](const FsContext&) {
                return absl::StrCat(p->info().Hostname(), "\n");
              }));
  kernel->Add("domainname", fixed("(none)\n", 0644));
  kernel->Add("osrelease", fixed(p->opts().kernel_release + "\n"));
  kernel->Add("ostype", fixed("Linux\n"));
  kernel->Add("version", fixed(p->opts().kernel_version + "\n"));
  kernel->Add("pid_max", fixed("4194304\n", 0644));
  kernel->Add("ngroups_max", fixed("65536\n"));
  kernel->Add("cap_last_cap", fixed("40\n"));
  auto random = std::make_shared<StaticDir>(fs, 0555);
  random->Add("boot_id", fixed(p->boot_id() + "\n"));
  random->Add("uuid", text(0444, [](const FsContext&) { return RandomUuid() + "\n"; }));
  kernel->Add("random", random);
  sys->Add("kernel", kernel);
  auto vm = std::make_shared<StaticDir>(fs, 0555);
  vm->Add("overcommit_memory", fixed("0\n", 0644));
  vm->Add("max_map_count", fixed("65530\n", 0644));
  sys->Add("vm", vm);
  auto fsdir = std::make_shared<StaticDir>(fs, 0555);
  fsdir->Add("nr_open", fixed("1048576\n", 0644));
  sys->Add("fs", fsdir);
  auto net = std::make_shared<StaticDir>(fs, 0555);
  auto core = std::make_shared<StaticDir>(fs, 0555);
  core->Add("somaxconn", fixed("4096\n", 0644));
  net->Add("core", core);
  sys->Add("net", net);
  root->AddStatic("sys", sys);
  return fs;
}

}  // namespace sentry::vfs
