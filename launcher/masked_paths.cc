// MaskedPaths: the default list and the --unmask filter.
// Pure apart from one glob(3) of /etc/ssh; launcher main thread.
#include "launcher/masked_paths.h"

#include <glob.h>

#include <algorithm>

namespace sentry::launcher {
namespace {

constexpr const char* kSystemPaths[] = {
    "/etc/shadow",        "/etc/shadow-",           "/etc/gshadow",
    "/etc/gshadow-",      "/etc/sudoers",           "/etc/sudoers.d",
    "/etc/ssl/private",   "/var/run/docker.sock",   "/run/docker.sock",
    "/run/containerd/containerd.sock",              "/run/podman/podman.sock",
    "/var/run/crio/crio.sock",                      "/etc/kubernetes/admin.conf",
};

// Relative to a home directory.
constexpr const char* kUserPaths[] = {
    ".ssh",   ".aws",    ".gnupg", ".docker", ".kube", ".config/gcloud", ".azure",
    ".netrc", ".git-credentials",  ".pgpass", ".config/gh",
};

// True when `path` is `prefix` or below it.
bool Under(std::string_view path, std::string_view prefix) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (path == prefix) return true;
  return path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
         (prefix == "/" || path[prefix.size()] == '/');
}

}  // namespace

std::vector<std::string> MaskedPaths(std::string_view home,
                                     const std::vector<std::string>& unmask) {
  std::vector<std::string> all(std::begin(kSystemPaths), std::end(kSystemPaths));
  glob_t g = {};
  if (::glob("/etc/ssh/ssh_host_*_key", GLOB_NOSORT, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) all.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  std::vector<std::string> homes = {"/root"};
  while (home.size() > 1 && home.back() == '/') home.remove_suffix(1);
  if (!home.empty() && home != "/" && home != "/root") homes.emplace_back(home);
  for (const std::string& h : homes) {
    for (const char* rel : kUserPaths) all.push_back(h + "/" + rel);
  }
  std::vector<std::string> out;
  for (std::string& p : all) {
    bool keep = std::none_of(unmask.begin(), unmask.end(),
                             [&](const std::string& u) { return Under(p, u); });
    if (keep) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace sentry::launcher
