// FileDescription::NotifyAsync and the sentry's SIGIO hook (see async_owner.h).
// Sentry thread only.
#include "vfs/async_owner.h"

#include "vfs/file_description.h"

namespace sentry::vfs {
namespace {

AsyncSignalHook g_hook = nullptr;
void* g_ctx = nullptr;

}  // namespace

void SetAsyncSignalHook(AsyncSignalHook hook, void* ctx) {
  g_hook = hook;
  g_ctx = ctx;
}

void FileDescription::NotifyAsync(uint32_t band) {
  if (!(status_flags() & O_ASYNC) || async_owner_.id == 0 || g_hook == nullptr) return;
  g_hook(g_ctx, *this, band);
}

}  // namespace sentry::vfs
