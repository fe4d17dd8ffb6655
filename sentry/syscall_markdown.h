// `sentry syscalls`: the compatibility table as Markdown, generated from the syscall table.
// Owned by the sentry; pure function, any thread may call it.
#pragma once

#include <string>

namespace sentry {

// One row per assigned x86-64 syscall (number, name, action, support, note), with the
// passthrough argument checks written out, then a summary line with counts per action.
std::string SyscallTableMarkdown();

}  // namespace sentry
