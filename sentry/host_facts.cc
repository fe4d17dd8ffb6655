// Implementation of HostFacts (see host_facts.h): /proc/cpuinfo through the sentry's /proc
// dirfd, RAM from sysinfo, CPUs from the affinity mask, uname. Sentry thread.
#include "sentry/host_facts.h"

#include <sched.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "sentry/host_proc.h"
#include "vfs/sysfs.h"

namespace sentry {
namespace {

vfs::ProcfsOptions ReadHostFacts() {
  vfs::ProcfsOptions o;
  if (FILE* f = FopenHostProc(0, "cpuinfo")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) o.cpuinfo.append(buf, n);
    fclose(f);
  }
  struct sysinfo si;
  if (sysinfo(&si) == 0) o.mem_total_bytes = static_cast<uint64_t>(si.totalram) * si.mem_unit;
  // glibc reads /sys for this: only possible before the empty root.
  o.num_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  // The CPUs the sandbox may use (/sys/devices/system/cpu/online): the sentry's affinity,
  // which every guest inherits.
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) {
    std::vector<int> ids;
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &cpus)) ids.push_back(c);
    }
    o.cpu_list = vfs::FormatCpuList(ids);
  }
  struct utsname u;
  if (uname(&u) == 0) o.kernel_release = u.release;
  return o;
}

}  // namespace

const vfs::ProcfsOptions& HostFacts() {
  static const vfs::ProcfsOptions facts = ReadHostFacts();
  return facts;
}

}  // namespace sentry
