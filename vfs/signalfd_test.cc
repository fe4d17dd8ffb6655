// Unit tests of vfs::SignalFd: mask handling, readiness from SetPending and the doorbell.
// The sentry never reads the host signalfd, so neither do these tests.
#include "vfs/signalfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>

#include "gtest/gtest.h"

namespace sentry::vfs {
namespace {

constexpr uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }

bool DoorbellReadable(const SignalFd& f) {
  struct pollfd p = {f.ReadinessFd(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

TEST(SignalFdTest, CreateDropsKillAndStop) {
  auto f = SignalFd::Create(Bit(SIGUSR1) | Bit(SIGKILL) | Bit(SIGSTOP), SFD_NONBLOCK);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->mask(), Bit(SIGUSR1));
  EXPECT_TRUE((*f)->status_flags() & O_NONBLOCK);
  EXPECT_EQ((*f)->Path(), "anon_inode:[signalfd]");
  EXPECT_GE((*f)->HostFd(), 0);
  EXPECT_NE((*f)->HostFd(), (*f)->ReadinessFd());
}

TEST(SignalFdTest, ReadinessFollowsPendingAndMask) {
  auto f = SignalFd::Create(Bit(SIGUSR1), 0);
  ASSERT_TRUE(f.ok());
  SignalFd& s = **f;
  EXPECT_EQ(s.Readiness(POLLIN | POLLOUT), 0u);
  EXPECT_FALSE(DoorbellReadable(s));
  s.SetPending(Bit(SIGUSR2));  // not in the mask
  EXPECT_EQ(s.Readiness(POLLIN), 0u);
  EXPECT_FALSE(DoorbellReadable(s));
  s.SetPending(Bit(SIGUSR1) | Bit(SIGUSR2));
  EXPECT_EQ(s.Readiness(POLLIN | POLLOUT), static_cast<uint32_t>(POLLIN));
  EXPECT_TRUE(DoorbellReadable(s));
  s.SetPending(Bit(SIGUSR1));  // still ready: the doorbell stays set once
  EXPECT_TRUE(DoorbellReadable(s));
  s.SetPending(0);
  EXPECT_EQ(s.Readiness(POLLIN), 0u);
  EXPECT_FALSE(DoorbellReadable(s));
}

TEST(SignalFdTest, SetMaskChangesReadiness) {
  auto f = SignalFd::Create(Bit(SIGUSR1), 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->SetMask(Bit(SIGUSR2) | Bit(SIGKILL)), 0);
  EXPECT_EQ((*f)->mask(), Bit(SIGUSR2));
  (*f)->SetPending(Bit(SIGUSR1));
  EXPECT_EQ((*f)->Readiness(POLLIN), 0u);
  (*f)->SetPending(Bit(SIGUSR2));
  EXPECT_EQ((*f)->Readiness(POLLIN), static_cast<uint32_t>(POLLIN));
}

TEST(SignalFdTest, SentryNeverReadsOrWrites) {
  auto f = SignalFd::Create(Bit(SIGUSR1), SFD_NONBLOCK);
  ASSERT_TRUE(f.ok());
  char buf[128];
  EXPECT_EQ((*f)->Read(std::span<char>(buf, sizeof(buf))).error(), EINVAL);
  EXPECT_EQ((*f)->Write(std::span<const char>(buf, sizeof(buf))).error(), EINVAL);
}

TEST(SignalFdTest, SyncHostFlagsFollowsDescription) {
  auto f = SignalFd::Create(Bit(SIGUSR1), 0);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(::fcntl((*f)->HostFd(), F_GETFL) & O_NONBLOCK);
  (*f)->set_status_flags(O_NONBLOCK);
  (*f)->SyncHostFlags();
  EXPECT_TRUE(::fcntl((*f)->HostFd(), F_GETFL) & O_NONBLOCK);
  (*f)->set_status_flags(0);
  (*f)->SyncHostFlags();
  EXPECT_FALSE(::fcntl((*f)->HostFd(), F_GETFL) & O_NONBLOCK);
}

TEST(SignalFdTest, FdInfoShowsMask) {
  auto f = SignalFd::Create(Bit(SIGUSR1) | Bit(SIGUSR2), 0);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->FdInfo(), "sigmask:\t0000000000000a00\n");
}

}  // namespace
}  // namespace sentry::vfs
