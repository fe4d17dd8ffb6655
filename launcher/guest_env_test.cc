// Tests for the guest's initial environment (defaults, --env, --inherit-env).
// Owned by the launcher.
#include "launcher/guest_env.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sentry::launcher {
namespace {

using Env = std::vector<std::string>;

// An environ-style array over `strings` (which must outlive it).
std::vector<char*> Environ(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

EnvSpec Set(const std::string& k, const std::string& v) { return {k, v, true}; }
EnvSpec Pass(const std::string& k) { return {k, "", false}; }

TEST(GuestEnvTest, DefaultKeepsOnlyTheBasics) {
  Env host = {"SECRET=1",   "PATH=/opt/bin:/bin", "HOME=/home/u",
              "TERM=xterm", "LANG=C.UTF-8",       "LD_PRELOAD=/evil.so"};
  auto envp = Environ(host);
  EXPECT_EQ(BuildGuestEnv(envp.data(), {}, false),
            (Env{"PATH=/opt/bin:/bin", "HOME=/home/u", "TERM=xterm", "LANG=C.UTF-8"}));
}

TEST(GuestEnvTest, DefaultsWhenTheHostHasNone) {
  EXPECT_EQ(BuildGuestEnv(nullptr, {}, false),
            (Env{std::string("PATH=") + kDefaultGuestPath, "HOME=/root"}));
  Env host = {"PATH=", "HOME="};
  auto envp = Environ(host);
  EXPECT_EQ(BuildGuestEnv(envp.data(), {}, false),
            (Env{std::string("PATH=") + kDefaultGuestPath, "HOME=/root"}));
}

TEST(GuestEnvTest, EnvSetsAndPassesThrough) {
  Env host = {"PATH=/bin", "HOME=/home/u", "FOO=host-foo", "BAR=host-bar"};
  auto envp = Environ(host);
  Env got = BuildGuestEnv(envp.data(),
                          {Set("A", "b"), Pass("FOO"), Pass("UNSET"), Set("HOME", "/x"),
                           Set("EMPTY", ""), Set("A", "c=d")},
                          false);
  EXPECT_EQ(got, (Env{"PATH=/bin", "HOME=/x", "A=c=d", "FOO=host-foo", "EMPTY="}));
}

TEST(GuestEnvTest, InheritAllThenOverride) {
  Env host = {"PATH=/bin", "SECRET=1", "DUP=first", "DUP=second", "junk-without-equals"};
  auto envp = Environ(host);
  EXPECT_EQ(BuildGuestEnv(envp.data(), {}, true), (Env{"PATH=/bin", "SECRET=1", "DUP=first"}));
  EXPECT_EQ(BuildGuestEnv(envp.data(), {Set("SECRET", "2"), Set("NEW", "n")}, true),
            (Env{"PATH=/bin", "SECRET=2", "DUP=first", "NEW=n"}));
}

TEST(GuestEnvTest, PrefixOfAKeyIsNotTheKey) {
  Env host = {"PATHX=/nope", "HOMER=simpson"};
  auto envp = Environ(host);
  EXPECT_EQ(BuildGuestEnv(envp.data(), {Pass("PATH")}, false),
            (Env{std::string("PATH=") + kDefaultGuestPath, "HOME=/root"}));
}

}  // namespace
}  // namespace sentry::launcher
