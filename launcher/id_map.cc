// uid/gid map computation and the /proc writes that install it.
// Owned by the launcher; host side, main thread.
#include "launcher/id_map.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/unique_fd.h"

namespace sentry::launcher {
namespace {

// Turns our own map ("inside outside count" per line) into an identity map over the ids
// that exist in our namespace ("inside inside count"): a child namespace can only map
// ids its parent has.
absl::StatusOr<std::string> IdentityOverOwnIds(std::string_view self_map_std, const char* what) {
  // Debian's Abseil has its own string_view type.
  absl::string_view self_map(self_map_std.data(), self_map_std.size());
  std::string out;
  for (absl::string_view line : absl::StrSplit(self_map, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint32_t inside, outside, count;
    if (f.size() != 3 || !absl::SimpleAtoi(f[0], &inside) || !absl::SimpleAtoi(f[1], &outside) ||
        !absl::SimpleAtoi(f[2], &count)) {
      return absl::InternalError(absl::StrCat("cannot parse ", what, " line \"", line, "\""));
    }
    absl::StrAppend(&out, inside, " ", inside, " ", count, "\n");
  }
  if (out.empty()) return absl::InternalError(absl::StrCat(what, " is empty"));
  return out;
}

absl::StatusOr<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WriteProcFile(pid_t pid, const char* name, const std::string& text,
                           bool missing_ok = false) {
  std::string path = absl::StrCat("/proc/", pid, "/", name);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) {
    if (missing_ok && errno == ENOENT) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  }
  ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size())) {
    return absl::PermissionDeniedError(absl::StrCat("write \"", text, "\" to ", path, ": ",
                                                    n < 0 ? std::strerror(errno) : "short write"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<IdMapping> ComputeIdMapping(uid_t euid, gid_t egid, std::string_view self_uid_map,
                                           std::string_view self_gid_map) {
  IdMapping m;
  if (euid == 0) {
    ASSIGN_OR_RETURN(m.uid_map, IdentityOverOwnIds(self_uid_map, "uid_map"));
    ASSIGN_OR_RETURN(m.gid_map, IdentityOverOwnIds(self_gid_map, "gid_map"));
    m.deny_setgroups = false;
  } else {
    m.uid_map = absl::StrCat("0 ", euid, " 1\n");
    m.gid_map = absl::StrCat("0 ", egid, " 1\n");
    m.deny_setgroups = true;
  }
  return m;
}

absl::StatusOr<IdMapping> ComputeIdMappingForSelf() {
  uid_t euid = ::geteuid();
  std::string uid_map, gid_map;
  if (euid == 0) {
    ASSIGN_OR_RETURN(uid_map, ReadFile("/proc/self/uid_map"));
    ASSIGN_OR_RETURN(gid_map, ReadFile("/proc/self/gid_map"));
  }
  return ComputeIdMapping(euid, ::getegid(), uid_map, gid_map);
}

absl::Status WriteIdMapping(pid_t pid, const IdMapping& mapping) {
  // setgroups does not exist before Linux 3.19; there an unprivileged gid_map works without it.
  if (mapping.deny_setgroups) RETURN_IF_ERROR(WriteProcFile(pid, "setgroups", "deny", true));
  RETURN_IF_ERROR(WriteProcFile(pid, "uid_map", mapping.uid_map));
  RETURN_IF_ERROR(WriteProcFile(pid, "gid_map", mapping.gid_map));
  return absl::OkStatus();
}

}  // namespace sentry::launcher
