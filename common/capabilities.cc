// Implementation of the capability limits (see capabilities.h): securebits and the bounding
// set through prctl, the other sets through a raw capset (no libcap). Process's only thread.
#include "common/capabilities.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/unique_fd.h"

namespace sentry::caps {
namespace {

absl::Status Errno(const std::string& what) {
  return absl::PermissionDeniedError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// capset(2) of version 3 (two 32-bit words per set).
absl::Status SetSets(uint64_t permitted, uint64_t effective, uint64_t inheritable) {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  hdr.pid = 0;
  __user_cap_data_struct data[2]{};
  for (int i = 0; i < 2; ++i) {
    data[i].permitted = static_cast<uint32_t>(permitted >> (32 * i));
    data[i].effective = static_cast<uint32_t>(effective >> (32 * i));
    data[i].inheritable = static_cast<uint32_t>(inheritable >> (32 * i));
  }
  if (::syscall(SYS_capset, &hdr, data) != 0) return Errno("capset");
  return absl::OkStatus();
}

}  // namespace

absl::Status LimitCapabilities(uint64_t keep) {
  // Locked, so that nothing later (not even an exec as uid 0) gains capabilities again.
  constexpr unsigned long kSecureBits =
      SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
  if (::prctl(PR_SET_SECUREBITS, kSecureBits, 0, 0, 0) != 0) {
    return Errno("prctl(PR_SET_SECUREBITS)");
  }
  // Every capability the kernel knows: PR_CAPBSET_DROP answers EINVAL past the last one.
  for (int cap = 0; cap < 64; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      return Errno(absl::StrCat("prctl(PR_CAPBSET_DROP, ", cap, ")"));
    }
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return Errno("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  }
  return SetSets(keep, keep, 0);
}

absl::Status ReduceCapabilities(uint64_t keep) { return SetSets(keep, keep, 0); }

bool ParseStatusSets(const std::string& status, Sets* out) {
  std::istringstream in(status);
  std::string line;
  int found = 0;
  while (std::getline(in, line)) {
    struct {
      const char* name;
      uint64_t* field;
    } const keys[] = {{"CapInh:", &out->inheritable},
                      {"CapPrm:", &out->permitted},
                      {"CapEff:", &out->effective},
                      {"CapBnd:", &out->bounding},
                      {"CapAmb:", &out->ambient}};
    for (const auto& k : keys) {
      if (line.rfind(k.name, 0) != 0) continue;
      unsigned long long v = 0;
      if (std::sscanf(line.c_str() + std::strlen(k.name), " %llx", &v) != 1) return false;
      *k.field = v;
      ++found;
    }
  }
  return found == 5;
}

absl::Status ReadOwnSets(Sets* out) {
  UniqueFd fd(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  if (!fd) return Errno("open /proc/self/status");
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  if (!ParseStatusSets(text, out)) return absl::InternalError("no Cap* lines in /proc/self/status");
  return absl::OkStatus();
}

}  // namespace sentry::caps
