// The host secrets a sandbox over the host's "/" never serves (credentials, private keys,
// the sockets of container engines), and `--unmask` to give some back. Pure functions of
// their arguments plus a glob of the host; called by the launcher's main thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sentry::launcher {

// The default masked paths for a launcher whose home is `home` ("" or "/" if none): fixed
// system paths, the same per-user paths under /root and under `home`, and /etc/ssh's host
// keys. Entries equal to or below an `unmask` path are left out.
std::vector<std::string> MaskedPaths(std::string_view home, const std::vector<std::string>& unmask);

}  // namespace sentry::launcher
