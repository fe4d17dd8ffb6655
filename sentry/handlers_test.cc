// The one table and the handlers agree: every emulated syscall marked full or partial has a
// handler; nothing else has one, except passthroughs whose argument checks send the rest to
// the sentry (e.g. clone with namespace flags, file-backed mmap). Single-threaded unit test.
#include <vector>

#include "gtest/gtest.h"
#include "sentry/kernel.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

bool HasConditionalRules(const SyscallEntry& e) {
  for (int r = 0; r < e.nrules; ++r) {
    if (e.rules[r][0].op != ArgCheck::Op::kNone) return true;
  }
  return false;
}

TEST(HandlersTest, TableAndHandlersAgree) {
  std::vector<SyscallHandler> handlers(kMaxSyscall + 1, nullptr);
  RegisterHandlers(&handlers);
  for (const SyscallEntry& e : SyscallTable()) {
    if (e.name == nullptr) {
      EXPECT_EQ(handlers[e.nr < 0 ? 0 : e.nr], handlers[e.nr < 0 ? 0 : e.nr]);
      continue;
    }
    bool claimed = e.action == SyscallAction::kEmulate &&
                   (e.support == SupportLevel::kFull || e.support == SupportLevel::kPartial);
    bool has = handlers[e.nr] != nullptr;
    if (claimed) {
      EXPECT_TRUE(has) << e.name << " is listed as emulated but has no handler";
    } else if (e.action == SyscallAction::kPassthrough && HasConditionalRules(e)) {
      // May have a handler for the calls its checks refuse.
    } else {
      EXPECT_FALSE(has) << e.name << " has a handler the table does not claim";
    }
  }
}

}  // namespace
}  // namespace sentry
