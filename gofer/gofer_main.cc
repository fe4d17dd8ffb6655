// Implementation of GoferMain: opens every served directory once and runs a gofer::Server on
// the channel. Called once, on the gofer process's main thread.
#include "gofer/gofer_main.h"

#include <sys/stat.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "common/log.h"
#include "gofer/gofer_seccomp.h"
#include "gofer/server.h"

namespace sentry::gofer {
namespace {

// The paths come from trusted configuration, so following symlinks here is fine; below each
// root the server resolves one component at a time and never follows a link.
bool OpenRoot(const std::string& path, bool read_only, std::vector<ServedMount>* out) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    LOG_ERROR("cannot open served directory {}: {}", path, std::strerror(errno));
    return false;
  }
  out->push_back(ServedMount{.root = std::move(fd), .read_only = read_only});
  return true;
}

}  // namespace

int GoferMain(UniqueFd channel, const GoferOptions& opts) {
  log::SetPrefix("gofer");
  std::vector<ServedMount> mounts;
  if (!OpenRoot(opts.root, opts.read_only, &mounts)) return 1;
  for (const GoferMount& m : opts.mounts) {
    if (!OpenRoot(m.source, m.read_only, &mounts)) return 1;
  }
  // Identities of the masked paths, taken before the lockdown (stat needs paths).
  std::vector<std::pair<uint64_t, uint64_t>> masked;
  for (const std::string& p : opts.masked_paths) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) masked.emplace_back(st.st_dev, st.st_ino);
  }
  if (opts.self_seccomp) {
    // From here on: only the *at() calls, channel I/O, memory and exit (gofer_seccomp.cc).
    absl::Status st = seccomp::InstallAllowlist(
        GoferAllowlist(channel.get(), NeedChmodFallback()), seccomp::ViolationFromEnv(), "gofer");
    if (!st.ok()) {
      LOG_ERROR("{}", st.ToString());
      return 1;
    }
  }
  Server server(std::move(channel), std::move(mounts), ServerOptions{.masked = masked});
  absl::Status st = server.Serve();
  if (!st.ok()) {
    LOG_ERROR("serving {} failed: {}", opts.root, st.ToString());
    return 1;
  }
  LOG_INFO("channel closed; serving {} ended", opts.root);
  return 0;
}

}  // namespace sentry::gofer
