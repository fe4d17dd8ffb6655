// Implementation of the cgroup layout detection (mountinfo and /proc/self/cgroup parsing).
// Owned by the launcher; main thread.
#include "launcher/cgroup_layout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "launcher/text_file.h"

namespace sentry::launcher {
namespace {

// mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::all_of(s.begin() + i + 1, s.begin() + i + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The directory of cgroup `path` in a hierarchy mounted at `m` ("" if `path` is not below
// the mount's root, e.g. another cgroup namespace's view).
std::string DirOf(const CgroupMount& m, const std::string& path) {
  std::string rel;
  if (m.root == "/") {
    rel = path;
  } else if (path == m.root) {
    rel = "";
  } else if (path.rfind(m.root + "/", 0) == 0) {
    rel = path.substr(m.root.size());
  } else {
    return "";
  }
  if (rel == "/") rel = "";
  return m.mount_point + rel;
}

// Our cgroup in the v1 hierarchy that has `controller`: its directory, or "".
std::string V1DirFor(const std::vector<CgroupMount>& mounts, const std::vector<ProcCgroup>& self,
                     const std::string& controller) {
  for (const ProcCgroup& pc : self) {
    if (pc.v2 || !Contains(pc.controllers, controller)) continue;
    for (const CgroupMount& m : mounts) {
      if (m.v2 || !Contains(m.controllers, controller)) continue;
      std::string dir = DirOf(m, pc.path);
      if (!dir.empty()) return dir;
    }
  }
  return "";
}

}  // namespace

std::vector<CgroupMount> ParseCgroupMounts(std::string_view mountinfo) {
  std::vector<CgroupMount> out;
  for (const std::string& line : SplitFields(mountinfo, "\n")) {
    // id parent major:minor root mount_point options [optional...] - fstype source super
    std::vector<std::string> f = SplitFields(line, " ");
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 4) continue;
    const std::string& fstype = dash[1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m;
    m.root = Unescape(f[3]);
    m.mount_point = Unescape(f[4]);
    m.v2 = fstype == "cgroup2";
    if (!m.v2) {
      for (const std::string& opt : SplitFields(dash[3], ",")) {
        if (opt != "rw" && opt != "ro") m.controllers.push_back(opt);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ProcCgroup> ParseProcCgroups(std::string_view text) {
  std::vector<ProcCgroup> out;
  for (const std::string& line : SplitFields(text, "\n")) {
    // hierarchy-id:controllers:path (the path may contain ':')
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string::npos || c2 + 1 >= line.size() || line[c2 + 1] != '/') continue;
    ProcCgroup pc;
    std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
    pc.v2 = line.substr(0, c1) == "0" && controllers.empty();
    pc.controllers = SplitFields(controllers, ",");
    pc.path = line.substr(c2 + 1);
    out.push_back(std::move(pc));
  }
  return out;
}

absl::StatusOr<CgroupLayout> ChooseCgroupLayout(const std::vector<CgroupMount>& mounts,
                                                const std::vector<ProcCgroup>& self,
                                                const std::vector<std::string>& needed) {
  // v2: the unified hierarchy, if our cgroup there offers every needed controller.
  std::string v2_note = "no cgroup2 mount";
  for (const ProcCgroup& pc : self) {
    if (!pc.v2) continue;
    for (const CgroupMount& m : mounts) {
      if (!m.v2) continue;
      std::string dir = DirOf(m, pc.path);
      if (dir.empty()) continue;
      absl::StatusOr<std::string> text = ReadTextFile(dir + "/cgroup.controllers");
      if (!text.ok()) {
        v2_note = std::string(text.status().message());
        continue;
      }
      std::vector<std::string> have = SplitFields(*text, " \n");
      std::vector<std::string> missing;
      for (const std::string& c : needed) {
        if (!Contains(have, c)) missing.push_back(c);
      }
      if (missing.empty()) {
        CgroupLayout layout;
        layout.version = CgroupVersion::kV2;
        layout.parents.push_back({dir, needed});
        return layout;
      }
      v2_note = absl::StrCat("the cgroup2 hierarchy at ", m.mount_point, " lacks ",
                             absl::StrJoin(missing, ", "), " in ", dir, "/cgroup.controllers");
    }
  }
  // v1: one hierarchy per controller; controllers mounted together share a directory.
  CgroupLayout layout;
  layout.version = CgroupVersion::kV1;
  std::vector<std::string> missing;
  for (const std::string& c : needed) {
    std::string dir = V1DirFor(mounts, self, c);
    if (dir.empty()) {
      missing.push_back(c);
      continue;
    }
    auto same = std::find_if(layout.parents.begin(), layout.parents.end(),
                             [&](const CgroupLayout::Parent& p) { return p.dir == dir; });
    if (same != layout.parents.end()) {
      same->controllers.push_back(c);
    } else {
      layout.parents.push_back({dir, {c}});
    }
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no cgroup hierarchy offers the ", absl::StrJoin(missing, ", "), " controller",
                     missing.size() > 1 ? "s" : "", " (", v2_note, "; no cgroup v1 hierarchy for ",
                     absl::StrJoin(missing, ", "), ")"));
  }
  // The freezer lets the clean-up stop everything before killing it (optional).
  if (std::string freezer = V1DirFor(mounts, self, "freezer"); !freezer.empty()) {
    auto same = std::find_if(layout.parents.begin(), layout.parents.end(),
                             [&](const CgroupLayout::Parent& p) { return p.dir == freezer; });
    if (same != layout.parents.end()) {
      same->controllers.push_back("freezer");
    } else {
      layout.parents.push_back({freezer, {"freezer"}, /*optional=*/true});
    }
  }
  return layout;
}

absl::StatusOr<CgroupLayout> DetectCgroupLayout(const std::vector<std::string>& needed) {
  ASSIGN_OR_RETURN(std::string mountinfo, ReadTextFile("/proc/self/mountinfo"));
  ASSIGN_OR_RETURN(std::string cgroups, ReadTextFile("/proc/self/cgroup"));
  return ChooseCgroupLayout(ParseCgroupMounts(mountinfo), ParseProcCgroups(cgroups), needed);
}

}  // namespace sentry::launcher
