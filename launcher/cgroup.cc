// Implementation of the sandbox's cgroup (creation, limits, join, OOM count, kill, removal).
// Owned by the launcher and the cgroup watcher; single-threaded callers.
#include "launcher/cgroup.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "launcher/text_file.h"

namespace sentry::launcher {
namespace {

using Clock = std::chrono::steady_clock;

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// "key value" lines (memory.events, memory.oom_control): the value of `key`, or 0.
uint64_t KeyedValue(const std::string& text, std::string_view key) {
  for (const std::string& line : SplitFields(text, "\n")) {
    std::vector<std::string> kv = SplitFields(line, " ");
    uint64_t v = 0;
    if (kv.size() == 2 && kv[0] == key && ParseUint64(kv[1], &v)) return v;
  }
  return 0;
}

// Waits until `pred` holds or `limit` passes; polls every 5 ms.
bool PollUntil(Clock::time_point deadline, const std::function<bool()>& pred) {
  for (;;) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string Hint(const absl::Status& st) {
  if (absl::IsPermissionDenied(st)) {
    return " (creating cgroups needs root or a cgroup delegated to this user)";
  }
  return "";
}

}  // namespace

std::vector<std::string> CgroupLimits::Controllers() const {
  std::vector<std::string> out;
  if (memory_bytes != 0) out.push_back("memory");
  if (pids != 0) out.push_back("pids");
  if (cpus != 0) out.push_back("cpu");
  return out;
}

std::vector<CgroupWrite> LimitWrites(CgroupVersion version, const CgroupLimits& limits) {
  std::vector<CgroupWrite> w;
  bool v2 = version == CgroupVersion::kV2;
  if (limits.memory_bytes != 0) {
    std::string bytes = absl::StrCat(limits.memory_bytes);
    if (v2) {
      w.push_back({"memory", "memory.max", bytes});
      w.push_back({"memory", "memory.swap.max", "0", true});
    } else {
      w.push_back({"memory", "memory.limit_in_bytes", bytes});
      w.push_back({"memory", "memory.memsw.limit_in_bytes", bytes, true});
      w.push_back({"memory", "memory.swappiness", "0", true});
      w.push_back({"memory", "memory.oom_control", "0", true});  // oom_kill_disable = 0
    }
  }
  if (limits.pids != 0) w.push_back({"pids", "pids.max", absl::StrCat(limits.pids)});
  if (limits.cpus != 0) {
    uint64_t quota = static_cast<uint64_t>(std::llround(limits.cpus * kCpuPeriodUs));
    quota = std::max<uint64_t>(quota, 1000);  // the kernel's minimum quota is 1 ms
    if (v2) {
      w.push_back({"cpu", "cpu.max", absl::StrCat(quota, " ", kCpuPeriodUs)});
    } else {
      w.push_back({"cpu", "cpu.cfs_period_us", absl::StrCat(kCpuPeriodUs)});
      w.push_back({"cpu", "cpu.cfs_quota_us", absl::StrCat(quota)});
    }
  }
  return w;
}

std::string MakeCgroupName(pid_t launcher_pid, uint32_t random) {
  return absl::StrFormat("sentry-%d-%08x", launcher_pid, random);
}

std::string Cgroup::DirFor(const std::string& controller) const {
  for (const Dir& d : dirs_) {
    if (Contains(d.controllers, controller)) return d.path;
  }
  return "";
}

absl::StatusOr<Cgroup> Cgroup::Create(const CgroupLayout& layout, const std::string& name,
                                      const CgroupLimits& limits,
                                      const std::function<void(const std::string&)>& after_mkdir) {
  Cgroup cg;
  cg.version_ = layout.version;
  // On error, remove whatever was created so far.
  auto fail = [&cg](absl::Status st) -> absl::Status {
    (void)cg.Remove(std::chrono::milliseconds(500));
    return st;
  };
  for (const CgroupLayout::Parent& parent : layout.parents) {
    if (layout.version == CgroupVersion::kV2) {
      // A child only gets the controllers its parent enables for its subtree.
      std::string control = parent.dir + "/cgroup.subtree_control";
      absl::StatusOr<std::string> enabled = ReadTextFile(control);
      if (!enabled.ok()) return fail(enabled.status());
      std::vector<std::string> have = SplitFields(*enabled, " \n");
      for (const std::string& c : parent.controllers) {
        if (Contains(have, c)) continue;
        absl::Status st = WriteTextFile(control, "+" + c);
        if (!st.ok()) {
          return fail(absl::FailedPreconditionError(absl::StrCat(
              "cannot enable the ", c, " controller for the sandbox's cgroup (", st.message(),
              "); on cgroup v2 the launcher must run in a cgroup whose controllers it may "
              "delegate, e.g. under `systemd-run --scope -p Delegate=yes`")));
        }
      }
    }
    std::string dir = absl::StrCat(parent.dir, "/", name);
    if (::mkdir(dir.c_str(), 0755) != 0) {
      int err = errno;
      if (parent.optional) {
        LOG_DEBUG("not using {}: mkdir: {}", dir, std::strerror(err));
        continue;
      }
      absl::Status st = err == EACCES || err == EPERM || err == EROFS
                            ? absl::PermissionDeniedError("")
                            : absl::InternalError("");
      return fail(absl::Status(st.code(), absl::StrCat("creating the cgroup ", dir, ": ",
                                                       std::strerror(err), Hint(st))));
    }
    cg.dirs_.push_back({dir, parent.controllers});
    if (after_mkdir) after_mkdir(dir);
  }
  for (const CgroupWrite& w : LimitWrites(layout.version, limits)) {
    std::string dir = cg.DirFor(w.controller);
    if (dir.empty()) {
      return fail(absl::InternalError(absl::StrCat("no cgroup directory for ", w.controller)));
    }
    std::string path = absl::StrCat(dir, "/", w.file);
    if (w.optional && !PathExists(path)) continue;
    if (absl::Status st = WriteTextFile(path, w.value); !st.ok()) {
      if (w.optional) {
        LOG_DEBUG("optional cgroup setting skipped: {}", std::string(st.message()));
        continue;
      }
      return fail(
          absl::Status(st.code(), absl::StrCat("setting the sandbox's limits: ", st.message())));
    }
  }
  return cg;
}

absl::Status Cgroup::Join(pid_t pid) const {
  for (const Dir& d : dirs_) {
    if (absl::Status st = WriteTextFile(d.path + "/cgroup.procs", absl::StrCat(pid)); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("joining the sandbox's cgroup: ", st.message()));
    }
  }
  return absl::OkStatus();
}

std::vector<pid_t> Cgroup::Procs() const {
  std::set<pid_t> pids;
  for (const Dir& d : dirs_) {
    absl::StatusOr<std::string> text = ReadTextFile(d.path + "/cgroup.procs");
    if (!text.ok()) continue;
    for (const std::string& line : SplitFields(*text, "\n")) {
      uint64_t pid = 0;
      if (ParseUint64(line, &pid) && pid > 0 && pid < (1u << 31))
        pids.insert(static_cast<pid_t>(pid));
    }
  }
  return {pids.begin(), pids.end()};
}

uint64_t Cgroup::OomKills() const {
  std::string dir = DirFor("memory");
  if (dir.empty()) return 0;
  const char* file = version_ == CgroupVersion::kV2 ? "/memory.events" : "/memory.oom_control";
  absl::StatusOr<std::string> text = ReadTextFile(dir + file);
  return text.ok() ? KeyedValue(*text, "oom_kill") : 0;
}

uint64_t Cgroup::PidsLimitHits() const {
  std::string dir = DirFor("pids");
  if (dir.empty()) return 0;
  absl::StatusOr<std::string> text = ReadTextFile(dir + "/pids.events");
  return text.ok() ? KeyedValue(*text, "max") : 0;
}

void Cgroup::SetFrozen(bool frozen) const {
  auto deadline = Clock::now() + std::chrono::seconds(1);
  if (version_ == CgroupVersion::kV2) {
    std::string dir = dirs_.empty() ? "" : dirs_[0].path;
    if (dir.empty() || !WriteTextFile(dir + "/cgroup.freeze", frozen ? "1" : "0").ok()) return;
    if (frozen) {
      PollUntil(deadline, [&] {
        auto ev = ReadTextFile(dir + "/cgroup.events");
        return !ev.ok() || KeyedValue(*ev, "frozen") == 1;
      });
    }
    return;
  }
  std::string dir = DirFor("freezer");
  if (dir.empty() || !WriteTextFile(dir + "/freezer.state", frozen ? "FROZEN" : "THAWED").ok()) {
    return;
  }
  if (frozen) {
    PollUntil(deadline, [&] {
      auto st = ReadTextFile(dir + "/freezer.state");
      return !st.ok() || SplitFields(*st, " \n") == std::vector<std::string>{"FROZEN"};
    });
  }
}

absl::Status Cgroup::KillAll(std::chrono::milliseconds limit) const {
  auto deadline = Clock::now() + limit;
  if (version_ == CgroupVersion::kV2 && !dirs_.empty() &&
      WriteTextFile(dirs_[0].path + "/cgroup.kill", "1").ok()) {
    if (PollUntil(deadline, [&] { return Procs().empty(); })) return absl::OkStatus();
  }
  // No cgroup.kill: freeze (so nothing forks between listing and killing), kill, thaw, and
  // repeat until the cgroup is empty.
  for (;;) {
    std::vector<pid_t> pids = Procs();
    if (pids.empty()) return absl::OkStatus();
    if (Clock::now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(pids.size(), " process(es) still in the cgroup after ", limit.count(),
                       " ms (first: pid ", pids[0], ")"));
    }
    SetFrozen(true);
    for (pid_t pid : Procs()) ::kill(pid, SIGKILL);
    SetFrozen(false);  // frozen tasks die only once they run again
    PollUntil(std::min(deadline, Clock::now() + std::chrono::milliseconds(50)),
              [&] { return Procs().empty(); });
  }
}

absl::Status Cgroup::Remove(std::chrono::milliseconds limit) const {
  auto deadline = Clock::now() + limit;
  std::vector<std::string> failed;
  for (const Dir& d : dirs_) {
    int err = 0;
    PollUntil(deadline, [&] {
      if (::rmdir(d.path.c_str()) == 0 || errno == ENOENT) return true;
      err = errno;
      return err != EBUSY;  // EBUSY: exiting tasks not yet released; retry
    });
    if (err != 0 && PathExists(d.path)) {
      failed.push_back(absl::StrCat(d.path, " (", std::strerror(err), ")"));
    }
  }
  if (failed.empty()) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("could not remove the sandbox's cgroup: ", absl::StrJoin(failed, ", ")));
}

}  // namespace sentry::launcher
