// Sandbox path text for dentries (getcwd, /proc/PID/fd, FileDescription::Path).
// Free functions; sentry thread only.
#pragma once

#include <memory>
#include <string>

namespace sentry::vfs {

class Dentry;

// The absolute path of `d` as seen from `root` (null: the global root). Mount roots take
// the name of the dentry they cover. A dentry outside `root` gets Linux's
// "(unreachable)" prefix before its global path.
std::string AbsolutePath(const std::shared_ptr<Dentry>& d, const std::shared_ptr<Dentry>& root);

}  // namespace sentry::vfs
