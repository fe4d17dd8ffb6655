// procfs: /proc/PID and /proc/PID/task/TID (stat, status, fd/, fdinfo/, limits, ...), from
// the ProcessInfo the sentry implements. Sentry thread only.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "vfs/dentry.h"
#include "vfs/file_description.h"
#include "vfs/procfs_internal.h"

namespace sentry::vfs::procfs {
namespace {

constexpr uint32_t kFdSlotBase = 0x80000;
constexpr uint32_t kFdInfoSlotBase = 0xc0000;

bool HasField(const std::string& text, std::string_view key) {
  if (text.compare(0, key.size(), key) == 0) return true;
  std::string needle = "\n";
  needle += key;
  return text.find(needle) != std::string::npos;
}

// ---- /proc/PID/fd and /proc/PID/fdinfo ----

// Its mode tells how the file is open, as on Linux: r-x read-only, -wx write-only, rwx both.
uint32_t FdLinkMode(const FileRef& file) {
  if (!file) return 0700;
  switch (file->access_mode()) {
    case O_RDONLY: return 0500;
    case O_WRONLY: return 0300;
    default: return 0700;
  }
}

class FdLink : public SymlinkInode {
 public:
  FdLink(std::shared_ptr<Filesystem> fs, int pid, int fd, std::string target, uint32_t mode)
      : SymlinkInode(
            std::move(fs), [t = std::move(target)](const FsContext&) { return t; }, mode,
            /*size_is_length=*/false),
        pid_(pid),
        fd_(fd) {}
  FileRef MagicTarget(const FsContext&) override { return Proc(this)->info().FdFile(pid_, fd_); }

 private:
  int pid_, fd_;
};

// /proc/PID/fdinfo/N: position, flags, mount id and inode of the open file.
std::string FdInfoText(ProcFs* p, int pid, int fd) {
  FileRef f = p->info().FdFile(pid, fd);
  int64_t pos = 0;
  int flags = 0;
  int mnt_id = 0;
  uint64_t ino = 0;
  if (f != nullptr) {
    pos = f->offset();
    flags = f->access_mode() | f->status_flags();
    // Linux forces O_LARGEFILE on every open(2) of a 64-bit process.
    if (f->dentry() != nullptr) flags |= O_LARGEFILE;
    mnt_id = p->MountIdOf(f->dentry());
    struct stat st;
    if (f->Stat(&st).ok()) ino = st.st_ino;
  }
  if (p->info().FdCloexec(pid, fd)) flags |= O_CLOEXEC;
  return absl::StrFormat("pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%u\n", pos, flags, mnt_id, ino) +
         (f != nullptr ? f->FdInfo() : std::string());
}

class FdDir : public DynamicDir {
 public:
  // `info`: /proc/PID/fdinfo (text files) rather than /proc/PID/fd (links).
  FdDir(std::shared_ptr<Filesystem> fs, int pid, bool info)
      : DynamicDir(std::move(fs), SimpleAttr{.mode = S_IFDIR | 0500, .nlink = 2}),
        pid_(pid),
        info_(info) {}

  std::vector<DirEntryInfo> List(const FsContext&) override {
    std::vector<DirEntryInfo> out;
    for (const auto& [fd, target] : Proc(this)->info().Fds(pid_)) {
      out.push_back({std::to_string(fd), PidIno(pid_, base() + fd), info_ ? DT_REG : DT_LNK});
    }
    return out;
  }

  ErrnoOr<std::shared_ptr<Inode>> LookupOne(const FsContext&, std::string_view name) override {
    int fd = ParseProcNumber(name);
    ProcFs* p = Proc(this);
    if (fd >= 0) {
      for (auto& [n, target] : p->info().Fds(pid_)) {
        if (n != fd) continue;
        std::shared_ptr<SimpleInode> node;
        if (info_) {
          int pid = pid_;
          node = std::make_shared<TextFile>(
              fs_ref(), 0444, [p, pid, fd](const FsContext&) { return FdInfoText(p, pid, fd); });
        } else {
          node = std::make_shared<FdLink>(fs_ref(), pid_, fd, std::move(target),
                                          FdLinkMode(p->info().FdFile(pid_, fd)));
        }
        return std::shared_ptr<Inode>(
            Owned(node, PidIno(pid_, base() + fd), p->info().Owner(pid_)));
      }
    }
    return ErrnoOr<std::shared_ptr<Inode>>::Errno(ENOENT);
  }

 private:
  uint32_t base() const { return info_ ? kFdInfoSlotBase : kFdSlotBase; }
  int pid_;
  bool info_;
};

// ---- /proc/PID ----

enum class PidNode {
  kCgroup,
  kCmdline,
  kComm,
  kCwd,
  kEnviron,
  kExe,
  kFd,
  kFdInfo,
  kIo,
  kLimits,
  kMaps,
  kMountInfo,
  kMounts,
  kOomScoreAdj,
  kRoot,
  kStat,
  kStatm,
  kStatus,
  kTask,
};

struct PidNodeSpec {
  const char* name;
  PidNode node;
  uint32_t mode;  // with type bits
};

// Listing order; the slot (index + 2) is part of the inode number, so append new entries.
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
    {"cgroup", PidNode::kCgroup, S_IFREG | 0444},
    {"fdinfo", PidNode::kFdInfo, S_IFDIR | 0500},
    {"io", PidNode::kIo, S_IFREG | 0400},
    {"limits", PidNode::kLimits, S_IFREG | 0444},
    {"oom_score_adj", PidNode::kOomScoreAdj, S_IFREG | 0644},
    {"statm", PidNode::kStatm, S_IFREG | 0444},
};

class TaskDir : public DynamicDir {
 public:
  TaskDir(std::shared_ptr<Filesystem> fs, int tgid)
      : DynamicDir(std::move(fs), SimpleAttr{.mode = S_IFDIR | 0555, .nlink = 3}), tgid_(tgid) {}

  std::vector<DirEntryInfo> List(const FsContext&) override {
    std::vector<DirEntryInfo> out;
    for (int tid : Proc(this)->info().Tids(tgid_)) {
      out.push_back({std::to_string(tid), PidIno(tid, 1, /*thread=*/true), DT_DIR});
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
    std::sort(out.begin(), out.end(),
              [](const DirEntryInfo& a, const DirEntryInfo& b) { return a.name < b.name; });
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
    int tid = thread_ ? id_ : 0;  // what the provider calls "the whole process": 0
    auto text = [&](TextGenerator gen) {
      return Owned(std::make_shared<TextFile>(fs, s.mode & 07777, std::move(gen)), ino, owner);
    };
    auto link = [&](TextGenerator gen) {
      return Owned(std::make_shared<SymlinkInode>(fs, std::move(gen), 0777, false), ino, owner);
    };
    switch (s.node) {
      case PidNode::kCgroup:
        return text([](const FsContext&) { return std::string("0::/\n"); });
      case PidNode::kCmdline:
        return text([p, tgid](const FsContext&) { return p->info().Cmdline(tgid); });
      case PidNode::kEnviron:
        return text([p, tgid](const FsContext&) { return p->info().Environ(tgid); });
      case PidNode::kComm:
        return text([p, tgid](const FsContext&) { return WithNewline(p->info().Comm(tgid)); });
      case PidNode::kStatus:
        return text([p, id, tgid, tid](const FsContext& ctx) {
          std::string fields = p->info().StatusFields(tgid, tid, ctx.caller_tid);
          std::string out;
          if (!HasField(fields, "Name:"))
            absl::StrAppend(&out, "Name:\t", p->info().Comm(tgid), "\n");
          if (!HasField(fields, "Tgid:")) absl::StrAppend(&out, "Tgid:\t", tgid, "\n");
          if (!HasField(fields, "Pid:")) absl::StrAppend(&out, "Pid:\t", id, "\n");
          return out + WithNewline(std::move(fields));
        });
      case PidNode::kStat:
        return text([p, tgid, tid](const FsContext& ctx) {
          return WithNewline(p->info().StatLine(tgid, tid, ctx.caller_tid));
        });
      case PidNode::kStatm:
        return text([p, tgid](const FsContext&) {
          std::string s = p->info().Statm(tgid);
          return s.empty() ? std::string("0 0 0 0 0 0 0\n") : WithNewline(std::move(s));
        });
      case PidNode::kIo:
        return text([p, tgid](const FsContext&) {
          std::string s = p->info().Io(tgid);
          if (!s.empty()) return s;
          return std::string(
              "rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\n"
              "cancelled_write_bytes: 0\n");
        });
      case PidNode::kLimits:
        return text([p, tgid](const FsContext&) { return LimitsText(p->info().Limits(tgid)); });
      case PidNode::kOomScoreAdj:
        return text([](const FsContext&) { return std::string("0\n"); });
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
        return Owned(std::make_shared<FdDir>(fs, tgid, /*info=*/false), ino, owner);
      case PidNode::kFdInfo:
        return Owned(std::make_shared<FdDir>(fs, tgid, /*info=*/true), ino, owner);
      case PidNode::kTask:
        return Owned(std::make_shared<TaskDir>(fs, tgid), ino, owner);
    }
    return nullptr;
  }

  int id_, tgid_;
  bool thread_;
};

}  // namespace

std::shared_ptr<Inode> MakePidDir(std::shared_ptr<Filesystem> fs, int id, int tgid, bool thread) {
  auto owner = static_cast<ProcFs*>(fs.get())->info().Owner(tgid);
  auto dir = std::make_shared<PidDir>(fs, id, tgid, thread);
  return Owned(dir, PidIno(id, 1, thread), owner);
}

std::string LimitsText(const std::optional<std::array<rlimit, RLIM_NLIMITS>>& limits) {
  struct Row {
    int resource;
    const char* name;
    const char* unit;  // "" for none
  };
  static constexpr Row kRows[] = {
      {RLIMIT_CPU, "Max cpu time", "seconds"},
      {RLIMIT_FSIZE, "Max file size", "bytes"},
      {RLIMIT_DATA, "Max data size", "bytes"},
      {RLIMIT_STACK, "Max stack size", "bytes"},
      {RLIMIT_CORE, "Max core file size", "bytes"},
      {RLIMIT_RSS, "Max resident set", "bytes"},
      {RLIMIT_NPROC, "Max processes", "processes"},
      {RLIMIT_NOFILE, "Max open files", "files"},
      {RLIMIT_MEMLOCK, "Max locked memory", "bytes"},
      {RLIMIT_AS, "Max address space", "bytes"},
      {RLIMIT_LOCKS, "Max file locks", "locks"},
      {RLIMIT_SIGPENDING, "Max pending signals", "signals"},
      {RLIMIT_MSGQUEUE, "Max msgqueue size", "bytes"},
      {RLIMIT_NICE, "Max nice priority", ""},
      {RLIMIT_RTPRIO, "Max realtime priority", ""},
      {RLIMIT_RTTIME, "Max realtime timeout", "us"},
  };
  auto value = [](rlim_t v) {
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
  };
  std::string out =
      absl::StrFormat("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
  for (const Row& r : kRows) {
    rlimit l{RLIM_INFINITY, RLIM_INFINITY};
    if (limits.has_value()) {
      l = (*limits)[r.resource];
    } else if (r.resource == RLIMIT_NOFILE) {
      l = {1024, 4096};
    } else if (r.resource == RLIMIT_STACK) {
      l.rlim_cur = 8 << 20;
    } else if (r.resource == RLIMIT_CORE) {
      l.rlim_cur = 0;
    }
    absl::StrAppend(
        &out, absl::StrFormat("%-25s %-20s %-20s ", r.name, value(l.rlim_cur), value(l.rlim_max)));
    if (*r.unit) {
      absl::StrAppend(&out, absl::StrFormat("%-10s\n", r.unit));
    } else {
      out += "\n";
    }
  }
  return out;
}

}  // namespace sentry::vfs::procfs
