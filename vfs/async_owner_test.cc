// Tests for async_owner.h: FileDescription::NotifyAsync reaches the hook only for an O_ASYNC
// description that has an owner.
#include "vfs/async_owner.h"

#include <fcntl.h>
#include <poll.h>

#include <gtest/gtest.h>

#include "vfs/file_description.h"

namespace sentry::vfs {
namespace {

struct Seen {
  int calls = 0;
  uint32_t band = 0;
  FileDescription* file = nullptr;
};

void Record(void* ctx, FileDescription& f, uint32_t band) {
  auto* s = static_cast<Seen*>(ctx);
  ++s->calls;
  s->band = band;
  s->file = &f;
}

TEST(AsyncOwnerTest, NotifyReachesTheHookOnlyWithOasyncAndAnOwner) {
  Seen seen;
  SetAsyncSignalHook(&Record, &seen);
  PathFile f(nullptr, O_RDONLY, "pipe:[1]");
  f.NotifyAsync(POLLIN);  // no O_ASYNC, no owner
  EXPECT_EQ(seen.calls, 0);
  f.set_status_flags(O_ASYNC);
  f.NotifyAsync(POLLIN);  // no owner yet
  EXPECT_EQ(seen.calls, 0);
  f.async_owner().type = 1;
  f.async_owner().id = 42;
  f.NotifyAsync(POLLOUT);
  EXPECT_EQ(seen.calls, 1);
  EXPECT_EQ(seen.band, static_cast<uint32_t>(POLLOUT));
  EXPECT_EQ(seen.file, &f);
  f.set_status_flags(0);
  f.NotifyAsync(POLLIN);
  EXPECT_EQ(seen.calls, 1);
  SetAsyncSignalHook(nullptr, nullptr);
  f.set_status_flags(O_ASYNC);
  f.NotifyAsync(POLLIN);  // no hook: nothing
  EXPECT_EQ(seen.calls, 1);
}

}  // namespace
}  // namespace sentry::vfs
