// AsyncOwner: who gets SIGIO for an O_ASYNC description (fcntl F_SETOWN/F_SETOWN_EX/F_SETSIG),
// and the hook through which a description reports readiness that may be due a signal.
// One per FileDescription; the sentry installs the hook (sentry/async_io.h). Sentry thread only.
#pragma once

#include <cstdint>

namespace sentry::vfs {

class FileDescription;

struct AsyncOwner {
  // F_OWNER_TID (0), F_OWNER_PID (1) or F_OWNER_PGRP (2), as in struct f_owner_ex.
  int type = 1;
  int id = 0;   // sandbox tid, pid or pgid; 0: no owner (no signal)
  int sig = 0;  // F_SETSIG: 0 means SIGIO
  // The fd O_ASYNC was turned on through (Linux's fa_fd): the si_fd of F_SETSIG signals.
  int fasync_fd = -1;
};

// Called by FileDescription::NotifyAsync for an O_ASYNC description with an owner; `band`
// is the poll events that became ready (POLLIN, POLLOUT, ...).
using AsyncSignalHook = void (*)(void* ctx, FileDescription& file, uint32_t band);
void SetAsyncSignalHook(AsyncSignalHook hook, void* ctx);

}  // namespace sentry::vfs
