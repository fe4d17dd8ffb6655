// Implementation of GoferMain: opens the served root and runs a gofer::Server on the channel.
// Called once, on the gofer process's main thread.
#include "gofer/gofer_main.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "common/log.h"
#include "gofer/server.h"

namespace sentry::gofer {

int GoferMain(UniqueFd channel, const GoferOptions& opts) {
  log::SetPrefix("gofer");
  // The root comes from trusted configuration, so following symlinks here is fine; below
  // it the server resolves one component at a time and never follows a link.
  UniqueFd root(::open(opts.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    LOG_ERROR("cannot open root {}: {}", opts.root, std::strerror(errno));
    return 1;
  }
  Server server(std::move(channel), std::move(root), ServerOptions{.read_only = opts.read_only});
  absl::Status st = server.Serve();
  if (!st.ok()) {
    LOG_ERROR("serving {} failed: {}", opts.root, st.ToString());
    return 1;
  }
  LOG_INFO("channel closed; serving {} ended", opts.root);
  return 0;
}

}  // namespace sentry::gofer
