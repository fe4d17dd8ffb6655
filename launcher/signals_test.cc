// Tests for the signal relay helpers (exit codes, which signals are forwarded).
// Owned by the launcher.
#include "launcher/signals.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sentry::launcher {
namespace {

int StatusOfChild(void (*body)()) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(99);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(SignalsTest, ExitCodeFromWaitStatus) {
  EXPECT_EQ(ExitCodeFromWaitStatus(StatusOfChild([] { _exit(0); })), 0);
  EXPECT_EQ(ExitCodeFromWaitStatus(StatusOfChild([] { _exit(42); })), 42);
  EXPECT_EQ(ExitCodeFromWaitStatus(StatusOfChild([] {
              ResetSignalsForChild();
              raise(SIGTERM);
            })),
            128 + SIGTERM);
  EXPECT_EQ(ExitCodeFromWaitStatus(StatusOfChild([] { raise(SIGKILL); })), 128 + SIGKILL);
}

TEST(SignalsTest, TerminalSignalsAreNotForwarded) {
  siginfo_t info = {};
  info.si_code = SI_KERNEL;
  EXPECT_FALSE(ShouldForward(info));
  info.si_code = SI_USER;
  EXPECT_TRUE(ShouldForward(info));
  info.si_code = SI_QUEUE;
  EXPECT_TRUE(ShouldForward(info));
}

}  // namespace
}  // namespace sentry::launcher
