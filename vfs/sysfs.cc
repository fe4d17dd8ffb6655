// sysfs.
// Ownership as described in vfs/sysfs.h; sentry thread only.
#include "vfs/sysfs.h"

#include <linux/magic.h>

#include <charconv>

#include "absl/strings/str_cat.h"

namespace sentry::vfs {
namespace {

class SysFs : public SyntheticFs {
 public:
  SysFs() : SyntheticFs("sysfs", Traits{.read_only = true}, SYSFS_MAGIC) {}
  std::string MountOptions() const override { return "nosuid,nodev,noexec"; }
};

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && *out >= 0;
}

}  // namespace

std::vector<int> ParseCpuList(std::string_view list) {
  std::vector<int> cpus;
  while (!list.empty() && (list.back() == '\n' || list.back() == ' ')) list.remove_suffix(1);
  if (list.empty()) return cpus;
  while (true) {
    size_t comma = list.find(',');
    std::string_view range = list.substr(0, comma);
    size_t dash = range.find('-');
    int lo, hi;
    if (!ParseInt(range.substr(0, dash), &lo)) return {};
    hi = lo;
    if (dash != std::string_view::npos && !ParseInt(range.substr(dash + 1), &hi)) return {};
    if (hi < lo || hi > 8191) return {};
    for (int c = lo; c <= hi; ++c) cpus.push_back(c);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return cpus;
}

std::string FormatCpuList(const std::vector<int>& cpus) {
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    absl::StrAppend(&out, cpus[i]);
    if (j > i) absl::StrAppend(&out, "-", cpus[j]);
    i = j + 1;
  }
  return out;
}

std::shared_ptr<SyntheticFs> MakeSysfs(const ProcfsOptions& machine) {
  auto fs = std::make_shared<SysFs>();
  auto dir = [&] { return std::make_shared<StaticDir>(fs, 0755); };
  auto fixed = [&](std::string value) {
    return std::make_shared<TextFile>(fs, 0444,
                                      [v = std::move(value)](const FsContext&) { return v; });
  };

  std::string list = machine.cpu_list;
  std::vector<int> cpus = ParseCpuList(list);
  if (cpus.empty()) {
    int n = machine.num_cpus < 1 ? 1 : machine.num_cpus;
    list = n == 1 ? "0" : absl::StrCat("0-", n - 1);
    cpus = ParseCpuList(list);
  }
  auto cpu = dir();
  for (int c : cpus) cpu->Add(absl::StrCat("cpu", c), dir());
  cpu->Add("online", fixed(list + "\n"));
  cpu->Add("possible", fixed(list + "\n"));
  cpu->Add("present", fixed(list + "\n"));
  cpu->Add("offline", fixed("\n"));
  cpu->Add("kernel_max", fixed("8191\n"));
  auto system = dir();
  system->Add("cpu", cpu);
  auto devices = dir();
  devices->Add("system", system);

  // The sandbox's own cgroup, as a cgroup v2 directory would show its limits.
  auto cgroup = dir();
  if (machine.memory_limit_bytes != 0) {
    cgroup->Add("cgroup.controllers", fixed("memory\n"));
    cgroup->Add("memory.max", fixed(absl::StrCat(machine.memory_limit_bytes, "\n")));
  }
  auto fsdir = dir();
  fsdir->Add("cgroup", cgroup);

  auto root = dir();
  root->Add("devices", devices);
  root->Add("fs", fsdir);
  fs->set_root(root);
  return fs;
}

}  // namespace sentry::vfs
