// Implementation of GoferMain: opens every served directory once, contains itself (empty root,
// capabilities), locks itself down and runs a gofer::Server on the channel. Called once, on the
// gofer process's main thread.
#include "gofer/gofer_main.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/capabilities.h"
#include "common/empty_root.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "gofer/gofer_seccomp.h"
#include "gofer/host_ops.h"
#include "gofer/server.h"

namespace sentry::gofer {
namespace {

// What the server needs of the sandbox user namespace's root: new nodes and chown with the
// guest's ids, and a guest root's view of permission bits on writable mounts.
constexpr uint64_t kGoferCapabilities =
    caps::Bit(CAP_CHOWN) | caps::Bit(CAP_DAC_OVERRIDE) | caps::Bit(CAP_FOWNER);

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

// Start-up order: served trees found → empty root holding only their binds → the trees
// reopened there → non-dumpable → capabilities limited. The seccomp lockdown comes last.
absl::Status Contain(const GoferOptions& opts, std::vector<ServedMount>* mounts) {
  // Reopening nodes goes through /proc/self/fd, which the empty root no longer shows.
  if (host::ProcSelfFdDir() < 0) {
    return absl::InternalError(absl::StrCat("opening /proc/self/fd: ", std::strerror(errno)));
  }
  std::vector<RootBind> binds;
  binds.push_back({.source = opts.root, .read_only = opts.read_only});
  for (const GoferMount& m : opts.mounts) binds.push_back({.source = m.source, .read_only = m.read_only});
  RETURN_IF_ERROR(EnterEmptyRoot(binds));
  for (size_t i = 0; i < mounts->size(); ++i) {
    // The bind shows the same tree, submounts attached (the first fd's mounts are detached).
    std::string path = BindTarget(i);
    UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat want, got;
    if (!fd || ::fstat(fd.get(), &got) != 0 || ::fstat((*mounts)[i].root.get(), &want) != 0 ||
        want.st_dev != got.st_dev || want.st_ino != got.st_ino) {
      return absl::InternalError(absl::StrCat("served tree ", binds[i].source,
                                              " is not at ", path, " in the gofer's root"));
    }
    (*mounts)[i].root = std::move(fd);
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return absl::InternalError(absl::StrCat("prctl(PR_SET_DUMPABLE): ", std::strerror(errno)));
  }
  return caps::LimitCapabilities(kGoferCapabilities);
}

}  // namespace

int GoferMain(UniqueFd channel, const GoferOptions& opts) {
  log::SetPrefix("gofer");
  std::vector<ServedMount> mounts;
  if (!OpenRoot(opts.root, opts.read_only, &mounts)) return 1;
  for (const GoferMount& m : opts.mounts) {
    if (!OpenRoot(m.source, m.read_only, &mounts)) return 1;
  }
  // Identities of the masked paths, taken before the empty root (stat needs host paths).
  std::vector<std::pair<uint64_t, uint64_t>> masked;
  for (const std::string& p : opts.masked_paths) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) masked.emplace_back(st.st_dev, st.st_ino);
  }
  // Nodes are reopened through this dirfd; opened now, before the empty root and the filter
  // (which allows no open relative to the working directory).
  if (host::ProcSelfFdDir() < 0) LOG_WARN("no /proc/self/fd: nodes are reopened by name");
  if (opts.contain) {
    if (absl::Status st = Contain(opts, &mounts); !st.ok()) {
      LOG_ERROR("containing the gofer: {}", std::string(st.message()));
      return 1;
    }
  }
  if (opts.self_seccomp) {
    // From here on: only the *at() calls, channel I/O, memory and exit (gofer_seccomp.cc).
    absl::Status st = seccomp::InstallAllowlist(
        GoferAllowlist(channel.get(), NeedChmodFallback(), NeedOpenat2Fallback()),
        seccomp::ViolationFromEnv(), "gofer");
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
