// procfs: machine-wide files (/proc/cpuinfo, meminfo, stat, loadavg, uptime, sys/), as the
// sandbox sees the machine: its CPUs, its memory limit, its own processes. Sentry thread only.
#include <time.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "vfs/procfs_internal.h"

namespace sentry::vfs::procfs {
namespace {

constexpr uint64_t kTicksPerSecond = 100;  // USER_HZ

// Idle ticks of all CPUs together: the time since boot on every CPU minus what the sandbox
// used (so that top's percentages are the sandbox's).
uint64_t IdleTicks(ProcFs* p, const SchedSummary& s) {
  uint64_t all = static_cast<uint64_t>(BootSeconds() * kTicksPerSecond) * p->opts().num_cpus;
  uint64_t busy = s.user_ticks + s.system_ticks;
  return all > busy ? all - busy : 0;
}

}  // namespace

std::string CpuInfoText(ProcFs* p) {
  if (!p->opts().cpuinfo.empty()) return p->opts().cpuinfo;
  std::string out;
  for (int i = 0; i < p->opts().num_cpus; ++i) {
    absl::StrAppend(&out, "processor\t: ", i,
                    "\nvendor_id\t: sentry\nmodel name\t: sentry virtual CPU\n"
                    "flags\t\t: fpu tsc cx8 cmov sse sse2 sse3 ssse3 sse4_1 sse4_2\n\n");
  }
  return out;
}

std::string MemInfoText(ProcFs* p) {
  // free(1): used = MemTotal - MemFree - Buffers - Cached - SReclaimable (or - MemAvailable):
  // the anonymous memory of the sandbox's processes plus the sentry's own (Slab). The
  // processes' resident file pages count as Cached.
  uint64_t total = p->opts().mem_total_bytes / 1024;
  MemoryUsage m = p->info().Memory();
  uint64_t anon = std::min(m.anon_bytes / 1024, total);
  uint64_t slab = std::min(m.kernel_bytes / 1024, total - anon);
  uint64_t cached = std::min(m.file_bytes / 1024, total - anon - slab);
  uint64_t shmem = std::min(m.shmem_bytes / 1024, cached);
  uint64_t free_kb = total - anon - slab - cached;
  uint64_t available = free_kb + (cached - shmem);
  std::string out;
  auto line = [&](const char* label, uint64_t kb) {
    absl::StrAppend(&out, absl::StrFormat("%-16s%8u kB\n", absl::StrCat(label, ":"), kb));
  };
  line("MemTotal", total);
  line("MemFree", free_kb);
  line("MemAvailable", available);
  line("Buffers", 0);
  line("Cached", cached);
  line("SwapCached", 0);
  line("Active", anon + cached / 2);
  line("Inactive", cached - cached / 2);
  line("Active(anon)", anon);
  line("Inactive(anon)", 0);
  line("Active(file)", cached / 2);
  line("Inactive(file)", cached - cached / 2);
  line("Unevictable", 0);
  line("Mlocked", 0);
  line("SwapTotal", 0);
  line("SwapFree", 0);
  line("Zswap", 0);
  line("Zswapped", 0);
  line("Dirty", 0);
  line("Writeback", 0);
  line("AnonPages", anon);
  line("Mapped", cached);
  line("Shmem", shmem);
  line("KReclaimable", 0);
  line("Slab", slab);
  line("SReclaimable", 0);
  line("SUnreclaim", slab);
  line("KernelStack", 0);
  line("PageTables", 0);
  line("SecPageTables", 0);
  line("NFS_Unstable", 0);
  line("Bounce", 0);
  line("WritebackTmp", 0);
  line("CommitLimit", total);
  line("Committed_AS", anon + shmem);
  line("VmallocTotal", 34359738367);
  line("VmallocUsed", 0);
  line("VmallocChunk", 0);
  line("Percpu", 0);
  line("AnonHugePages", 0);
  line("ShmemHugePages", 0);
  line("ShmemPmdMapped", 0);
  line("FileHugePages", 0);
  line("FilePmdMapped", 0);
  out +=
      "HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
      "HugePages_Surp:        0\n";
  line("Hugepagesize", 2048);
  line("Hugetlb", 0);
  return out;
}

std::string StatText(ProcFs* p, int caller_tid) {
  SchedSummary s = p->info().Sched(caller_tid);
  int ncpu = p->opts().num_cpus;
  uint64_t idle = IdleTicks(p, s);
  // user nice system idle iowait irq softirq steal guest guest_nice
  std::string out =
      absl::StrFormat("cpu  %u 0 %u %u 0 0 0 0 0 0\n", s.user_ticks, s.system_ticks, idle);
  for (int i = 0; i < ncpu; ++i) {
    absl::StrAppend(&out, absl::StrFormat("cpu%d %u 0 %u %u 0 0 0 0 0 0\n", i, s.user_ticks / ncpu,
                                          s.system_ticks / ncpu, idle / ncpu));
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t btime = now.tv_sec - static_cast<int64_t>(BootSeconds());
  absl::StrAppend(&out, "intr 0\nctxt 0\nbtime ", btime, "\nprocesses ", s.last_pid,
                  "\nprocs_running ", std::max(1, s.running), "\nprocs_blocked ", s.blocked,
                  "\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n");
  return out;
}

std::string LoadAvgText(ProcFs* p, int caller_tid) {
  SchedSummary s = p->info().Sched(caller_tid);
  int running = std::max(1, s.running);
  // The averages leave the reader out: it runs only because it reads.
  std::array<double, 3> load = p->UpdateLoad(running - 1);
  return absl::StrFormat("%.2f %.2f %.2f %d/%d %d\n", load[0], load[1], load[2], running,
                         std::max(s.threads, running), s.last_pid);
}

std::string UptimeText(ProcFs* p, int caller_tid) {
  SchedSummary s = p->info().Sched(caller_tid);
  double up = BootSeconds();
  double idle = static_cast<double>(IdleTicks(p, s)) / kTicksPerSecond;
  return absl::StrFormat("%.2f %.2f\n", up, idle);
}

std::shared_ptr<Inode> MakeSysDir(const std::shared_ptr<ProcFs>& fs) {
  ProcFs* p = fs.get();
  auto text = [&](uint32_t perm, TextGenerator gen) {
    return std::make_shared<TextFile>(fs, perm, std::move(gen));
  };
  auto fixed = [&](std::string value, uint32_t perm = 0444) {
    return text(perm, [v = std::move(value)](const FsContext&) { return v; });
  };
  auto dir = [&] { return std::make_shared<StaticDir>(fs, 0555); };

  auto sys = dir();
  auto kernel = dir();
  kernel->Add("hostname", text(0644, [p](const FsContext&) {
                return absl::StrCat(p->info().Hostname(), "\n");
              }));
  kernel->Add("domainname", fixed("(none)\n", 0644));
  kernel->Add("osrelease", fixed(p->opts().kernel_release + "\n"));
  kernel->Add("ostype", fixed("Linux\n"));
  kernel->Add("version", fixed(p->opts().kernel_version + "\n"));
  kernel->Add("pid_max", fixed("4194304\n", 0644));
  kernel->Add("threads-max", fixed("192730\n", 0644));
  kernel->Add("ngroups_max", fixed("65536\n"));
  kernel->Add("cap_last_cap", fixed("40\n"));
  kernel->Add("overflowuid", fixed("65534\n", 0644));
  kernel->Add("overflowgid", fixed("65534\n", 0644));
  kernel->Add("shmmax", fixed("18446744073692774399\n", 0644));
  kernel->Add("shmall", fixed("18446744073692774399\n", 0644));
  kernel->Add("shmmni", fixed("4096\n", 0644));
  kernel->Add("sem", fixed("32000\t1024000000\t500\t32000\n", 0644));
  kernel->Add("msgmax", fixed("8192\n", 0644));
  kernel->Add("msgmnb", fixed("16384\n", 0644));
  kernel->Add("msgmni", fixed("32000\n", 0644));
  kernel->Add("randomize_va_space", fixed("2\n", 0644));
  kernel->Add("yama", [&] {
    auto yama = dir();
    yama->Add("ptrace_scope", fixed("1\n", 0644));
    return yama;
  }());
  auto random = dir();
  random->Add("boot_id", fixed(p->boot_id() + "\n"));
  random->Add("uuid", text(0444, [](const FsContext&) { return RandomUuid() + "\n"; }));
  random->Add("entropy_avail", fixed("256\n"));
  random->Add("poolsize", fixed("256\n"));
  kernel->Add("random", random);
  sys->Add("kernel", kernel);

  auto vm = dir();
  vm->Add("overcommit_memory", fixed("0\n", 0644));
  vm->Add("overcommit_ratio", fixed("50\n", 0644));
  vm->Add("max_map_count", fixed("65530\n", 0644));
  vm->Add("mmap_min_addr", fixed("65536\n", 0644));
  vm->Add("swappiness", fixed("60\n", 0644));
  sys->Add("vm", vm);

  auto fsdir = dir();
  fsdir->Add("nr_open", fixed("1048576\n", 0644));
  fsdir->Add("file-max", fixed("9223372036854775807\n", 0644));
  fsdir->Add("pipe-max-size", fixed("1048576\n", 0644));
  fsdir->Add("pipe-user-pages-soft", fixed("16384\n", 0644));
  auto inotify = dir();
  inotify->Add("max_user_watches", fixed("65536\n", 0644));
  inotify->Add("max_user_instances", fixed("128\n", 0644));
  inotify->Add("max_queued_events", fixed("16384\n", 0644));
  fsdir->Add("inotify", inotify);
  sys->Add("fs", fsdir);

  auto net = dir();
  auto core = dir();
  core->Add("somaxconn", fixed("4096\n", 0644));
  net->Add("core", core);
  sys->Add("net", net);
  return sys;
}

}  // namespace sentry::vfs::procfs
