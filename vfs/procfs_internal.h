// procfs internals shared by procfs.cc (the root), procfs_pid.cc (/proc/PID) and
// procfs_global.cc (machine-wide files). Not part of the VFS API; sentry thread only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "vfs/mount_table.h"
#include "vfs/process_info.h"
#include "vfs/procfs.h"
#include "vfs/synthetic.h"

namespace sentry::vfs::procfs {

class ProcFs : public SyntheticFs {
 public:
  ProcFs(std::shared_ptr<ProcessInfo> info, ProcfsOptions opts, std::weak_ptr<MountTable> mounts);
  std::string MountOptions() const override { return "nosuid,nodev,noexec"; }

  ProcessInfo& info() { return *info_; }
  const ProcfsOptions& opts() const { return opts_; }
  const std::string& boot_id() const { return boot_id_; }
  // /proc/mounts (info false) or /proc/PID/mountinfo text.
  std::string Mounts(bool info);
  // The mount id of the mount that holds `d` (fdinfo's mnt_id), 0 if unknown.
  int MountIdOf(const std::shared_ptr<Dentry>& d);
  // Load averages (1, 5, 15 minutes), decayed towards `running` since the last call.
  std::array<double, 3> UpdateLoad(int running);

 private:
  std::shared_ptr<ProcessInfo> info_;
  ProcfsOptions opts_;
  std::weak_ptr<MountTable> mounts_;
  std::string boot_id_;
  std::array<double, 3> load_{};
  double load_at_ = -1;  // CLOCK_BOOTTIME seconds of the last update
};

inline ProcFs* Proc(const Inode* i) { return static_cast<ProcFs*>(i->fs()); }

// Stable inode numbers for per-pid nodes (lookups make new inodes every time).
inline uint64_t PidIno(int pid, uint32_t slot, bool thread = false) {
  return (uint64_t{thread ? 2u : 1u} << 60) | (static_cast<uint64_t>(pid) << 20) | (slot & 0xfffff);
}

// Sets ino and owner on a synthetic inode made for a pid.
template <typename T>
std::shared_ptr<T> Owned(std::shared_ptr<T> inode, uint64_t ino,
                         std::pair<uint32_t, uint32_t> owner) {
  SimpleAttr& a = inode->mutable_attr();
  a.ino = ino;
  a.uid = owner.first;
  a.gid = owner.second;
  return inode;
}

std::string WithNewline(std::string s);
std::string RandomUuid();
double BootSeconds();  // CLOCK_BOOTTIME (the host's uptime, which the sandbox shares)

// /proc/PID (or /proc/PID/task/TID when `thread`).
std::shared_ptr<Inode> MakePidDir(std::shared_ptr<Filesystem> fs, int id, int tgid, bool thread);
// /proc/PID/limits text for `limits` (nullopt: Linux's defaults).
std::string LimitsText(const std::optional<std::array<rlimit, RLIM_NLIMITS>>& limits);

// Machine-wide files (procfs_global.cc).
std::string CpuInfoText(ProcFs* p);
std::string MemInfoText(ProcFs* p);
std::string StatText(ProcFs* p, int caller_tid);
std::string LoadAvgText(ProcFs* p, int caller_tid);
std::string UptimeText(ProcFs* p, int caller_tid);
// /proc/sys.
std::shared_ptr<Inode> MakeSysDir(const std::shared_ptr<ProcFs>& fs);

}  // namespace sentry::vfs::procfs
