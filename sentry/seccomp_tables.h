// `sentry seccomp-tables`: the three host syscall allowlists as Markdown — guest passthrough
// (from the syscall table), the sentry's and the gofer's own. Stateless; any thread.
#pragma once

#include <string>

namespace sentry {

std::string SeccompTablesMarkdown();

}  // namespace sentry
