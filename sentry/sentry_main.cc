// SentryMain: the sentry process's start-up, one step after the other, then the kernel's
// event loop. Runs on the sentry's only thread (the child the sandbox init forked).
#include "sentry/sentry_main.h"

#include <linux/capability.h>

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/capabilities.h"
#include "common/empty_root.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "gofer/client.h"
#include "platform/platform.h"
#include "sentry/host_devpts.h"
#include "sentry/host_facts.h"
#include "sentry/host_proc.h"
#include "sentry/kernel.h"
#include "vfs/host_dev_zero.h"

namespace sentry {
namespace {

// Step 1. Everything the sentry takes from the host's file tree, opened while it still sees
// it: after step 2 no path reaches the host, after step 5 no open but the /proc dirfd's works.
absl::Status OpenHostResources() {
  if (HostProcFd() < 0) return absl::InternalError("cannot open /proc for the sentry");
  (void)HostFacts();  // cpuinfo, CPUs (glibc reads /sys), RAM, kernel release
  // devfs's mmap mirror of /dev/zero (a failure leaves /dev/zero unmappable, as before).
  if (vfs::HostDevZeroFd() < 0) LOG_WARN("cannot open the host's /dev/zero");
  // Further host resources (a devpts instance for guest ptys, ...) are opened here too.
  (void)OpenDevptsInstance();  // guest ptys; without it /dev/ptmx is missing (host_devpts.h)
  return absl::OkStatus();
}

// Steps 2 and 3: the empty root (guests inherit it), then the capabilities: the bounding set
// emptied and SECBIT_NOROOT locked, so the guest init's exec of the stub grants nothing;
// CAP_SYS_ADMIN stays for the clone(CLONE_NEWPID) of the guest init and is dropped right after
// it, with the seccomp lockdown (LockDownSentry).
absl::Status Contain() {
  RETURN_IF_ERROR(EnterEmptyRoot());
  return caps::LimitCapabilities(caps::Bit(CAP_SYS_ADMIN));
}

}  // namespace

// The start-up order (docs/architecture.md, "The outer box"):
//   1. open host resources   /proc dirfd, host facts (OpenHostResources)
//   2. empty root            own mount namespace, an empty read-only tmpfs as "/"
//   3. capabilities          only CAP_SYS_ADMIN left, bounding set empty, NOROOT
//   4. fork the guest init   Kernel::Run → Start (VFS over the gofer) → StartInit
//   5. lockdown              in StartInit right after the fork: CAP_SYS_ADMIN dropped, then the
//                            seccomp allowlist (sentry_seccomp.cc)
int SentryMain(UniqueFd gofer_channel, const SentryOptions& opts) {
  log::SetPrefix("sentry");
  log::SetLevel(static_cast<log::Level>(opts.log_level));
  if (opts.argv.empty()) {
    fmt::print(stderr, "sentry: no program given\n");
    return 125;
  }
  if (opts.platform != "seccomp") {
    fmt::print(stderr, "sentry: unknown platform '{}' (available: seccomp)\n", opts.platform);
    return 125;
  }
  auto platform = platform::CreateSeccompPlatform();
  if (!platform.ok()) {
    fmt::print(stderr, "sentry: {}\n", std::string(platform.status().message()));
    return 125;
  }
  absl::Status st = OpenHostResources();
  if (st.ok() && opts.contain) st = Contain();
  if (!st.ok()) {
    fmt::print(stderr, "sentry: setting up the sentry: {}\n", std::string(st.message()));
    return 125;
  }
  auto gofer = std::make_unique<gofer::Client>(std::move(gofer_channel));
  Kernel kernel(opts, std::move(*platform), std::move(gofer));
  return kernel.Run();
}

}  // namespace sentry
