// Tests for the flag value parsers (sizes, durations, CPUs, pids, host names, --env, --mount).
// Owned by the launcher.
#include "launcher/option_values.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace sentry::launcher {
namespace {

TEST(ByteSizeTest, Suffixes) {
  uint64_t v = 0;
  EXPECT_TRUE(ParseByteSize("64M", &v));
  EXPECT_EQ(v, 64ull << 20);
  EXPECT_TRUE(ParseByteSize("1g", &v));
  EXPECT_EQ(v, 1ull << 30);
  EXPECT_TRUE(ParseByteSize("4k", &v));
  EXPECT_EQ(v, 4096u);
  EXPECT_TRUE(ParseByteSize("123", &v));
  EXPECT_EQ(v, 123u);
  EXPECT_TRUE(ParseByteSize("1024g", &v));
  EXPECT_EQ(v, 1ull << 40);
}

TEST(ByteSizeTest, Garbage) {
  uint64_t v = 7;
  for (const char* bad : {"", "0", "0m", "-1", "-64m", "1.5g", "1t", "m", "64mb", " 64m", "1025g",
                          "99999999999999999999", "0x10", "1e6"}) {
    EXPECT_FALSE(ParseByteSize(bad, &v)) << bad;
  }
  EXPECT_EQ(v, 7u);  // untouched on failure
}

TEST(ByteSizeTest, Format) {
  EXPECT_EQ(FormatByteSize(64ull << 20), "64M");
  EXPECT_EQ(FormatByteSize(1ull << 30), "1G");
  EXPECT_EQ(FormatByteSize(1536ull << 10), "1536K");
  EXPECT_EQ(FormatByteSize(1000), "1000");
}

TEST(MemoryLimitTest, Parses) {
  EXPECT_EQ(*ParseMemoryLimit("64M"), 64ull << 20);
  EXPECT_EQ(*ParseMemoryLimit("1g"), 1ull << 30);
  EXPECT_EQ(*ParseMemoryLimit("8m"), 8ull << 20);
}

TEST(MemoryLimitTest, RefusesTooSmallAndGarbage) {
  for (const char* bad : {"1m", "4096", "0", "-64m", "lots", "", "99999999999g"}) {
    auto r = ParseMemoryLimit(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("--memory"), std::string::npos);
  }
}

TEST(PidsLimitTest, Parses) {
  EXPECT_EQ(*ParsePidsLimit("16"), 16u);
  EXPECT_EQ(*ParsePidsLimit("1"), 1u);
  EXPECT_EQ(*ParsePidsLimit("4194304"), 4194304u);
}

TEST(PidsLimitTest, RefusesBad) {
  for (const char* bad : {"0", "-1", "1.5", "16.", "", "x", "4194305", "99999999999999", "1e3"}) {
    EXPECT_FALSE(ParsePidsLimit(bad).ok()) << bad;
  }
}

TEST(CpusTest, Parses) {
  EXPECT_DOUBLE_EQ(*ParseCpus("0.5"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseCpus(".25"), 0.25);
  EXPECT_DOUBLE_EQ(*ParseCpus("2"), 2.0);
  EXPECT_DOUBLE_EQ(*ParseCpus("0.01"), 0.01);
  EXPECT_DOUBLE_EQ(*ParseCpus("1024"), 1024.0);
}

TEST(CpusTest, RefusesBad) {
  for (const char* bad : {"0", "0.0", "0.009", "-0.5", "1024.5", "nan", "inf", "", ".", "1,5",
                          "1e1", "0.5.1", "99999999999"}) {
    EXPECT_FALSE(ParseCpus(bad).ok()) << bad;
  }
}

TEST(DurationTest, Parses) {
  EXPECT_EQ(*ParseDurationMs("1"), 1000);
  EXPECT_EQ(*ParseDurationMs("1.5"), 1500);
  EXPECT_EQ(*ParseDurationMs("10s"), 10000);
  EXPECT_EQ(*ParseDurationMs("2m"), 120000);
  EXPECT_EQ(*ParseDurationMs("1h"), 3600000);
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("1d"), 86400000);
  EXPECT_EQ(*ParseDurationMs("0.0001"), 1);  // rounded up, never 0
  EXPECT_EQ(*ParseDurationMs("365d"), 365ll * 86400000);
}

TEST(DurationTest, RefusesBad) {
  for (const char* bad : {"0", "0s", "0.0", "-1", "-1s", "", "s", "ms", "1x", "1.5.2", "abc",
                          "366d", "99999999999", "inf", "1e3", "1 s"}) {
    EXPECT_FALSE(ParseDurationMs(bad).ok()) << bad;
  }
}

TEST(DurationTest, Format) {
  EXPECT_EQ(FormatDurationMs(1000), "1s");
  EXPECT_EQ(FormatDurationMs(1500), "1.5s");
  EXPECT_EQ(FormatDurationMs(100), "0.1s");
  EXPECT_EQ(FormatDurationMs(120000), "2m");
  EXPECT_EQ(FormatDurationMs(3600000), "1h");
  EXPECT_EQ(FormatDurationMs(61001), "61.001s");
}

TEST(HostnameTest, Validates) {
  EXPECT_TRUE(ValidateHostname("box").ok());
  EXPECT_TRUE(ValidateHostname("a.b-c.D9").ok());
  EXPECT_TRUE(ValidateHostname(std::string(64, 'h')).ok());
  for (const std::string& bad :
       {std::string(), std::string(65, 'h'), std::string("a b"), std::string("a_b"),
        std::string("-a"), std::string(".a"), std::string("a/b"), std::string("h\xc3\xa9"),
        std::string("a\0b", 3)}) {
    EXPECT_FALSE(ValidateHostname(bad).ok()) << bad;
  }
}

TEST(EnvSpecTest, Parses) {
  auto kv = ParseEnvSpec("A=b=c");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->key, "A");
  EXPECT_EQ(kv->value, "b=c");
  EXPECT_TRUE(kv->has_value);
  auto empty = ParseEnvSpec("A=");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->has_value);
  EXPECT_EQ(empty->value, "");
  auto pass = ParseEnvSpec("HOME");
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->key, "HOME");
  EXPECT_FALSE(pass->has_value);
  EXPECT_FALSE(ParseEnvSpec("").ok());
  EXPECT_FALSE(ParseEnvSpec("=x").ok());
}

TEST(SandboxPathTest, Normalizes) {
  EXPECT_EQ(*NormalizeSandboxPath("--mount", "s", "/a//b/./"), "/a/b");
  EXPECT_FALSE(NormalizeSandboxPath("--mount", "s", "/").ok());
  EXPECT_FALSE(NormalizeSandboxPath("--mount", "s", "//.").ok());
  EXPECT_FALSE(NormalizeSandboxPath("--mount", "s", "a/b").ok());
  EXPECT_FALSE(NormalizeSandboxPath("--mount", "s", "/a/../b").ok());
}

class MountOptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mount_option_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { rmdir(dir_.c_str()); }
  std::string dir_;
};

TEST_F(MountOptionTest, ParsesModes) {
  auto ro = ParseMountOption(dir_ + ":/data");
  ASSERT_TRUE(ro.ok()) << ro.status();
  EXPECT_EQ(ro->source, dir_);
  EXPECT_EQ(ro->target, "/data");
  EXPECT_TRUE(ro->read_only);
  auto rw = ParseMountOption(dir_ + "/.//:/data//x/:rw");
  ASSERT_TRUE(rw.ok()) << rw.status();
  EXPECT_EQ(rw->source, dir_);  // canonicalized
  EXPECT_EQ(rw->target, "/data/x");
  EXPECT_FALSE(rw->read_only);
  auto explicit_ro = ParseMountOption(dir_ + ":/d:ro");
  ASSERT_TRUE(explicit_ro.ok());
  EXPECT_TRUE(explicit_ro->read_only);
}

TEST_F(MountOptionTest, RelativeSourceIsMadeAbsolute) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  auto m = ParseMountOption(".:/d");
  ASSERT_EQ(chdir(cwd), 0);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->source, dir_);
}

TEST_F(MountOptionTest, RefusesBadSyntax) {
  for (const std::string& bad :
       {std::string(""), dir_, dir_ + ":", std::string(":/d"), dir_ + ":/d:rx", dir_ + ":/d:ro:x",
        dir_ + ":relative", dir_ + ":/", dir_ + ":/a/../b", dir_ + "::ro"}) {
    auto m = ParseMountOption(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(m.status())) << bad << ": " << m.status();
    EXPECT_NE(m.status().message().find("--mount"), std::string::npos);
  }
}

TEST_F(MountOptionTest, MissingSourceIsNotFound) {
  auto m = ParseMountOption(dir_ + "/missing:/d");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(absl::IsNotFound(m.status())) << m.status();
}

}  // namespace
}  // namespace sentry::launcher
