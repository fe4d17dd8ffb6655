// AuditLog: one well-formed JSON object per line for every event kind, hostile bytes in paths
// escaped (never a broken line), and the cap on refused-syscall lines. Test-only.
#include "sentry/audit_log.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sentry {
namespace {

// A memfd to log into; Lines() reads it back from the start.
int LogFile() { return memfd_create("audit", MFD_CLOEXEC); }

std::vector<nlohmann::json> Lines(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  off_t off = 0;
  while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
    text.append(buf, static_cast<size_t>(n));
    off += n;
  }
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(AuditLogTest, EveryEventIsOneJsonLine) {
  UniqueFd file(LogFile());
  ASSERT_TRUE(file.valid());
  {
    AuditLog log{UniqueFd(dup(file.get()))};
    log.Exec(1, "/bin/sh", {"sh", "-c", "echo \"hi\"\n"});
    log.Open(2, "/tmp/a", O_WRONLY | O_CREAT | O_TRUNC);
    log.Change(2, "rename", "/tmp/a", "/tmp/b");
    log.Change(2, "unlink", std::string("/tmp/\xff\x01odd\"name", 15));
    log.Refused(3, 101, "ptrace", 1);
    log.Limit(3, "disk", "ENOSPC");
    log.Exit(0);
  }
  std::vector<nlohmann::json> l = Lines(file.get());
  ASSERT_EQ(l.size(), 7u);
  EXPECT_EQ(l[0]["event"], "exec");
  EXPECT_EQ(l[0]["argv"][2], "echo \"hi\"\n");
  EXPECT_EQ(l[1]["mode"], "w+create+trunc");
  EXPECT_EQ(l[2]["to"], "/tmp/b");
  EXPECT_EQ(l[3]["event"], "unlink");
  EXPECT_EQ(l[3]["path"], "/tmp/\u00ff\u0001odd\"name");  // raw bytes as code points
  EXPECT_EQ(l[4]["syscall"], "ptrace");
  EXPECT_EQ(l[5]["limit"], "disk");
  EXPECT_EQ(l[6]["status"], 0);
  for (const auto& j : l) EXPECT_TRUE(j.contains("time"));
}

TEST(AuditLogTest, RefusedLinesAreCapped) {
  UniqueFd file(LogFile());
  ASSERT_TRUE(file.valid());
  {
    AuditLog log{UniqueFd(dup(file.get()))};
    for (uint64_t i = 0; i < AuditLog::kMaxRefused + 5; ++i) log.Refused(1, 0, "x", 38);
    log.Exit(1);
  }
  std::vector<nlohmann::json> l = Lines(file.get());
  ASSERT_EQ(l.size(), AuditLog::kMaxRefused + 1);
  EXPECT_EQ(l.back()["refused_not_logged"], 5);
}

TEST(AuditLogTest, DisabledWritesNothing) {
  AuditLog log;
  EXPECT_FALSE(log.enabled());
  log.Exit(0);  // no fd: nothing happens
}

}  // namespace
}  // namespace sentry
