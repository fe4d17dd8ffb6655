// MaskedPaths: the default secrets, both homes, and --unmask of a file or a whole directory.
// Test-only.
#include "launcher/masked_paths.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace sentry::launcher {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(MaskedPathsTest, DefaultsCoverCredentialsAndEngineSockets) {
  std::vector<std::string> m = MaskedPaths("/home/alice", {});
  for (const char* p : {"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d",
                        "/root/.ssh", "/home/alice/.ssh", "/home/alice/.aws",
                        "/home/alice/.gnupg", "/home/alice/.docker", "/run/docker.sock",
                        "/run/containerd/containerd.sock", "/run/podman/podman.sock"}) {
    EXPECT_TRUE(Has(m, p)) << p;
  }
}

TEST(MaskedPathsTest, UnmaskRemovesAPathAndEverythingBelowIt) {
  std::vector<std::string> m = MaskedPaths("/home/alice/", {"/etc/shadow", "/home/alice"});
  EXPECT_FALSE(Has(m, "/etc/shadow"));
  EXPECT_TRUE(Has(m, "/etc/shadow-"));  // a sibling with a common prefix stays
  EXPECT_FALSE(Has(m, "/home/alice/.ssh"));
  EXPECT_TRUE(Has(m, "/root/.ssh"));
}

TEST(MaskedPathsTest, RootHomeIsNotListedTwice) {
  std::vector<std::string> m = MaskedPaths("/root", {});
  EXPECT_EQ(std::count(m.begin(), m.end(), "/root/.ssh"), 1);
  std::vector<std::string> none = MaskedPaths("", {"/"});
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace sentry::launcher
