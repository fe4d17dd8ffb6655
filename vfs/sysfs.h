// sysfs: the sandbox's minimal, read-only /sys — the CPUs it may use
// (/sys/devices/system/cpu) and its memory limit (/sys/fs/cgroup), nothing of the host's.
// Created by Vfs::Create; sentry thread only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/procfs.h"
#include "vfs/synthetic.h"

namespace sentry::vfs {

// Built from the machine description procfs uses too (CPUs, memory limit).
std::shared_ptr<SyntheticFs> MakeSysfs(const ProcfsOptions& machine);

// Parses a Linux CPU list ("0-3,5"); empty on a malformed list.
std::vector<int> ParseCpuList(std::string_view list);
// Formats sorted CPU numbers as a Linux CPU list ({0, 1, 2, 5} → "0-2,5").
std::string FormatCpuList(const std::vector<int>& cpus);

}  // namespace sentry::vfs
